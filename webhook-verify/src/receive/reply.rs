//! The HTTP status policy (DESIGN.md §4), decided here and nowhere else.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::events::Ack;
use crate::replay::StoreError;
use crate::{Error, ErrorKind};

/// The error type carried by a [`Reply`] for an unreadable body or a payload that does not
/// parse.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

const TEXT: &str = "text/plain; charset=utf-8";

const NOSNIFF: &[(&str, &str)] = &[("x-content-type-options", "nosniff")];

/// What happened to a delivery: the `outcome` recorded on the `webhook` span, and a stable
/// snake_case name for metrics and logs.
///
/// ```
/// use webhook_verify::receive::Outcome;
/// use webhook_verify::ErrorKind;
/// assert_eq!(Outcome::InProgress.as_str(), "in_progress");
/// assert_eq!(Outcome::Rejected(ErrorKind::SignatureMismatch).as_str(), "signature_mismatch");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Verified; the handler has not answered yet (or its answer is not known).
    Verified,
    /// A route's handler (or the handler behind a layer) ran and succeeded.
    Handled,
    /// No route matched and no fallback was set: acknowledged with 200.
    Unrouted,
    /// A handshake challenge (Slack's `url_verification`, Meta's `hub.challenge`, X's CRC,
    /// ...) was answered; no handler ran and nothing was claimed.
    Challenge,
    /// A handshake challenge was refused: a wrong verify token (403) or a malformed
    /// challenge (400).
    ChallengeRefused,
    /// A request that is neither a delivery nor a handshake (a `GET` without a challenge):
    /// 405 with `Allow`.
    MethodNotAllowed,
    /// Verified, but the payload did not parse as the handler's type: 400.
    InvalidPayload,
    /// The payload did not parse and the router was told to acknowledge it anyway.
    InvalidPayloadAccepted,
    /// A handler failed or panicked: 500.
    HandlerFailed,
    /// Appended to a queue for a worker (feature `redis`): 202 `queued`.
    Queued,
    /// Already handled (replay protection): 200 `duplicate`.
    Duplicate,
    /// Being handled by another request (replay protection): 409 with `Retry-After`.
    InProgress,
    /// The replay store could not be reached: 503.
    StoreUnavailable,
    /// Verification refused the delivery (400, 401), or the receiver is misconfigured
    /// (500, [`ErrorKind::Config`] and friends).
    Rejected(ErrorKind),
    /// The body is over the limit: 413.
    PayloadTooLarge,
    /// The body could not be read (connection closed, bad chunked encoding): 400.
    BodyRead,
    /// The body did not arrive within the receiver's body timeout: 408.
    BodyTimeout,
    /// Shadow mode: the delivery failed verification and was handed to the handler
    /// anyway, marked unverified.
    ShadowAccepted,
    /// Keys are resolved per tenant and the request does not name its tenant: 400.
    TenantMissing,
    /// Keys are resolved per tenant and there is no such tenant: 401, answered as a bad
    /// signature.
    UnknownTenant,
    /// The tenant's key resolver failed transiently or did not answer in time: 503.
    KeysUnavailable,
    /// The tenant's key resolver failed, or gave secrets the provider cannot use: 500.
    KeysFailed,
}

impl Outcome {
    /// A short snake_case name (`handled`, `signature_mismatch`, `payload_too_large`, ...).
    ///
    /// ```
    /// assert_eq!(webhook_verify::receive::Outcome::Duplicate.as_str(), "duplicate");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Handled => "handled",
            Self::Unrouted => "unrouted",
            Self::Challenge => "challenge",
            Self::ChallengeRefused => "challenge_refused",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::InvalidPayload => "invalid_payload",
            Self::InvalidPayloadAccepted => "invalid_payload_accepted",
            Self::HandlerFailed => "handler_failed",
            Self::Queued => "queued",
            Self::Duplicate => "duplicate",
            Self::InProgress => "in_progress",
            Self::StoreUnavailable => "store_unavailable",
            Self::Rejected(kind) => kind.as_str(),
            Self::PayloadTooLarge => "payload_too_large",
            Self::BodyRead => "body_read",
            Self::BodyTimeout => "body_timeout",
            Self::ShadowAccepted => "shadow_accepted",
            Self::TenantMissing => "tenant_missing",
            Self::UnknownTenant => "unknown_tenant",
            Self::KeysUnavailable => "keys_unavailable",
            Self::KeysFailed => "keys_failed",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone)]
