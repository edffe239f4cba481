//! A tower layer that verifies deliveries before the inner service runs.

mod future;
mod service;

pub use self::future::ResponseFuture;
pub use self::service::VerifyWebhook;

use tower_layer::Layer;

use crate::config::WebhookConfig;

/// Verifies every request before the inner service sees it, then hands the body on intact
/// with the [`Verified`](webhook_verify::Verified) delivery in the request extensions, so
/// `axum::Json<T>`, `Bytes`, `String` or `Extension<Verified>` work in the handler.
///
/// Refused requests get the [`WebhookRejection`](crate::WebhookRejection) response (`400`,
/// `401`, `408`, `413`, ...) and never reach the inner service. Apply it with
/// [`Router::route_layer`](axum::Router::route_layer) (or to one route with
/// [`MethodRouter::layer`](axum::routing::MethodRouter::layer)) so unknown paths still
/// answer `404`.
///
/// With replay protection (the default) it also claims each verified delivery before
/// calling the inner service: duplicates get `200 duplicate` or `409 in progress` (with
/// `Retry-After`), an unreachable store `503`, and the inner service never sees them. A
/// 2xx answer commits the delivery before the response goes out; any other status, an
/// error, a panic or a dropped request releases it, so the provider's retry is handled.
/// [`Webhook<T>`](crate::Webhook), [`VerifiedWebhook`](crate::VerifiedWebhook) and
/// [`Claimed<E>`](crate::Claimed) behind it (with the same config) reuse its verification
/// and leave the claim to it.
///
/// ```no_run
/// use axum::{Extension, Json, Router, routing::post};
/// use webhook_axum::{VerifyWebhookLayer, WebhookConfig};
/// use webhook_verify::{Provider, Verified, Verifier};
///
/// async fn handler(
///     Extension(delivery): Extension<Verified>,
///     Json(event): Json<serde_json::Value>,
/// ) -> &'static str {
///     println!("{:?} {}", delivery.id(), event["type"]);
///     "ok"
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STANDARD_WEBHOOKS, std::env::var("WEBHOOK_SECRET")?)?;
/// let app = Router::new()
///     .route("/hooks", post(handler))
///     .route_layer(VerifyWebhookLayer::new(WebhookConfig::new(verifier)));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct VerifyWebhookLayer {
    config: WebhookConfig,
}

impl VerifyWebhookLayer {
    /// A layer verifying with `config` (or a bare [`Verifier`](webhook_verify::Verifier)
    /// with the default limit).
    ///
    /// ```
    /// use webhook_axum::VerifyWebhookLayer;
    /// use webhook_verify::{Provider, Verifier};
    /// let layer = VerifyWebhookLayer::new(Verifier::new(Provider::GITHUB, "s")?);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn new(config: impl Into<WebhookConfig>) -> Self {
        Self {
            config: config.into(),
        }
    }
}

impl<S> Layer<S> for VerifyWebhookLayer {
    type Service = VerifyWebhook<S>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyWebhook::new(inner, self.config.clone())
    }
}
