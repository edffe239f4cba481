//! Keys resolved per tenant by an async resolver, behind a bounded, expiring cache.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{OnceCell, Semaphore};

use crate::json::{self, Pointer};
use crate::{
    Clock, Error, Headers, IntoSecret, Provider, Secret, SystemClock, Tolerance, Verifier,
};

/// A boxed future, as [`ResolveKeys::resolve`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How many tenants' keys [`TenantKeys`] keeps by default: 10 000.
pub const DEFAULT_TENANT_CACHE_ENTRIES: usize = 10_000;

/// How long [`TenantKeys`] keeps a tenant's keys (or the answer that there is no such
/// tenant) by default: 5 minutes.
pub const DEFAULT_TENANT_CACHE_TTL: Duration = Duration::from_secs(300);

/// How long [`TenantKeys`] waits for the resolver by default: 5 s, then `503`.
pub const DEFAULT_RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// How many resolver calls [`TenantKeys`] lets run at once by default: 16; a delivery
/// that would start one more gets `503`.
pub const DEFAULT_MAX_RESOLVING: usize = 16;

/// The longest tenant identifier read from a request, in bytes.
const MAX_TENANT_LEN: usize = 1024;

/// Finds a tenant's secrets: a secret manager, a database, a configuration file.
///
/// Called by [`TenantKeys`] when a tenant's keys are not cached (or have expired), never
/// per request. Implemented for closures `Fn(String) -> impl Future<Output = Result<Option<TenantSecrets>, ResolveError>>`.
///
/// - `Ok(Some(secrets))`: the tenant's keys (several while rotating);
/// - `Ok(None)`: no such tenant. The delivery is refused as `401 invalid signature`,
///   exactly like a bad signature, so a sender cannot probe which tenants exist; the
///   answer is cached like keys are, so unknown names do not reach the resolver per request;
/// - `Err(error)`: the resolver failed. That is the receiver's problem, not the sender's:
///   [`ResolveError::unavailable`] answers `503` (the sender retries later),
///   [`ResolveError::failed`] answers `500`. Errors are not cached.
pub trait ResolveKeys: Send + Sync + 'static {
    /// The secrets of `tenant`.
    fn resolve<'a>(
        &'a self,
        tenant: &'a str,
    ) -> BoxFuture<'a, Result<Option<TenantSecrets>, ResolveError>>;
}

impl<F, Fut> ResolveKeys for F
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<TenantSecrets>, ResolveError>> + Send + 'static,
{
    fn resolve<'a>(
        &'a self,
        tenant: &'a str,
    ) -> BoxFuture<'a, Result<Option<TenantSecrets>, ResolveError>> {
        Box::pin(self(tenant.to_owned()))
    }
}

/// One tenant's secrets, as a resolver returns them: one, or several while rotating, each
/// with an optional id reported by [`MatchedKey::id`](crate::MatchedKey::id).
///
/// ```
/// use webhook_verify::key_source::TenantSecrets;
/// let secrets = TenantSecrets::new().secret_with_id("2026-01", "whsec_new").secret("whsec_old");
/// assert_eq!(secrets.len(), 2);
/// assert_eq!(format!("{secrets:?}"), "TenantSecrets { keys: 2 }");
/// ```
#[derive(Clone, Default)]
pub struct TenantSecrets {
    secrets: Vec<IdSecret>,
}

/// A secret with its optional id; a secret that was not usable is kept as its error.
type IdSecret = (Option<Arc<str>>, Result<Secret, Error>);

impl fmt::Debug for TenantSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantSecrets")
            .field("keys", &self.secrets.len())
            .finish()
    }
}

impl TenantSecrets {
    /// No secrets yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret, as the provider's dashboard shows it. A secret that cannot be used
    /// with the provider makes the resolution fail (`500`).
    #[must_use]
    pub fn secret(mut self, secret: impl IntoSecret) -> Self {
        self.secrets.push((None, secret.into_secret()));
        self
    }

    /// Adds a secret with an id.
    #[must_use]
    pub fn secret_with_id(mut self, id: impl Into<Arc<str>>, secret: impl IntoSecret) -> Self {
        self.secrets.push((Some(id.into()), secret.into_secret()));
        self
    }

    /// How many secrets.
    #[must_use]
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }
}

