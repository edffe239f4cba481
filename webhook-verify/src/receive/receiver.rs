//! The receiver: verifier, body limit, public URL and replay protection, and the steps of
//! one delivery.

use std::fmt;
use std::future::poll_fn;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use tracing::Span;
use tracing::field::Empty;

use super::claim::{Claim, claim};
use super::{BodyLimit, BoxError, Outcome, Reply};
use crate::key_source::KeySource;
use crate::replay::{MemoryStore, Replay};
use crate::{Delivery, Headers, IntoSecret, Provider, Secret, Verified, Verifier};

/// The default body limit: 1 MiB. Larger bodies get `413 payload too large`.
///
/// ```
/// assert_eq!(webhook_verify::receive::DEFAULT_MAX_BODY, 1024 * 1024);
/// ```
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// The default time allowed to receive a whole body: 30 s. A sender slower than that
/// gets `408 request timeout`, so a client trickling bytes cannot hold a connection.
///
/// ```
/// assert_eq!(webhook_verify::receive::DEFAULT_BODY_TIMEOUT.as_secs(), 30);
/// ```
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Where log lines about refused deliveries go, at TRACE, with the status and body sent.
pub const REJECTION_TARGET: &str = "webhook_verify::rejection";

/// Everything the receive path needs: the [`Verifier`], the body limit, the body timeout,
/// the public base URL (for providers that sign the URL) and replay protection. Both
/// adapters and the CLI's listener are built on it; cheap to clone and share.
///
/// Secure by default: replay protection is **on**, in memory, remembering handled
/// deliveries at least as long as the verifier accepts their timestamps, so a captured
/// delivery cannot be replayed to run the handler twice. Share a
/// [`RedisStore`](crate::replay) between instances with [`ReceiverBuilder::replay`];
/// turn protection off only with [`ReceiverBuilder::without_replay`].
///
/// ```
/// use webhook_verify::receive::Receiver;
/// use webhook_verify::{Provider, Verifier};
///
/// let receiver = Receiver::new(Verifier::new(Provider::GITHUB, "It's a Secret")?);
/// assert!(receiver.replay().is_some());
/// assert_eq!(receiver.max_body(), webhook_verify::receive::DEFAULT_MAX_BODY);
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    /// The provider's name as a metrics label, made once.
    #[cfg(feature = "metrics")]
    provider_label: metrics::SharedString,
    keys: KeySource,
    shadow: bool,
    max_body: usize,
    body_timeout: Option<Duration>,
    public_base_url: Option<String>,
    replay: Option<Replay>,
    verify_token: Option<Secret>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("keys", &self.inner.keys)
            .field("shadow", &self.inner.shadow)
            .field("max_body", &self.inner.max_body)
            .field("body_timeout", &self.inner.body_timeout)
            .field("public_base_url", &self.inner.public_base_url)
            .field("replay", &self.inner.replay)
            .field("verify_token", &self.inner.verify_token)
            .finish()
    }
}

impl From<Verifier> for Receiver {
    fn from(verifier: Verifier) -> Self {
        Self::new(verifier)
    }
}

impl Receiver {
    /// A receiver with every default around `keys`: a [`Verifier`], or a
    /// [`LiveKeys`](crate::key_source::LiveKeys) or
    /// [`TenantKeys`](crate::key_source::TenantKeys) key source (in-memory replay
    /// protection on).
    #[must_use]
    pub fn new(keys: impl Into<KeySource>) -> Self {
        Self::builder(keys).build()
    }