enum Cause {
    Verify(Error),
    Store(StoreError),
    Other(Arc<dyn StdError + Send + Sync + 'static>),
}

/// The answer to a delivery: status, body text, content type, `Retry-After`, and what
/// happened. The one place the HTTP status policy (DESIGN.md §4) is decided; the adapters
/// only turn it into their framework's response.
///
/// | situation | constructor | status | body |
/// |---|---|---|---|
/// | handler succeeded | (router, layer) | the handler's 2xx | the handler's |
/// | appended to a queue | [`queued`](Self::queued) | 202 | `queued` |
/// | already handled | [`duplicate`](Self::duplicate) | 200 | `duplicate` |
/// | being handled | [`in_progress`](Self::in_progress) | 409 + `Retry-After` (≥ 1 s) | `in progress` |
/// | header missing, repeated or malformed | [`rejected`](Self::rejected) | 400 | e.g. `missing header webhook-signature` |
/// | bad signature, stale timestamp | [`rejected`](Self::rejected) | 401 | `invalid signature` / `timestamp outside tolerance` |
/// | body over the limit | [`payload_too_large`](Self::payload_too_large) | 413 | `payload too large` |
/// | body not read in time | [`body_timeout`](Self::body_timeout) | 408 | `request timeout` |
/// | body unreadable | [`body_read`](Self::body_read) | 400 | `failed to read body` |
/// | payload not the handler's type | [`invalid_payload`](Self::invalid_payload) | 400 | `invalid payload` |
/// | handler failed | [`handler_failed`](Self::handler_failed) | 500 | `internal server error` |
/// | receiver misconfigured | [`rejected`](Self::rejected) with a config error | 500 | `internal server error` |
/// | replay store unreachable | [`store_unavailable`](Self::store_unavailable) | 503 | `service unavailable` |
/// | keys per tenant: the request names no tenant | (receive path) | 400 | `missing tenant (…)` |
/// | keys per tenant: unknown tenant | (receive path) | 401 | `invalid signature` |
/// | keys per tenant: resolver down or too slow | (receive path) | 503 + `Retry-After: 1` | `service unavailable` |
/// | keys per tenant: resolver failed otherwise | (receive path) | 500 | `internal server error` |
///
/// In [shadow mode](crate::receive::ReceiverBuilder::shadow) the 400 and 401 answers of
/// verification are not sent: the delivery goes to the handler, marked unverified.
/// | handshake answered | (receive path, see [`challenge`](crate::receive#handshake-challenges)) | 200 | the sender's answer |
/// | handshake with a wrong verify token | (receive path) | 403 | `invalid verify token` |
/// | handshake malformed | (receive path) | 400 | `invalid challenge` |
/// | `GET` that is no handshake | (receive path) | 405 + `Allow` | `method not allowed` |
///
/// Extra headers an answer must carry (`Allow`, `X-Content-Type-Options`) are in
/// [`headers`](Self::headers).
///
/// ```
/// use std::time::Duration;
/// use webhook_verify::receive::{Outcome, Reply};
///
/// let reply = Reply::in_progress(Duration::from_millis(1500));
/// assert_eq!((reply.status(), reply.body_text().as_ref()), (409, "in progress"));
/// assert_eq!(reply.retry_after(), Some(2));
/// assert_eq!(reply.outcome(), Outcome::InProgress);
/// assert_eq!(Reply::rejected(webhook_verify::Error::SignatureMismatch).status(), 401);
/// ```
#[derive(Clone)]
pub struct Reply {
    status: u16,
    body: Bytes,
    content_type: Option<&'static str>,
    retry_after: Option<u64>,
    outcome: Outcome,
    /// What few replies carry, boxed to keep `Result<_, Reply>` small.
    detail: Option<Box<Detail>>,
}

#[derive(Clone, Default)]
struct Detail {
    event: Option<String>,
    route: Option<Arc<str>>,
    cause: Option<Cause>,
    /// Headers the answer must carry besides the content type (`Allow`, `nosniff`).
    headers: &'static [(&'static str, &'static str)],
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body of a 2xx is the handler's; it is not printed.
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("outcome", &self.outcome)
            .field("retry_after", &self.retry_after)
            .field("event", &self.event())
            .field("route", &self.route())
            .finish_non_exhaustive()
    }
}

