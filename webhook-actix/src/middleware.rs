//! The `VerifyWebhook` middleware.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::HttpMessage as _;
use actix_web::body::EitherBody;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use futures_util::future::LocalBoxFuture;

use crate::replay::{ClaimedUpstream, begin};
use crate::verify::verify_request;
use crate::{WebhookConfig, WebhookError};

/// Middleware that verifies every request before the wrapped service sees it.
///
/// It reads the body up to the limit, verifies it, then **puts the body back** so the
/// handler's own extractors (`web::Json<T>`, `web::Bytes`, `String`, …) read the same bytes,
/// and stores the [`Verified`](webhook_verify::Verified) delivery in the request extensions
/// (`req.extensions().get::<Verified>()`; the [`Webhook`](crate::Webhook) and
/// [`RawWebhook`](crate::RawWebhook) extractors pick it up without verifying again).
/// Refused requests never reach the service: they are answered per the
/// [`WebhookError`](crate::WebhookError) table, through the configured error handler.
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
/// HttpServer::new(move || {
///     App::new().service(
///         web::resource("/webhooks")
///             .wrap(VerifyWebhook::new(verifier.clone()))
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
    /// Middleware verifying with this configuration (or this
    /// [`Verifier`](webhook_verify::Verifier), with every default).
    ///
    /// ```
    /// use webhook_actix::{VerifyWebhook, WebhookConfig};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::GITHUB, "s3cret")?;
    /// let simple = VerifyWebhook::new(verifier.clone());
    /// let tuned = VerifyWebhook::new(WebhookConfig::new(verifier).max_body(64 * 1024));
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
        let service = Rc::clone(&self.service);
        let config = self.config.clone();
        Box::pin(async move {
            let mut payload = req.take_payload();
            let verified = match verify_request(&config, req.request(), &mut payload).await {
                Ok(verified) => verified,
                Err(err) => return Ok(refuse(&config, req, err)),
            };
            let held = match config.get_replay() {
                Some(replay) => match begin(&config, replay, &verified).await {
                    Ok(held) => Some(held),
                    Err(err) => return Ok(refuse(&config, req, err)),
                },
                None => None,
            };
            req.set_payload(Payload::from(verified.body().clone()));
            req.extensions_mut().insert(verified);
            let Some(held) = held else {
                return Ok(service.call(req).await?.map_into_left_body());
            };
            req.extensions_mut().insert(ClaimedUpstream);
            // If this future is dropped while the service runs (client gone), `held` is
            // dropped with it and releases the claim: never a commit for unfinished work.
            match service.call(req).await {
                Ok(res) if res.status().is_success() => {
                    held.commit_logged().await;
                    Ok(res.map_into_left_body())
                }
                Ok(res) => {
                    held.release_logged().await;
                    Ok(res.map_into_left_body())
                }
                Err(err) => {
                    held.release_logged().await;
                    Err(err)
                }
            }
        })
    }
}

/// Answers a refused request through the configured error handler.
fn refuse<B>(
    config: &WebhookConfig,
    req: ServiceRequest,
    err: WebhookError,
) -> ServiceResponse<EitherBody<B>> {
    let error = config.handle_error(err, req.request());
    let response = error.error_response();
    req.into_response(response).map_into_right_body()
}
