//! Why a delivery was refused, and the response that says so.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use webhook_verify::replay::StoreError;
use webhook_verify::{Error, ErrorKind};

/// The `tracing` target rejections are logged under, at TRACE level.
///
/// ```
/// assert_eq!(webhook_axum::REJECTION_TARGET, "webhook_axum::rejection");
/// ```
pub const REJECTION_TARGET: &str = "webhook_axum::rejection";

type BoxError = Box<dyn StdError + Send + Sync>;

/// Why the extractor or the layer refused a request.
///
/// Its response follows the status policy: `400` for missing, duplicate or malformed
/// headers, `401` for a bad signature or a timestamp outside the tolerance, `413 payload
/// too large`, `400 invalid payload` for a verified body that is not the handler's JSON
/// type, `500` for the receiver's own configuration errors. With
/// [replay protection](crate::WebhookConfigBuilder::replay): `200 duplicate` for a delivery
/// already handled, `409 in progress` with `Retry-After` while another request handles it,
/// `503 service unavailable` when the replay store cannot be reached. The body is short `text/plain`
/// ([`body_text`](Self::body_text)) and never says which key or byte failed. A hook set
/// with [`WebhookConfigBuilder::on_rejection`](crate::WebhookConfigBuilder::on_rejection)
/// replaces the response; so can a handler taking `Result<Webhook<T>, WebhookRejection>`.
///
/// ```
/// use axum::http::StatusCode;
/// use webhook_axum::{RejectionKind, WebhookRejection};
///
/// let rejection = WebhookRejection::from(webhook_verify::Error::SignatureMismatch);
/// assert_eq!(rejection.status(), StatusCode::UNAUTHORIZED);
/// assert_eq!(rejection.body_text(), "invalid signature");
/// assert_eq!(
///     rejection.kind(),
///     RejectionKind::Verification(webhook_verify::ErrorKind::SignatureMismatch)
/// );
/// ```
pub struct WebhookRejection {
    reason: Reason,
    hook: Option<RejectionHook>,
}

pub(crate) enum Reason {
    Verification(Error),
    PayloadTooLarge,
    InvalidPayload(serde_json::Error),
    BodyRead(BoxError),
    Duplicate,
    InFlight(Duration),
    StoreUnavailable(StoreError),
}

/// What a [`WebhookRejection`] is about, for matching and metrics.
///
/// ```
/// use webhook_axum::RejectionKind;
/// assert_eq!(RejectionKind::PayloadTooLarge.as_str(), "payload_too_large");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectionKind {
    /// The core verifier refused the delivery (headers, timestamp, signature, or the
    /// receiver's own configuration).
    Verification(ErrorKind),
    /// The body is larger than the configured limit (`413`).
    PayloadTooLarge,
    /// The body was verified but is not JSON of the handler's type (`400`).
    InvalidPayload,
    /// The body could not be read from the connection (`400`).
    BodyRead,
    /// The delivery was already handled (`200 duplicate`): acknowledged, not handled again.
    Duplicate,
    /// The delivery is being handled by another request (`409 in progress`, `Retry-After`).
    InFlight,
    /// The replay store could not be reached (`503`): nothing is accepted unrecorded.
    StoreUnavailable,
}

impl RejectionKind {
    /// A stable snake_case name: the [`ErrorKind`] name for verification failures,
    /// `payload_too_large`, `invalid_payload`, `body_read`, `duplicate`, `in_progress` or
    /// `store_unavailable`.
    ///
    /// ```
    /// use webhook_axum::RejectionKind;
    /// use webhook_verify::ErrorKind;
    /// assert_eq!(RejectionKind::Verification(ErrorKind::SignatureMismatch).as_str(), "signature_mismatch");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Verification(kind) => kind.as_str(),
            Self::PayloadTooLarge => "payload_too_large",
            Self::InvalidPayload => "invalid_payload",
            Self::BodyRead => "body_read",
            Self::Duplicate => "duplicate",
            Self::InFlight => "in_progress",
            Self::StoreUnavailable => "store_unavailable",
        }
    }
}

impl fmt::Display for RejectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl WebhookRejection {
    pub(crate) fn from_reason(reason: Reason) -> Self {
        Self { reason, hook: None }
    }

    pub(crate) fn with_hook(mut self, hook: RejectionHook) -> Self {
        self.hook = Some(hook);
        self
    }

    /// A rejection for a body over the limit: `413 payload too large`.
    ///
    /// ```
    /// use webhook_axum::WebhookRejection;
    /// let rejection = WebhookRejection::payload_too_large();
    /// assert_eq!(rejection.status().as_u16(), 413);
    /// assert_eq!(rejection.body_text(), "payload too large");
    /// ```
    #[must_use]
    pub fn payload_too_large() -> Self {
        Self::from_reason(Reason::PayloadTooLarge)
    }

