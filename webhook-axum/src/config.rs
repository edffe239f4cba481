//! What the extractor and the layer need: the verifier, the body limit, the public URL,
//! replay protection.

use std::fmt;
use std::sync::Arc;

use axum::extract::OriginalUri;
use axum::response::Response;
use bytes::Bytes;
use http::request::Parts;
use tracing::Span;
use webhook_verify::replay::{Begin, Replay};
use webhook_verify::{Delivery, Verified, Verifier};

use crate::claim::Claim;
use crate::rejection::{Reason, RejectionHook, WebhookRejection};

/// The default body limit: 1 MiB. Larger bodies get `413 payload too large`.
///
/// ```
/// assert_eq!(webhook_axum::DEFAULT_MAX_BODY, 1024 * 1024);
/// ```
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// How deliveries are verified: the [`Verifier`], the body limit, the public URL for
/// providers that sign it, optional [replay protection](WebhookConfigBuilder::replay), and
/// an optional hook that replaces rejection responses.
///
/// Build it once at start-up and put it in the router's state (directly, or in a field of
/// your own state with [`FromRef`](axum::extract::FromRef)), or give it to
/// [`VerifyWebhookLayer`](crate::VerifyWebhookLayer). Cloning is cheap.
///
/// ```
/// use webhook_axum::WebhookConfig;
/// use webhook_verify::{Provider, Verifier};
///
/// let verifier = Verifier::new(Provider::STRIPE, "whsec_test_secret")?;
/// let config = WebhookConfig::builder(verifier)
///     .max_body(256 * 1024)
///     .build();
/// assert_eq!(config.max_body(), 256 * 1024);
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone)]
pub struct WebhookConfig {
    inner: Arc<Inner>,
}

struct Inner {
    verifier: Verifier,
    max_body: usize,
    public_base_url: Option<String>,
    replay: Option<Replay>,
    on_rejection: Option<RejectionHook>,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("verifier", &self.inner.verifier)
            .field("max_body", &self.inner.max_body)
            .field("public_base_url", &self.inner.public_base_url)
            .field("replay", &self.inner.replay)
            .field("on_rejection", &self.inner.on_rejection.is_some())
            .finish()
    }
}

impl From<Verifier> for WebhookConfig {
    fn from(verifier: Verifier) -> Self {
        Self::new(verifier)
    }
}

impl WebhookConfig {
    /// A configuration with every default around `verifier`.
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
    pub fn new(verifier: Verifier) -> Self {
        Self::builder(verifier).build()
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
    pub fn builder(verifier: Verifier) -> WebhookConfigBuilder {
        WebhookConfigBuilder {
            inner: Inner {
                verifier,
                max_body: DEFAULT_MAX_BODY,
                public_base_url: None,
                replay: None,
                on_rejection: None,
            },
        }
    }

    /// The verifier.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::new(Verifier::new(Provider::SLACK, "8f742231b10e8888abcd99yyyzzz85a5")?);
    /// assert_eq!(config.verifier().provider(), &Provider::SLACK);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
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
        self.inner.max_body
    }

