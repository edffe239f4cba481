use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::Request;
use tower_service::Service;

use super::future::ResponseFuture;
use crate::WebhookConfig;
use crate::extract::{VerifiedBy, verify_body};

/// The service made by [`VerifyWebhookLayer`](super::VerifyWebhookLayer): verifies each
/// request, then calls the inner service with the same request, its body replaced by the
/// verified bytes and a [`Verified`](webhook_verify::Verified) in its extensions. With
/// [replay protection](crate::WebhookConfigBuilder::replay) it claims each delivery first
/// and settles the claim from the inner service's response (see
/// [`VerifyWebhookLayer`](super::VerifyWebhookLayer)).
///
/// ```
/// use axum::{Router, routing::post};
/// use webhook_axum::{VerifyWebhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s")?);
/// let router: Router = Router::new().route("/", post(|| async { "ok" }));
/// let service = VerifyWebhook::new(router, config);
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct VerifyWebhook<S> {
    inner: S,
    config: WebhookConfig,
}

impl<S> VerifyWebhook<S> {
    /// Wraps `inner`.
    ///
    /// ```
    /// # use webhook_axum::{VerifyWebhook, WebhookConfig};
    /// # use webhook_verify::{Provider, Verifier};
    /// let service = VerifyWebhook::new(tower::service_fn(|_req: http::Request<axum::body::Body>| async {
    ///     Ok::<_, std::convert::Infallible>(axum::response::Response::new(axum::body::Body::empty()))
    /// }), WebhookConfig::new(Verifier::new(Provider::GITHUB, "s")?));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn new(inner: S, config: WebhookConfig) -> Self {
        Self { inner, config }
    }

    /// The inner service.
    ///
    /// ```
    /// # use webhook_axum::{VerifyWebhook, WebhookConfig};
    /// # use webhook_verify::{Provider, Verifier};
    /// let service = VerifyWebhook::new(42, WebhookConfig::new(Verifier::new(Provider::GITHUB, "s")?));
    /// assert_eq!(*service.get_ref(), 42);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    ///
    /// ```
    /// # use webhook_axum::{VerifyWebhook, WebhookConfig};
    /// # use webhook_verify::{Provider, Verifier};
    /// let mut service = VerifyWebhook::new(42, WebhookConfig::new(Verifier::new(Provider::GITHUB, "s")?));
    /// *service.get_mut() = 7;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    ///
    /// ```
    /// # use webhook_axum::{VerifyWebhook, WebhookConfig};
    /// # use webhook_verify::{Provider, Verifier};
    /// let service = VerifyWebhook::new(42, WebhookConfig::new(Verifier::new(Provider::GITHUB, "s")?));
    /// assert_eq!(service.into_inner(), 42);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<Request<B>> for VerifyWebhook<S>
where
    S: Service<Request<Body>> + Clone + Send + 'static,
    S::Response: IntoResponse,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        // The instance that was polled ready goes with this request; a clone stays.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let config = self.config.clone();
        let span = config.span();
        let inner_span = span.clone();
        let verifying = Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let verified = verify_body(&config, &inner_span, &parts, body).await?;
            let claim = config.claim(&inner_span, &verified).await?;
            let body = Body::from(verified.body().clone());
            parts.extensions.insert(verified);
            parts.extensions.insert(VerifiedBy(config));
            Ok((Request::from_parts(parts, body), claim))
        });
        ResponseFuture::new(verifying, inner, span)
    }
}