    /// A rejection for a verified body that is not JSON of the expected type:
    /// `400 invalid payload`. The `serde_json` error is kept as the
    /// [`source`](std::error::Error::source), never sent.
    ///
    /// ```
    /// use webhook_axum::WebhookRejection;
    /// let err = serde_json::from_slice::<u32>(b"\"x\"").unwrap_err();
    /// let rejection = WebhookRejection::invalid_payload(err);
    /// assert_eq!(rejection.status().as_u16(), 400);
    /// assert_eq!(rejection.body_text(), "invalid payload");
    /// ```
    #[must_use]
    pub fn invalid_payload(error: serde_json::Error) -> Self {
        Self::from_reason(Reason::InvalidPayload(error))
    }

    /// The answer to a delivery that was already handled: `200 duplicate`. The sender sees
    /// success and stops retrying; the handler does not run again.
    ///
    /// ```
    /// use webhook_axum::{RejectionKind, WebhookRejection};
    /// let rejection = WebhookRejection::duplicate();
    /// assert_eq!(rejection.status().as_u16(), 200);
    /// assert_eq!(rejection.body_text(), "duplicate");
    /// assert_eq!(rejection.kind(), RejectionKind::Duplicate);
    /// ```
    #[must_use]
    pub fn duplicate() -> Self {
        Self::from_reason(Reason::Duplicate)
    }

    /// The answer to a delivery that another request is handling right now:
    /// `409 in progress` with a `Retry-After` of `retry_after`, in whole seconds rounded up
    /// (at least 1).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_axum::WebhookRejection;
    /// use axum::response::IntoResponse;
    ///
    /// let rejection = WebhookRejection::in_flight(Duration::from_millis(1500));
    /// assert_eq!(rejection.status().as_u16(), 409);
    /// assert_eq!(rejection.body_text(), "in progress");
    /// assert_eq!(rejection.retry_after(), Some(2));
    /// let response = rejection.into_response();
    /// assert_eq!(response.headers()["retry-after"], "2");
    /// ```
    #[must_use]
    pub fn in_flight(retry_after: Duration) -> Self {
        Self::from_reason(Reason::InFlight(retry_after))
    }

    /// The answer when the replay store cannot be reached: `503 service unavailable`, so
    /// the sender retries later (fail closed). The [`StoreError`] is kept as the
    /// [`source`](std::error::Error::source), never sent.
    ///
    /// ```
    /// use webhook_axum::WebhookRejection;
    /// use webhook_verify::replay::StoreError;
    /// let rejection = WebhookRejection::store_unavailable(StoreError::new("connection refused"));
    /// assert_eq!(rejection.status().as_u16(), 503);
    /// assert_eq!(rejection.body_text(), "service unavailable");
    /// ```
    #[must_use]
    pub fn store_unavailable(error: StoreError) -> Self {
        Self::from_reason(Reason::StoreUnavailable(error))
    }

    /// The `Retry-After` value in seconds, for [`in_flight`](Self::in_flight) rejections.
    ///
    /// ```
    /// use webhook_axum::WebhookRejection;
    /// assert_eq!(WebhookRejection::duplicate().retry_after(), None);
    /// ```
    #[must_use]
    pub fn retry_after(&self) -> Option<u64> {
        match &self.reason {
            Reason::InFlight(d) => Some(retry_after_secs(*d)),
            _ => None,
        }
    }

    /// What the rejection is about.
    ///
    /// ```
    /// use webhook_axum::{RejectionKind, WebhookRejection};
    /// assert_eq!(WebhookRejection::payload_too_large().kind(), RejectionKind::PayloadTooLarge);
    /// ```
    #[must_use]
    pub fn kind(&self) -> RejectionKind {
        match &self.reason {
            Reason::Verification(e) => RejectionKind::Verification(e.kind()),
            Reason::PayloadTooLarge => RejectionKind::PayloadTooLarge,
            Reason::InvalidPayload(_) => RejectionKind::InvalidPayload,
            Reason::BodyRead(_) => RejectionKind::BodyRead,
            Reason::Duplicate => RejectionKind::Duplicate,
            Reason::InFlight(_) => RejectionKind::InFlight,
            Reason::StoreUnavailable(_) => RejectionKind::StoreUnavailable,
        }
    }

