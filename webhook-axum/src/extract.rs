//! The `Webhook<T>`, `VerifiedWebhook` and `Claimed<E>` extractors.

use std::ops::{Deref, DerefMut};

use axum::extract::{FromRef, FromRequest, Request};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;
use webhook_verify::receive::{Claim, Handover, Reply};
use webhook_verify::{Body, Verified};

use crate::config::WebhookConfig;
use crate::rejection::WebhookRejection;
use crate::request::{read_and_verify, verified_by_layer};

/// A verified delivery, deserialized from JSON as `T`.
///
/// The extractor reads the body (up to [`WebhookConfig::max_body`], within its body
/// timeout), verifies the raw bytes with the [`WebhookConfig`] it gets from the router's
/// state through [`FromRef`], and only then parses them. It consumes the body, so it must
/// be the handler's **last** argument. For the raw bytes and the delivery's metadata, take
/// [`VerifiedWebhook`] instead.
///
/// Rejections ([`WebhookRejection`]): `400` or `401` when verification fails, `408`,
/// `413`, `400 invalid payload` when the verified body is not JSON of type `T`.
///
/// With replay protection (the default), the delivery is claimed and marked handled
/// before the handler runs, since the extractor never sees the handler's answer: a
/// duplicate gets `200 duplicate` and never reaches the handler, and each delivery reaches
/// it **at most once** (a retry after a failed handler is a duplicate too). For
/// at-least-once handling take [`Claimed<Webhook<T>>`](Claimed), put a
/// [`VerifyWebhookLayer`](crate::VerifyWebhookLayer) in front, or use
/// [`events`](crate::events()). Behind the layer with the same [`WebhookConfig`], it parses
/// the delivery the layer verified and claimed, without verifying or claiming again.
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use serde::Deserialize;
/// use webhook_axum::{Webhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// #[derive(Deserialize)]
/// struct StripeEvent {
///     id: String,
///     #[serde(rename = "type")]
///     kind: String,
/// }
///
/// async fn stripe(Webhook(event): Webhook<StripeEvent>) -> &'static str {
///     println!("{} {}", event.id, event.kind);
///     "ok"
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?;
/// let app = Router::new()
///     .route("/stripe", post(stripe))
///     .with_state(WebhookConfig::new(verifier));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default)]
#[must_use]
pub struct Webhook<T>(pub T);

impl<T> Webhook<T> {
    /// The value.
    ///
    /// ```
    /// assert_eq!(webhook_axum::Webhook(7).into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned> Webhook<T> {
    /// Parses an already verified delivery, e.g. one the
    /// [`VerifyWebhookLayer`](crate::VerifyWebhookLayer) put in the request extensions.
    ///
    /// ```
    /// use webhook_axum::Webhook;
    /// use webhook_verify::{verify, Provider, Signer, SignOptions};
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
    /// `400 invalid payload` ([`Reply::invalid_payload`]) when the body is not JSON of
    /// type `T`.
    pub fn from_verified(verified: &Verified<impl Body>) -> Result<Self, WebhookRejection> {
        parse(verified).map_err(WebhookRejection::from)
    }
}

