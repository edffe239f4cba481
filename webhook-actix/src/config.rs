//! The configuration shared by the extractors, the middleware and `events`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpRequest, web};
use webhook_verify::key_source::KeySource;
use webhook_verify::receive::{Receiver, ReceiverBuilder, Reply};
use webhook_verify::replay::Replay;
use webhook_verify::{Provider, Verifier};

use crate::WebhookError;

type ErrorHandler = dyn Fn(WebhookError, &HttpRequest) -> actix_web::Error + Send + Sync;

/// The error handler, shown as `Hook` by `Debug`.
#[derive(Clone)]
struct Hook(Arc<ErrorHandler>);

impl fmt::Debug for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hook")
    }
}

/// How webhook requests are received: a core [`Receiver`] (verifier, body limit, body
/// timeout, public URL, replay protection, **on by default**) and an optional error
/// handler. Register it with `App::app_data` for the extractors, or give it to
/// [`VerifyWebhook`](crate::VerifyWebhook) or [`events`](crate::events()). Cheap to clone.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use webhook_actix::{VerifiedWebhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// async fn hook(webhook: VerifiedWebhook) -> &'static str {
///     println!("{:?}", webhook.0.id());
///     "ok"
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STRIPE, "whsec_test_secret")?;
/// let config = WebhookConfig::builder(verifier).max_body(256 * 1024).build();
/// HttpServer::new(move || {
///     App::new()
///         .app_data(config.clone())
///         .route("/webhooks/stripe", web::post().to(hook))
/// })
/// .bind(("127.0.0.1", 8080))?
/// .run()
/// .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    receiver: Receiver,
    error_handler: Option<Hook>,
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
            error_handler: None,
        }
    }
}

impl WebhookConfig {
    /// A configuration with every default around `verifier` (in-memory replay protection
    /// on, 1 MiB, 30 s body timeout).
    ///
    /// ```
    /// use webhook_actix::{DEFAULT_MAX_BODY, WebhookConfig};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?);
    /// assert_eq!(config.max_body(), DEFAULT_MAX_BODY);
    /// assert!(config.replay().is_some());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn new(keys: impl Into<KeySource>) -> Self {
        Self::builder(keys).build()
    }

    /// Starts a configuration around `verifier`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let config = WebhookConfig::builder(Verifier::new(Provider::TWILIO, "token")?)
    ///     .max_body(64 * 1024)
    ///     .body_timeout(Duration::from_secs(5))
    ///     .public_base_url("https://hooks.example.com")
    ///     .build();
    /// assert_eq!(config.public_base_url(), Some("https://hooks.example.com"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn builder(keys: impl Into<KeySource>) -> WebhookConfigBuilder {
        WebhookConfigBuilder {
            receiver: Receiver::builder(keys),
            error_handler: None,
        }
    }

    /// The core receiver.
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?);
    /// assert_eq!(config.receiver().max_body(), config.max_body());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// The provider whose deliveries are verified.
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?);
    /// assert_eq!(config.provider(), &Provider::GITHUB);
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
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).max_body(10).build();
    /// assert_eq!(config.max_body(), 10);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn max_body(&self) -> usize {
        self.receiver.max_body()
    }

    /// The public base URL, without a trailing `/`.
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::TWILIO, "token")?);
    /// assert_eq!(config.public_base_url(), None);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn public_base_url(&self) -> Option<&str> {
        self.receiver.public_base_url()
    }

    /// Replay protection, unless turned off.
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let off = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).without_replay().build();
    /// assert!(off.replay().is_none());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn replay(&self) -> Option<&Replay> {
        self.receiver.replay()
    }

    /// The configuration registered for `req`: `WebhookConfig`, else
    /// `web::Data<WebhookConfig>`.
    pub(crate) fn from_req(req: &HttpRequest) -> Option<&Self> {
        req.app_data::<Self>()
            .or_else(|| req.app_data::<web::Data<Self>>().map(|d| d.get_ref()))
    }

    /// The actix error for a refusal, through `c`'s error handler when it has one. A
    /// handshake's answer is not a refusal: it goes out as the core made it.
    pub(crate) fn error(c: Option<&Self>, reply: Reply, req: &HttpRequest) -> actix_web::Error {
        if reply.outcome() == webhook_verify::receive::Outcome::Challenge {
            return WebhookError::from(reply).into();
        }
        match c.and_then(|c| c.error_handler.as_ref()) {
            Some(Hook(handler)) => handler(reply.into(), req),
            None => WebhookError::from(reply).into(),
        }
    }
}

/// Configures a [`WebhookConfig`]. Created by [`WebhookConfig::builder`].
///
/// ```
/// use webhook_actix::WebhookConfig;
/// use webhook_verify::{Provider, Verifier};
///
/// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s3cret")?)
///     .max_body(256 * 1024)
///     .build();
/// assert_eq!(config.max_body(), 256 * 1024);
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct WebhookConfigBuilder {
    receiver: ReceiverBuilder,
    error_handler: Option<Hook>,
}

