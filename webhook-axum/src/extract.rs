//! The `Webhook<T>` and `VerifiedWebhook` extractors.

use std::ops::{Deref, DerefMut};

use axum::extract::{FromRef, FromRequest, Request};
use http::request::Parts;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;
use webhook_verify::{Error, Verified};

use crate::body::{ReadError, read_limited};
use crate::config::WebhookConfig;
use crate::rejection::{Reason, WebhookRejection};

/// A verified delivery, deserialized from JSON as `T`.
///
/// The extractor reads the body (up to [`WebhookConfig::max_body`]), verifies the raw bytes
/// with the [`WebhookConfig`] it gets from the router's state through [`FromRef`], and only
/// then parses them. It consumes the body, so it must be the handler's **last** argument.
/// For the raw bytes and the delivery's metadata, take [`VerifiedWebhook`] instead.
///
/// Rejections ([`WebhookRejection`]): `400` or `401` when verification fails, `413 payload
/// too large`, `400 invalid payload` when the verified body is not JSON of type `T`.
///
/// Behind a [`VerifyWebhookLayer`](crate::VerifyWebhookLayer) with the same
/// [`WebhookConfig`], it parses the delivery the layer verified instead of verifying
/// again. With [replay protection](crate::WebhookConfigBuilder::replay), take
/// [`Claimed<Webhook<T>>`](crate::Claimed) or put the layer in front: alone, this
/// extractor cannot commit the delivery and answers `500 internal server error`.
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
    /// let value = webhook_axum::Webhook(7).into_inner();
    /// assert_eq!(value, 7);
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
    /// `400 invalid payload` ([`WebhookRejection::invalid_payload`]) when the body is not
    /// JSON of type `T`.
    pub fn from_verified(verified: &Verified) -> Result<Self, WebhookRejection> {
        verified
            .json::<T>()
            .map(Webhook)
            .map_err(WebhookRejection::invalid_payload)
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

impl<T, S> FromRequest<S> for Webhook<T>
where
    T: DeserializeOwned,
    WebhookConfig: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = WebhookConfig::from_ref(state);
        let span = config.span();
        async {
            let verified = verify_unclaimed(&config, &span, req).await?;
            Self::from_verified(&verified).map_err(|rejection| {
                span.record("outcome", "invalid_payload");
                tracing::debug!("verified webhook body is not the expected JSON type");
                config.attach(rejection)
            })
        }
        .instrument(span.clone())
        .await
    }
}

/// A verified delivery, unparsed: the raw body and what verification proved (provider,
/// id, timestamp, event type, matched key), as a [`Verified`].
///
/// Like [`Webhook`], it takes its [`WebhookConfig`] from the state and must be the last
/// argument; behind the layer it reuses the layer's verification, and with replay
/// protection it needs the layer or [`Claimed<VerifiedWebhook>`](crate::Claimed) (see
/// [`Webhook`]). Use it for form-encoded senders (Twilio, Slack commands), for bodies that are
/// not JSON, or to branch on [`Verified::event_type`] before parsing.
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
    /// let webhook = VerifiedWebhook(verify(&Provider::GITHUB, "s", &headers, &b"{}"[..])?);
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

impl<S> FromRequest<S> for VerifiedWebhook
where
    WebhookConfig: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = WebhookConfig::from_ref(state);
        let span = config.span();
        verify_unclaimed(&config, &span, req)
            .instrument(span.clone())
            .await
            .map(VerifiedWebhook)
    }
}

/// Reads the body within the limit and verifies it, recording the outcome on `span`.
pub(crate) async fn verify_body<B>(
    config: &WebhookConfig,
    span: &tracing::Span,
    parts: &Parts,
    body: B,
) -> Result<Verified, WebhookRejection>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let bytes = match read_limited(&parts.headers, body, config.max_body()).await {
        Ok(bytes) => bytes,
        Err(ReadError::TooLarge) => return Err(config.reject_early(span, Reason::PayloadTooLarge)),
        Err(ReadError::Stream(e)) => return Err(config.reject_early(span, Reason::BodyRead(e))),
    };
    config.verify_in_span(span, parts, bytes)
}

/// Put in the request extensions by the layer, next to the [`Verified`] delivery: which
/// configuration verified it (and, with replay protection, claimed it).
#[derive(Clone)]
pub(crate) struct VerifiedBy(pub(crate) WebhookConfig);

/// The delivery the layer verified with this very `config`, else the request verified
/// now. The flag says whether the layer did it (and so holds the replay claim, if any).
pub(crate) async fn verify_or_reuse(
    config: &WebhookConfig,
    span: &tracing::Span,
    req: Request,
) -> Result<(Verified, bool), WebhookRejection> {
    let (mut parts, body) = req.into_parts();
    let by_layer = parts
        .extensions
        .get::<VerifiedBy>()
        .is_some_and(|by| by.0.same_as(config));
    if by_layer {
        if let Some(verified) = parts.extensions.remove::<Verified>() {
            if !span.is_disabled() {
                if let Some(id) = verified.id() {
                    span.record("id", id);
                }
            }
            span.record("outcome", "verified");
            return Ok((verified, true));
        }
    }
    Ok((verify_body(config, span, &parts, body).await?, false))
}

/// For the extractors that cannot settle a replay claim: refuses (500) when replay
/// protection is configured and no layer took the claim.
async fn verify_unclaimed(
    config: &WebhookConfig,
    span: &tracing::Span,
    req: Request,
) -> Result<Verified, WebhookRejection> {
    let (verified, by_layer) = verify_or_reuse(config, span, req).await?;
    if !by_layer && config.replay().is_some() {
        span.record("outcome", "config");
        tracing::error!(
            "replay protection is configured, but Webhook<T>/VerifiedWebhook cannot commit \
             deliveries: take Claimed<Webhook<T>> or add VerifyWebhookLayer"
        );
        let error = Error::Config {
            reason: "replay protection needs Claimed<_> or VerifyWebhookLayer".into(),
        };
        return Err(config.attach(WebhookRejection::from(error)));
    }
    Ok(verified)
}