    /// Starts a receiver around `keys` (a [`Verifier`], or a key source that changes while
    /// serving: see [`key_source`](crate::key_source)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_verify::receive::Receiver;
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let receiver = Receiver::builder(Verifier::new(Provider::TWILIO, "auth-token")?)
    ///     .max_body(64 * 1024)
    ///     .body_timeout(Duration::from_secs(5))
    ///     .public_base_url("https://hooks.example.com/")
    ///     .build();
    /// assert_eq!(receiver.public_base_url(), Some("https://hooks.example.com"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn builder(keys: impl Into<KeySource>) -> ReceiverBuilder {
        ReceiverBuilder {
            keys: keys.into(),
            shadow: false,
            max_body: DEFAULT_MAX_BODY,
            body_timeout: Some(DEFAULT_BODY_TIMEOUT),
            public_base_url: None,
            replay: ReplayChoice::Default,
            verify_token: None,
        }
    }

    /// The verify token handshakes are checked against (Meta's `hub.verify_token`).
    pub(crate) fn verify_token(&self) -> Option<&Secret> {
        self.inner.verify_token.as_ref()
    }

    /// The verifier in force now: the receiver's own, or the current one of
    /// [`LiveKeys`](crate::key_source::LiveKeys); `None` when keys are resolved per tenant.
    ///
    /// ```
    /// # use webhook_verify::{receive::Receiver, Provider, Verifier};
    /// let receiver = Receiver::new(Verifier::new(Provider::GITHUB, "s")?);
    /// assert_eq!(receiver.verifier().unwrap().provider(), &Provider::GITHUB);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn verifier(&self) -> Option<Verifier> {
        match &self.inner.keys {
            KeySource::Fixed(verifier) => Some(verifier.clone()),
            KeySource::Live(live) => Some(live.current()),
            #[cfg(feature = "tokio")]
            KeySource::Tenants(_) => None,
        }
    }

    /// Where the keys come from.
    #[must_use]
    pub fn keys(&self) -> &KeySource {
        &self.inner.keys
    }

    /// The provider whose deliveries this receiver verifies.
    #[must_use]
    pub fn provider(&self) -> &Provider {
        self.inner.keys.provider()
    }

    /// Whether shadow mode is on ([`ReceiverBuilder::shadow`]).
    #[must_use]
    pub fn is_shadow(&self) -> bool {
        self.inner.shadow
    }

    /// The largest body accepted, in bytes.
    #[must_use]
    pub fn max_body(&self) -> usize {
        self.inner.max_body
    }

    /// The time allowed to receive a whole body, if any.
    #[must_use]
    pub fn body_timeout(&self) -> Option<Duration> {
        self.inner.body_timeout
    }

    /// The public base URL, without a trailing `/`.
    #[must_use]
    pub fn public_base_url(&self) -> Option<&str> {
        self.inner.public_base_url.as_deref()
    }

    /// Replay protection, unless turned off.
    #[must_use]
    pub fn replay(&self) -> Option<&Replay> {
        self.inner.replay.as_ref()
    }

    /// Whether `other` is this very receiver (or a clone of it).
    ///
    /// ```
    /// # use webhook_verify::{receive::Receiver, Provider, Verifier};
    /// let a = Receiver::new(Verifier::new(Provider::GITHUB, "s")?);
    /// let b = Receiver::new(a.verifier().unwrap());
    /// assert!(a.same_as(&a.clone()) && !a.same_as(&b));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Starts one delivery: a DEBUG `webhook` span with `provider`, and `id` and `outcome`
    /// recorded as the delivery goes through the steps of [`Reception`].
    pub fn receive(&self) -> Reception {
        let span = tracing::debug_span!(
            "webhook",
            provider = %self.provider().name(),
            id = Empty,
            tenant = Empty,
            outcome = Empty,
        );
        Reception {
            receiver: self.clone(),
            span,
            #[cfg(feature = "metrics")]
            meter: std::sync::Mutex::default(),
        }
    }

    /// The URL the sender requested, for providers that sign it (Twilio): the public base
    /// URL followed by the request's path and query; without one, the request's own
    /// absolute URI, else `http://{Host}{path and query}`. `None` without any of these.
    ///
    /// ```
    /// use webhook_verify::receive::{Receiver, RequestUrl};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let verifier = Verifier::new(Provider::TWILIO, "token")?;
    /// let url = RequestUrl::new("/sms?x=1").host(Some("internal:8080"));
    /// let receiver = Receiver::new(verifier.clone());
    /// assert_eq!(receiver.request_url(&url).as_deref(), Some("http://internal:8080/sms?x=1"));
    /// let receiver = Receiver::builder(verifier).public_base_url("https://example.com").build();
    /// assert_eq!(receiver.request_url(&url).as_deref(), Some("https://example.com/sms?x=1"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn request_url(&self, url: &RequestUrl<'_>) -> Option<String> {
        let path_and_query = if url.path_and_query.is_empty() {
            "/"
        } else {
            url.path_and_query
        };
        if let Some(base) = &self.inner.public_base_url {
            return Some(format!("{base}{path_and_query}"));
        }
        if let Some((scheme, authority)) = url.origin {
            return Some(format!("{scheme}://{authority}{path_and_query}"));
        }
        Some(format!("http://{}{path_and_query}", url.host?))
    }
}

