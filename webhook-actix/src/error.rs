//! The adapter's one error type and its HTTP response.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{ContentType, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use webhook_verify::replay::StoreError;

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
/// | the receiver is misconfigured (no [`WebhookConfig`](crate::WebhookConfig), no URL for Twilio, replay protection set up wrong) | 500 | `internal server error` |
/// | duplicate of a delivery already processed ([replay protection](crate::WebhookConfig::replay)) | 200 | `duplicate` |
/// | duplicate while the first is still being processed | 409, `Retry-After` | `in progress` |
/// | the replay store is unreachable | 503 | `service unavailable` |
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
    /// The delivery was already processed: acknowledged with 200 `duplicate` so the
    /// provider stops retrying, without running the handler.
    #[error("duplicate")]
    Duplicate,
    /// The same delivery is being processed right now: 409 `in progress` with a
    /// `Retry-After` header (whole seconds, at least 1).
    #[error("in progress")]
    InFlight {
        /// How long the sender should wait before retrying.
        retry_after: Duration,
    },
    /// The replay store could not be reached: 503, so the provider retries (fail closed:
    /// nothing is accepted without being recorded).
    #[error(transparent)]
    StoreUnavailable(#[from] StoreError),
    /// A [`Claimed`](crate::Claimed) extractor was used but no replay protection is
    /// configured ([`WebhookConfig::replay`](crate::WebhookConfig::replay)).
    #[error(
        "`Claimed` needs replay protection: set `WebhookConfig::replay(..)` on the \
         registered config or on the `VerifyWebhook` middleware"
    )]
    ReplayNotConfigured,
    /// Replay protection is configured, but the handler takes `Webhook<T>` or
    /// `RawWebhook` without the [`VerifyWebhook`](crate::VerifyWebhook) middleware: nothing
    /// would commit the claim once the handler succeeded, so the delivery is refused rather
    /// than silently left unprotected.
    #[error(
        "replay protection is configured but nothing commits the claim: take `Claimed<T>` \
         in the handler, or wrap the route with `VerifyWebhook`"
    )]
    ClaimRequired,
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
            Self::MissingConfig | Self::ReplayNotConfigured | Self::ClaimRequired => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            Self::Duplicate => StatusCode::OK,
            Self::InFlight { .. } => StatusCode::CONFLICT,
            Self::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
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
            Self::MissingConfig | Self::ReplayNotConfigured | Self::ClaimRequired => {
                "internal server error".to_owned()
            }
            Self::StoreUnavailable(_) => "service unavailable".to_owned(),
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
            Self::Duplicate => "duplicate",
            Self::InFlight { .. } => "in_flight",
            Self::StoreUnavailable(_) => "store_unavailable",
            Self::ReplayNotConfigured => "replay_not_configured",
            Self::ClaimRequired => "claim_required",
        }
    }

    /// The `Retry-After` value sent with the response, in whole seconds (rounded up, at
    /// least 1): only for [`InFlight`](Self::InFlight).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_actix::WebhookError;
    ///
    /// let err = WebhookError::InFlight { retry_after: Duration::from_millis(1500) };
    /// assert_eq!(err.retry_after_secs(), Some(2));
    /// assert_eq!(WebhookError::Duplicate.retry_after_secs(), None);
    /// ```
    #[must_use]
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::InFlight { retry_after } => {
                let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                Some(secs.max(1))
            }
            _ => None,
        }
    }
}

impl ResponseError for WebhookError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status());
        res.insert_header(ContentType::plaintext());
        if let Some(secs) = self.retry_after_secs() {
            res.insert_header((RETRY_AFTER, secs));
        }
        res.body(self.body_text())
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
            (WebhookError::Duplicate, 200, "duplicate"),
            (
                WebhookError::InFlight {
                    retry_after: Duration::from_secs(5),
                },
                409,
                "in progress",
            ),
            (
                StoreError::new("redis: IoError").into(),
                503,
                "service unavailable",
            ),
            (
                WebhookError::ReplayNotConfigured,
                500,
                "internal server error",
            ),
            (WebhookError::ClaimRequired, 500, "internal server error"),
        ];
        for (err, status, body) in cases {
            let res = err.error_response();
            assert_eq!(res.status().as_u16(), status, "{err}");
            let retry_after = res
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap());
            assert_eq!(retry_after, (status == 409).then_some("5"), "{err}");
            assert_eq!(
                res.headers().get("content-type").unwrap(),
                "text/plain; charset=utf-8"
            );
            let bytes = res.into_body().try_into_bytes().unwrap();
            assert_eq!(bytes, body.as_bytes());
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let secs = |ms| {
            WebhookError::InFlight {
                retry_after: Duration::from_millis(ms),
            }
            .retry_after_secs()
        };
        assert_eq!(secs(0), Some(1));
        assert_eq!(secs(1), Some(1));
        assert_eq!(secs(1000), Some(1));
        assert_eq!(secs(1001), Some(2));
        assert_eq!(secs(60_000), Some(60));
    }
}
