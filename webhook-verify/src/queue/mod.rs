//! Answer fast, process durably (feature `redis`): a listener appends each verified
//! delivery to a Redis Stream and answers `202 queued` once Redis has acknowledged the
//! append; workers read the stream with a consumer group and run an
//! [`EventRouter`](crate::EventRouter).
//!
//! ```text
//! senders ─► load balancer ─► listeners ──XADD──► Redis Stream(s) ──XREADGROUP──► workers
//!                              verify                 │  replay keys               take over the claim
//!                              claim (replay)         │  dead-letter stream(s)     route, commit, XACK
//!                              append, then 202       │                            retry, XAUTOCLAIM
//! ```
//!
//! - [`Handoff`]: the listener's side, in the one receive path: after verification and
//!   the replay claim, the verified delivery (a token, sealed when the [`Queue`] has a
//!   [`TokenKey`]) is appended; the sender gets `202 queued` only after
//!   Redis acknowledged the append. An append that fails answers 503 and releases the
//!   claim, so the sender's retry is taken. The claim itself stays in flight: the worker
//!   takes it over.
//! - [`Worker`]: reads with a consumer group, opens the token, runs the router, commits
//!   the replay claim when the handler succeeds, then `XACK`s (and deletes) the entry.
//!   Failed handlers are retried with exponential backoff; entries of consumers that
//!   stopped are claimed after an idle timeout (`XAUTOCLAIM`); after
//!   [`max_attempts`](WorkerBuilder::max_attempts) the entry moves to the dead-letter
//!   stream with its last error. A redelivered entry whose delivery is already committed
//!   is acknowledged without running the handler.
//!
//! On a Redis Cluster (feature `redis-cluster`), [`Queue::connect_cluster`] and
//! `RedisStore::connect_cluster`: every script touches one key, the stream's shards are
//! hash-tagged (`NAME:{i}`), and workers read every shard; a master that is down makes the
//! deliveries of its slots answer 503 until it returns, the others go on.
//!
//! # Guarantees and their limits
//!
//! - **Nothing accepted is lost**: a 2xx is sent only after Redis acknowledged the append,
//!   which with `appendfsync always` means it is in the append-only file (see
//!   *Durability*); entries are deleted only after their delivery is committed or
//!   dead-lettered.
//! - **Each delivery's handler succeeds once**: the commit in the replay store is the
//!   record that the work was done; a worker never runs the handler of a committed
//!   delivery, and two workers never hold the same delivery at once (the claim is taken
//!   over under a fresh ticket with a lease).
//! - **The one window**: a worker that dies after its handler finished but before the
//!   commit reached Redis (one round trip) leaves a delivery whose handler ran and is not
//!   committed; the next worker runs it again once the claim's lease ends. Handlers whose
//!   effects must happen once write them idempotently (keyed by the delivery id), the
//!   usual rule for any queue.
//! - A handler must finish within the replay [lease](crate::replay::Replay::lease), or
//!   another worker may take the delivery over.
//!
//! # Durability
//!
//! Redis must keep what it acknowledged:
//!
//! ```text
//! appendonly yes               # every write goes to the append-only file
//! appendfsync always           # ... and is on disk before Redis answers
//! maxmemory-policy noeviction  # when full, refuse writes (503, the sender retries)
//! ```
//!
//! [`Queue::connect`] reads the server's settings ([`Durability`]): a server that evicts
//! keys when full (any policy but `noeviction`, with a `maxmemory` set) could drop queued
//! deliveries and replay records without an error, so it is **refused**; a server without
//! the append-only file, or with `appendfsync everysec` (Redis may answer up to 2 s
//! before the write reaches the file, so a crash can lose deliveries already answered),
//! is accepted with a warning.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use webhook_verify::queue::{Queue, Worker};
//! use webhook_verify::replay::{RedisStore, Replay};
//! use webhook_verify::{Event, EventRouter, Provider};
//!
//! let queue = Queue::connect("redis://127.0.0.1:6379/", "webhooks").await?;
//! let replay = Replay::new(RedisStore::connect("redis://127.0.0.1:6379/").await?);
//! let router = EventRouter::builder(Provider::STRIPE)
//!     .on("invoice.paid", |event: Event| async move {
//!         println!("paid: {:?}", event.id());
//!         Ok::<_, std::io::Error>(())
//!     })
//!     .build()?;
//! let worker = Worker::builder(queue, replay, router).consumer("worker-1").build().await?;
//! worker.run(async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(()) }
//! ```

mod durability;
mod handoff;
mod worker;

use std::fmt;
use std::time::Duration;

pub use durability::Durability;
pub use handoff::Handoff;
pub use worker::{
    DEFAULT_BACKOFF, DEFAULT_BATCH, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_BACKOFF, Entry, Processed, Worker, WorkerBuilder, WorkerStats,
};

use crate::TokenKey;
use crate::replay::StoreError;
use crate::replay::conn::Conn;

