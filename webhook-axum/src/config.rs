//! What the extractors, the layer and `events` share: a core [`Receiver`] and the
//! rejection hook.

use std::sync::Arc;
use std::time::Duration;

use axum::response::Response;
use webhook_verify::key_source::KeySource;
use webhook_verify::receive::{Receiver, ReceiverBuilder, Reply};
use webhook_verify::replay::Replay;
use webhook_verify::{Provider, Verifier};

use crate::rejection::{RejectionHook, WebhookRejection};

/// How deliveries are received: a core [`Receiver`] (the [`Verifier`], the body limit and
/// timeout, the public URL for providers that sign it, replay protection, which is on by
/// default) and an optional hook that replaces rejection responses.
///
/// Build it once at start-up and put it in the router's state (directly, or in a field of
/// your own state with [`FromRef`](axum::extract::FromRef)), or give it to
/// [`VerifyWebhookLayer`](crate::VerifyWebhookLayer) or [`events`](crate::events()).
/// Cloning is cheap; clones share one replay store.
///
/// ```
/// use webhook_axum::WebhookConfig;
/// use webhook_verify::{Provider, Verifier};
///
/// let verifier = Verifier::new(Provider::STRIPE, "whsec_test_secret")?;
/// let config = WebhookConfig::builder(verifier).max_body(256 * 1024).build();
/// assert_eq!(config.max_body(), 256 * 1024);
/// assert!(config.replay().is_some());
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    receiver: Receiver,
    on_rejection: Option<RejectionHook>,
}

impl From<Verifier> for WebhookConfig {
    fn from(verifier: Verifier) -> Self {
        Self::new(verifier)
    }
}

impl From<Receiver> for WebhookConfig {
    fn from(receiver: Receiver) -> Self {
        Self {
            receiver,
            on_rejection: None,
        }
    }
}

impl WebhookConfig {
    /// A configuration with every default around `verifier`: 1 MiB, 30 s body timeout,
    /// in-memory replay protection.
    ///
    /// ```
    /// use webhook_axum::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "It's a Secret")?);
    /// assert_eq!(config.max_body(), webhook_axum::DEFAULT_MAX_BODY);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn new(keys: impl Into<KeySource>) -> Self {
        Receiver::new(keys).into()
    }

    /// Starts a configuration around `verifier`.
    ///
    /// ```
    /// use webhook_axum::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let config = WebhookConfig::builder(Verifier::new(Provider::TWILIO, "auth-token")?)
    ///     .public_base_url("https://hooks.example.com")
    ///     .build();
    /// assert_eq!(config.public_base_url(), Some("https://hooks.example.com"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn builder(keys: impl Into<KeySource>) -> WebhookConfigBuilder {
        WebhookConfigBuilder {
            receiver: Receiver::builder(keys),
            on_rejection: None,
        }
    }

    /// The core receiver.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s")?);
    /// assert!(config.receiver().same_as(config.clone().receiver()));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// The provider whose deliveries are verified.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::SLACK, "8f742231b10e8888abcd99yyyzzz85a5")?);
    /// assert_eq!(config.provider(), &Provider::SLACK);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn provider(&self) -> &Provider {
        self.receiver.provider()
    }

    /// The verifier in force now; `None` when keys are resolved per tenant (see
    /// [`Receiver::verifier`]).
    #[must_use]
    pub fn verifier(&self) -> Option<Verifier> {
        self.receiver.verifier()
    }

    /// The largest body accepted, in bytes.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).max_body(10).build();
    /// assert_eq!(config.max_body(), 10);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn max_body(&self) -> usize {
        self.receiver.max_body()
    }

    /// The time allowed to receive a whole body, if any.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s")?);
    /// assert_eq!(config.body_timeout(), Some(webhook_axum::DEFAULT_BODY_TIMEOUT));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn body_timeout(&self) -> Option<Duration> {
        self.receiver.body_timeout()
    }

    /// The public base URL, without a trailing `/`.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s")?);
    /// assert_eq!(config.public_base_url(), None);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn public_base_url(&self) -> Option<&str> {
        self.receiver.public_base_url()
    }

    /// Replay protection, unless turned off with
    /// [`without_replay`](WebhookConfigBuilder::without_replay).
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let off = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).without_replay().build();
    /// assert!(off.replay().is_none());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn replay(&self) -> Option<&Replay> {
        self.receiver.replay()
    }

    /// A rejection carrying this configuration's hook. A handshake's answer is not a
    /// rejection: the hook never sees it.
    pub(crate) fn reject(&self, reply: Reply) -> WebhookRejection {
        if reply.outcome() == webhook_verify::receive::Outcome::Challenge {
            return reply.into();
        }
        let hook = self.on_rejection.clone();
        WebhookRejection { reply, hook }
    }
}

/// Configures a [`WebhookConfig`]. Created by [`WebhookConfig::builder`]; the setters
/// other than [`on_rejection`](Self::on_rejection) are the core [`ReceiverBuilder`]'s.
///
/// ```
/// use std::time::Duration;
/// use axum::response::IntoResponse;
/// use webhook_axum::WebhookConfig;
/// use webhook_verify::{Provider, Verifier};
///
/// let config = WebhookConfig::builder(Verifier::new(Provider::STANDARD_WEBHOOKS, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?)
///     .max_body(64 * 1024)
///     .body_timeout(Duration::from_secs(5))
///     .on_rejection(|rejection| (rejection.status(), "nope").into_response())
///     .build();
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct WebhookConfigBuilder {
    receiver: ReceiverBuilder,
    on_rejection: Option<RejectionHook>,
}

