//! The `Webhook<T>` and `RawWebhook` extractors.

use std::ops::{Deref, DerefMut};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use webhook_verify::Verified;

use crate::config::handle_error;
use crate::replay::ClaimedUpstream;
use crate::verify::{TARGET, verify_request};
use crate::{WebhookConfig, WebhookError};

/// Extracts a verified delivery and parses its body as JSON of type `T`.
///
/// The signature is checked over the raw bytes before any parsing. The configuration comes
/// from a [`WebhookConfig`] registered with `App::app_data` (or `web::Data<WebhookConfig>`);
/// when the [`VerifyWebhook`](crate::VerifyWebhook) middleware already verified the request,
/// its result is reused and no configuration is needed.
///
/// Refusals answer per the [`WebhookError`] table: 400/401 when the delivery does not
/// verify, 413 over the body limit, 400 `invalid payload` when the verified body is not a
/// `T`, and 500 (with an error log line) when no configuration was registered.
/// The body is parsed whatever its `Content-Type`.
///
/// It cannot see the handler's result, so it cannot commit a replay claim: with
/// [replay protection](WebhookConfig::replay) configured, use it behind the
/// [`VerifyWebhook`](crate::VerifyWebhook) middleware (which claims and commits) or take
/// [`Claimed<T>`](crate::Claimed) instead; alone it answers 500 with an error log line.
///
/// It reads the request body, so use one webhook extractor per handler: take
/// [`RawWebhook`] to get the [`Verified`] delivery and call
/// [`json`](Verified::json) yourself when you need both.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use serde::Deserialize;
/// use webhook_actix::{Webhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// #[derive(Deserialize)]
/// struct Event {
///     id: String,
///     r#type: String,
/// }
///
/// async fn stripe(Webhook(event): Webhook<Event>) -> &'static str {
///     println!("{} {}", event.id, event.r#type);
///     "ok"
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = WebhookConfig::new(Verifier::new(Provider::STRIPE, "whsec_test_secret")?);
/// HttpServer::new(move || {
///     App::new()
///         .app_data(config.clone())
///         .route("/webhooks/stripe", web::post().to(stripe))
/// })
/// .bind(("127.0.0.1", 8080))?
/// .run()
/// .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook<T>(pub T);

impl<T> Webhook<T> {
    /// The parsed payload.
    ///
    /// ```
    /// let payload = webhook_actix::Webhook(5).into_inner();
    /// assert_eq!(payload, 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Webhook<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Webhook<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Webhook<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let verified = verified(&req, &mut payload).await?;
            match verified.json::<T>() {
                Ok(value) => Ok(Webhook(value)),
                Err(err) => {
                    tracing::debug!(target: TARGET, error = %err, "verified webhook payload does not parse");
                    Err(handle_error(
                        WebhookConfig::from_req(&req),
                        WebhookError::InvalidPayload(err),
                        &req,
                    ))
                }
            }
        })
    }
}

/// Extracts a verified delivery without parsing it: the [`Verified`] result, with the raw
/// body ([`Verified::body`]), provider, id, timestamp, event type and matched key.
///
/// Configured like [`Webhook`] (including its rule for replay protection: behind the
/// middleware, or as `Claimed<RawWebhook>`); dereferences to [`Verified`].
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use webhook_actix::{RawWebhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// async fn github(webhook: RawWebhook) -> String {
///     format!("{:?} {} bytes", webhook.event_type(), webhook.body().len())
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?);
/// HttpServer::new(move || {
///     App::new()
///         .app_data(config.clone())
///         .route("/webhooks/github", web::post().to(github))
/// })
/// .bind(("127.0.0.1", 8080))?
/// .run()
/// .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RawWebhook(pub Verified);

impl RawWebhook {
    /// The verified delivery.
    ///
    /// ```
    /// use webhook_actix::RawWebhook;
    /// use webhook_verify::{verify, Provider};
    ///
    /// # let headers: &[(&str, &str)] = &[(
    /// #     "X-Hub-Signature-256",
    /// #     "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3",
    /// # )];
    /// # let verified = verify(&Provider::GITHUB, "mysecret", headers, br#"{"foo":"bar"}"#)?;
    /// let raw = RawWebhook(verified);
    /// assert_eq!(raw.into_inner().body().as_ref(), br#"{"foo":"bar"}"#);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn into_inner(self) -> Verified {
        self.0
    }
}

impl Deref for RawWebhook {
    type Target = Verified;

    fn deref(&self) -> &Verified {
        &self.0
    }
}

impl FromRequest for RawWebhook {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move { verified(&req, &mut payload).await.map(RawWebhook) })
    }
}

/// The request's verified delivery for `Webhook<T>` and `RawWebhook`, which cannot commit a
/// claim: refused when replay protection is configured and the middleware did not claim.
async fn verified(req: &HttpRequest, payload: &mut Payload) -> Result<Verified, actix_web::Error> {
    let config = WebhookConfig::from_req(req);
    if config.is_some_and(|c| c.get_replay().is_some())
        && req.extensions().get::<ClaimedUpstream>().is_none()
    {
        let err = WebhookError::ClaimRequired;
        tracing::error!(target: TARGET, path = req.path(), "{err}");
        return Err(handle_error(config, err, req));
    }
    verified_unclaimed(req, payload).await
}

/// The request's verified delivery: the middleware's, else read and verified here (and then
/// stored in the request extensions).
pub(crate) async fn verified_unclaimed(
    req: &HttpRequest,
    payload: &mut Payload,
) -> Result<Verified, actix_web::Error> {
    if let Some(verified) = req.extensions().get::<Verified>() {
        return Ok(verified.clone());
    }
    let Some(config) = WebhookConfig::from_req(req) else {
        tracing::error!(
            target: TARGET,
            path = req.path(),
            "{}",
            WebhookError::MissingConfig,
        );
        return Err(WebhookError::MissingConfig.into());
    };
    match verify_request(config, req, payload).await {
        Ok(verified) => {
            req.extensions_mut().insert(verified.clone());
            Ok(verified)
        }
        Err(err) => Err(config.handle_error(err, req)),
    }
}