/// The consumer group workers read with unless told otherwise: `workers`.
pub const DEFAULT_GROUP: &str = "workers";

/// How long one call may wait for Redis before failing: 2 s.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A queue could not be used: Redis unreachable or refusing, a server that would drop
/// data, or a bad configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// Redis could not be reached or answered an error.
    #[error("queue unavailable: {0}")]
    Unavailable(String),
    /// The server is configured so that it could drop queued deliveries silently.
    #[error("queue refused: {0}")]
    Unsafe(String),
    /// The queue or worker is configured wrongly.
    #[error("queue misconfigured: {0}")]
    Config(String),
}

impl From<redis::RedisError> for QueueError {
    fn from(e: redis::RedisError) -> Self {
        // The kind and code only: a message may quote a URL with a password.
        match e.code() {
            Some(code) => Self::Unavailable(format!("redis {code}")),
            None => Self::Unavailable(format!("redis: {:?}", e.kind())),
        }
    }
}

impl From<QueueError> for StoreError {
    fn from(e: QueueError) -> Self {
        StoreError::new(e.to_string())
    }
}

/// A Redis Stream (or several shards of one) that listeners append verified deliveries to
/// and workers read from, with the dead-letter stream next to each shard.
///
/// One shard is the stream named as given; with [`shards(n)`](Self::shards), shard `i`
/// is `NAME:{i}` (a hash tag, so a shard and its dead-letter stream share a cluster slot)
/// and each delivery goes to the shard its replay key hashes to. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), webhook_verify::queue::QueueError> {
/// use webhook_verify::queue::Queue;
/// let queue = Queue::connect("redis://127.0.0.1:6379/", "webhooks").await?.shards(4);
/// assert_eq!(queue.stream_key(3), "webhooks:{3}");
/// assert_eq!(queue.dead_letter_key(3), "webhooks:{3}:dead");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Queue {
    conn: Conn,
    target: Target,
    stream: String,
    shards: u16,
    group: String,
    token_key: Option<TokenKey>,
}

/// Where new connections go.
#[derive(Clone)]
enum Target {
    Single(redis::Client),
    #[cfg(feature = "redis-cluster")]
    Cluster(Vec<String>),
}

impl fmt::Debug for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the URL (it may hold a password) nor the token key.
        f.debug_struct("Queue")
            .field("stream", &self.stream)
            .field("shards", &self.shards)
            .field("group", &self.group)
            .field("sealed", &self.token_key.is_some())
            .finish_non_exhaustive()
    }
}

impl Queue {
    /// Connects to the Redis server at `url` (`redis://[:password@]host:port/[db]`) for the
    /// stream `stream`, and checks that the server keeps what it acknowledges
    /// ([`Durability`]).
    ///
    /// # Errors
    ///
    /// [`QueueError::Unavailable`] when the URL is invalid or the server cannot be reached;
    /// [`QueueError::Unsafe`] when the server evicts keys when full (see the module docs);
    /// [`QueueError::Config`] for an empty stream name.
    pub async fn connect(url: &str, stream: impl Into<String>) -> Result<Self, QueueError> {
        let stream = stream.into();
        if stream.is_empty() {
            return Err(QueueError::Config("the stream name is empty".to_owned()));
        }
        let client = redis::Client::open(url)
            .map_err(|_| QueueError::Config("invalid redis URL".to_owned()))?;
        let conn = Conn::single(&client, DEFAULT_RESPONSE_TIMEOUT).await?;
        let queue = Self {
            conn,
            target: Target::Single(client),
            stream,
            shards: 1,
            group: DEFAULT_GROUP.to_owned(),
            token_key: None,
        };
        queue.durability().await?.check()?;
        Ok(queue)
    }