fn parse<T: DeserializeOwned>(verified: &Verified<impl Body>) -> Result<Webhook<T>, Reply> {
    verified.json().map(Webhook).map_err(Reply::invalid_payload)
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

/// A verified delivery, unparsed: the raw body and what verification proved (provider,
/// id, timestamp, event type, matched key), as a [`Verified`].
///
/// Like [`Webhook`], it takes its [`WebhookConfig`] from the state, must be the last
/// argument, reuses the layer's verification behind it, and alone with replay protection
/// lets each delivery reach the handler at most once (see [`Webhook`]; take
/// [`Claimed<VerifiedWebhook>`](Claimed) for at-least-once). Use it for form-encoded
/// senders (Twilio, Slack commands), bodies that are not JSON, or to branch on
/// [`Verified::event_type`] before parsing.
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use webhook_axum::{VerifiedWebhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// async fn github(VerifiedWebhook(delivery): VerifiedWebhook) -> &'static str {
///     match delivery.event_type() {
///         Some("ping") => "pong",
///         _ => "ok",
///     }
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::GITHUB, std::env::var("GITHUB_WEBHOOK_SECRET")?)?;
/// let app = Router::new()
///     .route("/github", post(github))
///     .with_state(WebhookConfig::new(verifier));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct VerifiedWebhook(pub Verified);

impl VerifiedWebhook {
    /// The verified delivery.
    ///
    /// ```
    /// use webhook_axum::VerifiedWebhook;
    /// use webhook_verify::{verify, Provider, Signer, SignOptions};
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
/// request being cancelled releases the claim, so the provider's retry is handled: each
/// delivery is handled at least once, and duplicates never reach the handler (`200
/// duplicate`, `409 in progress` with `Retry-After`, `503` when the store is down).
///
/// The payload is parsed before the claim is taken, so an `invalid payload` (400) claims
/// nothing. Like [`Webhook<T>`], it reads the body and must be the handler's last
/// argument. The claim is inert ([`Claim::none`]) without replay protection, and behind a
/// [`VerifyWebhookLayer`](crate::VerifyWebhookLayer) with the same configuration (the
/// layer settles the claim from the response status).
///
/// ```no_run
/// use axum::{Router, http::StatusCode, routing::post};
/// use serde::Deserialize;
/// use webhook_axum::{Claimed, Webhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// #[derive(Deserialize)]
/// struct Event {
///     id: String,
/// }
///
/// async fn fulfil(_event: &Event) -> Result<(), std::io::Error> { Ok(()) }
///
/// async fn stripe(
///     Claimed(Webhook(event), claim): Claimed<Webhook<Event>>,
/// ) -> Result<&'static str, StatusCode> {
///     // On error `claim` is dropped: released, and Stripe's retry runs this again.
///     fulfil(&event).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
///     // Later deliveries of this event get `200 duplicate`. A store failure is logged;
///     // the work is done, so answer 2xx anyway.
///     let _ = claim.commit().await;
///     Ok("ok")
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?;
/// let app = Router::new()
///     .route("/stripe", post(stripe))
///     .with_state(WebhookConfig::new(verifier));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Claimed<E>(pub E, pub Claim);

impl<E> Claimed<E> {
    /// The extractor and the claim.
    ///
    /// ```
    /// use webhook_axum::{Claim, Claimed};
    /// let (value, _claim) = Claimed(7, Claim::none()).into_parts();
    /// assert_eq!(value, 7);
    /// ```
    pub fn into_parts(self) -> (E, Claim) {
        (self.0, self.1)
    }
}

/// The request's delivery, verified by the layer or now, parsed by `parse` and claimed the
/// `replay` way (nothing to claim behind the layer). Parsed before the claim: an invalid
/// payload claims nothing.
async fn extract<E>(
    config: &WebhookConfig,
    req: Request,
    handover: Handover,
    parse: impl FnOnce(&Verified) -> Result<E, Reply>,
) -> Result<(E, Claim), WebhookRejection> {
    let (mut parts, body) = req.into_parts();
    if let Some(verified) = verified_by_layer(&mut parts, config) {
        let parsed = parse(&verified).map_err(|reply| config.reject(reply))?;
        return Ok((parsed, Claim::none()));
    }
    let delivery = config.receiver().receive();
    let span = delivery.span().clone();
    async {
        let verified = read_and_verify(config, &delivery, &parts, body).await?;
        delivery
            .hand_over(&verified, handover, parse)
            .await
            .map_err(|reply| config.reject(reply))
    }
    .instrument(span)
    .await
}

fn raw(verified: &Verified) -> Result<VerifiedWebhook, Reply> {
    Ok(VerifiedWebhook(verified.clone()))
}

impl<T, S> FromRequest<S> for Webhook<T>
where
    T: DeserializeOwned + Send,
    WebhookConfig: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = WebhookConfig::from_ref(state);
        Ok(extract(&config, req, Handover::AtMostOnce, parse).await?.0)
    }
}

impl<S> FromRequest<S> for VerifiedWebhook
where
    WebhookConfig: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = WebhookConfig::from_ref(state);
        Ok(extract(&config, req, Handover::AtMostOnce, raw).await?.0)
    }
}

impl<T, S> FromRequest<S> for Claimed<Webhook<T>>
where
    T: DeserializeOwned + Send,
    WebhookConfig: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = WebhookConfig::from_ref(state);
        let (webhook, claim) = extract(&config, req, Handover::Claim, parse::<T>).await?;
        Ok(Self(webhook, claim))
    }
}

impl<S> FromRequest<S> for Claimed<VerifiedWebhook>
where
    WebhookConfig: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = WebhookConfig::from_ref(state);
        let (webhook, claim) = extract(&config, req, Handover::Claim, raw).await?;
        Ok(Self(webhook, claim))
    }
}