/// What the request says about its own URL, for [`Receiver::request_url`]: the path and
/// query, the scheme and authority of an absolute request URI, and the `Host` header.
///
/// ```
/// use webhook_verify::receive::RequestUrl;
/// let url = RequestUrl::new("/hooks?a=1").origin(Some(("https", "example.com"))).host(None);
/// # let _ = url;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestUrl<'a> {
    path_and_query: &'a str,
    origin: Option<(&'a str, &'a str)>,
    host: Option<&'a str>,
}

impl<'a> RequestUrl<'a> {
    /// The request target's path and query (`/sms?x=1`).
    #[must_use]
    pub fn new(path_and_query: &'a str) -> Self {
        Self {
            path_and_query,
            origin: None,
            host: None,
        }
    }

    /// The scheme and authority, when the request URI was absolute.
    #[must_use]
    pub fn origin(mut self, origin: Option<(&'a str, &'a str)>) -> Self {
        self.origin = origin;
        self
    }

    /// The `Host` header's value.
    #[must_use]
    pub fn host(mut self, host: Option<&'a str>) -> Self {
        self.host = host;
        self
    }

    /// The query, without the `?`, when there is one.
    ///
    /// ```
    /// use webhook_verify::receive::RequestUrl;
    /// assert_eq!(RequestUrl::new("/hooks?crc_token=a").query(), Some("crc_token=a"));
    /// assert_eq!(RequestUrl::new("/hooks").query(), None);
    /// ```
    #[must_use]
    pub fn query(&self) -> Option<&'a str> {
        self.path_and_query.split_once('?').map(|(_, query)| query)
    }
}

enum ReplayChoice {
    Default,
    Custom(Replay),
    Off,
}

/// Configures a [`Receiver`]. Created by [`Receiver::builder`].
#[must_use]
pub struct ReceiverBuilder {
    keys: KeySource,
    shadow: bool,
    max_body: usize,
    body_timeout: Option<Duration>,
    public_base_url: Option<String>,
    replay: ReplayChoice,
    verify_token: Option<Secret>,
}

impl fmt::Debug for ReceiverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverBuilder")
            .field("keys", &self.keys)
            .field("shadow", &self.shadow)
            .field("max_body", &self.max_body)
            .field("body_timeout", &self.body_timeout)
            .field("public_base_url", &self.public_base_url)
            .field("verify_token", &self.verify_token)
            .finish_non_exhaustive()
    }
}

