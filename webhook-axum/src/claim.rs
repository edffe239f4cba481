//! Replay protection in handlers: the `Claimed<E>` extractor and its `Claim`.

use std::fmt;

use axum::extract::{FromRef, FromRequest, Request};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;
use webhook_verify::replay::ClaimGuard;

use crate::config::WebhookConfig;
use crate::extract::{VerifiedWebhook, Webhook, verify_or_reuse};
use crate::rejection::WebhookRejection;

/// A verified delivery `E` ([`Webhook<T>`] or [`VerifiedWebhook`]) claimed in the
/// [replay store](crate::WebhookConfigBuilder::replay), with the [`Claim`] the handler
/// settles: call [`Claim::commit`] once the work is done. Returning without committing,
/// failing with `?`, panicking, or the request being cancelled releases the claim, so the
/// provider's retry is handled.
///
/// Duplicates never reach the handler: they are rejections ([`WebhookRejection`]) with
/// `200 duplicate` for a delivery already handled, `409 in progress` and `Retry-After`
/// for one being handled by another request, `503 service unavailable` when the store
/// cannot be reached. The payload is parsed before the claim is taken, so an `invalid
/// payload` (400) claims nothing. Like [`Webhook<T>`], it reads the body and must be the
/// handler's last argument.
///
/// Behind a [`VerifyWebhookLayer`](crate::VerifyWebhookLayer) with the same configuration,
/// the layer has already claimed the delivery and settles it from the response status; the
/// `Claim` is then inert. Without replay protection configured, it is inert too.
///
/// ```no_run
/// use axum::{Router, http::StatusCode, routing::post};
/// use serde::Deserialize;
/// use webhook_axum::{Claimed, Webhook, WebhookConfig};
/// use webhook_verify::replay::{MemoryStore, Replay};
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
///     claim.commit().await; // later deliveries of this event get `200 duplicate`
///     Ok("ok")
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?;
/// let replay = Replay::new(MemoryStore::new()).covering(&verifier);
/// let app = Router::new()
///     .route("/stripe", post(stripe))
///     .with_state(WebhookConfig::builder(verifier).replay(replay).build());
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

/// A delivery's claim in the replay store, handed to the handler by [`Claimed`].
///
/// [`commit`](Self::commit) it when the delivery is handled; [`release`](Self::release) it
/// (or just drop it) when handling failed, so the provider's retry is handled. Dropped
/// without either (early return, panic, cancelled request), it is released in the
/// background on the current tokio runtime; without a runtime it expires after the lease.
///
/// A failed commit or release is logged at WARN and not reported to the handler: the work
/// is done (or failed) either way, and the response should say so. An uncommitted claim
/// expires after its lease, after which a retry would be handled again.
///
/// ```
/// use webhook_axum::Claim;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let claim = Claim::none(); // what handlers get without replay protection
/// assert_eq!(claim.key(), None);
/// claim.commit().await; // does nothing
/// # }
/// ```
#[must_use = "commit the claim once the delivery is handled, or it is released"]
pub struct Claim {
    state: State,
}

enum State {
    /// This claim is ours to settle.
    Held(Option<ClaimGuard>),
    /// The layer holds the claim and settles it from the response.
    Layer,
    /// No replay protection.
    None,
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Held(Some(_)) => "held",
            State::Held(None) => "settled",
            State::Layer => "layer",
            State::None => "none",
        };
        f.debug_struct("Claim")
            .field("state", &state)
            .field("key", &self.key())
            .finish()
    }
}

impl Claim {
    /// An inert claim, as without replay protection: settling it does nothing. For tests
    /// of handlers that take [`Claimed`].
    ///
    /// ```
    /// let claim = webhook_axum::Claim::none();
    /// assert_eq!(claim.key(), None);
    /// ```
    pub fn none() -> Self {
        Self { state: State::None }
    }

    pub(crate) fn held(guard: ClaimGuard) -> Self {
        Self {
            state: State::Held(Some(guard)),
        }
    }

    pub(crate) fn layer() -> Self {
        Self {
            state: State::Layer,
        }
    }

    pub(crate) fn is_held(&self) -> bool {
        matches!(self.state, State::Held(Some(_)))
    }

    /// The delivery's replay key ([`Verified::replay_key`](webhook_verify::Verified::replay_key))
    /// while this claim holds it; `None` for an inert claim.
    ///
    /// ```
    /// assert_eq!(webhook_axum::Claim::none().key(), None);
    /// ```
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        match &self.state {
            State::Held(Some(guard)) => Some(guard.key()),
            _ => None,
        }
    }

    /// Marks the delivery handled: later deliveries of it get `200 duplicate` for the
    /// replay retention. A store failure is logged at WARN (the claim then expires after
    /// its lease).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// webhook_axum::Claim::none().commit().await;
    /// # }
    /// ```
    pub async fn commit(mut self) {
        if let State::Held(guard) = &mut self.state {
            if let Some(guard) = guard.take() {
                if let Err(error) = guard.commit().await {
                    tracing::warn!(%error, "replay commit failed; the claim expires after its lease");
                }
            }
        }
    }

    /// Forgets the claim now, so the provider's retry is handled. Dropping the claim does
    /// the same in the background. A store failure is logged at WARN (the claim then
    /// expires after its lease).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// webhook_axum::Claim::none().release().await;
    /// # }
    /// ```
    pub async fn release(mut self) {
        if let State::Held(guard) = &mut self.state {
            if let Some(guard) = guard.take() {
                release(guard).await;
            }
        }
    }

    /// Commits when `success`, releases otherwise.
    pub(crate) async fn settle(self, success: bool) {
        if success {
            self.commit().await;
        } else {
            self.release().await;
        }
    }
}

async fn release(guard: ClaimGuard) {
    if let Err(error) = guard.release().await {
        tracing::warn!(%error, "replay release failed; the claim expires after its lease");
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let State::Held(guard) = &mut self.state else {
            return;
        };
        let Some(guard) = guard.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                tracing::debug!("webhook claim dropped unsettled; releasing it");
                drop(handle.spawn(release(guard).in_current_span()));
            }
            Err(_) => {
                tracing::debug!(
                    "webhook claim dropped outside a tokio runtime; it expires after its lease"
                );
            }
        }
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
        let span = config.span();
        async {
            let (verified, layered) = verify_or_reuse(&config, &span, req).await?;
            let webhook = Webhook::<T>::from_verified(&verified).map_err(|rejection| {
                span.record("outcome", "invalid_payload");
                tracing::debug!("verified webhook body is not the expected JSON type");
                config.attach(rejection)
            })?;
            let claim = if layered {
                Claim::layer()
            } else {
                config.claim(&span, &verified).await?
            };
            Ok(Claimed(webhook, claim))
        }
        .instrument(span.clone())
        .await
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
        let span = config.span();
        async {
            let (verified, layered) = verify_or_reuse(&config, &span, req).await?;
            let claim = if layered {
                Claim::layer()
            } else {
                config.claim(&span, &verified).await?
            };
            Ok(Claimed(VerifiedWebhook(verified), claim))
        }
        .instrument(span.clone())
        .await
    }
}
