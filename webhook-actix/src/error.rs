//! The adapter's error: a core [`Reply`] answered as an actix response.

use std::borrow::Cow;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use webhook_verify::receive::{Outcome, Reply};

/// Why a webhook request was refused: a core [`Reply`] (its status, body text and
/// `Retry-After` come from the status policy, see the [crate docs](crate#responses)),
/// answered through [`ResponseError`].
///
/// The extractors, the middleware and [`events`](crate::events()) hand it to the
/// config's [`error_handler`](crate::WebhookConfigBuilder::error_handler) when one is set.
/// `Display` is the body text; [`source`](std::error::Error::source) the underlying error
/// (for logs, never sent).
///
/// ```
/// use actix_web::ResponseError;
/// use webhook_actix::{Reply, WebhookError};
///
/// let err = WebhookError::from(Reply::rejected(webhook_verify::Error::SignatureMismatch));
/// assert_eq!(err.status_code(), 401);
/// assert_eq!(err.body_text(), "invalid signature");
/// assert_eq!(err.outcome().as_str(), "signature_mismatch");
/// assert!(matches!(err.verify_error(), Some(webhook_verify::Error::SignatureMismatch)));
/// ```
#[derive(Debug, Clone)]
pub struct WebhookError(Reply);

impl WebhookError {
    /// The HTTP status.
    ///
    /// ```
    /// let err = webhook_actix::WebhookError::from(webhook_actix::Reply::payload_too_large());
    /// assert_eq!(err.status().as_u16(), 413);
    /// ```
    #[must_use]
    pub fn status(&self) -> StatusCode {
        status(&self.0)
    }

    /// The response body: short, with nothing about which key or byte failed.
    ///
    /// ```
    /// let err = webhook_actix::WebhookError::from(webhook_actix::Reply::duplicate());
    /// assert_eq!(err.body_text(), "duplicate");
    /// ```
    #[must_use]
    pub fn body_text(&self) -> Cow<'_, str> {
        self.0.body_text()
    }

    /// What happened (`signature_mismatch`, `in_progress`, `payload_too_large`, ...).
    ///
    /// ```
    /// use webhook_actix::{Outcome, Reply, WebhookError};
    /// assert_eq!(WebhookError::from(Reply::body_timeout()).outcome(), Outcome::BodyTimeout);
    /// ```
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        self.0.outcome()
    }

    /// The `Retry-After` seconds sent with 409 `in progress` (at least 1).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_actix::{Reply, WebhookError};
    /// let err = WebhookError::from(Reply::in_progress(Duration::from_millis(300)));
    /// assert_eq!(err.retry_after(), Some(1));
    /// ```
    #[must_use]
    pub fn retry_after(&self) -> Option<u64> {
        self.0.retry_after()
    }

    /// The verification error, when verification refused the delivery.
    ///
    /// ```
    /// use webhook_actix::{Reply, WebhookError};
    /// assert!(WebhookError::from(Reply::duplicate()).verify_error().is_none());
    /// ```
    #[must_use]
    pub fn verify_error(&self) -> Option<&webhook_verify::Error> {
        self.0.verify_error()
    }

    /// The core's answer.
    ///
    /// ```
    /// use webhook_actix::{Reply, WebhookError};
    /// assert_eq!(WebhookError::from(Reply::handler_failed()).reply().status(), 500);
    /// ```
    #[must_use]
    pub fn reply(&self) -> &Reply {
        &self.0
    }
}

impl From<Reply> for WebhookError {
    fn from(reply: Reply) -> Self {
        Self(reply)
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.cause()
    }
}

impl ResponseError for WebhookError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        response(&self.0)
    }
}

/// The response for a [`Reply`]: status, content type, `Retry-After`, body.
pub(crate) fn response(reply: &Reply) -> HttpResponse {
    let mut response = HttpResponse::build(status(reply));
    if let Some(content_type) = reply.content_type() {
        response.insert_header((CONTENT_TYPE, content_type));
    }
    if let Some(secs) = reply.retry_after() {
        response.insert_header((RETRY_AFTER, secs));
    }
    for &(name, value) in reply.headers() {
        response.insert_header((name, value));
    }
    response.body(reply.body().clone())
}

fn status(reply: &Reply) -> StatusCode {
    StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