impl WebhookConfigBuilder {
    /// The largest body accepted, in bytes. A request announcing more in `Content-Length`
    /// is refused without reading its body; a body that turns out longer is refused as
    /// soon as the limit is passed. Either way the answer is `413 payload too large`.
    /// axum's `DefaultBodyLimit` does not apply. Defaults to
    /// [`DEFAULT_MAX_BODY`](crate::DEFAULT_MAX_BODY) (1 MiB).
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).max_body(4096).build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.receiver = self.receiver.max_body(bytes);
        self
    }

    /// The time allowed to receive the whole body, from the first read; a slower sender
    /// gets `408 request timeout`. `None` waits as long as the server keeps the
    /// connection. Defaults to [`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT) (30 s).
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// use std::time::Duration;
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?)
    ///     .body_timeout(Duration::from_secs(5))
    ///     .build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn body_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.receiver = self.receiver.body_timeout(timeout);
        self
    }

    /// The scheme, host (and port, and path prefix, if any) the sender uses to reach this
    /// service, for providers that sign the URL (Twilio), e.g. `https://hooks.example.com`.
    /// The request's original path and query are appended to it. Set it whenever the
    /// service runs behind a proxy or TLS terminator. Ignored by providers that do not
    /// sign the URL. Defaults to none: the URL is rebuilt from an absolute request URI,
    /// else as `http://{Host}{path and query}`.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::TWILIO, "token")?)
    ///     .public_base_url("https://hooks.example.com")
    ///     .build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn public_base_url(mut self, url: impl Into<String>) -> Self {
        self.receiver = self.receiver.public_base_url(url);
        self
    }

    /// The verify token a subscription handshake must present (Meta's
    /// `hub.verify_token`), compared in constant time; a handshake with another token gets
    /// `403 invalid verify token`. See [`ReceiverBuilder::verify_token`]. Defaults to none:
    /// Meta's handshake is refused as a misconfiguration (500).
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::META, "app-secret")?)
    ///     .verify_token("my-verify-token")?
    ///     .build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSecret`](webhook_verify::Error::InvalidSecret) when the token is empty.
    pub fn verify_token(
        mut self,
        token: impl webhook_verify::IntoSecret,
    ) -> Result<Self, webhook_verify::Error> {
        self.receiver = self.receiver.verify_token(token)?;
        Ok(self)
    }

    /// Replay protection with this store, lease and retention (a `RedisStore` shared by
    /// every instance, a longer retention); the retention is raised to cover the
    /// verifier's tolerance. See [Replay protection](crate#replay-protection). Defaults
    /// to an in-memory [`MemoryStore`](crate::MemoryStore) with [`Replay`]'s defaults.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// use std::time::Duration;
    /// use webhook_axum::{MemoryStore, Replay};
    ///
    /// let replay = Replay::new(MemoryStore::new()).lease(Duration::from_secs(30));
    /// let config = WebhookConfig::builder(Verifier::new(Provider::STRIPE, "whsec_x")?)
    ///     .replay(replay)
    ///     .build();
    /// assert_eq!(config.replay().unwrap().lease_duration(), Duration::from_secs(30));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn replay(mut self, replay: Replay) -> Self {
        self.receiver = self.receiver.replay(replay);
        self
    }

    /// Turns replay protection off: every delivery that verifies runs the handler, however
    /// often it is sent. Only for handlers that are idempotent by themselves; a captured
    /// delivery from a provider without a signed timestamp (GitHub, Shopify) can then be
    /// replayed forever. Defaults to on.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).without_replay().build();
    /// assert!(config.replay().is_none());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn without_replay(mut self) -> Self {
        self.receiver = self.receiver.without_replay();
        self
    }

    /// Shadow mode (report only): deliveries that fail verification still reach the
    /// handler, marked ([`Verified::is_authentic`](webhook_verify::Verified::is_authentic)
    /// is `false`), are not claimed for replay protection, and are recorded as
    /// `shadow_accepted`. See
    /// [`ReceiverBuilder::shadow`](webhook_verify::receive::ReceiverBuilder::shadow).
    /// Defaults to off.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).shadow(true).build();
    /// assert!(config.receiver().is_shadow());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn shadow(mut self, on: bool) -> Self {
        self.receiver = self.receiver.shadow(on);
        self
    }

    /// Replaces the response sent for every rejection (of the extractors, the layer and
    /// `events`). The hook receives the [`WebhookRejection`]; its
    /// [`status`](WebhookRejection::status) is the status policy's, keep it unless you
    /// have a reason (a `409` keeps its `Retry-After` anyway). Defaults to none: the
    /// [default response](WebhookRejection::default_response).
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// use axum::{Json, response::IntoResponse};
    ///
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?)
    ///     .on_rejection(|r| {
    ///         let body = serde_json::json!({ "error": r.body_text() });
    ///         (r.status(), Json(body)).into_response()
    ///     })
    ///     .build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn on_rejection<F>(mut self, hook: F) -> Self
    where
        F: Fn(WebhookRejection) -> Response + Send + Sync + 'static,
    {
        self.on_rejection = Some(RejectionHook(Arc::new(hook)));
        self
    }

    /// Builds the configuration.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn build(self) -> WebhookConfig {
        WebhookConfig {
            receiver: self.receiver.build(),
            on_rejection: self.on_rejection,
        }
    }
}
