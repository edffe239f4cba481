//! A Redis replay store shared by every instance of a service.

use std::fmt;
use std::time::Duration;

use super::conn::Conn;

use super::{Claim, ReplayStore, StoreError, StoreFuture};

/// Claims atomically in one round trip: returns `new` after setting the in-flight
/// marker, or the state found.
const CLAIM: &str = r"
local v = redis.call('GET', KEYS[1])
if v == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'new'
end
if v == 'done' then return 'done' end
return 'inflight'
";

/// Deletes the claim only if this ticket still holds it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return 1
";

/// Moves the claim from ARGV[1] (or an empty key) to ARGV[2] for ARGV[3] ms.
const TAKE_OVER: &str = r"
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 'done' end
if v == false or v == ARGV[1] or v == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 'new'
end
return 'inflight'
";

/// Replay store in Redis (feature `redis`): every call is one atomic round trip (a Lua
/// script for claim and release, `SET … PX` for commit). The connection manager
/// reconnects by itself; while Redis is unreachable every call fails with
/// [`StoreError`], which receivers answer with 503.
///
/// ```no_run
/// # async fn run() -> Result<(), webhook_verify::replay::StoreError> {
/// use webhook_verify::replay::{RedisStore, Replay};
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
/// let replay = Replay::new(store.prefix("myapp:webhooks:"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: Conn,
    prefix: String,
    claim: redis::Script,
    release: redis::Script,
    take_over: redis::Script,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connection URL may hold a password: not shown.
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// How long one call may wait for Redis before failing: 2 s.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

impl RedisStore {
    /// Connects to the Redis server at `url` (`redis://[:password@]host:port/[db]`).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the URL is invalid or the server cannot be reached.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|_| StoreError::new("invalid redis URL"))?;
        let conn = Conn::single(&client, DEFAULT_RESPONSE_TIMEOUT)
            .await
            .map_err(unavailable)?;
        Ok(Self {
            conn,
            prefix: "webhook:".to_owned(),
            claim: redis::Script::new(CLAIM),
            release: redis::Script::new(RELEASE),
            take_over: redis::Script::new(TAKE_OVER),
        })
    }

    /// Connects to the Redis Cluster these nodes belong to (`redis://host:port/` each; one
    /// reachable node is enough to find the rest). Each call is one script or command on
    /// one key, so one slot: while a master is down, the keys of its slots fail with
    /// [`StoreError`] (503) and the others keep working.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), webhook_verify::replay::StoreError> {
    /// use webhook_verify::replay::RedisStore;
    /// let nodes = ["redis://10.0.0.1:7000/", "redis://10.0.0.2:7000/"];
    /// let store = RedisStore::connect_cluster(&nodes).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError`] when a URL is invalid or no node can be reached.
    #[cfg(feature = "redis-cluster")]
    pub async fn connect_cluster(nodes: &[&str]) -> Result<Self, StoreError> {
        let nodes: Vec<String> = nodes.iter().map(|n| (*n).to_owned()).collect();
        let conn = Conn::cluster(&nodes, DEFAULT_RESPONSE_TIMEOUT)
            .await
            .map_err(unavailable)?;
        Ok(Self {
            conn,
            prefix: "webhook:".to_owned(),
            claim: redis::Script::new(CLAIM),
            release: redis::Script::new(RELEASE),
            take_over: redis::Script::new(TAKE_OVER),
        })
    }

    /// The prefix of every key this store writes. Defaults to `webhook:`.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

pub(crate) fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::new(format!("redis: {:?}", e.kind()))
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn in_flight(ticket: u128) -> String {
    format!("inflight:{ticket:032x}")
}

fn answer_claim(answer: &str) -> Result<Claim, StoreError> {
    match answer {
        "new" => Ok(Claim::New),
        "done" => Ok(Claim::Done),
        "inflight" => Ok(Claim::InFlight),
        _ => Err(StoreError::new("unexpected answer from redis")),
    }
}

impl ReplayStore for RedisStore {
    fn claim<'a>(&'a self, key: &'a str, ticket: u128, lease: Duration) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let answer: String = self
                .claim
                .key(self.key(key))
                .arg(in_flight(ticket))
                .arg(ms(lease))
                .invoke_async(&mut conn)
                .await
                .map_err(unavailable)?;
            answer_claim(&answer)
        })
    }

    fn take_over<'a>(
        &'a self,
        key: &'a str,
        from: u128,
        ticket: u128,
        lease: Duration,
    ) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let answer: String = self
                .take_over
                .key(self.key(key))
                .arg(in_flight(from))
                .arg(in_flight(ticket))
                .arg(ms(lease))
                .invoke_async(&mut conn)
                .await
                .map_err(unavailable)?;
            answer_claim(&answer)
        })
    }

    fn commit<'a>(
        &'a self,
        key: &'a str,
        _ticket: u128,
        retention: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            redis::cmd("SET")
                .arg(self.key(key))
                .arg("done")
                .arg("PX")
                .arg(ms(retention))
                .query_async::<()>(&mut conn)
                .await
                .map_err(unavailable)
        })
    }

    fn release<'a>(&'a self, key: &'a str, ticket: u128) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            self.release
                .key(self.key(key))
                .arg(in_flight(ticket))
                .invoke_async::<i64>(&mut conn)
                .await
                .map(drop)
                .map_err(unavailable)
        })
    }
}