    /// Connects to the Redis Cluster these nodes belong to, for the stream `stream`, and
    /// checks every node given as [`connect`](Self::connect) checks its server. On a
    /// cluster every shard is named with a hash tag (`NAME:{i}`), so a shard and its
    /// dead-letter stream share a slot; give as many [`shards`](Self::shards) as you want
    /// streams spread over the masters. Workers read every shard.
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect), for any of the nodes.
    #[cfg(feature = "redis-cluster")]
    pub async fn connect_cluster(
        nodes: &[&str],
        stream: impl Into<String>,
    ) -> Result<Self, QueueError> {
        let stream = stream.into();
        if stream.is_empty() {
            return Err(QueueError::Config("the stream name is empty".to_owned()));
        }
        for node in nodes {
            let client = redis::Client::open(*node)
                .map_err(|_| QueueError::Config("invalid redis URL".to_owned()))?;
            let mut conn = client.get_multiplexed_async_connection().await?;
            durability::read(&mut conn).await?.check()?;
        }
        let nodes: Vec<String> = nodes.iter().map(|n| (*n).to_owned()).collect();
        let conn = Conn::cluster(&nodes, DEFAULT_RESPONSE_TIMEOUT).await?;
        Ok(Self {
            conn,
            target: Target::Cluster(nodes),
            stream,
            shards: 1,
            group: DEFAULT_GROUP.to_owned(),
            token_key: None,
        })
    }

    /// Splits the stream into `n` shards (at least 1): `NAME:{0}` … `NAME:{n-1}`, each
    /// delivery in the shard its replay key hashes to. Listeners and workers must agree on
    /// the number. Defaults to 1 (the stream as named).
    #[must_use]
    pub fn shards(mut self, n: u16) -> Self {
        self.shards = n.max(1);
        self
    }

    /// The consumer group workers read with. Defaults to [`DEFAULT_GROUP`].
    #[must_use]
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = group.into();
        self
    }

    /// Seals the tokens appended (and requires sealed tokens in workers) with `key`, for a
    /// Redis that others can write to. Defaults to none: tokens are the plain JSON of the
    /// [`Verified`](crate::Verified), trusted as they are read back.
    #[must_use]
    pub fn token_key(mut self, key: TokenKey) -> Self {
        self.token_key = Some(key);
        self
    }

    /// The number of shards.
    #[must_use]
    pub fn shard_count(&self) -> u16 {
        self.shards
    }

    /// The consumer group.
    #[must_use]
    pub fn group_name(&self) -> &str {
        &self.group
    }

    /// The key of shard `shard`'s stream.
    #[must_use]
    pub fn stream_key(&self, shard: u16) -> String {
        if self.shards == 1 && !self.conn.is_cluster() {
            self.stream.clone()
        } else {
            format!("{}:{{{shard}}}", self.stream)
        }
    }

    /// The key of shard `shard`'s dead-letter stream: the stream's key and `:dead`.
    #[must_use]
    pub fn dead_letter_key(&self, shard: u16) -> String {
        format!("{}:dead", self.stream_key(shard))
    }

    /// The shard a replay key's delivery goes to.
    #[must_use]
    pub fn shard_of(&self, replay_key: &str) -> u16 {
        // FNV-1a: stable across processes and versions.
        let mut hash: u32 = 0x811c_9dc5;
        for byte in replay_key.bytes() {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        u16::try_from(hash % u32::from(self.shards)).unwrap_or(0)
    }

    /// What the server does with data: its append-only file and eviction settings.
    ///
    /// # Errors
    ///
    /// [`QueueError::Unavailable`] when the server cannot be asked.
    pub async fn durability(&self) -> Result<Durability, QueueError> {
        let mut conn = self.conn.clone();
        durability::read(&mut conn).await
    }

    /// The number of entries in every shard's stream (waiting or being handled).
    ///
    /// # Errors
    ///
    /// [`QueueError::Unavailable`] when Redis cannot be reached.
    pub async fn backlog(&self) -> Result<u64, QueueError> {
        self.sum_xlen(|shard| self.stream_key(shard)).await
    }

    /// The number of entries in every shard's dead-letter stream.
    ///
    /// # Errors
    ///
    /// [`QueueError::Unavailable`] when Redis cannot be reached.
    pub async fn dead_letters(&self) -> Result<u64, QueueError> {
        self.sum_xlen(|shard| self.dead_letter_key(shard)).await
    }

    async fn sum_xlen(&self, key: impl Fn(u16) -> String) -> Result<u64, QueueError> {
        let mut conn = self.conn.clone();
        let mut total = 0;
        for shard in 0..self.shards {
            let n: u64 = redis::cmd("XLEN")
                .arg(key(shard))
                .query_async(&mut conn)
                .await?;
            total += n;
        }
        Ok(total)
    }

    /// Appends one entry; answers its id once Redis acknowledged it.
    pub(crate) async fn append(
        &self,
        replay_key: &str,
        ticket: u128,
        token: &str,
    ) -> Result<String, QueueError> {
        let mut conn = self.conn.clone();
        let id: String = redis::cmd("XADD")
            .arg(self.stream_key(self.shard_of(replay_key)))
            .arg("*")
            .arg("key")
            .arg(replay_key)
            .arg("ticket")
            .arg(format!("{ticket:032x}"))
            .arg("token")
            .arg(token)
            .query_async(&mut conn)
            .await?;
        Ok(id)
    }

    pub(crate) fn connection(&self) -> Conn {
        self.conn.clone()
    }

    pub(crate) fn is_cluster(&self) -> bool {
        self.conn.is_cluster()
    }

    pub(crate) async fn reader(&self, block: Duration) -> Result<Conn, QueueError> {
        let timeout = block + DEFAULT_RESPONSE_TIMEOUT;
        Ok(match &self.target {
            Target::Single(client) => Conn::single(client, timeout).await?,
            #[cfg(feature = "redis-cluster")]
            Target::Cluster(nodes) => Conn::cluster(nodes, timeout).await?,
        })
    }

    pub(crate) fn key(&self) -> Option<&TokenKey> {
        self.token_key.as_ref()
    }
}
