//! Replay and duplicate protection: claim a delivery before handling it, commit it once
//! handled, release it when handling failed so the provider's retry is processed.
//!
//! Timestamps alone let a captured delivery be replayed within the tolerance window, and
//! every provider retries, so the same delivery arrives more than once. A [`Replay`] guard
//! in front of the handler makes each delivery run once:
//!
//! | claim result | meaning | answer (DESIGN §4) |
//! |---|---|---|
//! | [`Begin::New`] | first time: handle it, then commit or release | the handler's |
//! | [`Begin::Done`] | already handled | 200 `duplicate` |
//! | [`Begin::InFlight`] | another worker is handling it | 409 + `Retry-After` |
//! | `Err(StoreError)` | the store is unreachable | 503, fail closed |
//!
//! # How long protection lasts
//!
//! For providers that sign a timestamp, a delivery older than the tolerance is refused by
//! the verifier, so the store only has to remember a key for the tolerance window
//! ([`Replay::covering`] makes the retention at least that long). **For providers without
//! a signed timestamp** (GitHub, Shopify, GitLab, Twilio, Square, Intercom, Typeform,
//! Razorpay, Lemon Squeezy, Adyen, and Discord or SendGrid without a configured tolerance)
//! nothing else ever refuses a captured delivery. Replay protection then lasts exactly as
//! long as the store remembers the key: for the retention ([`DEFAULT_RETENTION`], 24 h),
//! and only while the entry survives. An in-memory store forgets everything on restart and evicts
//! its oldest keys when full ([`MemoryStore::max_entries`]); after that, the same delivery
//! is new again. Set a retention as long as you need (a provider's retry period at least),
//! and for a durable guarantee use the Redis store with persistence, so that keys survive
//! a restart and are never evicted to make room:
//!
//! ```text
//! # redis.conf
//! appendonly yes              # AOF: every write is logged ...
//! appendfsync everysec        # ... and flushed to disk every second (at most 1 s lost)
//! maxmemory-policy noeviction # when full, refuse writes (the store answers 503 and the
//!                             # provider retries) instead of silently evicting keys
//! ```
//!
//! With `noeviction`, size `maxmemory` for the retention times your delivery rate (about
//! 100 bytes per key). A failover to a replica that had not received the last writes can
//! still forget up to a second of keys.
//!
//! ```
//! # async fn run() -> Result<(), webhook_verify::replay::StoreError> {
//! use webhook_verify::replay::{Begin, MemoryStore, Replay};
//! # let verified = webhook_verify::verify(&webhook_verify::Provider::GITHUB, "It's a Secret to Everybody",
//! #     &[("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")][..],
//! #     &b"Hello, World!"[..]).unwrap();
//! let replay = Replay::new(MemoryStore::new());
//! match replay.begin(&verified).await? {
//!     Begin::New(claim) => {
//!         // ... handle the event ...
//!         claim.commit().await?;
//!     }
//!     Begin::Done => { /* 200 duplicate */ }
//!     Begin::InFlight => { /* 409, Retry-After */ }
//! }
//! assert!(matches!(replay.begin(&verified).await?, Begin::Done));
//! # Ok(()) }
//! # futures_executor_block_on(run()).unwrap();
//! # fn futures_executor_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let waker = std::task::Waker::noop();
//! #     let mut cx = std::task::Context::from_waker(waker);
//! #     let mut f = std::pin::pin!(f);
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[cfg(feature = "redis")]
pub(crate) mod conn;
mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use memory::{DEFAULT_MAX_ENTRIES, MemoryStore};
#[cfg(feature = "redis")]
pub use redis::{DEFAULT_RESPONSE_TIMEOUT, RedisStore};

use crate::Verified;

/// How long an in-flight claim blocks duplicates before it expires (a crashed worker
/// must not block a delivery forever): 60 s.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// How long a handled delivery is remembered, so provider retries are recognised: 24 h.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// What a store says about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Nobody had it: it is now claimed by the caller with the given ticket.
    New,
    /// Someone claimed it and has not committed or released it yet.
    InFlight,
    /// It was handled.
    Done,
}

/// A replay store could not be reached or answered nonsense. Receivers answer 503 and the
/// provider retries: nothing is accepted and lost.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("replay store unavailable: {reason}")]
pub struct StoreError {
    reason: String,
}

impl StoreError {
    /// An error with this reason (which must not contain secrets).
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }

    /// The HTTP status for this error: always 503.
    #[must_use]
    pub const fn status(&self) -> u16 {
        503
    }
}

/// The future a store returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A place to remember which deliveries were claimed and handled.
///
/// Each call is atomic; `ticket` identifies the claimer, so a worker whose lease ran out
/// cannot release a claim that another worker took since.
pub trait ReplayStore: Send + Sync + fmt::Debug + 'static {
    /// Claims `key` for `lease` unless it is in flight or done.
    fn claim<'a>(&'a self, key: &'a str, ticket: u128, lease: Duration) -> StoreFuture<'a, Claim>;
    /// Marks `key` handled, remembered for `retention`.
    fn commit<'a>(&'a self, key: &'a str, ticket: u128, retention: Duration)
    -> StoreFuture<'a, ()>;
    /// Forgets the claim on `key` if `ticket` still holds it, so a retry is handled.
    fn release<'a>(&'a self, key: &'a str, ticket: u128) -> StoreFuture<'a, ()>;

    /// Claims `key` for `ticket` when nobody holds it, or when `from` (or `ticket` itself)
    /// holds it: the claim moves from `from` to `ticket` for `lease`. A queue worker takes
    /// over the claim a listener made before it appended the delivery. Answers
    /// [`Claim::Done`] when handled, [`Claim::InFlight`] when another ticket holds it.
    ///
    /// The default answers a [`StoreError`]: a store that cannot hand claims over cannot
    /// back a queue. The Redis and in-memory stores implement it.
    fn take_over<'a>(
        &'a self,
        key: &'a str,
        from: u128,
        ticket: u128,
        lease: Duration,
    ) -> StoreFuture<'a, Claim> {
        let _ = (key, from, ticket, lease);
        Box::pin(async { Err(StoreError::new("this store cannot hand claims over")) })
    }
}