impl Reply {
    fn text(status: u16, body: &'static str, outcome: Outcome) -> Self {
        Self {
            status,
            body: Bytes::from_static(body.as_bytes()),
            content_type: Some(TEXT),
            retry_after: None,
            outcome,
            detail: None,
        }
    }

    fn detail(&mut self) -> &mut Detail {
        self.detail.get_or_insert_default()
    }

    pub(crate) fn with_error(self, error: BoxError) -> Self {
        self.with_cause(Cause::Other(Arc::from(error)))
    }

    fn with_cause(mut self, cause: Cause) -> Self {
        self.detail().cause = Some(cause);
        self
    }

    /// Verification refused the delivery: the error's own status (400 for headers, 401
    /// for the signature or timestamp, 500 for the receiver's configuration) and body text
    /// ([`Error::body_text`]: a 500 never explains itself).
    ///
    /// ```
    /// use webhook_verify::{Error, receive::Reply};
    /// let reply = Reply::rejected(Error::SignatureMismatch);
    /// assert_eq!((reply.status(), reply.body_text().as_ref()), (401, "invalid signature"));
    /// ```
    #[must_use]
    pub fn rejected(error: Error) -> Self {
        let body = match error.body_text() {
            Cow::Borrowed(text) => Bytes::from_static(text.as_bytes()),
            Cow::Owned(text) => Bytes::from(text),
        };
        Self {
            status: error.status(),
            body,
            content_type: Some(TEXT),
            retry_after: None,
            outcome: Outcome::Rejected(error.kind()),
            detail: None,
        }
        .with_cause(Cause::Verify(error))
    }

    /// 413 `payload too large`.
    ///
    /// ```
    /// assert_eq!(webhook_verify::receive::Reply::payload_too_large().status(), 413);
    /// ```
    #[must_use]
    pub fn payload_too_large() -> Self {
        Self::text(413, "payload too large", Outcome::PayloadTooLarge)
    }

    /// 400 `failed to read body`: the body stream failed.
    ///
    /// ```
    /// let reply = webhook_verify::receive::Reply::body_read(std::io::Error::other("reset"));
    /// assert_eq!(reply.status(), 400);
    /// ```
    #[must_use]
    pub fn body_read(error: impl Into<BoxError>) -> Self {
        Self::text(400, "failed to read body", Outcome::BodyRead)
            .with_cause(Cause::Other(Arc::from(error.into())))
    }

    /// 408 `request timeout`: the body did not arrive within the receiver's body timeout.
    ///
    /// ```
    /// assert_eq!(webhook_verify::receive::Reply::body_timeout().status(), 408);
    /// ```
    #[must_use]
    pub fn body_timeout() -> Self {
        Self::text(408, "request timeout", Outcome::BodyTimeout)
    }

    /// 400 `invalid payload`: verified, but not the handler's type.
    ///
    /// ```
    /// let error = serde_json::from_str::<u8>("x").unwrap_err();
    /// let reply = webhook_verify::receive::Reply::invalid_payload(error);
    /// assert_eq!((reply.status(), reply.body_text().as_ref()), (400, "invalid payload"));
    /// ```
    #[must_use]
    pub fn invalid_payload(error: impl Into<BoxError>) -> Self {
        Self::text(400, "invalid payload", Outcome::InvalidPayload)
            .with_cause(Cause::Other(Arc::from(error.into())))
    }

