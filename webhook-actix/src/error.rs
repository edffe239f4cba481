//! The adapter's one error type and its HTTP response.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, ResponseError};

/// Why a webhook request was refused.
///
/// It implements [`ResponseError`], so returning it (or letting the extractor or middleware
/// return it) answers with the status and short `text/plain` body of the DESIGN's status
/// policy:
///
/// | situation | status | body |
/// |---|---|---|
/// | signature or timestamp header missing, duplicated or malformed | 400 | e.g. `missing header webhook-signature` |
/// | signature mismatch | 401 | `invalid signature` |
/// | timestamp outside tolerance | 401 | `timestamp outside tolerance` |
/// | body over the limit | 413 | `payload too large` |
/// | verified, but the body does not parse as the handler's type | 400 | `invalid payload` |
/// | the request body could not be read (connection error) | 400 | `failed to read body` |
/// | the receiver is misconfigured (no [`WebhookConfig`](crate::WebhookConfig), no URL for Twilio) | 500 | `internal server error` |
///
/// The body never says which key or which byte failed. `Display` is meant for logs and
/// may say more than the body (for the receiver's own configuration errors).
///
/// ```
/// use actix_web::ResponseError;
/// use webhook_actix::WebhookError;
///
/// let err = WebhookError::from(webhook_verify::Error::SignatureMismatch);
/// assert_eq!(err.status_code(), 401);
/// assert_eq!(err.body_text(), "invalid signature");
/// assert_eq!(WebhookError::PayloadTooLarge.status_code(), 413);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The delivery did not verify (bad headers, signature or timestamp), or the verifier
    /// could not check it.
    #[error(transparent)]
    Verify(#[from] webhook_verify::Error),
    /// The body is longer than the configured limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// The delivery verified, but its body does not parse as the handler's type.
    #[error("invalid payload")]
    InvalidPayload(#[source] serde_json::Error),
    /// The request body could not be read (the connection failed or the framing was
    /// invalid).
    #[error("failed to read body")]
    Body(#[source] actix_web::error::PayloadError),
    /// The extractor needed a [`WebhookConfig`](crate::WebhookConfig) and none was
    /// registered with `app_data`.
    #[error(
        "no WebhookConfig registered: add `.app_data(WebhookConfig::new(verifier))` \
         or wrap the service with `VerifyWebhook`"
    )]
    MissingConfig,
}

impl WebhookError {
    /// The HTTP status of the response.
    ///
    /// ```
    /// use webhook_actix::WebhookError;
    /// assert_eq!(WebhookError::MissingConfig.status().as_u16(), 500);
    /// ```
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Verify(e) => {
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidPayload(_) | Self::Body(_) => StatusCode::BAD_REQUEST,
            Self::MissingConfig => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The text of the response body: short, lowercase, with nothing about which key or
    /// byte failed, and generic for the receiver's own configuration errors.
    ///
    /// ```
    /// use webhook_actix::WebhookError;
    /// assert_eq!(WebhookError::PayloadTooLarge.body_text(), "payload too large");
    /// assert_eq!(WebhookError::MissingConfig.body_text(), "internal server error");
    /// ```
    #[must_use]
    pub fn body_text(&self) -> String {
        match self {
            Self::Verify(e) => e.body_text().into_owned(),
            Self::MissingConfig => "internal server error".to_owned(),
            other => other.to_string(),
        }
    }

    /// A stable snake_case name for logs and metrics.
    ///
    /// ```
    /// use webhook_actix::WebhookError;
    /// assert_eq!(WebhookError::PayloadTooLarge.kind_str(), "payload_too_large");
    /// ```
    #[must_use]
    pub fn kind_str(&self) -> &'static str {
        match self {
            Self::Verify(e) => e.kind().as_str(),
            Self::PayloadTooLarge => "payload_too_large",
            Self::InvalidPayload(_) => "invalid_payload",
            Self::Body(_) => "body_read",
            Self::MissingConfig => "missing_config",
        }
    }
}

impl ResponseError for WebhookError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status())
            .insert_header(ContentType::plaintext())
            .body(self.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn statuses_and_bodies() {
        let cases: Vec<(WebhookError, u16, &str)> = vec![
            (
                webhook_verify::Error::MissingHeader {
                    name: "webhook-signature".into(),
                }
                .into(),
                400,
                "missing header webhook-signature",
            ),
            (
                webhook_verify::Error::SignatureMismatch.into(),
                401,
                "invalid signature",
            ),
            (
                webhook_verify::Error::MissingUrl {
                    provider: "twilio".into(),
                }
                .into(),
                500,
                "internal server error",
            ),
            (WebhookError::PayloadTooLarge, 413, "payload too large"),
            (
                WebhookError::InvalidPayload(serde_json::from_slice::<u8>(b"x").unwrap_err()),
                400,
                "invalid payload",
            ),
            (WebhookError::MissingConfig, 500, "internal server error"),
        ];
        for (err, status, body) in cases {
            let res = err.error_response();
            assert_eq!(res.status().as_u16(), status, "{err}");
            assert_eq!(
                res.headers().get("content-type").unwrap(),
                "text/plain; charset=utf-8"
            );
            let bytes = res.into_body().try_into_bytes().unwrap();
            assert_eq!(bytes, body.as_bytes());
        }
    }
}
