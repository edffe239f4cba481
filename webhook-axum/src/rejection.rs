//! A refused delivery as an axum response.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use webhook_verify::Error;
use webhook_verify::receive::{Outcome, Reply};

/// Why the extractor, the layer or [`events`](crate::events()) refused a request: a core
/// [`Reply`] (the status policy's status, body text and `Retry-After`), and the
/// configuration's [`on_rejection`](crate::WebhookConfigBuilder::on_rejection) hook if any.
///
/// Its response is the reply's: `400` for missing, repeated or malformed headers (and a
/// malformed `Content-Length`), `401` for a bad signature or a timestamp outside the
/// tolerance, `408 request timeout`, `413 payload too large`, `400 invalid payload`,
/// `200 duplicate`, `409 in progress` with `Retry-After`, `503` when the replay store is
/// unreachable, `500` for the receiver's own configuration. The body is short
/// `text/plain` and never says which key or byte failed. A handler taking
/// `Result<Webhook<T>, WebhookRejection>` can answer otherwise.
///
/// ```
/// use axum::http::StatusCode;
/// use webhook_axum::{Outcome, WebhookRejection};
/// use webhook_verify::{Error, ErrorKind};
///
/// let rejection = WebhookRejection::from(Error::SignatureMismatch);
/// assert_eq!(rejection.status(), StatusCode::UNAUTHORIZED);
/// assert_eq!(rejection.body_text(), "invalid signature");
/// assert_eq!(rejection.outcome(), Outcome::Rejected(ErrorKind::SignatureMismatch));
/// ```
#[derive(Debug)]
pub struct WebhookRejection {
    pub(crate) reply: Reply,
    pub(crate) hook: Option<RejectionHook>,
}

impl WebhookRejection {
    /// The HTTP status of the default response.
    ///
    /// ```
    /// let rejection = webhook_axum::WebhookRejection::from(webhook_axum::Reply::payload_too_large());
    /// assert_eq!(rejection.status().as_u16(), 413);
    /// ```
    #[must_use]
    pub fn status(&self) -> StatusCode {
        status(&self.reply)
    }

    /// The response body (`invalid signature`, `payload too large`, `duplicate`, ...).
    ///
    /// ```
    /// let rejection = webhook_axum::WebhookRejection::from(webhook_axum::Reply::duplicate());
    /// assert_eq!(rejection.body_text(), "duplicate");
    /// ```
    #[must_use]
    pub fn body_text(&self) -> Cow<'_, str> {
        self.reply.body_text()
    }

    /// What happened (`signature_mismatch`, `payload_too_large`, `in_progress`, ...).
    ///
    /// ```
    /// use webhook_axum::{Outcome, Reply, WebhookRejection};
    /// assert_eq!(WebhookRejection::from(Reply::body_timeout()).outcome(), Outcome::BodyTimeout);
    /// ```
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        self.reply.outcome()
    }

    /// The `Retry-After` value in seconds (`409 in progress` only).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_axum::{Reply, WebhookRejection};
    /// let rejection = WebhookRejection::from(Reply::in_progress(Duration::from_millis(200)));
    /// assert_eq!(rejection.retry_after(), Some(1));
    /// ```
    #[must_use]
    pub fn retry_after(&self) -> Option<u64> {
        self.reply.retry_after()
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
        self.reply.verify_error()
    }

    /// The core's answer.
    ///
    /// ```
    /// use webhook_axum::{Reply, WebhookRejection};
    /// assert_eq!(WebhookRejection::from(Reply::duplicate()).reply().status(), 200);
    /// ```
    #[must_use]
    pub fn reply(&self) -> &Reply {
        &self.reply
    }

    /// The default response, ignoring any hook: the reply's status, body, content type
    /// and `Retry-After`. Useful inside a hook that changes only some rejections.
    ///
    /// ```
    /// let rejection = webhook_axum::WebhookRejection::from(webhook_axum::Reply::payload_too_large());
    /// assert_eq!(rejection.default_response().status().as_u16(), 413);
    /// ```
    #[must_use]
    pub fn default_response(&self) -> Response {
        reply_response(&self.reply)
    }
}

/// The HTTP response for a core [`Reply`].
pub(crate) fn reply_response(reply: &Reply) -> Response {
    let mut response = (status(reply), Body::from(reply.body().clone())).into_response();
    if let Some(content_type) = reply.content_type() {
        let value = HeaderValue::from_static(content_type);
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    for &(name, value) in reply.headers() {
        let name = header::HeaderName::from_static(name);
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    add_retry_after(reply, &mut response);
    response
}

fn status(reply: &Reply) -> StatusCode {
    StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The status policy's `Retry-After`, unless the response has one.
fn add_retry_after(reply: &Reply, response: &mut Response) {
    if let Some(secs) = reply.retry_after() {
        let headers = response.headers_mut();
        if !headers.contains_key(header::RETRY_AFTER) {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
}

impl From<Reply> for WebhookRejection {
    fn from(reply: Reply) -> Self {
        Self { reply, hook: None }
    }
}

impl From<Error> for WebhookRejection {
    fn from(error: Error) -> Self {
        Reply::rejected(error).into()
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(mut self) -> Response {
        let reply = self.reply.clone();
        let mut response = match self.hook.take() {
            Some(hook) => (hook.0)(self),
            None => reply_response(&self.reply),
        };
        // A hook cannot drop the header the status policy requires with a 409.
        if response.status() == StatusCode::CONFLICT {
            add_retry_after(&reply, &mut response);
        }
        // For a layer in front: the refusal it records for this delivery.
        response.extensions_mut().insert(reply);
        response
    }
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.body_text())
    }
}

impl StdError for WebhookRejection {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.reply.cause()
    }
}

/// A user's replacement for rejection responses.
#[derive(Clone)]
pub(crate) struct RejectionHook(pub(crate) Arc<dyn Fn(WebhookRejection) -> Response + Send + Sync>);

impl fmt::Debug for RejectionHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RejectionHook")
    }
}