impl ReceiverBuilder {
    /// The largest body accepted, in bytes. A request announcing more in `Content-Length`
    /// is refused without reading its body; a body that turns out longer is refused as
    /// soon as the limit is passed. Either way the answer is `413 payload too large`.
    /// Defaults to [`DEFAULT_MAX_BODY`] (1 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The time allowed to receive the whole body, from the first read; a slower sender
    /// gets `408 request timeout`. Needs the `tokio` feature (both adapters enable it);
    /// `None` waits as long as the server lets the connection live. Defaults to
    /// [`DEFAULT_BODY_TIMEOUT`] (30 s).
    pub fn body_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.body_timeout = timeout.into();
        self
    }

    /// The scheme, host (and port, and path prefix, if any) the sender uses to reach this
    /// service, for providers that sign the URL (Twilio), e.g. `https://hooks.example.com`.
    /// The request's path and query are appended. Set it whenever the service runs behind
    /// a proxy or TLS terminator. Ignored by providers that do not sign the URL. Defaults
    /// to none: the URL is rebuilt from the request (see [`Receiver::request_url`]).
    pub fn public_base_url(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        while url.ends_with('/') {
            url.pop();
        }
        self.public_base_url = Some(url);
        self
    }

    /// Replay protection with this store, lease and retention (a [`RedisStore`] shared by
    /// every instance, a longer retention). The retention is raised, if needed, to cover
    /// the verifier's tolerance window ([`Replay::covering`]). Defaults to an in-memory
    /// [`MemoryStore`] with [`Replay`]'s default lease and retention.
    ///
    /// [`RedisStore`]: crate::replay
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_verify::receive::Receiver;
    /// use webhook_verify::replay::{MemoryStore, Replay};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let replay = Replay::new(MemoryStore::new().max_entries(1000)).lease(Duration::from_secs(30));
    /// let receiver = Receiver::builder(Verifier::new(Provider::STRIPE, "whsec_x")?).replay(replay).build();
    /// assert_eq!(receiver.replay().unwrap().lease_duration(), Duration::from_secs(30));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn replay(mut self, replay: Replay) -> Self {
        self.replay = ReplayChoice::Custom(replay);
        self
    }

    /// Turns replay protection off: every delivery that verifies runs the handler, however
    /// often it is sent. Only for handlers that are idempotent by themselves; a captured
    /// delivery from a provider without a signed timestamp (GitHub, Shopify) can then be
    /// replayed forever. Defaults to on.
    ///
    /// ```
    /// use webhook_verify::receive::Receiver;
    /// use webhook_verify::{Provider, Verifier};
    /// let receiver = Receiver::builder(Verifier::new(Provider::GITHUB, "s")?).without_replay().build();
    /// assert!(receiver.replay().is_none());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn without_replay(mut self) -> Self {
        self.replay = ReplayChoice::Off;
        self
    }

    /// The verify token a subscription handshake must present: Meta's `hub.verify_token`,
    /// the text you typed in the app dashboard's webhook settings. It is compared in
    /// constant time; a handshake with another token gets `403 invalid verify token`.
    /// Other senders' handshakes use the verifier's secret and ignore it. Defaults to none:
    /// Meta's handshake is refused as a misconfiguration (500, logged at ERROR).
    ///
    /// ```
    /// use webhook_verify::receive::Receiver;
    /// use webhook_verify::{Provider, Verifier};
    /// let receiver = Receiver::builder(Verifier::new(Provider::META, "app-secret")?)
    ///     .verify_token("my-verify-token")?
    ///     .build();
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSecret`](crate::Error::InvalidSecret) when the token is empty.
    pub fn verify_token(mut self, token: impl IntoSecret) -> Result<Self, crate::Error> {
        self.verify_token = Some(token.into_secret()?);
        Ok(self)
    }

    /// **Shadow mode** (report only), for a team moving to verification that wants to
    /// watch failures before rejecting anything: every delivery is still verified and the
    /// result recorded (the span's `outcome`, the diagnosis, the matched key, the
    /// `shadow_accepted` metric), but a delivery that fails verification for a reason the
    /// sender controls (missing or malformed headers, bad signature, stale timestamp,
    /// unknown tenant) is handed to the handler anyway, marked:
    /// [`Verified::is_authentic`] is `false` and [`Verified::shadow_failure`] says why.
    ///
    /// Such a delivery is **not** claimed for replay protection (its id is not
    /// authenticated: claiming it could make a genuine delivery a duplicate). Everything
    /// else answers as usual: bodies over the limit, the receiver's own failures (a key
    /// resolver down, a missing URL) and the replay answers of verified deliveries.
    ///
    /// Logged at WARN when the receiver is built, and for each delivery it lets through.
    /// Defaults to off.
    ///
    /// ```
    /// use webhook_verify::receive::Receiver;
    /// use webhook_verify::{Provider, Verifier};
    /// let receiver = Receiver::builder(Verifier::new(Provider::GITHUB, "s")?).shadow(true).build();
    /// assert!(receiver.is_shadow());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn shadow(mut self, on: bool) -> Self {
        self.shadow = on;
        self
    }

    /// Builds the receiver.
    pub fn build(self) -> Receiver {
        let replay = match self.replay {
            ReplayChoice::Default => Some(Replay::new(MemoryStore::new())),
            ReplayChoice::Custom(replay) => Some(replay),
            ReplayChoice::Off => None,
        }
        .map(|replay| replay.covering_tolerance(self.keys.tolerance()));
        if self.shadow {
            tracing::warn!(
                provider = %self.keys.provider().name(),
                "webhook SHADOW MODE: deliveries that fail verification are passed to the \
                 handler (marked unverified); do not run this way in production longer than needed"
            );
        }
        #[cfg(feature = "metrics")]
        super::metrics::describe();
        Receiver {
            inner: Arc::new(Inner {
                #[cfg(feature = "metrics")]
                provider_label: metrics::SharedString::from(self.keys.provider().name().to_owned()),
                keys: self.keys,
                shadow: self.shadow,
                max_body: self.max_body,
                body_timeout: self.body_timeout,
                public_base_url: self.public_base_url,
                replay,
                verify_token: self.verify_token,
            }),
        }
    }
}

