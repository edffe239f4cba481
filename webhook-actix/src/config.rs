//! Configuration shared by the extractor and the middleware.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpRequest, web};
use webhook_verify::Verifier;
use webhook_verify::replay::{DEFAULT_LEASE, Replay};

use crate::WebhookError;

/// The largest body accepted by default: 1 MiB.
///
/// ```
/// assert_eq!(webhook_actix::DEFAULT_MAX_BODY, 1024 * 1024);
/// ```
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

type ErrorHandler = dyn Fn(WebhookError, &HttpRequest) -> actix_web::Error + Send + Sync;

/// How webhook requests are verified: the [`Verifier`], the body limit, the public URL
/// (for providers that sign it), optional replay protection and an optional error handler.
///
/// Register it with `App::app_data` for the [`Webhook`](crate::Webhook) and
/// [`RawWebhook`](crate::RawWebhook) extractors, or give it to
/// [`VerifyWebhook`](crate::VerifyWebhook). Cloning it is cheap.
///
/// ```no_run
/// use actix_web::{App, HttpServer, web};
/// use webhook_actix::{RawWebhook, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// async fn hook(webhook: RawWebhook) -> &'static str {
///     println!("{:?}", webhook.id());
///     "ok"
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STRIPE, "whsec_test_secret")?;
/// let config = WebhookConfig::new(verifier).max_body(256 * 1024);
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
#[derive(Clone)]
#[must_use]
pub struct WebhookConfig {
    verifier: Verifier,
    max_body: usize,
    public_base_url: Option<Arc<str>>,
    replay: Option<Replay>,
    retry_after: Option<Duration>,
    error_handler: Option<Arc<ErrorHandler>>,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("verifier", &self.verifier)
            .field("max_body", &self.max_body)
            .field("public_base_url", &self.public_base_url)
            .field("replay", &self.replay)
            .field("retry_after", &self.retry_after)
            .field("error_handler", &self.error_handler.is_some())
            .finish()
    }
}

impl From<Verifier> for WebhookConfig {
    fn from(verifier: Verifier) -> Self {
        Self::new(verifier)
    }
}

