use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::Request;
use tower_service::Service;

use tracing::Instrument as _;
use webhook_verify::receive::{BoxError, Reply};

use super::future::ResponseFuture;
use crate::config::WebhookConfig;
use crate::request::{VerifiedBy, read_and_verify};

/// The service made by [`VerifyWebhookLayer`](super::VerifyWebhookLayer): verifies each
/// request, then calls the inner service with the same request, its body replaced by the
/// verified bytes and a [`Verified`](webhook_verify::Verified) in its extensions. With
/// replay protection (the default) it claims each delivery first and settles the claim
/// from the inner service's response (see [`VerifyWebhookLayer`](super::VerifyWebhookLayer)).
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
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        // The instance that was polled ready goes with this request; a clone stays.
        let clone = self.inner.clone();
        let mut service = std::mem::replace(&mut self.inner, clone);
        let config = self.config.clone();
        let delivery = config.receiver().receive();
        let span = delivery.span().clone();
        let inner = async move {
            let (mut parts, body) = req.into_parts();
            let verified = match read_and_verify(&config, &delivery, &parts, body).await {
                Ok(verified) => verified,
                Err(rejection) => return Ok(rejection.into_response()),
            };
            let claim = match delivery.claim(&verified).await {
                Ok(claim) => claim,
                Err(reply) => return Ok(config.reject(reply).into_response()),
            };
            let body = Body::from(verified.body().clone());
            parts.extensions.insert(verified);
            parts
                .extensions
                .insert(VerifiedBy(config.receiver().clone()));
            // An error, a panic or cancellation from here on drops the claim: released.
            let response = service.call(Request::from_parts(parts, body)).await?;
            let response = response.into_response();
            let status = response.status().as_u16();
            delivery.finish_status(status, response.extensions().get::<Reply>());
            // Settled before the response goes out, so the sender's next retry
            // already sees `duplicate` (or is handled again after a failure).
            claim.settle(status).await;
            Ok(response)
        };
        ResponseFuture {
            inner: Box::pin(inner.instrument(span)),
        }
    }
}