/// How an extractor hands a delivery to its handler ([`Reception::hand_over`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handover {
    /// The extractor never sees the handler's answer: the delivery is claimed and marked
    /// handled at once, so it reaches a handler at most once (`Webhook<T>`,
    /// `VerifiedWebhook`).
    AtMostOnce,
    /// The handler gets the [`Claim`] and settles it (`Claimed<E>`).
    Claim,
}

/// One delivery going through the receive path: read the body within the limit, verify,
/// claim, and record each step's outcome on the delivery's `webhook` span. Created by
/// [`Receiver::receive`]; the adapters call these steps in order and turn the [`Reply`]
/// of a refused step into their framework's response.
///
/// ```
/// use webhook_verify::receive::{Receiver, RequestUrl};
/// use webhook_verify::{Provider, SignOptions, Signer, Verifier};
///
/// # async fn run() -> Result<(), webhook_verify::receive::Reply> {
/// # let verifier = Verifier::new(Provider::GITHUB, "s").unwrap();
/// let receiver = Receiver::new(verifier);
/// let body = br#"{"action":"opened"}"#;
/// let headers = Signer::new(&Provider::GITHUB, "s").unwrap().sign(body, &SignOptions::new()).unwrap();
///
/// let delivery = receiver.receive();
/// let limit = delivery.body_limit(&headers)?;
/// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(body))]);
/// let body = delivery.read_body(limit, chunks).await?;
/// let verified = delivery.verify(&headers, &RequestUrl::new("/hooks"), body).await?;
/// let claim = delivery.claim(&verified).await?;
/// // ... handle the event, then:
/// claim.settle(200).await;
/// // The same delivery again is a duplicate.
/// let again = receiver.receive().claim(&verified).await.unwrap_err();
/// assert_eq!((again.status(), again.body_text().as_ref()), (200, "duplicate"));
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug)]
pub struct Reception {
    receiver: Receiver,
    span: Span,
    /// The last outcome and when the delivery verified: counted when the delivery ends.
    #[cfg(feature = "metrics")]
    meter: std::sync::Mutex<(Option<Outcome>, Option<std::time::Instant>)>,
}

#[cfg(feature = "metrics")]
impl Drop for Reception {
    fn drop(&mut self) {
        let (outcome, _) = *self
            .meter
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(outcome) = outcome {
            super::metrics::delivery(&self.receiver.inner.provider_label, outcome);
        }
    }
}

