//! The `Webhook<T>`, `VerifiedWebhook` and `Claimed<E>` extractors.

use std::ops::{Deref, DerefMut};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;
use webhook_verify::receive::{Claim, Handover, Reply};
use webhook_verify::{Body, Error, Verified};

use crate::{WebhookConfig, WebhookError, request};

/// A verified delivery, parsed from JSON as `T`.
///
/// The extractor reads the body (up to the [`WebhookConfig`]'s limit, within its body
/// timeout), verifies the raw bytes with the config registered with `App::app_data` (or
/// as `web::Data<WebhookConfig>`), and only then parses them. Refusals
/// ([`WebhookError`], through the config's error handler): 400 or 401 when verification
/// fails, 408, 413, 400 `invalid payload` when the verified body is not JSON of type `T`,
/// 500 when no config is registered. For the raw bytes and the delivery's metadata, take
/// [`VerifiedWebhook`].
///
/// With replay protection (the default), the delivery is claimed and marked handled
/// before the handler runs, since the extractor never sees the handler's answer: a
/// duplicate gets 200 `duplicate` and never reaches the handler, and each delivery reaches
/// it **at most once** (a retry after a failed handler is a duplicate too). For
/// at-least-once handling take [`Claimed<Webhook<T>>`](Claimed), wrap the route with
/// [`VerifyWebhook`](crate::VerifyWebhook), or use [`events`](crate::events()). Behind the
/// middleware it parses the delivery the middleware verified and claimed, without
/// verifying or claiming again.
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
    /// assert_eq!(webhook_actix::Webhook(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned> Webhook<T> {
    /// Parses an already verified delivery, e.g. the one
    /// [`VerifyWebhook`](crate::VerifyWebhook) put in the request extensions.
    ///
    /// ```
    /// use webhook_actix::Webhook;
    /// use webhook_verify::{verify, Provider, SignOptions, Signer};
    ///
    /// let body = br#"{"action":"opened"}"#;
    /// let headers = Signer::new(&Provider::GITHUB, "s")?.sign(body, &SignOptions::new())?;
    /// let verified = verify(&Provider::GITHUB, "s", &headers, &body[..])?;
    /// let Webhook(value) = Webhook::<serde_json::Value>::from_verified(&verified).unwrap();
    /// assert_eq!(value["action"], "opened");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// 400 `invalid payload` ([`Reply::invalid_payload`]) when the body is not JSON of
    /// type `T`.
    pub fn from_verified(verified: &Verified<impl Body>) -> Result<Self, WebhookError> {
        json(verified).map_err(WebhookError::from)
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

/// A verified delivery, unparsed: the [`Verified`] value (raw body, provider, id,
/// timestamp, event type, matched key). Configured, claimed and refused like [`Webhook`]
/// (without `invalid payload`); dereferences to [`Verified`].
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use webhook_actix::{VerifiedWebhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// async fn github(webhook: VerifiedWebhook) -> String {
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
pub struct VerifiedWebhook(pub Verified);

impl VerifiedWebhook {
    /// The verified delivery.
    ///
    /// ```
    /// use webhook_actix::VerifiedWebhook;
    /// use webhook_verify::{verify, Provider, SignOptions, Signer};
    ///
    /// let headers = Signer::new(&Provider::GITHUB, "s")?.sign(b"{}", &SignOptions::new())?;
    /// // An owned body (`Vec<u8>`, `Bytes`): the extractor's `Verified` owns its body.
    /// let webhook = VerifiedWebhook(verify(&Provider::GITHUB, "s", &headers, b"{}".to_vec())?);
    /// assert_eq!(webhook.into_inner().body().as_ref(), b"{}");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn into_inner(self) -> Verified {
        self.0
    }
}

impl Deref for VerifiedWebhook {
    type Target = Verified;

    fn deref(&self) -> &Verified {
        &self.0
    }
}

/// A verified delivery `E` ([`Webhook<T>`] or [`VerifiedWebhook`]) claimed in the replay
/// store, with the [`Claim`] the handler settles: [`commit`](Claim::commit) it once the
/// work is done. Returning without committing, failing with `?`, panicking, or the
/// request being dropped releases the claim, so the provider's retry is handled: each
/// delivery is handled at least once, and duplicates never reach the handler (200
/// `duplicate`, 409 `in progress` with `Retry-After`, 503 when the store is down).
///
/// The payload is parsed before the claim is taken, so an `invalid payload` (400) claims
/// nothing. The claim is inert ([`Claim::none`]) without replay protection, and behind
/// [`VerifyWebhook`](crate::VerifyWebhook) (which settles the claim from the response
/// status).
///
/// ```no_run
/// use actix_web::{App, HttpResponse, HttpServer, web};
/// use serde::Deserialize;
/// use webhook_actix::{Claimed, Webhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// #[derive(Deserialize)]
/// struct Event {
///     id: String,
/// }
///
/// async fn fulfil(_event: &Event) -> Result<(), std::io::Error> { Ok(()) }
///
/// async fn stripe(Claimed(Webhook(event), claim): Claimed<Webhook<Event>>) -> HttpResponse {
///     // On error `claim` is dropped: released, and Stripe's retry runs this again.
///     if fulfil(&event).await.is_err() {
///         return HttpResponse::InternalServerError().finish();
///     }
///     // Later deliveries of this event get 200 `duplicate`. A store failure is logged;
///     // the work is done, so answer 2xx anyway.
///     let _ = claim.commit().await;
///     HttpResponse::Ok().finish()
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
#[derive(Debug)]
pub struct Claimed<E>(pub E, pub Claim);

impl<E> Claimed<E> {
    /// The extractor and the claim.
    ///
    /// ```
    /// use webhook_actix::{Claim, Claimed};
    /// let (value, _claim) = Claimed(7, Claim::none()).into_parts();
    /// assert_eq!(value, 7);
    /// ```
    pub fn into_parts(self) -> (E, Claim) {
        (self.0, self.1)
    }
}

const RAW: fn(&Verified) -> Result<VerifiedWebhook, Reply> = |v| Ok(VerifiedWebhook(v.clone()));
const NO_CONFIG: &str = "no WebhookConfig registered with app_data";

fn json<T: DeserializeOwned>(verified: &Verified<impl Body>) -> Result<Webhook<T>, Reply> {
    verified.json().map(Webhook).map_err(Reply::invalid_payload)
}

/// The request's delivery, verified by the middleware or now, parsed by `parse` (before
/// any claim) when it was verified with this configuration (or the extractor has none),
/// and handed over as `handover` says (nothing to claim behind the middleware).
async fn extract<E>(
    req: HttpRequest,
    payload: Payload,
    handover: Handover,
    parse: fn(&Verified) -> Result<E, Reply>,
) -> Result<(E, Claim), actix_web::Error> {
    let config = WebhookConfig::from_req(&req);
    let fail = |reply| WebhookConfig::error(config, reply, &req);
    let reused = {
        let extensions = req.extensions();
        let by = extensions.get::<request::VerifiedBy>();
        request::verified_for(by, config.map(WebhookConfig::receiver))
            .then(|| extensions.get::<Verified>().map(parse))
            .flatten()
    };
    if let Some(parsed) = reused {
        return Ok((parsed.map_err(fail)?, Claim::none()));
    }
    let Some(config) = config else {
        tracing::error!(path = req.path(), "{NO_CONFIG}");
        let reason = NO_CONFIG.into();
        return Err(fail(Reply::rejected(Error::Config { reason })));
    };
    let reception = config.receiver().receive();
    async {
        let verified = request::verify(&reception, &req, payload)
            .await
            .map_err(fail)?;
        reception
            .hand_over(&verified, handover, parse)
            .await
            .map_err(fail)
    }
    .instrument(reception.span().clone())
    .await
}

macro_rules! from_request {
    ($({$($generics:tt)*} $ty:ty => $claim:ident, $parse:expr, $wrap:expr;)*) => {$(
        impl<$($generics)*> FromRequest for $ty {
            type Error = actix_web::Error;
            type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let (req, payload) = (req.clone(), payload.take());
                Box::pin(async move { extract(req, payload, Handover::$claim, $parse).await.map($wrap) })
            }
        }
    )*};
}

from_request! {
    {T: DeserializeOwned + 'static} Webhook<T> => AtMostOnce, json, |(webhook, _)| webhook;
    {} VerifiedWebhook => AtMostOnce, RAW, |(webhook, _)| webhook;
    {T: DeserializeOwned + 'static} Claimed<Webhook<T>> => Claim, json, |(e, claim)| Claimed(e, claim);
    {} Claimed<VerifiedWebhook> => Claim, RAW, |(e, claim)| Claimed(e, claim);
}