/// A resolver's failure. Its message is logged (at ERROR, with the tenant), never sent.
///
/// ```
/// use webhook_verify::key_source::ResolveError;
/// let error = ResolveError::unavailable("vault: connection refused");
/// assert!(error.is_unavailable());
/// assert_eq!(error.to_string(), "key resolver unavailable: vault: connection refused");
/// ```
#[derive(Debug, Clone)]
pub struct ResolveError {
    unavailable: bool,
    message: Cow<'static, str>,
}

impl ResolveError {
    /// A transient failure (the secret manager is down, a timeout): `503`, the sender
    /// retries later.
    pub fn unavailable(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            unavailable: true,
            message: message.into(),
        }
    }

    /// Any other failure (a malformed record, a bug): `500`.
    pub fn failed(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            unavailable: false,
            message: message.into(),
        }
    }

    /// Whether this is a transient failure (`503`) rather than another one (`500`).
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.unavailable {
            "unavailable"
        } else {
            "failed"
        };
        write!(f, "key resolver {what}: {}", self.message)
    }
}

impl std::error::Error for ResolveError {}

/// Where the tenant is named in a request.
///
/// **The tenant is unauthenticated input.** It only picks which keys verify the delivery;
/// the signature made with that tenant's key is what authenticates the delivery. A sender
/// naming another tenant gets that tenant's keys, which its signature does not match.
/// Header and body values are read before verification and are limited to 1 KiB.
#[derive(Clone)]
#[non_exhaustive]
pub enum TenantFrom {
    /// A header's value (`X-Tenant`), lowercase; missing or repeated: `400`.
    Header(Cow<'static, str>),
    /// A segment of the request path, counted from 0 after the leading `/`:
    /// `/hooks/acme/stripe` has `hooks` at 0 and `acme` at 1. The path the receiver sees
    /// (behind a router's `nest`, the path after the prefix is still the full path).
    PathSegment(usize),
    /// A query parameter (`?tenant=acme`), percent-decoded.
    Query(Cow<'static, str>),
    /// A string or number in the JSON body at a JSON pointer (`/account` for Stripe
    /// Connect's `account`), read before verification.
    Json(Cow<'static, str>),
    /// Always the same name: a single tenant whose keys come from a resolver (a secret
    /// manager, fetched public keys).
    Fixed(Cow<'static, str>),
}

impl fmt::Debug for TenantFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header(name) => write!(f, "Header({name:?})"),
            Self::PathSegment(index) => write!(f, "PathSegment({index})"),
            Self::Query(name) => write!(f, "Query({name:?})"),
            Self::Json(pointer) => write!(f, "Json({pointer:?})"),
            Self::Fixed(name) => write!(f, "Fixed({name:?})"),
        }
    }
}

impl TenantFrom {
    /// What the request lacked, for the `400` answer.
    fn describe(&self) -> String {
        match self {
            Self::Header(name) => format!("header {name}"),
            Self::PathSegment(index) => format!("path segment {index}"),
            Self::Query(name) => format!("query parameter {name}"),
            Self::Json(pointer) => format!("body field {pointer}"),
            Self::Fixed(_) => "tenant".to_owned(),
        }
    }
}

/// Where the tenant was read from, parsed once.
enum Source {
    Header(String),
    PathSegment(usize),
    Query(String),
    Json(Pointer),
    Fixed(String),
}

/// Keys per tenant: the tenant is read from each request ([`TenantFrom`]), its keys come
/// from a [`ResolveKeys`] resolver and are kept in a bounded cache for a while, so a secret
/// manager is called once per tenant and TTL, not per request. Concurrent deliveries for
/// a tenant not yet cached wait for one resolution.
///
/// Answers, from the receive path: a request that does not name its tenant `400`; an
/// unknown tenant `401 invalid signature` (as a bad signature: which tenants exist is not
/// revealed); a resolver that fails or does not answer within the timeout `503` (or `500`
/// for [`ResolveError::failed`]) and nothing reaches the handler.
///
/// ```
/// use std::time::Duration;
/// use webhook_verify::key_source::{ResolveError, TenantFrom, TenantKeys, TenantSecrets};
/// use webhook_verify::receive::Receiver;
/// use webhook_verify::Provider;
///
/// let keys = TenantKeys::builder(Provider::STRIPE, TenantFrom::PathSegment(1), |tenant: String| async move {
///     // Look the tenant up in a secret manager; here, a fixed table.
///     Ok::<_, ResolveError>(match tenant.as_str() {
///         "acme" => Some(TenantSecrets::new().secret("whsec_acme")),
///         "globex" => Some(TenantSecrets::new().secret("whsec_globex")),
///         _ => None,
///     })
/// })
/// .cache(1_000, Duration::from_secs(60))
/// .build()?;
/// let receiver = Receiver::builder(keys).build(); // mount on /hooks/{tenant}
/// # let _ = receiver;
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone)]
pub struct TenantKeys {
    inner: Arc<Inner>,
}