impl WebhookConfig {
    /// A configuration that verifies with `verifier`, with every default.
    ///
    /// ```
    /// use webhook_actix::{DEFAULT_MAX_BODY, WebhookConfig};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?);
    /// assert_eq!(config.get_max_body(), DEFAULT_MAX_BODY);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn new(verifier: Verifier) -> Self {
        Self {
            verifier,
            max_body: DEFAULT_MAX_BODY,
            public_base_url: None,
            replay: None,
            retry_after: None,
            error_handler: None,
        }
    }

    /// The largest body accepted, in bytes. A request whose `Content-Length` is larger is
    /// refused with 413 without reading its body; a body without a length (chunked) is read
    /// until it passes the limit, then refused with 413. Defaults to [`DEFAULT_MAX_BODY`]
    /// (1 MiB).
    ///
    /// ```
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?).max_body(64 * 1024);
    /// assert_eq!(config.get_max_body(), 64 * 1024);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The public scheme and host (and any path prefix) deliveries are sent to, such as
    /// `https://hooks.example.com`, for providers that sign the URL (Twilio). The request's
    /// path and query are appended to it. Set it whenever the service runs behind a proxy
    /// or TLS terminator: the URL the sender signed is the public one.
    ///
    /// Defaults to none: the URL is rebuilt as `http://{Host}{path and query}` from the
    /// request's `Host` header, which is only right when the service is reached directly
    /// over plain HTTP. Other providers never use the URL.
    ///
    /// ```
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::TWILIO, "twilio_auth_token")?;
    /// let config = WebhookConfig::new(verifier).public_base_url("https://hooks.example.com");
    /// assert_eq!(config.get_public_base_url(), Some("https://hooks.example.com"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn public_base_url(mut self, url: impl AsRef<str>) -> Self {
        self.public_base_url = Some(Arc::from(url.as_ref().trim_end_matches('/')));
        self
    }

    /// Replay and duplicate protection: each verified delivery is claimed in `replay`'s store
    /// before the handler runs, so it is handled once however often the provider sends it.
    ///
    /// - already processed: 200 `duplicate`, the handler does not run;
    /// - being processed right now: 409 `in progress` with `Retry-After` (the lease, or
    ///   [`retry_after`](Self::retry_after));
    /// - the store is unreachable: 503 `service unavailable` (fail closed, logged at WARN);
    /// - first time: the handler runs; the claim is committed when it succeeds and released
    ///   when it fails, so the provider's retry is processed.
    ///
    /// With the [`VerifyWebhook`](crate::VerifyWebhook) middleware this is automatic: it
    /// commits on a 2xx response and releases on any other status, on an error, or when
    /// the request is dropped (client gone). Without the middleware, take
    /// [`Claimed<T>`](crate::Claimed) in the handler: it claims, and commits or releases
    /// with the handler's result. `Webhook<T>` and `RawWebhook` alone cannot see that result,
    /// so with replay configured and no middleware they refuse with 500 and an ERROR log
    /// line rather than leave deliveries unprotected.
    ///
    /// Defaults to none: every verified delivery reaches the handler.
    ///
    /// ```
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::replay::{MemoryStore, Replay};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::GITHUB, "s3cret")?;
    /// let replay = Replay::new(MemoryStore::new()).covering(&verifier);
    /// let config = WebhookConfig::new(verifier).replay(replay);
    /// assert!(config.get_replay().is_some());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn replay(mut self, replay: Replay) -> Self {
        self.replay = Some(replay);
        self
    }

    /// The `Retry-After` sent with 409 `in progress`, rounded up to whole seconds (at least
    /// 1). Defaults to the replay protection's lease ([`Replay::lease`], 60 s unless set):
    /// by then the first attempt has finished, or its claim has expired.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?)
    ///     .retry_after(Duration::from_secs(30));
    /// assert_eq!(config.get_retry_after(), Duration::from_secs(30));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    /// Turns a refusal into the error actix answers with, for example to change the
    /// response. Called for every refusal of the extractors and of the middleware.
    /// Defaults to answering with the [`WebhookError`] itself (see its status table).
    ///
    /// ```
    /// use actix_web::{HttpResponse, ResponseError, error::InternalError};
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?)
    ///     .error_handler(|err, _req| {
    ///         let response = HttpResponse::build(err.status())
    ///             .json(serde_json::json!({ "error": err.body_text() }));
    ///         InternalError::from_response(err, response).into()
    ///     });
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn error_handler<F>(mut self, handler: F) -> Self
    where
        F: Fn(WebhookError, &HttpRequest) -> actix_web::Error + Send + Sync + 'static,
    {
        self.error_handler = Some(Arc::new(handler));
        self
    }

    /// The verifier.
    ///
    /// ```
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?);
    /// assert_eq!(config.verifier().provider(), &Provider::GITHUB);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The body limit in force, in bytes.
    ///
    /// ```
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?).max_body(10);
    /// assert_eq!(config.get_max_body(), 10);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn get_max_body(&self) -> usize {
        self.max_body
    }

    /// The public base URL, when one was set (without a trailing `/`).
    ///
    /// ```
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::TWILIO, "token")?)
    ///     .public_base_url("https://example.com/");
    /// assert_eq!(config.get_public_base_url(), Some("https://example.com"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn get_public_base_url(&self) -> Option<&str> {
        self.public_base_url.as_deref()
    }

    /// The replay protection in force, when one was set.
    ///
    /// ```
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?);
    /// assert!(config.get_replay().is_none());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn get_replay(&self) -> Option<&Replay> {
        self.replay.as_ref()
    }

    /// The `Retry-After` in force for 409 `in progress`: the one set, else the replay
    /// protection's lease.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_actix::WebhookConfig;
    /// use webhook_verify::replay::{MemoryStore, Replay};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let replay = Replay::new(MemoryStore::new()).lease(Duration::from_secs(30));
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?).replay(replay);
    /// assert_eq!(config.get_retry_after(), Duration::from_secs(30));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn get_retry_after(&self) -> Duration {
        self.retry_after
            .or_else(|| self.replay.as_ref().map(Replay::lease_duration))
            .unwrap_or(DEFAULT_LEASE)
    }

    /// The configuration registered for this request: `app_data::<WebhookConfig>()`, else
    /// `app_data::<web::Data<WebhookConfig>>()`.
    pub(crate) fn from_req(req: &HttpRequest) -> Option<&Self> {
        req.app_data::<Self>()
            .or_else(|| req.app_data::<web::Data<Self>>().map(|d| d.get_ref()))
    }

    /// Turns a refusal into the actix error, through the error handler when one is set.
    pub(crate) fn handle_error(&self, err: WebhookError, req: &HttpRequest) -> actix_web::Error {
        handle_error(Some(self), err, req)
    }

    /// The full URL the sender signed: the public base URL, or `http://{Host}`, followed by
    /// the request's path and query.
    pub(crate) fn delivery_url(&self, req: &HttpRequest) -> String {
        let uri = req.uri();
        let path = uri.path_and_query().map_or("/", |pq| pq.as_str());
        match &self.public_base_url {
            Some(base) => format!("{base}{path}"),
            None => {
                let host = req
                    .headers()
                    .get(actix_web::http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_owned)
                    .or_else(|| uri.authority().map(|a| a.as_str().to_owned()))
                    .unwrap_or_else(|| req.app_config().host().to_owned());
                format!("http://{host}{path}")
            }
        }
    }
}

/// Turns a refusal into the actix error, through the configured error handler, if any.
pub(crate) fn handle_error(
    config: Option<&WebhookConfig>,
    err: WebhookError,
    req: &HttpRequest,
) -> actix_web::Error {
    match config.and_then(|c| c.error_handler.as_ref()) {
        Some(handler) => handler(err, req),
        None => err.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use webhook_verify::Provider;

    fn config() -> WebhookConfig {
        WebhookConfig::new(Verifier::new(Provider::TWILIO, "token").unwrap())
    }

    #[test]
    fn url_from_host_header() {
        let req = TestRequest::post()
            .uri("/twilio/sms?a=1&b=2")
            .insert_header(("host", "hooks.example.com:8443"))
            .to_http_request();
        assert_eq!(
            config().delivery_url(&req),
            "http://hooks.example.com:8443/twilio/sms?a=1&b=2"
        );
    }

    #[test]
    fn url_from_public_base() {
        let req = TestRequest::post()
            .uri("/twilio/sms?a=1")
            .insert_header(("host", "internal:8080"))
            .to_http_request();
        let config = config().public_base_url("https://hooks.example.com/");
        assert_eq!(
            config.delivery_url(&req),
            "https://hooks.example.com/twilio/sms?a=1"
        );
    }

    #[test]
    fn url_without_host_uses_app_host() {
        let req = TestRequest::post().uri("/x").to_http_request();
        assert_eq!(config().delivery_url(&req), "http://localhost:8080/x");
    }
}
