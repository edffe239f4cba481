//! Replay protection: claiming a verified delivery, and the `Claimed<T>` extractor.

use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use webhook_verify::Verified;
use webhook_verify::replay::{Begin, ClaimGuard, Replay, StoreError};

use crate::config::handle_error;
use crate::extract::verified_unclaimed;
use crate::verify::TARGET;
use crate::{RawWebhook, WebhookConfig, WebhookError};

/// Put in the request extensions by the middleware once it claimed the delivery: the
/// extractors behind it must not claim again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClaimedUpstream;

/// Claims `verified` in `replay`'s store: the claim when it is new, else the refusal
/// (`Duplicate`, `InFlight` or `StoreUnavailable`), logged.
pub(crate) async fn begin(
    config: &WebhookConfig,
    replay: &Replay,
    verified: &Verified,
) -> Result<Held, WebhookError> {
    let provider = verified.provider().name();
    match replay.begin(verified).await {
        Ok(Begin::New(guard)) => {
            tracing::trace!(target: TARGET, provider, key = guard.key(), "webhook claimed");
            Ok(Held::new(guard))
        }
        Ok(Begin::Done) => {
            tracing::debug!(target: TARGET, provider, key = %verified.replay_key(), "duplicate webhook: already processed");
            Err(WebhookError::Duplicate)
        }
        Ok(Begin::InFlight) => {
            tracing::debug!(target: TARGET, provider, key = %verified.replay_key(), "duplicate webhook: in progress");
            Err(WebhookError::InFlight {
                retry_after: config.get_retry_after(),
            })
        }
        Err(err) => {
            tracing::warn!(target: TARGET, provider, error = %err, "replay store unreachable: webhook refused with 503");
            Err(WebhookError::StoreUnavailable(err))
        }
    }
}

/// A claim held while the handler runs. Committed or released explicitly; dropped without
/// either (the request was cancelled, or the handler panicked), it is released in the
/// background on the current Tokio runtime, or left to expire after its lease when there is
/// none. `guard` is `None` when the middleware holds the claim.
pub(crate) struct Held {
    guard: Option<ClaimGuard>,
}

impl Held {
    pub(crate) fn new(guard: ClaimGuard) -> Self {
        Self { guard: Some(guard) }
    }

    fn upstream() -> Self {
        Self { guard: None }
    }

    fn key(&self) -> Option<&str> {
        self.guard.as_ref().map(ClaimGuard::key)
    }

    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        match self.guard.take() {
            Some(guard) => guard.commit().await,
            None => Ok(()),
        }
    }

    pub(crate) async fn release(mut self) -> Result<(), StoreError> {
        match self.guard.take() {
            Some(guard) => guard.release().await,
            None => Ok(()),
        }
    }

    /// Commits, logging a failure at WARN: the delivery was handled, so the answer stays the
    /// handler's (the claim expires after its lease).
    pub(crate) async fn commit_logged(self) {
        if let Err(err) = self.commit().await {
            tracing::warn!(target: TARGET, error = %err, "could not commit the webhook claim; it expires after its lease");
        }
    }

    /// Releases, logging a failure at WARN (the claim expires after its lease).
    pub(crate) async fn release_logged(self) {
        if let Err(err) = self.release().await {
            tracing::warn!(target: TARGET, error = %err, "could not release the webhook claim; it expires after its lease");
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(guard) = self.guard.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                tracing::debug!(target: TARGET, key = guard.key(), "webhook dropped before it was handled: releasing its claim");
                drop(runtime.spawn(async move {
                    if let Err(err) = guard.release().await {
                        tracing::warn!(target: TARGET, error = %err, "could not release the webhook claim; it expires after its lease");
                    }
                }));
            }
            Err(_) => {
                tracing::debug!(target: TARGET, key = guard.key(), "no runtime to release the webhook claim; it expires after its lease");
            }
        }
    }
}

/// How a [`Claimed`] extractor turns a verified delivery into its payload.
///
/// Implemented for every [`DeserializeOwned`] type (the body parsed as JSON, 400 `invalid
/// payload` when it is not one) and for [`RawWebhook`] (the verified delivery, no parsing:
/// form bodies, or bodies you parse yourself). Implement it for your own payload types.
///
/// ```
/// use webhook_actix::{FromVerified, WebhookError};
/// use webhook_verify::Verified;
///
/// /// The body as text, whatever its format.
/// struct Text(String);
///
/// impl FromVerified for Text {
///     fn from_verified(verified: &Verified) -> Result<Self, WebhookError> {
///         Ok(Text(String::from_utf8_lossy(verified.body()).into_owned()))
///     }
/// }
/// ```
pub trait FromVerified: Sized {
    /// The payload of `verified`.
    ///
    /// # Errors
    ///
    /// The refusal to answer with, such as [`WebhookError::InvalidPayload`].
    fn from_verified(verified: &Verified) -> Result<Self, WebhookError>;
}