    /// The public base URL, if one was configured (without a trailing `/`).
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::TWILIO, "token")?)
    ///     .public_base_url("https://example.com/")
    ///     .build();
    /// assert_eq!(config.public_base_url(), Some("https://example.com"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn public_base_url(&self) -> Option<&str> {
        self.inner.public_base_url.as_deref()
    }

    /// The replay protection, if one was configured.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// use webhook_verify::replay::{MemoryStore, Replay};
    ///
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s")?);
    /// assert!(config.replay().is_none());
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?)
    ///     .replay(Replay::new(MemoryStore::new()))
    ///     .build();
    /// assert!(config.replay().is_some());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn replay(&self) -> Option<&Replay> {
        self.inner.replay.as_ref()
    }

    /// Whether `other` is this very configuration (or a clone of it).
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Claims a verified delivery in the replay store, inside `span` (entered by the
    /// caller). `Ok(Claim::none())` without replay protection; a rejection for a duplicate
    /// (`200 duplicate`), a delivery in flight (`409 in progress`) or an unreachable store
    /// (`503`), with the outcome recorded.
    pub(crate) async fn claim(
        &self,
        span: &Span,
        verified: &Verified,
    ) -> Result<Claim, WebhookRejection> {
        let Some(replay) = &self.inner.replay else {
            return Ok(Claim::none());
        };
        let reason = match replay.begin(verified).await {
            Ok(Begin::New(guard)) => return Ok(Claim::held(guard)),
            Ok(Begin::Done) => {
                span.record("outcome", "duplicate");
                tracing::debug!("webhook already handled; acknowledged as duplicate");
                Reason::Duplicate
            }
            Ok(Begin::InFlight) => {
                span.record("outcome", "in_progress");
                tracing::debug!("webhook being handled by another request");
                Reason::InFlight(replay.lease_duration())
            }
            Err(error) => {
                span.record("outcome", "store_unavailable");
                tracing::warn!(%error, "replay store unreachable; answering 503");
                Reason::StoreUnavailable(error)
            }
        };
        Err(self.attach(WebhookRejection::from_reason(reason)))
    }

    /// The URL the sender requested, as given to the verifier for providers that sign it
    /// (Twilio): the [public base URL](WebhookConfigBuilder::public_base_url) followed by
    /// the request's original path and query; without one, the request's own absolute URI,
    /// else `http://{Host}{path and query}`. `None` without any of these.
    ///
    /// ```
    /// use webhook_axum::WebhookConfig;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::TWILIO, "token")?;
    /// let (parts, ()) = http::Request::post("/sms?x=1")
    ///     .header("host", "internal:8080")
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    ///
    /// let config = WebhookConfig::new(verifier.clone());
    /// assert_eq!(config.request_url(&parts).as_deref(), Some("http://internal:8080/sms?x=1"));
    ///
    /// let config = WebhookConfig::builder(verifier).public_base_url("https://example.com").build();
    /// assert_eq!(config.request_url(&parts).as_deref(), Some("https://example.com/sms?x=1"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn request_url(&self, parts: &Parts) -> Option<String> {
        // Under `Router::nest`, `parts.uri` has lost the prefix; the original has it.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |o| &o.0);
        let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
        if let Some(base) = &self.inner.public_base_url {
            return Some(format!("{base}{path_and_query}"));
        }
        if let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) {
            return Some(format!("{scheme}://{authority}{path_and_query}"));
        }
        let host = parts.headers.get(http::header::HOST)?.to_str().ok()?;
        Some(format!("http://{host}{path_and_query}"))
    }

    /// Verifies a request whose body was already read, for code that buffers the body
    /// itself. Records the outcome in a `webhook` tracing span.
    ///
    /// ```
    /// use webhook_axum::WebhookConfig;
    /// use webhook_axum::test_helpers::SignedRequest;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "It's a Secret")?);
    /// let body = bytes::Bytes::from_static(br#"{"zen":"Keep it logically awesome."}"#);
    /// let request = SignedRequest::new(&Provider::GITHUB, "It's a Secret")
    ///     .body(body.clone())
    ///     .header("X-GitHub-Event", "ping")
    ///     .build()?;
    /// let (parts, _) = request.into_parts();
    /// let verified = config.verify_parts(&parts, body).unwrap();
    /// assert_eq!(verified.event_type(), Some("ping"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`WebhookRejection`] when the body is over the limit or verification fails.
    pub fn verify_parts(&self, parts: &Parts, body: Bytes) -> Result<Verified, WebhookRejection> {
        let span = self.span();
        let _entered = span.enter();
        if body.len() > self.inner.max_body {
            return Err(self.reject_early(&span, Reason::PayloadTooLarge));
        }
        self.verify_in_span(&span, parts, body)
    }

    /// A new `webhook` span for one delivery, with `id` and `outcome` to be recorded.
    pub(crate) fn span(&self) -> Span {
        tracing::debug_span!(
            "webhook",
            provider = %self.inner.verifier.provider().name(),
            id = tracing::field::Empty,
            outcome = tracing::field::Empty,
        )
    }

    /// Verifies inside `span` (already entered by the caller) and records the outcome.
    pub(crate) fn verify_in_span(
        &self,
        span: &Span,
        parts: &Parts,
        body: Bytes,
    ) -> Result<Verified, WebhookRejection> {
        let verifier = &self.inner.verifier;
        let url = if verifier.provider().needs_url() {
            self.request_url(parts)
        } else {
            None
        };
        let mut delivery = Delivery::new(&parts.headers, body);
        if let Some(url) = url.as_deref() {
            delivery = delivery.with_url(url);
        }
        match verifier.verify(&delivery) {
            Ok(verified) => {
                // Reading a body-carried id (Stripe's) scans the body: only when logged.
                if !span.is_disabled() {
                    if let Some(id) = verified.id() {
                        span.record("id", id);
                    }
                }
                span.record("outcome", "verified");
                tracing::debug!(body_len = verified.body().len(), "webhook verified");
                Ok(verified)
            }
            Err(error) => {
                span.record("outcome", error.kind().as_str());
                tracing::debug!(
                    status = error.status(),
                    reason = %error.body_text(),
                    "webhook rejected"
                );
                if tracing::enabled!(tracing::Level::DEBUG) {
                    let diagnosis = verifier.diagnose(&delivery, &error);
                    if !diagnosis.is_empty() {
                        tracing::debug!(hints = %diagnosis, "webhook rejection diagnosis");
                    }
                }
                Err(self.attach(WebhookRejection::from_reason(Reason::Verification(error))))
            }
        }
    }

    /// A rejection decided before verification (body over the limit, unreadable body),
    /// with its outcome recorded.
    pub(crate) fn reject_early(&self, span: &Span, reason: Reason) -> WebhookRejection {
        let rejection = WebhookRejection::from_reason(reason);
        span.record("outcome", rejection.kind().as_str());
        tracing::debug!(
            status = rejection.status().as_u16(),
            reason = %rejection.body_text(),
            "webhook rejected"
        );
        self.attach(rejection)
    }

    /// Gives `rejection` this configuration's response hook, if any.
    pub(crate) fn attach(&self, rejection: WebhookRejection) -> WebhookRejection {
        match &self.inner.on_rejection {
            Some(hook) => rejection.with_hook(hook.clone()),
            None => rejection,
        }
    }
}