struct Inner {
    provider: Provider,
    source: Source,
    from: TenantFrom,
    resolver: Box<dyn ResolveKeys>,
    tolerance: Tolerance,
    clock: Arc<dyn Clock>,
    max_entries: usize,
    ttl: Duration,
    timeout: Duration,
    /// Permits for resolver calls in flight.
    resolving: Semaphore,
    max_resolving: usize,
    cache: Mutex<Cache>,
}

/// The cached answers, and the order they were made in (every answer lives as long, so
/// the oldest is the first to expire and the one to evict at the bound).
#[derive(Default)]
struct Cache {
    slots: HashMap<Arc<str>, Slot>,
    /// `(tenant, expiry)` in insertion order; an entry whose tenant has since been
    /// replaced or removed is skipped when it comes up.
    order: VecDeque<(Arc<str>, Instant)>,
}

impl Cache {
    /// Whether `tenant`'s answer is the one made to expire at `expires`.
    fn is_current(&self, tenant: &str, expires: Instant) -> bool {
        self.slots.get(tenant).is_some_and(|s| s.expires == expires)
    }

    /// Makes room for one more answer: drops expired answers from the front, then the
    /// oldest while at the bound. Amortized O(1) per insertion.
    fn make_room(&mut self, max: usize, now: Instant) {
        while let Some((tenant, expires)) = self.order.front() {
            let current = self.is_current(tenant, *expires);
            if current && *expires > now && self.slots.len() < max {
                break;
            }
            if let Some((tenant, _)) = self.order.pop_front() {
                if current {
                    self.slots.remove(&tenant);
                }
            }
        }
        // Replaced answers leave stale entries behind: keep the queue within twice the map.
        if self.order.len() > 2 * max.min(self.slots.len()).max(1) {
            let mut order = std::mem::take(&mut self.order);
            order.retain(|(tenant, expires)| self.is_current(tenant, *expires));
            self.order = order;
        }
    }
}

/// A tenant's cached answer, or the cell concurrent deliveries wait on while it resolves.
struct Slot {
    cell: Arc<OnceCell<Option<Verifier>>>,
    expires: Instant,
}

impl fmt::Debug for TenantKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantKeys")
            .field("provider", &self.inner.provider.name())
            .field("from", &self.inner.from)
            .field("max_entries", &self.inner.max_entries)
            .field("ttl", &self.inner.ttl)
            .field("cached", &self.cached())
            .finish_non_exhaustive()
    }
}

/// Configures [`TenantKeys`]. Created by [`TenantKeys::builder`].
#[must_use]
pub struct TenantKeysBuilder {
    provider: Provider,
    from: TenantFrom,
    resolver: Box<dyn ResolveKeys>,
    tolerance: Option<Tolerance>,
    clock: Option<Arc<dyn Clock>>,
    max_entries: usize,
    ttl: Duration,
    timeout: Duration,
    max_resolving: usize,
}