impl<T: DeserializeOwned> FromVerified for T {
    fn from_verified(verified: &Verified) -> Result<Self, WebhookError> {
        verified.json::<T>().map_err(|err| {
            tracing::debug!(target: TARGET, error = %err, "verified webhook payload does not parse");
            WebhookError::InvalidPayload(err)
        })
    }
}

impl FromVerified for RawWebhook {
    fn from_verified(verified: &Verified) -> Result<Self, WebhookError> {
        Ok(RawWebhook(verified.clone()))
    }
}

/// Extracts a verified delivery **claimed** for processing: replay protection without the
/// middleware.
///
/// Needs replay protection in the configuration ([`WebhookConfig::replay`]). The extractor
/// verifies the request (or reuses the [`VerifyWebhook`](crate::VerifyWebhook)
/// middleware's result), claims it, and parses the payload as `T` (see [`FromVerified`]:
/// any JSON type, or [`RawWebhook`]). Before the handler runs, duplicates are answered
/// 200 `duplicate`, deliveries in progress elsewhere 409 `in progress` with `Retry-After`,
/// and an unreachable store 503 `service unavailable`.
///
/// The handler then finishes the claim:
/// - [`run`](Self::run) hands the payload to a closure and commits on `Ok`, releases on
///   `Err`: the simplest way;
/// - or [`commit`](Self::commit) once handled; returning early (`?`) or panicking drops
///   the claim, which **releases** it so the provider's retry is processed. A dropped
///   request (client gone) releases it too.
///
/// Behind the `VerifyWebhook` middleware configured with replay protection, the middleware
/// already holds the claim: this extractor does not claim again, and `commit`/`release`
/// do nothing (the middleware commits on a 2xx response, releases otherwise).
///
/// Dereferences to `T`.
///
/// ```no_run
/// use actix_web::{App, HttpResponse, HttpServer, error, web};
/// use serde::Deserialize;
/// use webhook_actix::{Claimed, WebhookConfig};
/// use webhook_verify::replay::{MemoryStore, Replay};
/// use webhook_verify::{Provider, Verifier};
///
/// #[derive(Deserialize)]
/// struct Event {
///     id: String,
/// }
///
/// async fn fulfil(event: Event) -> Result<(), error::Error> {
///     println!("fulfilling {}", event.id);
///     Ok(())
/// }
///
/// async fn stripe(hook: Claimed<Event>) -> actix_web::Result<HttpResponse> {
///     // Ok: committed, later duplicates get 200 `duplicate`.
///     // Err: released, the provider's retry runs the handler again.
///     hook.run(fulfil).await?;
///     Ok(HttpResponse::Ok().finish())
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STRIPE, "whsec_test_secret")?;
/// let replay = Replay::new(MemoryStore::new()).covering(&verifier);
/// let config = WebhookConfig::new(verifier).replay(replay);
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
pub struct Claimed<T> {
    value: T,
    verified: Verified,
    held: Held,
}

impl<T: fmt::Debug> fmt::Debug for Claimed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claimed")
            .field("value", &self.value)
            .field("key", &self.held.key())
            .finish_non_exhaustive()
    }
}

impl<T> Claimed<T> {
    /// Runs `handle` on the payload, then commits the claim when it returns `Ok` and
    /// releases it when it returns `Err`; returns what `handle` returned. A commit or
    /// release that fails is logged at WARN (the claim then expires after its lease) and
    /// does not change the result: the work is done or failed either way. If the returned
    /// future is dropped before `handle` finishes, the claim is released.
    ///
    /// ```
    /// # use actix_web::HttpResponse;
    /// use webhook_actix::Claimed;
    ///
    /// async fn hook(hook: Claimed<serde_json::Value>) -> actix_web::Result<HttpResponse> {
    ///     let id = hook
    ///         .run(|event| async move {
    ///             let id = event["id"].as_str().ok_or_else(|| {
    ///                 actix_web::error::ErrorInternalServerError("no id")
    ///             })?;
    ///             Ok::<_, actix_web::Error>(id.to_owned())
    ///         })
    ///         .await?;
    ///     Ok(HttpResponse::Ok().body(id))
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// What `handle` returned.
    pub async fn run<F, Fut, R, E>(self, handle: F) -> Result<R, E>
    where
        F: FnOnce(T) -> Fut,
        Fut: Future<Output = Result<R, E>>,
    {
        let Self { value, held, .. } = self;
        let result = handle(value).await;
        match &result {
            Ok(_) => held.commit_logged().await,
            Err(_) => held.release_logged().await,
        }
        result
    }