    /// 202 `queued`: the delivery was appended to a queue and a worker will handle it
    /// (Redis acknowledged the append).
    ///
    /// ```
    /// let reply = webhook_verify::receive::Reply::queued();
    /// assert_eq!((reply.status(), reply.body_text().as_ref()), (202, "queued"));
    /// ```
    #[must_use]
    pub fn queued() -> Self {
        Self::text(202, "queued", Outcome::Queued)
    }

    /// 200 `duplicate`: the delivery was already handled.
    ///
    /// ```
    /// assert_eq!(webhook_verify::receive::Reply::duplicate().body_text(), "duplicate");
    /// ```
    #[must_use]
    pub fn duplicate() -> Self {
        Self::text(200, "duplicate", Outcome::Duplicate)
    }

    /// 409 `in progress` with `Retry-After`: the lease in whole seconds, rounded up, at
    /// least 1.
    ///
    /// ```
    /// use std::time::Duration;
    /// let reply = webhook_verify::receive::Reply::in_progress(Duration::ZERO);
    /// assert_eq!(reply.retry_after(), Some(1));
    /// ```
    #[must_use]
    pub fn in_progress(lease: Duration) -> Self {
        let secs = lease.as_secs() + u64::from(lease.subsec_nanos() > 0);
        let mut reply = Self::text(409, "in progress", Outcome::InProgress);
        reply.retry_after = Some(secs.max(1));
        reply
    }

    /// 503 `service unavailable`: the replay store could not be reached (fail closed).
    ///
    /// ```
    /// use webhook_verify::replay::StoreError;
    /// let reply = webhook_verify::receive::Reply::store_unavailable(StoreError::new("down"));
    /// assert_eq!(reply.status(), 503);
    /// ```
    #[must_use]
    pub fn store_unavailable(error: StoreError) -> Self {
        Self::text(503, "service unavailable", Outcome::StoreUnavailable)
            .with_cause(Cause::Store(error))
    }

    /// The answers when keys are resolved per tenant
    /// ([`TenantKeys`](crate::key_source::TenantKeys)): `400 missing tenant` when the
    /// request does not name one; `401 invalid signature` for an unknown tenant (exactly a
    /// bad signature's answer); `503 service unavailable` when the resolver failed
    /// transiently or timed out; `500 internal server error` for any other resolver
    /// failure. The resolver's message is kept as the cause (logged, never sent).
    #[cfg(feature = "tokio")]
    pub(crate) fn tenant_miss(miss: crate::key_source::TenantMiss) -> Self {
        use crate::key_source::TenantMiss;
        match miss {
            TenantMiss::NotNamed(what) => {
                let mut reply = Self::text(400, "", Outcome::TenantMissing);
                reply.body = Bytes::from(format!("missing tenant ({what})"));
                reply
            }
            TenantMiss::Unknown => Self::text(401, "invalid signature", Outcome::UnknownTenant),
            TenantMiss::Resolver(error) if error.is_unavailable() => {
                let mut reply = Self::text(503, "service unavailable", Outcome::KeysUnavailable);
                reply.retry_after = Some(1);
                reply.with_cause(Cause::Other(Arc::new(error)))
            }
            TenantMiss::Resolver(error) => {
                Self::text(500, "internal server error", Outcome::KeysFailed)
                    .with_cause(Cause::Other(Arc::new(error)))
            }
            TenantMiss::BadSecrets(error) => {
                Self::text(500, "internal server error", Outcome::KeysFailed)
                    .with_cause(Cause::Verify(error))
            }
        }
    }

    /// 500 `internal server error`: a handler failed or panicked.
    ///
    /// ```
    /// assert_eq!(webhook_verify::receive::Reply::handler_failed().status(), 500);
    /// ```
    #[must_use]
    pub fn handler_failed() -> Self {
        Self::text(500, "internal server error", Outcome::HandlerFailed)
    }

    /// 200 with a handshake's answer, `nosniff` so a browser never renders an echo.
    pub(crate) fn challenge(body: impl Into<Bytes>, content_type: &'static str) -> Self {
        let mut reply = Self {
            status: 200,
            body: body.into(),
            content_type: Some(content_type),
            retry_after: None,
            outcome: Outcome::Challenge,
            detail: None,
        };
        reply.detail().headers = NOSNIFF;
        reply
    }