    /// The HTTP status of the response: [`Error::status`] for verification failures,
    /// `413` for a body over the limit, `400` for an invalid payload or an unreadable body,
    /// `200` for a duplicate, `409` for a delivery in flight, `503` when the replay store is
    /// unreachable.
    ///
    /// ```
    /// use webhook_axum::WebhookRejection;
    /// let rejection = WebhookRejection::from(webhook_verify::Error::SignatureMismatch);
    /// assert_eq!(rejection.status().as_u16(), 401);
    /// ```
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match &self.reason {
            Reason::Verification(e) => {
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            Reason::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Reason::InvalidPayload(_) | Reason::BodyRead(_) => StatusCode::BAD_REQUEST,
            Reason::Duplicate => StatusCode::OK,
            Reason::InFlight(_) => StatusCode::CONFLICT,
            Reason::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The response body: [`Error::body_text`] for verification failures (e.g.
    /// `missing header webhook-signature`, `invalid signature`, `timestamp outside
    /// tolerance`), `payload too large`, `invalid payload`, `failed to read body`,
    /// `duplicate`, `in progress` or `service unavailable`.
    ///
    /// ```
    /// use webhook_axum::WebhookRejection;
    /// let rejection = WebhookRejection::from(webhook_verify::Error::SignatureMismatch);
    /// assert_eq!(rejection.body_text(), "invalid signature");
    /// ```
    #[must_use]
    pub fn body_text(&self) -> Cow<'static, str> {
        match &self.reason {
            Reason::Verification(e) => e.body_text(),
            Reason::PayloadTooLarge => Cow::Borrowed("payload too large"),
            Reason::InvalidPayload(_) => Cow::Borrowed("invalid payload"),
            Reason::BodyRead(_) => Cow::Borrowed("failed to read body"),
            Reason::Duplicate => Cow::Borrowed("duplicate"),
            Reason::InFlight(_) => Cow::Borrowed("in progress"),
            Reason::StoreUnavailable(_) => Cow::Borrowed("service unavailable"),
        }
    }

    /// The verifier's error, when verification failed.
    ///
    /// ```
    /// use webhook_axum::WebhookRejection;
    /// use webhook_verify::Error;
    /// let rejection = WebhookRejection::from(Error::SignatureMismatch);
    /// assert_eq!(rejection.verify_error(), Some(&Error::SignatureMismatch));
    /// ```
    #[must_use]
    pub fn verify_error(&self) -> Option<&Error> {
        match &self.reason {
            Reason::Verification(e) => Some(e),
            _ => None,
        }
    }

    /// The default response, ignoring any hook: [`status`](Self::status) with
    /// [`body_text`](Self::body_text) as `text/plain`, plus `Retry-After` for a delivery
    /// in flight. Useful inside a hook that changes only some rejections.
    ///
    /// ```
    /// use webhook_axum::WebhookRejection;
    /// let response = WebhookRejection::payload_too_large().default_response();
    /// assert_eq!(response.status().as_u16(), 413);
    /// ```
    #[must_use]
    pub fn default_response(&self) -> Response {
        let mut response = (self.status(), self.body_text().into_owned()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        self.add_retry_after(&mut response);
        response
    }

    /// Adds `Retry-After` to an in-flight answer that lacks it.
    fn add_retry_after(&self, response: &mut Response) {
        if let Some(secs) = self.retry_after() {
            if !response.headers().contains_key(header::RETRY_AFTER) {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
        }
    }
}

impl From<Error> for WebhookRejection {
    fn from(error: Error) -> Self {
        Self::from_reason(Reason::Verification(error))
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(mut self) -> Response {
        tracing::trace!(
            target: REJECTION_TARGET,
            status = self.status().as_u16(),
            kind = self.kind().as_str(),
            response = %self.body_text(),
            "rejecting webhook delivery"
        );
        match self.hook.take() {
            Some(hook) => {
                let retry_after = self.retry_after();
                let mut response = (hook.0)(self);
                // The hook cannot drop the header the status policy requires with a 409.
                if let (Some(secs), StatusCode::CONFLICT) = (retry_after, response.status()) {
                    if !response.headers().contains_key(header::RETRY_AFTER) {
                        response
                            .headers_mut()
                            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                    }
                }
                response
            }
            None => self.default_response(),
        }
    }
}

impl fmt::Debug for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookRejection")
            .field("kind", &self.kind())
            .field("status", &self.status().as_u16())
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.body_text())
    }
}

impl StdError for WebhookRejection {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.reason {
            Reason::Verification(e) => Some(e),
            Reason::InvalidPayload(e) => Some(e),
            Reason::BodyRead(e) => Some(&**e),
            Reason::StoreUnavailable(e) => Some(e),
            Reason::PayloadTooLarge | Reason::Duplicate | Reason::InFlight(_) => None,
        }
    }
}

/// A user's replacement for rejection responses.
#[derive(Clone)]
pub(crate) struct RejectionHook(Arc<dyn Fn(WebhookRejection) -> Response + Send + Sync>);

impl RejectionHook {
    pub(crate) fn new<F>(hook: F) -> Self
    where
        F: Fn(WebhookRejection) -> Response + Send + Sync + 'static,
    {
        Self(Arc::new(hook))
    }
}

/// Whole seconds, rounded up, at least 1: the `Retry-After` for a delivery in flight.
pub(crate) fn retry_after_secs(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}