impl fmt::Debug for TenantKeysBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantKeysBuilder")
            .field("provider", &self.provider.name())
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl TenantKeysBuilder {
    /// How far the signed timestamp may be from now, for every tenant. Defaults to the
    /// provider's [`default_tolerance`](Provider::default_tolerance).
    pub fn tolerance(mut self, window: Duration) -> Self {
        self.tolerance = Some(self.provider.default_tolerance().with_window(window));
        self
    }

    /// The source of the current time. Defaults to [`SystemClock`].
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// At most `max_entries` tenants' answers kept, each for `ttl`. At the bound, expired
    /// answers go first, then those closest to expiring. Defaults to
    /// [`DEFAULT_TENANT_CACHE_ENTRIES`] and [`DEFAULT_TENANT_CACHE_TTL`].
    pub fn cache(mut self, max_entries: usize, ttl: Duration) -> Self {
        self.max_entries = max_entries;
        self.ttl = ttl;
        self
    }

    /// At most `calls` resolver calls at once (for different tenants: deliveries for one
    /// tenant share one call); a delivery that would start one more gets `503`, so a flood
    /// of made-up tenant names cannot pile up calls to the secret manager. Defaults to
    /// [`DEFAULT_MAX_RESOLVING`].
    pub fn max_resolving(mut self, calls: usize) -> Self {
        self.max_resolving = calls;
        self
    }

    /// How long to wait for the resolver before answering `503`. Defaults to
    /// [`DEFAULT_RESOLVE_TIMEOUT`].
    pub fn resolve_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the key source.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a malformed JSON pointer, an empty header or query name, or a
    /// cache of 0 entries.
    pub fn build(self) -> Result<TenantKeys, Error> {
        let source = match &self.from {
            TenantFrom::Header(name) if !name.is_empty() => Source::Header(name.to_lowercase()),
            TenantFrom::Query(name) if !name.is_empty() => Source::Query(name.to_string()),
            TenantFrom::PathSegment(index) => Source::PathSegment(*index),
            TenantFrom::Json(pointer) => {
                Source::Json(Pointer::parse(pointer).map_err(Error::config)?)
            }
            TenantFrom::Fixed(name) if !name.is_empty() => Source::Fixed(name.to_string()),
            other => return Err(Error::config(format!("tenant source {other:?} is empty"))),
        };
        if self.max_entries == 0 {
            return Err(Error::config("the tenant cache needs room for one entry"));
        }
        if self.max_resolving == 0 {
            return Err(Error::config(
                "the resolver needs at least one call at a time",
            ));
        }
        Ok(TenantKeys {
            inner: Arc::new(Inner {
                tolerance: self
                    .tolerance
                    .unwrap_or_else(|| self.provider.default_tolerance()),
                provider: self.provider,
                source,
                from: self.from,
                resolver: self.resolver,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                max_entries: self.max_entries,
                ttl: self.ttl,
                timeout: self.timeout,
                resolving: Semaphore::new(self.max_resolving),
                max_resolving: self.max_resolving,
                cache: Mutex::new(Cache::default()),
            }),
        })
    }
}

/// Why no keys were found for a request.
#[derive(Debug)]
pub(crate) enum TenantMiss {
    /// The request does not name its tenant (the text says where it was looked for).
    NotNamed(String),
    /// No such tenant.
    Unknown,
    /// The resolver failed or timed out.
    Resolver(ResolveError),
    /// The resolver's secrets do not make a verifier.
    BadSecrets(Error),
}

impl TenantKeys {
    /// Starts a key source for `provider`, reading the tenant as `from` says and asking
    /// `resolver` for its secrets.
    pub fn builder(
        provider: Provider,
        from: TenantFrom,
        resolver: impl ResolveKeys,
    ) -> TenantKeysBuilder {
        TenantKeysBuilder {
            provider,
            from,
            resolver: Box::new(resolver),
            tolerance: None,
            clock: None,
            max_entries: DEFAULT_TENANT_CACHE_ENTRIES,
            ttl: DEFAULT_TENANT_CACHE_TTL,
            timeout: DEFAULT_RESOLVE_TIMEOUT,
            max_resolving: DEFAULT_MAX_RESOLVING,
        }
    }

    /// The provider.
    #[must_use]
    pub fn provider(&self) -> &Provider {
        &self.inner.provider
    }

