//! Reading and verifying one delivery, shared by the extractors and the middleware.

use actix_web::HttpRequest;
use actix_web::dev::Payload;
use tracing::Instrument as _;
use tracing::Span;
use tracing::field::Empty;
use webhook_verify::{Delivery, Verified};

use crate::body::read_limited;
use crate::{WebhookConfig, WebhookError};

/// The target of the adapter's log lines.
pub(crate) const TARGET: &str = "webhook_actix";

/// The `webhook` span of one delivery: the provider now, the delivery id and the outcome
/// once known (never a secret, a signature or the body).
pub(crate) fn webhook_span(config: &WebhookConfig) -> Span {
    tracing::info_span!(
        target: TARGET,
        "webhook",
        provider = config.verifier().provider().name(),
        id = Empty,
        outcome = Empty,
    )
}

/// Reads the body up to the limit and verifies it, inside a `webhook` span that records
/// the provider, the delivery id and the outcome (`verified` or the refusal's kind).
pub(crate) async fn verify_request(
    config: &WebhookConfig,
    req: &HttpRequest,
    payload: &mut Payload,
) -> Result<Verified, WebhookError> {
    verify_in_span(config, req, payload, Some("verified"))
        .instrument(webhook_span(config))
        .await
}

/// Reads the body up to the limit and verifies it, inside the current `webhook` span: records
/// the delivery id, and as the outcome `verified` (when given; callers that go on to handle
/// the delivery record their own) or the refusal's kind. Refusals are logged at DEBUG, the
/// receiver's own configuration errors at ERROR.
pub(crate) async fn verify_in_span(
    config: &WebhookConfig,
    req: &HttpRequest,
    payload: &mut Payload,
    verified_outcome: Option<&'static str>,
) -> Result<Verified, WebhookError> {
    let result = read_and_verify(config, req, payload).await;
    let span = Span::current();
    match &result {
        Ok(verified) => {
            if !span.is_disabled() {
                span.record("id", verified.id());
            }
            if let Some(outcome) = verified_outcome {
                span.record("outcome", outcome);
            }
            tracing::debug!(target: TARGET, "webhook verified");
        }
        Err(err) => {
            span.record("outcome", err.kind_str());
            if err.status().is_server_error() {
                tracing::error!(target: TARGET, error = %err, "webhook refused");
            } else {
                tracing::debug!(
                    target: TARGET,
                    status = err.status().as_u16(),
                    error = %err,
                    "webhook refused",
                );
            }
        }
    }
    result
}

async fn read_and_verify(
    config: &WebhookConfig,
    req: &HttpRequest,
    payload: &mut Payload,
) -> Result<Verified, WebhookError> {
    let body = read_limited(req.headers(), payload, config.get_max_body()).await?;
    let verifier = config.verifier();
    let url = verifier
        .provider()
        .needs_url()
        .then(|| config.delivery_url(req));
    let mut delivery = Delivery::new(req.headers(), body);
    if let Some(url) = &url {
        delivery = delivery.with_url(url);
    }
    verifier.verify(&delivery).map_err(|err| {
        if tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
            let diagnosis = verifier.diagnose(&delivery, &err);
            for hint in diagnosis.hints() {
                tracing::debug!(target: TARGET, hint = %hint, "diagnosis");
            }
        }
        WebhookError::Verify(err)
    })
}
