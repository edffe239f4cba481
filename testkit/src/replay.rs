//! One replay scenario, run against every store: in memory, and Redis (feature `redis`).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use webhook_verify::replay::{MemoryStore, Replay, ReplayStore};

/// Which store a [`Store`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreKind {
    /// [`MemoryStore`].
    Memory,
    /// `RedisStore` on a [`RedisServer`](crate::RedisServer) of its own.
    Redis,
}

impl StoreKind {
    /// Every kind this build of the testkit runs: `Memory`, and `Redis` with the `redis`
    /// feature.
    ///
    /// ```
    /// use webhook_testkit::StoreKind;
    /// assert_eq!(StoreKind::ALL[0], StoreKind::Memory);
    /// assert_eq!(StoreKind::ALL.len(), if cfg!(feature = "redis") { 2 } else { 1 });
    /// ```
    pub const ALL: &'static [StoreKind] = &[
        StoreKind::Memory,
        #[cfg(feature = "redis")]
        StoreKind::Redis,
    ];
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Memory => "memory",
            Self::Redis => "redis",
        })
    }
}

/// A fresh, empty replay store for one scenario; a Redis store owns its server, which
/// stops when the `Store` drops.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use webhook_testkit::{Store, StoreKind};
/// use webhook_verify::replay::Begin;
/// let store = Store::new(StoreKind::Memory).await;
/// let replay = store.replay();
/// let Begin::New(claim) = replay.begin_key("k".into()).await.unwrap() else { panic!() };
/// claim.commit().await.unwrap();
/// assert!(matches!(replay.begin_key("k".into()).await.unwrap(), Begin::Done));
/// # }
/// ```
pub struct Store {
    kind: StoreKind,
    store: Arc<dyn ReplayStore>,
    server: Option<crate::RedisServer>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("kind", &self.kind)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// A fresh store of `kind` (for Redis: a new `redis-server` and a connected store).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let store = webhook_testkit::Store::new(webhook_testkit::StoreKind::Memory).await;
    /// assert_eq!(store.redis_url(), None);
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// For `Redis` without the `redis` feature, or when the server does not start.
    pub async fn new(kind: StoreKind) -> Self {
        match kind {
            StoreKind::Memory => Self::memory(),
            StoreKind::Redis => Self::redis().await,
        }
    }

    /// A fresh [`MemoryStore`].
    ///
    /// ```
    /// let store = webhook_testkit::Store::memory();
    /// assert_eq!(store.kind(), webhook_testkit::StoreKind::Memory);
    /// ```
    #[must_use]
    pub fn memory() -> Self {
        Self {
            kind: StoreKind::Memory,
            store: Arc::new(MemoryStore::new()),
            server: None,
        }
    }

    /// A `RedisStore` connected to a new [`RedisServer`](crate::RedisServer).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # if !cfg!(feature = "redis") { return; }
    /// let store = webhook_testkit::Store::redis().await;
    /// assert!(store.redis_url().unwrap().starts_with("redis://127.0.0.1:"));
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// Without the `redis` feature, or when the server does not start or accept the
    /// connection.
    pub async fn redis() -> Self {
        #[cfg(feature = "redis")]
        {
            let server = crate::RedisServer::start();
            let store = webhook_verify::replay::RedisStore::connect(&server.url())
                .await
                .expect("a connection to the test redis-server");
            Self {
                kind: StoreKind::Redis,
                store: Arc::new(store),
                server: Some(server),
            }
        }
        #[cfg(not(feature = "redis"))]
        panic!("Store::redis needs webhook-testkit's `redis` feature")
    }

    /// Which store this is.
    ///
    /// ```
    /// assert_eq!(webhook_testkit::Store::memory().kind().to_string(), "memory");
    /// ```
    #[must_use]
    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    /// The store, shared.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use webhook_verify::replay::ReplayStore;
    /// let store: Arc<dyn ReplayStore> = webhook_testkit::Store::memory().store();
    /// ```
    #[must_use]
    pub fn store(&self) -> Arc<dyn ReplayStore> {
        Arc::clone(&self.store)
    }