impl Reception {
    /// The delivery's `webhook` span; instrument the steps' futures with it.
    #[must_use]
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// The receiver.
    #[must_use]
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// Starts reading the body: checks the declared `Content-Length` against the limit.
    ///
    /// # Errors
    ///
    /// 413 when the declared length is over the limit, 400 when it is malformed.
    pub fn body_limit(&self, headers: &dyn Headers) -> Result<BodyLimit, Reply> {
        BodyLimit::new(self.receiver.inner.max_body, headers).map_err(|reply| self.refuse(reply))
    }

    /// Reads the body's chunks into `limit` until the end, the limit, or the body timeout.
    ///
    /// # Errors
    ///
    /// 413 past the limit, 400 when the stream fails, 408 after the body timeout.
    pub async fn read_body<S, E>(&self, mut limit: BodyLimit, chunks: S) -> Result<Bytes, Reply>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: Into<BoxError>,
    {
        let mut chunks = pin!(chunks);
        let read = async {
            while let Some(chunk) = poll_fn(|cx| chunks.as_mut().poll_next(cx)).await {
                limit.push(chunk.map_err(Reply::body_read)?)?;
            }
            Ok(())
        };
        let mut read = pin!(read);
        // A body that has already arrived (most do, with their headers) is read without
        // arming a timer; the timeout covers the rest of a body still on its way.
        let ready = poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await;
        let read: Result<(), Reply> = match (ready, self.receiver.inner.body_timeout) {
            (Poll::Ready(read), _) => read,
            #[cfg(feature = "tokio")]
            (Poll::Pending, Some(timeout)) => match tokio::time::timeout(timeout, read).await {
                Ok(read) => read,
                Err(_) => Err(Reply::body_timeout()),
            },
            (Poll::Pending, _) => read.await,
        };
        match read {
            Ok(()) => Ok(limit.finish()),
            Err(reply) => Err(self.refuse(reply)),
        }
    }

    /// Verifies the body (with the URL when the provider signs it) with the receiver's
    /// keys (resolving the tenant's first, when keys are per tenant), records the
    /// delivery's id and the outcome, and on failure logs the verifier's diagnosis at
    /// DEBUG (never the secret, the signature or the body). In shadow mode a delivery that
    /// fails verification is returned marked unverified (logged at WARN).
    ///
    /// # Errors
    ///
    /// The status policy's answer for the verification error, or for a tenant's keys that
    /// cannot be found ([`Reply`]'s table).
    pub async fn verify(
        &self,
        headers: &(dyn Headers + Sync),
        url: &RequestUrl<'_>,
        body: Bytes,
    ) -> Result<Verified, Reply> {
        #[cfg(feature = "metrics")]
        let start = std::time::Instant::now();
        let result = self.verify_keys(headers, url, body).await;
        #[cfg(feature = "metrics")]
        self.verify_done(start);
        result
    }

    async fn verify_keys(
        &self,
        headers: &(dyn Headers + Sync),
        url: &RequestUrl<'_>,
        body: Bytes,
    ) -> Result<Verified, Reply> {
        match &self.receiver.inner.keys {
            KeySource::Fixed(verifier) => self.verify_with(verifier, headers, url, body),
            KeySource::Live(live) => self.verify_with(&live.load(), headers, url, body),
            #[cfg(feature = "tokio")]
            KeySource::Tenants(tenants) => {
                use tracing::Instrument as _;
                let found = tenants
                    .for_request(headers, url.path_and_query, &body)
                    .instrument(self.span.clone())
                    .await;
                match found {
                    Ok((tenant, verifier)) => {
                        self.span.record("tenant", &*tenant);
                        let mut verified = self.verify_with(&verifier, headers, url, body)?;
                        verified.tenant = Some(tenant);
                        Ok(verified)
                    }
                    Err(miss) => {
                        let reply = Reply::tenant_miss(miss);
                        if self.receiver.inner.shadow && reply.status() < 500 {
                            let clock = tenants.clock();
                            return Ok(self.shadow_accept(
                                clock.now_unix_millis(),
                                headers,
                                crate::ErrorKind::SignatureMismatch,
                                &reply,
                                body,
                            ));
                        }
                        Err(self.refuse(reply))
                    }
                }
            }
        }
    }