    /// Marks the delivery handled: later duplicates get 200 `duplicate`. Call it once the
    /// work is done (or durably queued). Does nothing behind the middleware, which commits
    /// on a 2xx response.
    ///
    /// ```
    /// # use actix_web::HttpResponse;
    /// use webhook_actix::{Claimed, RawWebhook};
    ///
    /// async fn hook(hook: Claimed<RawWebhook>) -> actix_web::Result<HttpResponse> {
    ///     println!("{} bytes", hook.body().len());
    ///     if let Err(err) = hook.commit().await {
    ///         // Handled anyway: answer 200; the claim expires after its lease.
    ///         eprintln!("{err}");
    ///     }
    ///     Ok(HttpResponse::Ok().finish())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached; the claim then expires after its
    /// lease, and a retry arriving after that is processed again.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.held.commit().await
    }

    /// Forgets the claim so the provider's retry is processed. Dropping the `Claimed`
    /// does the same in the background. Does nothing behind the middleware, which
    /// releases on a non-2xx response.
    ///
    /// ```
    /// # use actix_web::HttpResponse;
    /// use webhook_actix::Claimed;
    ///
    /// async fn hook(hook: Claimed<serde_json::Value>) -> HttpResponse {
    ///     if hook.get("type").is_none() {
    ///         let _ = hook.release().await;
    ///         return HttpResponse::ServiceUnavailable().finish();
    ///     }
    ///     let _ = hook.commit().await;
    ///     HttpResponse::Ok().finish()
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached (the claim then expires after its
    /// lease).
    pub async fn release(self) -> Result<(), StoreError> {
        self.held.release().await
    }

    /// The verified delivery: provider, id, timestamp, event type, raw body.
    ///
    /// ```
    /// use webhook_actix::Claimed;
    ///
    /// fn describe(hook: &Claimed<serde_json::Value>) -> String {
    ///     format!("{} {}", hook.verified().provider().name(), hook.verified().replay_key())
    /// }
    /// ```
    #[must_use]
    pub fn verified(&self) -> &Verified {
        &self.verified
    }

    /// Whether this extractor holds the claim itself (`false` behind the middleware, which
    /// holds it).
    ///
    /// ```
    /// use webhook_actix::Claimed;
    ///
    /// fn who(hook: &Claimed<serde_json::Value>) -> &'static str {
    ///     if hook.holds_claim() { "extractor" } else { "middleware" }
    /// }
    /// ```
    #[must_use]
    pub fn holds_claim(&self) -> bool {
        self.held.guard.is_some()
    }
}

impl<T> Deref for Claimed<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Claimed<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: FromVerified + 'static> FromRequest for Claimed<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let config = WebhookConfig::from_req(&req);
            let fail = |err: WebhookError| {
                if err.status().is_server_error()
                    && !matches!(err, WebhookError::StoreUnavailable(_))
                {
                    tracing::error!(target: TARGET, path = req.path(), "{err}");
                }
                handle_error(config, err, &req)
            };
            let upstream = req.extensions().get::<ClaimedUpstream>().is_some();
            // Refuse a configuration without replay protection before reading anything.
            if !upstream && config.is_some_and(|c| c.get_replay().is_none()) {
                return Err(fail(WebhookError::ReplayNotConfigured));
            }
            let verified = verified_unclaimed(&req, &mut payload).await?;
            // Parse before claiming: a body that is not a `T` never takes a claim.
            let value = T::from_verified(&verified).map_err(fail)?;
            let held = if upstream {
                Held::upstream()
            } else {
                // Verified by a middleware without replay protection, and no registered
                // configuration with it.
                let Some((config, replay)) = config.and_then(|c| Some((c, c.get_replay()?))) else {
                    return Err(fail(WebhookError::ReplayNotConfigured));
                };
                begin(config, replay, &verified).await.map_err(fail)?
            };
            Ok(Claimed {
                value,
                verified,
                held,
            })
        })
    }
}