/// Configures a [`WebhookConfig`]. Created by [`WebhookConfig::builder`].
///
/// ```
/// use axum::http::StatusCode;
/// use axum::response::IntoResponse;
/// use webhook_axum::WebhookConfig;
/// use webhook_verify::{Provider, Verifier};
///
/// let config = WebhookConfig::builder(Verifier::new(Provider::STANDARD_WEBHOOKS, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?)
///     .max_body(64 * 1024)
///     .on_rejection(|rejection| (rejection.status(), "nope").into_response())
///     .build();
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[must_use]
pub struct WebhookConfigBuilder {
    inner: Inner,
}

impl fmt::Debug for WebhookConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfigBuilder")
            .field("verifier", &self.inner.verifier)
            .field("max_body", &self.inner.max_body)
            .field("public_base_url", &self.inner.public_base_url)
            .field("replay", &self.inner.replay)
            .finish_non_exhaustive()
    }
}

impl WebhookConfigBuilder {
    /// The largest body accepted, in bytes. A request announcing more in `Content-Length`
    /// is refused without reading its body; a body that turns out longer is refused as
    /// soon as the limit is passed. Either way the answer is `413 payload too large`.
    /// Defaults to [`DEFAULT_MAX_BODY`] (1 MiB).
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// let config = WebhookConfig::builder(Verifier::new(Provider::GITHUB, "s")?).max_body(4096).build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.inner.max_body = bytes;
        self
    }

    /// The scheme, host (and port, and path prefix, if any) the sender uses to reach this
    /// service, for providers that sign the URL (Twilio), e.g. `https://hooks.example.com`.
    /// The request's original path and query are appended to it. Set it whenever the
    /// service runs behind a proxy or TLS terminator, since the URL the sender signed is
    /// then not the one this service sees. Ignored by providers that do not sign the URL.
    /// Defaults to none: the URL is rebuilt as `http://{Host}{path and query}` (or from an
    /// absolute request URI).
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
        let mut url = url.into();
        while url.ends_with('/') {
            url.pop();
        }
        self.inner.public_base_url = Some(url);
        self
    }

    /// Protects handlers from replays and provider retries: each verified delivery is
    /// claimed in `replay`'s store before the handler runs, and
    ///
    /// | claim | answer |
    /// |---|---|
    /// | new | the handler runs; on success the delivery is committed, on failure released so the provider's retry runs it |
    /// | already handled | `200 duplicate`, handler not run |
    /// | being handled by another request | `409 in progress`, `Retry-After` = the lease in whole seconds |
    /// | store unreachable | `503 service unavailable`, handler not run (fail closed) |
    ///
    /// Where the outcome is decided:
    /// - [`VerifyWebhookLayer`](crate::VerifyWebhookLayer) commits when the inner
    ///   service answers 2xx and releases on any other status, an error, a panic or a
    ///   cancelled request. Nothing to do in the handler.
    /// - Without the layer, take [`Claimed<Webhook<T>>`](crate::Claimed) (or
    ///   `Claimed<VerifiedWebhook>`) and call [`Claim::commit`](crate::Claim::commit) once
    ///   the work is done; returning early, failing or panicking releases the claim. The
    ///   plain [`Webhook<T>`](crate::Webhook) and [`VerifiedWebhook`](crate::VerifiedWebhook)
    ///   cannot see the handler's outcome: used alone with a replay-protected
    ///   configuration they answer `500 internal server error` (and log why) rather than
    ///   run unprotected. Behind the layer they work as usual.
    ///
    /// Tip: use [`Replay::covering`] with your verifier so handled deliveries are
    /// remembered at least as long as their timestamps are accepted. Defaults to none: no
    /// replay protection.
    ///
    /// ```
    /// # use webhook_axum::WebhookConfig;
    /// # use webhook_verify::{Provider, Verifier};
    /// use std::time::Duration;
    /// use webhook_verify::replay::{MemoryStore, Replay};
    ///
    /// let verifier = Verifier::new(Provider::STRIPE, "whsec_test_secret")?;
    /// let replay = Replay::new(MemoryStore::new())
    ///     .lease(Duration::from_secs(30))
    ///     .covering(&verifier);
    /// let config = WebhookConfig::builder(verifier).replay(replay).build();
    /// assert_eq!(config.replay().unwrap().lease_duration(), Duration::from_secs(30));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn replay(mut self, replay: Replay) -> Self {
        self.inner.replay = Some(replay);
        self
    }

    /// Replaces the response sent for every rejection (of the extractor and of the layer).
    /// The hook receives the [`WebhookRejection`]; its [`status`](WebhookRejection::status)
    /// is the one DESIGN's status policy asks for, keep it unless you have a reason.
    /// Defaults to none: a `text/plain` body with [`WebhookRejection::body_text`].
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
        self.inner.on_rejection = Some(RejectionHook::new(hook));
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
            inner: Arc::new(self.inner),
        }
    }
}