    fn verify_with(
        &self,
        verifier: &Verifier,
        headers: &dyn Headers,
        url: &RequestUrl<'_>,
        body: Bytes,
    ) -> Result<Verified, Reply> {
        let _entered = self.span.enter();
        let url = if verifier.provider().needs_url() {
            self.receiver.request_url(url)
        } else {
            None
        };
        let mut delivery = Delivery::new(headers, &body[..]);
        if let Some(url) = url.as_deref() {
            delivery = delivery.with_url(url);
        }
        match verifier.check(&delivery) {
            Ok(found) => {
                // The body moves into the result: no reference count to take and drop.
                let verified = found.with_body(body);
                // Reading a body-carried id (Stripe's) scans the body: only when logged.
                if !self.span.is_disabled() {
                    if let Some(id) = verified.id() {
                        self.span.record("id", id);
                    }
                }
                self.outcome(Outcome::Verified);
                tracing::debug!(body_len = verified.body().len(), "webhook verified");
                Ok(verified)
            }
            Err(error) => {
                if self.receiver.inner.shadow || tracing::enabled!(tracing::Level::DEBUG) {
                    let diagnosis = verifier.diagnose(&delivery, &error);
                    if !diagnosis.is_empty() {
                        tracing::debug!(hints = %diagnosis, "webhook rejection diagnosis");
                    }
                }
                let kind = error.kind();
                let reply = Reply::rejected(error);
                if self.receiver.inner.shadow && reply.status() < 500 {
                    let now = verifier.clock().now_unix_millis();
                    return Ok(self.shadow_accept(now, headers, kind, &reply, body));
                }
                Err(self.refuse(reply))
            }
        }
    }

    /// Shadow mode: hands a delivery that failed verification over, marked unverified.
    fn shadow_accept(
        &self,
        received_at: i64,
        headers: &dyn Headers,
        failure: crate::ErrorKind,
        reply: &Reply,
        body: Bytes,
    ) -> Verified {
        let _entered = self.span.enter();
        self.outcome(Outcome::ShadowAccepted);
        tracing::warn!(
            failure = failure.as_str(),
            would_answer = reply.status(),
            reason = %reply.body_text(),
            "webhook failed verification; passed to the handler (shadow mode)"
        );
        crate::verifier::unverified(self.receiver.provider(), headers, received_at, failure)
            .with_body(body)
    }

    /// Claims the verified delivery in the replay store (an inert [`Claim`] when replay
    /// protection is off). Settle the claim from the handler's answer.
    ///
    /// # Errors
    ///
    /// 200 `duplicate` when already handled, 409 `in progress` with `Retry-After` while
    /// another request handles it, 503 when the store cannot be reached.
    pub async fn claim(&self, verified: &Verified) -> Result<Claim, Reply> {
        let _entered = self.span.enter();
        claim(self.receiver.inner.replay.as_ref(), verified)
            .await
            .map_err(|reply| self.refuse(reply))
    }

    /// Claims the delivery and marks it handled at once, for extractors that hand the
    /// delivery to a handler whose answer they never see: each delivery reaches a handler
    /// at most once (a retry after a failed handler is then a duplicate). Code that can
    /// see the answer should [`claim`](Self::claim) and settle instead.
    ///
    /// # Errors
    ///
    /// As [`claim`](Self::claim), and 503 when the commit fails.
    pub async fn claim_and_commit(&self, verified: &Verified) -> Result<(), Reply> {
        let claim = self.claim(verified).await?;
        let _entered = self.span.enter();
        claim
            .commit()
            .await
            .map_err(|error| self.refuse(Reply::store_unavailable(error)))
    }

