//! The `VerifyWebhook` middleware.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::HttpMessage as _;
use actix_web::body::EitherBody;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use futures_util::future::LocalBoxFuture;
use tracing::Instrument as _;

use crate::{WebhookConfig, WebhookError, request};

/// Middleware that verifies every request before the wrapped service sees it.
///
/// It reads the body (up to the limit, within the body timeout), verifies it, claims it in
/// the replay store (on by default), then **puts the body back** so the handler's own
/// extractors (`web::Json<T>`, `web::Bytes`, ...) read the same bytes, and stores the
/// [`Verified`](webhook_verify::Verified) delivery in the request extensions, where
/// [`Webhook`](crate::Webhook), [`VerifiedWebhook`](crate::VerifiedWebhook) and
/// [`Claimed`](crate::Claimed) find it (they neither verify nor claim again). The claim is
/// committed when the response is 2xx and released otherwise, or when the service fails or
/// the request is dropped, so the provider's retry is handled. Refused requests never
/// reach the service: they get the core's answer, through the config's error handler.
///
/// actix's own extractors keep their own limits: `web::Bytes` and `String` refuse bodies
/// over 256 KiB unless a larger `web::PayloadConfig` is registered, `web::Json` over 2 MiB.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use serde::Deserialize;
/// use webhook_actix::VerifyWebhook;
/// use webhook_verify::{Provider, Verifier};
///
/// #[derive(Deserialize)]
/// struct Event {
///     r#type: String,
/// }
///
/// async fn hook(event: web::Json<Event>) -> &'static str {
///     println!("{}", event.r#type);
///     "ok"
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STANDARD_WEBHOOKS, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let middleware = VerifyWebhook::new(verifier);
/// HttpServer::new(move || {
///     App::new().service(
///         web::resource("/webhooks")
///             .wrap(middleware.clone())
///             .route(web::post().to(hook)),
///     )
/// })
/// .bind(("127.0.0.1", 8080))?
/// .run()
/// .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct VerifyWebhook {
    config: WebhookConfig,
}

impl VerifyWebhook {
    /// Middleware receiving with this configuration (or this
    /// [`Verifier`](webhook_verify::Verifier), with every default).
    ///
    /// ```
    /// use webhook_actix::{VerifyWebhook, WebhookConfig};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::GITHUB, "s3cret")?;
    /// let simple = VerifyWebhook::new(verifier.clone());
    /// let tuned = VerifyWebhook::new(WebhookConfig::builder(verifier).max_body(64 * 1024).build());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn new(config: impl Into<WebhookConfig>) -> Self {
        Self {
            config: config.into(),
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for VerifyWebhook
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = VerifyWebhookService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(VerifyWebhookService {
            service: Rc::new(service),
            config: self.config.clone(),
        }))
    }
}

/// The service [`VerifyWebhook`] wraps around the inner one.
#[doc(hidden)]
#[derive(Debug)]
pub struct VerifyWebhookService<S> {
    service: Rc<S>,
    config: WebhookConfig,
}

impl<S, B> Service<ServiceRequest> for VerifyWebhookService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let (service, config) = (Rc::clone(&self.service), self.config.clone());
        let reception = config.receiver().receive();
        let span = reception.span().clone();
        Box::pin(
            async move {
                let payload = req.take_payload();
                let received = async {
                    let verified = request::verify(&reception, req.request(), payload).await?;
                    Ok((reception.claim(&verified).await?, verified))
                };
                let (claim, verified) = match received.await {
                    Ok(received) => received,
                    Err(reply) => {
                        let error = WebhookConfig::error(Some(&config), reply, req.request());
                        return Ok(req.error_response(error).map_into_right_body());
                    }
                };
                req.set_payload(Payload::from(verified.body().clone()));
                req.extensions_mut().insert(verified);
                req.extensions_mut()
                    .insert(request::VerifiedBy(config.receiver().clone()));
                // An error, a panic or a dropped request drops `claim`: released.
                let res = service.call(req).await?;
                let status = res.status().as_u16();
                claim.settle(status).await;
                let refusal = res
                    .response()
                    .error()
                    .and_then(|e| e.as_error::<WebhookError>());
                reception.finish_status(status, refusal.map(WebhookError::reply));
                Ok(res.map_into_left_body())
            }
            .instrument(span),
        )
    }
}