    /// Replay protection over this store, with the default lease and retention.
    ///
    /// ```
    /// let replay = webhook_testkit::Store::memory().replay();
    /// assert_eq!(replay.lease_duration(), webhook_verify::replay::DEFAULT_LEASE);
    /// ```
    #[must_use]
    pub fn replay(&self) -> Replay {
        Replay::from_arc(self.store())
    }

    /// The server's URL, for a Redis store (e.g. for `webhook listen --redis`).
    ///
    /// ```
    /// assert_eq!(webhook_testkit::Store::memory().redis_url(), None);
    /// ```
    #[must_use]
    pub fn redis_url(&self) -> Option<String> {
        self.server.as_ref().map(crate::RedisServer::url)
    }

    /// The Redis server, to stop and restart it (fail-closed scenarios); `None` in memory.
    ///
    /// ```
    /// assert!(webhook_testkit::Store::memory().server_mut().is_none());
    /// ```
    pub fn server_mut(&mut self) -> Option<&mut crate::RedisServer> {
        self.server.as_mut()
    }
}

/// Runs `scenario` once per store kind ([`StoreKind::ALL`]), each time with a fresh
/// [`Store`], one after the other. Each run is announced on stderr (`store: memory`), so a
/// failure names its store.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use webhook_testkit::for_each_store;
/// use webhook_verify::replay::Begin;
/// let mut runs = 0;
/// for_each_store(|store| {
///     runs += 1;
///     async move {
///         let replay = store.replay();
///         assert!(matches!(replay.begin_key("a".into()).await.unwrap(), Begin::New(_)));
///     }
/// })
/// .await;
/// assert_eq!(runs, webhook_testkit::StoreKind::ALL.len());
/// # }
/// ```
pub async fn for_each_store<F, Fut>(mut scenario: F)
where
    F: FnMut(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    for kind in StoreKind::ALL {
        run_named(*kind, &mut scenario).await;
    }
}

/// Runs one scenario on a fresh store of `kind` (used by [`store_tests!`](crate::store_tests)).
#[doc(hidden)]
pub async fn run_named<F, Fut>(kind: StoreKind, scenario: &mut F)
where
    F: FnMut(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    eprintln!("store: {kind}");
    scenario(Store::new(kind).await).await;
}

/// One `#[tokio::test]` per store for each scenario: `memory` always, `redis` with the
/// testkit's `redis` feature, in a module named after the scenario (so `cargo test
/// claims_once::redis` runs one). The calling crate needs `tokio` (`macros`, `rt`).
/// Start with `flavor = "multi_thread";` for a two-worker runtime.
///
/// ```
/// webhook_testkit::store_tests! {
///     /// A new key is claimed once.
///     async fn claims_once(store) {
///         use webhook_verify::replay::Begin;
///         let replay = store.replay();
///         assert!(matches!(replay.begin_key("k".into()).await.unwrap(), Begin::New(_)));
///         assert!(matches!(replay.begin_key("k".into()).await.unwrap(), Begin::InFlight));
///     }
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! store_tests {
    (@flavor $args:tt $($(#[doc = $doc:expr])* async fn $name:ident($store:ident) $body:block)*) => {
        $(
            $(#[doc = $doc])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn scenario($store: $crate::Store) $body

                #[::tokio::test $args]
                async fn memory() {
                    $crate::__private::run_named($crate::StoreKind::Memory, &mut scenario).await;
                }

                $crate::__store_tests_redis!($args);
            }
        )*
    };
    (flavor = "multi_thread"; $($rest:tt)*) => {
        $crate::store_tests!(@flavor (flavor = "multi_thread", worker_threads = 2) $($rest)*);
    };
    ($($rest:tt)*) => {
        $crate::store_tests!(@flavor () $($rest)*);
    };
}

#[cfg(feature = "redis")]
#[doc(hidden)]
#[macro_export]
macro_rules! __store_tests_redis {
    ($args:tt) => {
        #[::tokio::test $args]
        async fn redis() {
            $crate::__private::run_named($crate::StoreKind::Redis, &mut scenario).await;
        }
    };
}

#[cfg(not(feature = "redis"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __store_tests_redis {
    ($args:tt) => {};
}