/// Replay protection over a store: computes each delivery's key and claims it.
///
/// Cheap to clone and share.
#[derive(Clone)]
pub struct Replay {
    store: Arc<dyn ReplayStore>,
    lease: Duration,
    retention: Duration,
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replay")
            .field("store", &self.store)
            .field("lease", &self.lease)
            .field("retention", &self.retention)
            .finish()
    }
}

impl Replay {
    /// Replay protection over `store` with the default lease and retention.
    pub fn new(store: impl ReplayStore) -> Self {
        Self::from_arc(Arc::new(store))
    }

    /// Replay protection over a shared store.
    pub fn from_arc(store: Arc<dyn ReplayStore>) -> Self {
        Self {
            store,
            lease: DEFAULT_LEASE,
            retention: DEFAULT_RETENTION,
        }
    }

    /// How long an in-flight claim lasts. Defaults to [`DEFAULT_LEASE`].
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long a handled delivery is remembered. It is never shorter than the tolerance
    /// window of the verifier passed to [`Replay::covering`]. Defaults to
    /// [`DEFAULT_RETENTION`].
    #[must_use]
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Makes sure handled deliveries are remembered at least as long as `verifier` accepts
    /// their timestamps (both sides of its tolerance), so a replay inside the window is
    /// always recognised.
    #[must_use]
    pub fn covering(self, verifier: &crate::Verifier) -> Self {
        self.covering_tolerance(verifier.tolerance())
    }

    /// [`covering`](Self::covering) a tolerance.
    pub(crate) fn covering_tolerance(mut self, t: crate::Tolerance) -> Self {
        let window = t.past().unwrap_or_default() + t.future().unwrap_or_default();
        self.retention = self.retention.max(window);
        self
    }

    /// The lease in force.
    #[must_use]
    pub fn lease_duration(&self) -> Duration {
        self.lease
    }

    /// The retention in force.
    #[must_use]
    pub fn retention_duration(&self) -> Duration {
        self.retention
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Arc<dyn ReplayStore> {
        &self.store
    }

    /// Claims a verified delivery.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached (answer 503).
    pub async fn begin(&self, verified: &Verified<impl crate::Body>) -> Result<Begin, StoreError> {
        self.begin_key(verified.replay_key()).await
    }

    /// Claims an explicit key (for deliveries verified elsewhere).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached.
    pub async fn begin_key(&self, key: String) -> Result<Begin, StoreError> {
        let ticket = new_ticket();
        Ok(match self.store.claim(&key, ticket, self.lease).await? {
            Claim::New => Begin::New(ClaimGuard {
                store: Arc::clone(&self.store),
                key,
                ticket,
                retention: self.retention,
            }),
            Claim::InFlight => Begin::InFlight,
            Claim::Done => Begin::Done,
        })
    }
}

/// The outcome of [`Replay::begin`].
#[derive(Debug)]
#[must_use]
pub enum Begin {
    /// First time: handle the delivery, then [`ClaimGuard::commit`] or
    /// [`ClaimGuard::release`].
    New(ClaimGuard),
    /// Another worker is handling it: answer 409 with `Retry-After`.
    InFlight,
    /// Already handled: answer 200 `duplicate`.
    Done,
}

/// A claimed delivery. Commit it when handled; release it when handling failed. Dropped
/// without either, the claim expires after the lease.
#[must_use = "commit or release the claim"]
pub struct ClaimGuard {
    store: Arc<dyn ReplayStore>,
    key: String,
    ticket: u128,
    retention: Duration,
}

impl fmt::Debug for ClaimGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaimGuard")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl ClaimGuard {
    /// The delivery's replay key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The ticket this claim is held under (a queue entry carries it, so a worker can
    /// [take the claim over](ReplayStore::take_over)).
    #[must_use]
    pub fn ticket(&self) -> u128 {
        self.ticket
    }

    /// Marks the delivery handled.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.store
            .commit(&self.key, self.ticket, self.retention)
            .await
    }

    /// Forgets the claim so the provider's retry is handled.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached (the claim then expires after its
    /// lease).
    pub async fn release(self) -> Result<(), StoreError> {
        self.store.release(&self.key, self.ticket).await
    }
}

/// A ticket unique to this claim: a per-process random value and a counter.
pub(crate) fn new_ticket() -> u128 {
    use std::hash::{BuildHasher, RandomState};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static PROCESS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let process = *PROCESS.get_or_init(|| RandomState::new().hash_one(std::process::id()));
    (u128::from(process) << 64) | u128::from(COUNTER.fetch_add(1, Ordering::Relaxed))
}