impl WebhookConfigBuilder {
    fn map(mut self, f: impl FnOnce(ReceiverBuilder) -> ReceiverBuilder) -> Self {
        self.receiver = f(self.receiver);
        self
    }

    /// The largest body accepted, in bytes: a larger `Content-Length` is refused before
    /// reading, a longer body as soon as it passes the limit, with 413 `payload too
    /// large`. Defaults to [`DEFAULT_MAX_BODY`](crate::DEFAULT_MAX_BODY) (1 MiB).
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).max_body(64 * 1024).build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn max_body(self, bytes: usize) -> Self {
        self.map(|r| r.max_body(bytes))
    }

    /// The time allowed to receive the whole body; a slower sender gets 408 `request
    /// timeout`. `None` waits as long as the server keeps the connection. Defaults to
    /// [`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT) (30 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?)
    ///     .body_timeout(Duration::from_secs(5))
    ///     .build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn body_timeout(self, timeout: impl Into<Option<Duration>>) -> Self {
        self.map(|r| r.body_timeout(timeout))
    }

    /// The scheme and host (and any path prefix) the sender posts to, e.g.
    /// `https://hooks.example.com`, for providers that sign the URL (Twilio); the request's
    /// path and query are appended. Set it behind a proxy or TLS terminator. Defaults to
    /// none: the URL is rebuilt from the request (`http://{Host}{path and query}`).
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::TWILIO, "token")?)
    ///     .public_base_url("https://hooks.example.com/")
    ///     .build();
    /// assert_eq!(config.public_base_url(), Some("https://hooks.example.com"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn public_base_url(self, url: impl Into<String>) -> Self {
        self.map(|r| r.public_base_url(url))
    }

    /// The verify token a subscription handshake must present (Meta's
    /// `hub.verify_token`), compared in constant time; a handshake with another token gets
    /// `403 invalid verify token`. See [`ReceiverBuilder::verify_token`]. Defaults to none:
    /// Meta's handshake is refused as a misconfiguration (500).
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
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

    /// Replay protection with this store and lease (a `RedisStore` shared by every
    /// instance); its retention is raised to cover the verifier's tolerance. Defaults to
    /// an in-memory [`MemoryStore`](crate::MemoryStore).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_actix::{MemoryStore, Replay, WebhookConfig};
    /// # use webhook_verify::{Provider, Verifier};
    /// let replay = Replay::new(MemoryStore::new()).lease(Duration::from_secs(30));
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).replay(replay).build();
    /// assert_eq!(config.replay().unwrap().lease_duration(), Duration::from_secs(30));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn replay(self, replay: Replay) -> Self {
        self.map(|r| r.replay(replay))
    }

    /// Turns replay protection off: every verified delivery reaches the handler, however
    /// often it is sent. Only for handlers that are idempotent by themselves. Defaults to
    /// on.
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).without_replay().build();
    /// assert!(config.replay().is_none());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn without_replay(self) -> Self {
        self.map(ReceiverBuilder::without_replay)
    }

    /// Shadow mode (report only): deliveries that fail verification still reach the
    /// handler, marked ([`Verified::is_authentic`](webhook_verify::Verified::is_authentic)
    /// is `false`), are not claimed for replay protection, and are recorded as
    /// `shadow_accepted`. See
    /// [`ReceiverBuilder::shadow`](webhook_verify::receive::ReceiverBuilder::shadow).
    /// Defaults to off.
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).shadow(true).build();
    /// assert!(config.receiver().is_shadow());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn shadow(self, on: bool) -> Self {
        self.map(|receiver| receiver.shadow(on))
    }

    /// Turns a refusal into the error actix answers with, e.g. to change the response.
    /// Called for every refusal of the extractors, the middleware and
    /// [`events`](crate::events()) (not for the router's own answers). Defaults to the
    /// [`WebhookError`] itself.
    ///
    /// ```
    /// use actix_web::{HttpResponse, error::InternalError};
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?)
    ///     .error_handler(|err, _req| {
    ///         let response = HttpResponse::build(err.status())
    ///             .json(serde_json::json!({ "error": err.body_text() }));
    ///         InternalError::from_response(err, response).into()
    ///     })
    ///     .build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn error_handler<F>(mut self, handler: F) -> Self
    where
        F: Fn(WebhookError, &HttpRequest) -> actix_web::Error + Send + Sync + 'static,
    {
        self.error_handler = Some(Hook(Arc::new(handler)));
        self
    }

    /// Builds the configuration.
    ///
    /// ```
    /// # use webhook_actix::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn build(self) -> WebhookConfig {
        WebhookConfig {
            receiver: self.receiver.build(),
            error_handler: self.error_handler,
        }
    }
}