    /// The tolerance every tenant's verifier uses.
    #[must_use]
    pub fn tolerance(&self) -> Tolerance {
        self.inner.tolerance
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// How many tenants' answers are cached now (expired ones included until replaced).
    #[must_use]
    pub fn cached(&self) -> usize {
        self.lock().slots.len()
    }

    /// Forgets `tenant`'s cached keys: the next delivery for it asks the resolver (after a
    /// rotation in the secret manager, for one).
    pub fn invalidate(&self, tenant: &str) {
        self.lock().slots.remove(tenant);
    }

    /// Forgets every cached answer.
    pub fn clear(&self) {
        let mut cache = self.lock();
        cache.slots.clear();
        cache.order.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while holding the lock cannot leave the map half-updated.
        self.inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The verifier for `tenant`: cached, or resolved (once for concurrent callers) and
    /// cached. `Ok(None)` for an unknown tenant.
    ///
    /// # Errors
    ///
    /// The resolver's error, a timeout ([`ResolveError::unavailable`]), or
    /// [`ResolveError::failed`] when its secrets cannot be used with the provider.
    pub async fn verifier_for(&self, tenant: &str) -> Result<Option<Verifier>, ResolveError> {
        self.lookup(tenant).await.map_err(|miss| match miss {
            TenantMiss::Resolver(error) => error,
            TenantMiss::BadSecrets(error) => ResolveError::failed(error.to_string()),
            TenantMiss::NotNamed(_) | TenantMiss::Unknown => {
                ResolveError::failed("unreachable: no tenant")
            }
        })
    }

    async fn lookup(&self, tenant: &str) -> Result<Option<Verifier>, TenantMiss> {
        let cell = self.slot(tenant);
        let resolved = cell
            .get_or_try_init(|| async {
                let inner = &*self.inner;
                let Ok(_permit) = inner.resolving.try_acquire() else {
                    return Err(TenantMiss::Resolver(ResolveError::unavailable(format!(
                        "{} key lookups already in flight",
                        inner.max_resolving
                    ))));
                };
                let secrets =
                    match tokio::time::timeout(inner.timeout, inner.resolver.resolve(tenant)).await
                    {
                        Ok(Ok(secrets)) => secrets,
                        Ok(Err(error)) => return Err(TenantMiss::Resolver(error)),
                        Err(_) => {
                            return Err(TenantMiss::Resolver(ResolveError::unavailable(format!(
                                "no answer within {:?}",
                                inner.timeout
                            ))));
                        }
                    };
                secrets.map(|s| self.verifier(s)).transpose()
            })
            .await;
        match resolved {
            Ok(found) => Ok(found.clone()),
            Err(miss) => {
                // Not cached: the next delivery asks again.
                let mut cache = self.lock();
                if cache
                    .slots
                    .get(tenant)
                    .is_some_and(|slot| Arc::ptr_eq(&slot.cell, &cell))
                {
                    cache.slots.remove(tenant);
                }
                Err(miss)
            }
        }
    }

    /// The cell holding `tenant`'s answer, a new one when absent or expired.
    fn slot(&self, tenant: &str) -> Arc<OnceCell<Option<Verifier>>> {
        let now = Instant::now();
        let mut cache = self.lock();
        if let Some(slot) = cache.slots.get(tenant) {
            if slot.expires > now {
                return Arc::clone(&slot.cell);
            }
        }
        cache.slots.remove(tenant);
        cache.make_room(self.inner.max_entries, now);
        let cell = Arc::new(OnceCell::new());
        let tenant: Arc<str> = Arc::from(tenant);
        let expires = now + self.inner.ttl;
        cache.order.push_back((Arc::clone(&tenant), expires));
        cache.slots.insert(
            tenant,
            Slot {
                cell: Arc::clone(&cell),
                expires,
            },
        );
        cell
    }

    fn verifier(&self, secrets: TenantSecrets) -> Result<Verifier, TenantMiss> {
        let inner = &*self.inner;
        let mut builder = Verifier::builder(inner.provider.clone())
            .tolerance_policy(inner.tolerance)
            .shared_clock(Arc::clone(&inner.clock));
        for (id, secret) in secrets.secrets {
            let secret = secret.map_err(TenantMiss::BadSecrets)?;
            builder = match id {
                Some(id) => builder.secret_with_id(id, secret),
                None => builder.secret(secret),
            };
        }
        builder.build().map_err(TenantMiss::BadSecrets)
    }

    /// The verifier for the tenant `headers`, `path_and_query` or `body` name.
    pub(crate) async fn for_request(
        &self,
        headers: &(dyn Headers + Sync),
        path_and_query: &str,
        body: &[u8],
    ) -> Result<(Arc<str>, Verifier), TenantMiss> {
        let tenant = self
            .tenant(headers, path_and_query, body)
            .ok_or_else(|| TenantMiss::NotNamed(self.inner.from.describe()))?;
        match self.lookup(&tenant).await? {
            Some(verifier) => Ok((Arc::from(tenant.as_ref()), verifier)),
            None => Err(TenantMiss::Unknown),
        }
    }

    /// The tenant the request names, if it names one within the length limit.
    fn tenant<'r>(
        &'r self,
        headers: &'r dyn Headers,
        path_and_query: &'r str,
        body: &[u8],
    ) -> Option<Cow<'r, str>> {
        let tenant: Cow<'r, str> = match &self.inner.source {
            Source::Header(name) => {
                let mut values = Vec::with_capacity(1);
                headers.for_each_value(name, &mut |v| values.push(v));
                match values.as_slice() {
                    [one] => Cow::Borrowed(std::str::from_utf8(one).ok()?.trim()),
                    _ => return None,
                }
            }
            Source::PathSegment(index) => {
                let path = path_and_query.split(['?', '#']).next().unwrap_or_default();
                let segment = path.strip_prefix('/')?.split('/').nth(*index)?;
                percent_decode(segment)?
            }
            Source::Query(name) => {
                let query = path_and_query.split_once('?')?.1;
                let mut found = form_urlencoded::parse(query.as_bytes())
                    .filter(|(key, _)| key == name.as_str());
                let first = found.next()?.1;
                if found.next().is_some() {
                    return None;
                }
                first
            }
            Source::Json(pointer) => {
                let document = json::document(body).ok()?;
                let value = json::lookup(document, pointer.segments()).ok()??;
                Cow::Owned(json::scalar_text(value)?)
            }
            Source::Fixed(name) => Cow::Borrowed(name.as_str()),
        };
        (!tenant.is_empty() && tenant.len() <= MAX_TENANT_LEN).then_some(tenant)
    }
}