    /// 403 `invalid verify token`: a handshake whose token is not the configured one.
    pub(crate) fn challenge_forbidden() -> Self {
        Self::text(403, "invalid verify token", Outcome::ChallengeRefused)
    }

    /// 400 `invalid challenge`: a handshake request that is malformed.
    pub(crate) fn invalid_challenge() -> Self {
        Self::text(400, "invalid challenge", Outcome::ChallengeRefused)
    }

    /// 405 `method not allowed` with `Allow: {allow}`.
    pub(crate) fn method_not_allowed(allow: &'static [(&'static str, &'static str)]) -> Self {
        let mut reply = Self::text(405, "method not allowed", Outcome::MethodNotAllowed);
        reply.detail().headers = allow;
        reply
    }

    /// A handler's answer (its 2xx and body).
    #[must_use]
    pub(crate) fn ack(ack: Ack, outcome: Outcome) -> Self {
        let (status, body, content_type) = ack.into_parts();
        Self {
            status,
            body,
            content_type,
            retry_after: None,
            outcome,
            detail: None,
        }
    }

    pub(crate) fn for_event(mut self, event: &str, route: Option<&Arc<str>>) -> Self {
        let detail = self.detail();
        detail.event = Some(event.to_owned());
        if detail.route.is_none() {
            detail.route = route.cloned();
        }
        self
    }

    pub(crate) fn with_route(mut self, route: &Arc<str>) -> Self {
        self.detail().route = Some(Arc::clone(route));
        self
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the status is 2xx.
    #[must_use]
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body.
    #[must_use]
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (lossy for a handler's non-UTF-8 body).
    #[must_use]
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body's content type, when there is a body.
    #[must_use]
    pub fn content_type(&self) -> Option<&'static str> {
        self.content_type
    }

    /// Headers the answer carries besides the content type and `Retry-After`: `Allow` on a
    /// 405, `X-Content-Type-Options: nosniff` on a handshake's answer. Adapters add them
    /// as they are.
    ///
    /// ```
    /// assert!(webhook_verify::receive::Reply::duplicate().headers().is_empty());
    /// ```
    #[must_use]
    pub fn headers(&self) -> &'static [(&'static str, &'static str)] {
        self.detail.as_ref().map_or(&[], |d| d.headers)
    }

    /// The `Retry-After` value in seconds (409 `in progress` only).
    #[must_use]
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// What happened.
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The event's name, when the router read the envelope.
    #[must_use]
    pub fn event(&self) -> Option<&str> {
        self.detail.as_ref()?.event.as_deref()
    }

    /// The route whose handler ran: its pattern (`invoice.paid`, `invoice.*`), or
    /// `<fallback>`.
    #[must_use]
    pub fn route(&self) -> Option<&str> {
        self.detail.as_ref()?.route.as_deref()
    }

    /// The verification error, for a delivery verification refused.
    ///
    /// ```
    /// use webhook_verify::{Error, receive::Reply};
    /// assert_eq!(Reply::rejected(Error::SignatureMismatch).verify_error(), Some(&Error::SignatureMismatch));
    /// assert_eq!(Reply::duplicate().verify_error(), None);
    /// ```
    #[must_use]
    pub fn verify_error(&self) -> Option<&Error> {
        match self.detail.as_ref()?.cause.as_ref() {
            Some(Cause::Verify(error)) => Some(error),
            _ => None,
        }
    }

    /// The underlying error, if any: the verification error, the store's, the body
    /// stream's, or the payload's parse error. For logs; never sent to the caller.
    #[must_use]
    pub fn cause(&self) -> Option<&(dyn StdError + 'static)> {
        match self.detail.as_ref()?.cause.as_ref()? {
            Cause::Verify(error) => Some(error),
            Cause::Store(error) => Some(error),
            Cause::Other(error) => Some(&**error),
        }
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_success() && self.outcome != Outcome::Duplicate {
            write!(f, "{}", self.status)
        } else {
            f.write_str(&self.body_text())
        }
    }
}
