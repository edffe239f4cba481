//! Why a delivery was refused, and the response that says so.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
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
/// type, `500` for the receiver's own configuration errors. The body is short `text/plain`
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
}

impl RejectionKind {
    /// A stable snake_case name: the [`ErrorKind`] name for verification failures,
    /// `payload_too_large`, `invalid_payload` or `body_read`.
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
        }
    }

    /// The HTTP status of the response: [`Error::status`] for verification failures,
    /// `413` for a body over the limit, `400` for an invalid payload or an unreadable body.
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
        }
    }

    /// The response body: [`Error::body_text`] for verification failures (e.g.
    /// `missing header webhook-signature`, `invalid signature`, `timestamp outside
    /// tolerance`), `payload too large`, `invalid payload`, or `failed to read body`.
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
    /// [`body_text`](Self::body_text) as `text/plain`. Useful inside a hook that changes
    /// only some rejections.
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
        response
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
            Some(hook) => (hook.0)(self),
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
            Reason::PayloadTooLarge => None,
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