    /// Hands a verified delivery over to a handler the way `handover` says: parses it for
    /// the handler with `parse` first (a payload that does not parse is refused and claims
    /// nothing), then claims it. The one place the extractors' replay semantics are decided.
    ///
    /// # Errors
    ///
    /// `parse`'s refusal (recorded), or the claim's answers (see [`claim`](Self::claim)).
    pub async fn hand_over<E>(
        &self,
        verified: &Verified,
        handover: Handover,
        parse: impl FnOnce(&Verified) -> Result<E, Reply>,
    ) -> Result<(E, Claim), Reply> {
        let parsed = parse(verified).map_err(|reply| self.refuse(reply))?;
        let claim = match handover {
            Handover::Claim => self.claim(verified).await?,
            Handover::AtMostOnce => {
                self.claim_and_commit(verified).await?;
                Claim::none()
            }
        };
        Ok((parsed, claim))
    }

    /// Records `outcome` on the span (and for the delivery's metrics).
    fn outcome(&self, outcome: Outcome) {
        self.span.record("outcome", outcome.as_str());
        #[cfg(feature = "metrics")]
        {
            self.meter
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0 = Some(outcome);
        }
    }

    /// The handler answered: its time since verification, for the metrics.
    fn handler_answered(&self) {
        #[cfg(feature = "metrics")]
        {
            let verified_at = self
                .meter
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .1;
            if let Some(start) = verified_at {
                super::metrics::handler_time(&self.receiver.inner.provider_label, start);
            }
        }
    }

    /// Verification is done (whatever its result): its time, for the metrics.
    #[cfg(feature = "metrics")]
    fn verify_done(&self, start: std::time::Instant) {
        let done = std::time::Instant::now();
        super::metrics::verify_time(&self.receiver.inner.provider_label, done - start);
        self.meter
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1 = Some(done);
    }

    /// Records a refusal decided outside these steps (a payload that does not parse as the
    /// handler's type): the outcome on the span, a DEBUG line (ERROR for a 5xx), a TRACE
    /// line under [`REJECTION_TARGET`]. Returns the reply.
    pub fn refuse(&self, reply: Reply) -> Reply {
        let _entered = self.span.enter();
        self.outcome(reply.outcome());
        if reply.status() >= 500 {
            match reply.cause() {
                Some(cause) => tracing::error!(status = reply.status(), %cause, "webhook refused"),
                None => tracing::error!(status = reply.status(), "webhook refused"),
            }
        } else {
            tracing::debug!(
                status = reply.status(),
                reason = %reply.body_text(),
                "webhook refused"
            );
        }
        tracing::trace!(
            target: REJECTION_TARGET,
            status = reply.status(),
            kind = reply.outcome().as_str(),
            response = %reply.body_text(),
            "rejecting webhook delivery"
        );
        reply
    }

    /// Records the final answer of a delivery that got through (a router's reply, or the
    /// status of the handler behind a layer).
    pub fn finish(&self, reply: &Reply) {
        let _entered = self.span.enter();
        self.outcome(reply.outcome());
        self.handler_answered();
        tracing::debug!(
            status = reply.status(),
            event = reply.event().unwrap_or_default(),
            route = reply.route().unwrap_or_default(),
            "webhook answered"
        );
    }

    /// Records how the handler behind a layer or middleware answered. `refusal` is the
    /// [`Reply`] an extractor behind it refused with (a payload that does not parse), when
    /// the response carries one: it is recorded and logged as that refusal. Otherwise a
    /// 2xx status is `handled` and anything else `handler_failed`.
    pub fn finish_status(&self, status: u16, refusal: Option<&Reply>) {
        if let Some(reply) = refusal {
            self.refuse(reply.clone());
            return;
        }
        let outcome = if (200..300).contains(&status) {
            Outcome::Handled
        } else {
            Outcome::HandlerFailed
        };
        let _entered = self.span.enter();
        self.outcome(outcome);
        self.handler_answered();
        tracing::debug!(status, "webhook answered");
    }
}