/// A path segment percent-decoded, if it decodes to UTF-8.
fn percent_decode(segment: &str) -> Option<Cow<'_, str>> {
    if !segment.contains('%') {
        return Some(Cow::Borrowed(segment));
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn counting(
        calls: Arc<AtomicUsize>,
    ) -> impl Fn(String) -> BoxFuture<'static, Result<Option<TenantSecrets>, ResolveError>>
    + Send
    + Sync
    + 'static {
        move |tenant: String| {
            calls.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                Ok(match tenant.as_str() {
                    "acme" => Some(TenantSecrets::new().secret_with_id("acme-1", "acme-secret")),
                    "down" => return Err(ResolveError::unavailable("vault down")),
                    _ => None,
                })
            })
        }
    }

    fn keys(from: TenantFrom, calls: &Arc<AtomicUsize>) -> TenantKeys {
        TenantKeys::builder(Provider::GITHUB, from, counting(Arc::clone(calls)))
            .cache(2, Duration::from_secs(60))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn the_cache_bounds_calls_and_entries() {
        let calls = Arc::new(AtomicUsize::new(0));
        let keys = keys(TenantFrom::Fixed("x".into()), &calls);
        for _ in 0..5 {
            assert!(keys.verifier_for("acme").await.unwrap().is_some());
            assert!(keys.verifier_for("nobody").await.unwrap().is_none());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2, "one call per tenant");
        assert!(keys.verifier_for("third").await.unwrap().is_none());
        assert_eq!(keys.cached(), 2, "bounded");
        // Errors are not cached: each try asks again.
        assert!(
            keys.verifier_for("down")
                .await
                .unwrap_err()
                .is_unavailable()
        );
        assert!(keys.verifier_for("down").await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 5);
        keys.invalidate("acme");
        keys.verifier_for("acme").await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 6);
    }

    #[tokio::test]
    async fn concurrent_first_deliveries_wait_for_one_resolution() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let keys = TenantKeys::builder(
            Provider::GITHUB,
            TenantFrom::PathSegment(0),
            move |_t: String| {
                counter.fetch_add(1, Ordering::SeqCst);
                async {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Ok(Some(TenantSecrets::new().secret("s")))
                }
            },
        )
        .build()
        .unwrap();
        let all = (0..16).map(|_| {
            let keys = keys.clone();
            tokio::spawn(async move { keys.verifier_for("acme").await.unwrap().is_some() })
        });
        for task in all {
            assert!(task.await.unwrap());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn the_oldest_answer_goes_first_at_the_bound() {
        let calls = Arc::new(AtomicUsize::new(0));
        let keys = keys(TenantFrom::Fixed("x".into()), &calls);
        for tenant in ["a", "b", "c", "b", "c"] {
            keys.verifier_for(tenant).await.unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3, "b and c stayed");
        keys.verifier_for("a").await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 4, "a was evicted");
        // Many replacements keep the bookkeeping bounded.
        for _ in 0..100 {
            keys.invalidate("a");
            keys.verifier_for("a").await.unwrap();
        }
        assert_eq!(keys.cached(), 2);
        assert!(keys.lock().order.len() <= 4, "{}", keys.lock().order.len());
    }

    #[tokio::test]
    async fn resolver_calls_in_flight_are_bounded() {
        let keys = TenantKeys::builder(
            Provider::GITHUB,
            TenantFrom::PathSegment(0),
            |_t: String| async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Ok(Some(TenantSecrets::new().secret("s")))
            },
        )
        .max_resolving(1)
        .build()
        .unwrap();
        let first = tokio::spawn({
            let keys = keys.clone();
            async move { keys.verifier_for("a").await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = keys.verifier_for("b").await.unwrap_err();
        assert!(second.is_unavailable(), "{second}");
        assert!(first.await.unwrap().unwrap().is_some());
        // The permit is back: the next tenant resolves.
        assert!(keys.verifier_for("b").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_slow_resolver_times_out_as_unavailable() {
        let keys = TenantKeys::builder(
            Provider::GITHUB,
            TenantFrom::PathSegment(0),
            |_t: String| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(None)
            },
        )
        .resolve_timeout(Duration::from_millis(20))
        .build()
        .unwrap();
        let error = keys.verifier_for("acme").await.unwrap_err();
        assert!(error.is_unavailable(), "{error}");
        assert_eq!(keys.cached(), 0);
    }

    #[test]
    fn tenants_are_read_where_configured() {
        let calls = Arc::new(AtomicUsize::new(0));
        let body = br#"{"account":"acct_1","n":7}"#;
        let headers: &[(&str, &str)] = &[("x-tenant", "acme"), ("x-twice", "a"), ("x-twice", "b")];
        let read = |from: TenantFrom, path: &str| {
            keys(from, &calls)
                .tenant(&headers, path, body)
                .map(Cow::into_owned)
        };
        assert_eq!(
            read(TenantFrom::Header("X-Tenant".into()), "/").as_deref(),
            Some("acme")
        );
        assert_eq!(read(TenantFrom::Header("x-twice".into()), "/"), None);
        assert_eq!(read(TenantFrom::Header("x-none".into()), "/"), None);
        assert_eq!(
            read(TenantFrom::PathSegment(1), "/hooks/ac%20me/x?q=1").as_deref(),
            Some("ac me")
        );
        assert_eq!(read(TenantFrom::PathSegment(1), "/hooks/").as_deref(), None);
        assert_eq!(
            read(TenantFrom::PathSegment(1), "/hooks/%ff").as_deref(),
            None
        );
        assert_eq!(read(TenantFrom::PathSegment(5), "/hooks").as_deref(), None);
        assert_eq!(
            read(TenantFrom::Query("t".into()), "/h?a=1&t=globex").as_deref(),
            Some("globex")
        );
        assert_eq!(
            read(TenantFrom::Query("t".into()), "/h?t=1&t=2").as_deref(),
            None
        );
        assert_eq!(
            read(TenantFrom::Json("/account".into()), "/").as_deref(),
            Some("acct_1")
        );
        assert_eq!(
            read(TenantFrom::Json("/n".into()), "/").as_deref(),
            Some("7")
        );
        assert_eq!(
            read(TenantFrom::Json("/missing".into()), "/").as_deref(),
            None
        );
        let long = format!("/{}", "a".repeat(MAX_TENANT_LEN + 1));
        assert_eq!(read(TenantFrom::PathSegment(0), &long), None);
        assert!(
            TenantKeys::builder(
                Provider::GITHUB,
                TenantFrom::Json("nope".into()),
                counting(calls.clone())
            )
            .build()
            .is_err()
        );
        assert!(
            TenantKeys::builder(
                Provider::GITHUB,
                TenantFrom::Header("".into()),
                counting(calls)
            )
            .build()
            .is_err()
        );
    }
}
