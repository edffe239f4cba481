//! The workers' side: read with a consumer group, run the router, commit, acknowledge.

use std::collections::HashMap;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::{Duration, Instant};

use redis::Value;
use redis::streams::{StreamClaimReply, StreamId, StreamPendingCountReply, StreamReadReply};

use super::{Queue, QueueError};
use crate::replay::conn::Conn;
use crate::replay::{Claim, Replay, new_ticket};
use crate::{EventRouter, Provider, Verified};

/// Attempts before an entry goes to the dead-letter stream: 5.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// How long an entry may sit with a consumer that does not answer before another worker
/// claims it: 30 s.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The wait before the first retry of a failed entry, doubled for each further one: 500 ms.
pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait between retries (never more than half the idle timeout): 10 s.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(10);
/// The most entries read at once: 16.
pub const DEFAULT_BATCH: usize = 16;

/// Acknowledges and deletes an entry (KEYS: the stream; ARGV: the group, the id).
const ACK: &str = r"
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
";

/// Moves an entry to the dead-letter stream (KEYS: the stream, the dead-letter stream;
/// ARGV: the group, the id, then the dead letter's fields and values). One slot: the two
/// streams share the shard's hash tag.
const DEAD_LETTER: &str = r"
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
";

/// How long a read waits for new entries.
const BLOCK: Duration = Duration::from_millis(500);

/// One stream entry as a worker got it.
#[derive(Clone)]
pub struct Entry {
    shard: u16,
    id: String,
    key: Option<String>,
    ticket: Option<u128>,
    token: Option<String>,
    attempt: u32,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token holds the body: not printed.
        f.debug_struct("Entry")
            .field("shard", &self.shard)
            .field("id", &self.id)
            .field("key", &self.key)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// The entry's id in its stream.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The shard it was read from.
    #[must_use]
    pub fn shard(&self) -> u16 {
        self.shard
    }

    /// The delivery's replay key, when the entry has one.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// How many times it has been delivered to a worker, this time included.
    #[must_use]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    fn from_stream(shard: u16, entry: &StreamId, attempt: u32) -> Self {
        let text = |name: &str| entry.get::<String>(name);
        Self {
            shard,
            id: entry.id.clone(),
            key: text("key"),
            ticket: text("ticket").and_then(|t| u128::from_str_radix(&t, 16).ok()),
            token: text("token"),
            attempt,
        }
    }
}

/// What [`Worker::process`] did with an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Processed {
    /// The handler succeeded and the delivery is committed: acknowledge.
    Handled,
    /// The delivery was committed before (a redelivery): acknowledge without running the
    /// handler.
    Duplicate,
    /// The handler failed (or panicked, or the payload did not parse): retry, or
    /// dead-letter after the last attempt.
    Failed(String),
    /// Not handled now, through no fault of the entry (Redis unreachable, another worker
    /// holds the delivery): retry later without counting an attempt.
    Later(String),
    /// The entry cannot be read (no token, a token that does not open): dead-letter now.
    Poison(String),
}

/// What a worker did, counted by [`Worker::run`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerStats {
    /// Entries whose handler succeeded.
    pub handled: u64,
    /// Redelivered entries acknowledged without running the handler.
    pub duplicates: u64,
    /// Failed attempts that will be retried.
    pub retried: u64,
    /// Entries moved to the dead-letter stream.
    pub dead_lettered: u64,
}

/// What a worker remembers about an entry it will retry.
struct Local {
    entry: Entry,
    due: Instant,
    /// The next attempt counts (the handler failed) or not (Redis, another worker).
    counts: bool,
    /// The ticket this worker holds the delivery's claim under.
    ticket: u128,
    /// The handler succeeded and the commit is done: only the acknowledgement is left.
    committed: bool,
    /// Whether the handler succeeded but the commit failed.
    handled: bool,
    last_error: Option<String>,
}

/// Reads a [`Queue`] with a consumer group and runs an [`EventRouter`] for each entry; see
/// the [module docs](super) for what it guarantees.
///
/// [`run`](Self::run) is the loop; [`fetch`](Self::fetch), [`process`](Self::process) and
/// [`settle`](Self::settle) are its steps, for loops of your own.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use webhook_verify::queue::{Queue, Worker};
/// use webhook_verify::replay::{RedisStore, Replay};
/// use webhook_verify::{EventRouter, Provider};
///
/// let url = "redis://127.0.0.1:6379/";
/// let worker = Worker::builder(
///     Queue::connect(url, "webhooks").await?,
///     Replay::new(RedisStore::connect(url).await?),
///     EventRouter::builder(Provider::GITHUB).build()?,
/// )
/// .consumer("worker-a")
/// .max_attempts(8)
/// .idle_timeout(Duration::from_secs(60))
/// .build()
/// .await?;
/// let stats = worker.run(async { let _ = tokio::signal::ctrl_c().await; }).await?;
/// println!("handled {}", stats.handled);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

struct Inner {
    queue: Queue,
    replay: Replay,
    router: EventRouter,
    providers: Vec<Provider>,
    consumer: String,
    max_attempts: u32,
    idle_timeout: Duration,
    backoff: Duration,
    max_backoff: Duration,
    batch: usize,
    conn: Conn,
    reader: Conn,
    ack: redis::Script,
    dead: redis::Script,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    local: HashMap<(u16, String), Local>,
    /// Shards whose pending entries of this consumer should be looked at.
    scan: Vec<bool>,
    last_autoclaim: Option<Instant>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("queue", &self.inner.queue)
            .field("consumer", &self.inner.consumer)
            .field("max_attempts", &self.inner.max_attempts)
            .field("idle_timeout", &self.inner.idle_timeout)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Worker`]; created by [`Worker::builder`].
#[must_use]
pub struct WorkerBuilder {
    queue: Queue,
    replay: Replay,
    router: EventRouter,
    providers: Vec<Provider>,
    consumer: Option<String>,
    max_attempts: u32,
    idle_timeout: Duration,
    backoff: Duration,
    max_backoff: Duration,
    batch: usize,
}

impl fmt::Debug for WorkerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerBuilder")
            .field("queue", &self.queue)
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

impl WorkerBuilder {
    /// This worker's consumer name in the group. Give each worker its own, stable across
    /// restarts: a restarted worker first finishes the entries it held. Defaults to
    /// `worker-{process id}`.
    pub fn consumer(mut self, name: impl Into<String>) -> Self {
        self.consumer = Some(name.into());
        self
    }

    /// Deliveries before an entry goes to the dead-letter stream (at least 1). Defaults to
    /// [`DEFAULT_MAX_ATTEMPTS`].
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// How long an entry may sit with a silent consumer before this worker claims it
    /// (`XAUTOCLAIM`). Keep it above the longest handler run. Defaults to
    /// [`DEFAULT_IDLE_TIMEOUT`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout.max(Duration::from_millis(10));
        self
    }

    /// The wait before the first retry, doubled for each further one. Defaults to
    /// [`DEFAULT_BACKOFF`].
    pub fn backoff(mut self, first: Duration) -> Self {
        self.backoff = first;
        self
    }

    /// The longest wait between retries, never more than half the idle timeout. Defaults
    /// to [`DEFAULT_MAX_BACKOFF`].
    pub fn max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max;
        self
    }

    /// The most entries read at once. Defaults to [`DEFAULT_BATCH`].
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n.max(1);
        self
    }

    /// Custom providers whose tokens this worker opens (built-in ones always open).
    /// Defaults to none.
    pub fn providers(mut self, providers: impl IntoIterator<Item = Provider>) -> Self {
        self.providers = providers.into_iter().collect();
        self
    }

    /// Creates the consumer group on every shard (from the stream's start, so entries
    /// appended before it existed are read) and the worker's connections.
    ///
    /// # Errors
    ///
    /// [`QueueError::Unavailable`] when Redis cannot be reached.
    pub async fn build(self) -> Result<Worker, QueueError> {
        let conn = self.queue.connection();
        let reader = self.queue.reader(BLOCK).await?;
        let shards = usize::from(self.queue.shard_count());
        let worker = Worker {
            inner: Arc::new(Inner {
                consumer: self
                    .consumer
                    .unwrap_or_else(|| format!("worker-{}", std::process::id())),
                queue: self.queue,
                replay: self.replay,
                router: self.router,
                providers: self.providers,
                max_attempts: self.max_attempts,
                idle_timeout: self.idle_timeout,
                backoff: self.backoff,
                max_backoff: self.max_backoff,
                batch: self.batch,
                conn,
                reader,
                ack: redis::Script::new(ACK),
                dead: redis::Script::new(DEAD_LETTER),
                state: Mutex::new(State {
                    // A (re)started worker first looks at what it held.
                    scan: vec![true; shards],
                    ..State::default()
                }),
            }),
        };
        worker.create_groups().await?;
        Ok(worker)
    }
}

impl Worker {
    /// A worker reading `queue`, claiming deliveries in `replay` (the store the listeners
    /// use) and handling them with `router`.
    pub fn builder(queue: Queue, replay: Replay, router: EventRouter) -> WorkerBuilder {
        WorkerBuilder {
            queue,
            replay,
            router,
            providers: Vec::new(),
            consumer: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            backoff: DEFAULT_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            batch: DEFAULT_BATCH,
        }
    }

    /// This worker's consumer name.
    #[must_use]
    pub fn consumer(&self) -> &str {
        &self.inner.consumer
    }

    /// The queue.
    #[must_use]
    pub fn queue(&self) -> &Queue {
        &self.inner.queue
    }

    async fn create_groups(&self) -> Result<(), QueueError> {
        let inner = &*self.inner;
        let mut conn = inner.conn.clone();
        for shard in 0..inner.queue.shard_count() {
            let created = redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(inner.queue.stream_key(shard))
                .arg(inner.queue.group_name())
                .arg("0")
                .arg("MKSTREAM")
                .query_async::<()>(&mut conn)
                .await;
            match created {
                Err(e) if e.code() == Some("BUSYGROUP") => {}
                other => other?,
            }
        }
        Ok(())
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs until `shutdown` completes: fetches entries, processes and settles each. On
    /// shutdown the entry in hand is finished; entries fetched and not started stay
    /// pending for this consumer (a restart with the same name takes them first) or for
    /// another worker after the idle timeout. Redis errors are logged and retried.
    ///
    /// # Errors
    ///
    /// None today: the `Result` leaves room for errors a worker cannot recover from.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<WorkerStats, QueueError> {
        let mut shutdown = pin!(shutdown);
        let mut stats = WorkerStats::default();
        'run: loop {
            let fetched = {
                let mut fetch = pin!(self.fetch());
                poll_fn(|cx| {
                    if shutdown.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(None);
                    }
                    fetch.as_mut().poll(cx).map(Some)
                })
                .await
            };
            let entries = match fetched {
                None => break,
                Some(Ok(entries)) => entries,
                Some(Err(error)) => {
                    tracing::warn!(%error, "queue read failed; retrying");
                    let mut pause = pin!(tokio::time::sleep(Duration::from_millis(200)));
                    let stop = poll_fn(|cx| {
                        if shutdown.as_mut().poll(cx).is_ready() {
                            return Poll::Ready(true);
                        }
                        pause.as_mut().poll(cx).map(|()| false)
                    })
                    .await;
                    if stop {
                        break;
                    }
                    continue;
                }
            };
            for entry in entries {
                let processed = self.process(&entry).await;
                match &processed {
                    Processed::Handled => stats.handled += 1,
                    Processed::Duplicate => stats.duplicates += 1,
                    _ => {}
                }
                match self.settle(&entry, processed).await {
                    Ok(Some(true)) => stats.dead_lettered += 1,
                    Ok(Some(false)) => stats.retried += 1,
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(%error, entry = entry.id, "queue settle failed; retrying")
                    }
                }
                let stop = poll_fn(|cx| Poll::Ready(shutdown.as_mut().poll(cx).is_ready())).await;
                if stop {
                    break 'run;
                }
            }
        }
        tracing::info!(consumer = %self.inner.consumer, ?stats, "worker stopped");
        Ok(stats)
    }

    /// The next entries for this worker: retries that are due, entries it held before a
    /// restart, entries of consumers idle longer than the idle timeout, then new entries
    /// (waiting up to half a second for them).
    ///
    /// # Errors
    ///
    /// [`QueueError::Unavailable`] when Redis cannot be reached.
    pub async fn fetch(&self) -> Result<Vec<Entry>, QueueError> {
        let mut out = self.fetch_due().await?;
        if out.is_empty() {
            self.autoclaim().await?;
            out = self.fetch_held().await?;
        }
        if out.is_empty() {
            out = self.fetch_new().await?;
        }
        Ok(out)
    }

    async fn fetch_due(&self) -> Result<Vec<Entry>, QueueError> {
        let now = Instant::now();
        let due: Vec<(u16, String, bool, Entry)> = self
            .state()
            .local
            .iter()
            .filter(|(_, local)| local.due <= now)
            .map(|((shard, id), local)| (*shard, id.clone(), local.counts, local.entry.clone()))
            .collect();
        let inner = &*self.inner;
        let mut conn = inner.conn.clone();
        let mut out = Vec::new();
        for (shard, id, counts, entry) in due {
            // Claimed again by this consumer: the idle time starts over, and a retry after
            // a failure counts as a delivery.
            let mut claim = redis::cmd("XCLAIM");
            claim
                .arg(inner.queue.stream_key(shard))
                .arg(inner.queue.group_name())
                .arg(&inner.consumer)
                .arg(0)
                .arg(&id);
            if !counts {
                claim.arg("JUSTID");
            }
            let answer: Value = match claim.query_async(&mut conn).await {
                Ok(answer) => answer,
                // Its shard's master is down: tried again at the next round.
                Err(_) => continue,
            };
            let still_pending = match answer {
                Value::Array(items) => !items.is_empty(),
                _ => false,
            };
            let mut state = self.state();
            if !still_pending {
                // Acknowledged or deleted meanwhile (another worker finished it).
                state.local.remove(&(shard, id));
                continue;
            }
            let attempt = entry.attempt + u32::from(counts);
            if let Some(local) = state.local.get_mut(&(shard, id)) {
                local.entry.attempt = attempt;
                local.due = now + Duration::from_secs(3600);
            }
            out.push(Entry { attempt, ..entry });
        }
        Ok(out)
    }

    async fn autoclaim(&self) -> Result<(), QueueError> {
        let inner = &*self.inner;
        let every = inner.idle_timeout / 2;
        {
            let mut state = self.state();
            if state.last_autoclaim.is_some_and(|t| t.elapsed() < every) {
                return Ok(());
            }
            state.last_autoclaim = Some(Instant::now());
        }
        let mut conn = inner.conn.clone();
        let idle = u64::try_from(inner.idle_timeout.as_millis()).unwrap_or(u64::MAX);
        for shard in 0..inner.queue.shard_count() {
            // JUSTID moves them to this consumer without counting a delivery; fetch_held
            // then claims them with their count.
            let answer: Result<Value, _> = redis::cmd("XAUTOCLAIM")
                .arg(inner.queue.stream_key(shard))
                .arg(inner.queue.group_name())
                .arg(&inner.consumer)
                .arg(idle)
                .arg("0-0")
                .arg("COUNT")
                .arg(inner.batch * 4)
                .arg("JUSTID")
                .query_async(&mut conn)
                .await;
            let answer = match answer {
                Ok(answer) => answer,
                Err(error) => {
                    tracing::debug!(shard, %error, "claiming idle entries failed");
                    continue;
                }
            };
            let claimed = match &answer {
                Value::Array(parts) => match parts.get(1) {
                    Some(Value::Array(ids)) => ids.len(),
                    _ => 0,
                },
                _ => 0,
            };
            if claimed > 0 {
                tracing::info!(shard, claimed, "claimed entries of idle consumers");
                if let Some(scan) = self.state().scan.get_mut(usize::from(shard)) {
                    *scan = true;
                }
            }
        }
        Ok(())
    }

    async fn fetch_held(&self) -> Result<Vec<Entry>, QueueError> {
        let inner = &*self.inner;
        let mut conn = inner.conn.clone();
        let mut out = Vec::new();
        for shard in 0..inner.queue.shard_count() {
            let scan = self
                .state()
                .scan
                .get(usize::from(shard))
                .copied()
                .unwrap_or(false);
            if !scan {
                continue;
            }
            let stream = inner.queue.stream_key(shard);
            let pending: StreamPendingCountReply = match redis::cmd("XPENDING")
                .arg(&stream)
                .arg(inner.queue.group_name())
                .arg("-")
                .arg("+")
                .arg(inner.batch)
                .arg(&inner.consumer)
                .query_async(&mut conn)
                .await
            {
                Ok(pending) => pending,
                Err(error) => {
                    tracing::debug!(shard, %error, "reading held entries failed");
                    continue;
                }
            };
            let counts: HashMap<String, usize> = {
                let state = self.state();
                pending
                    .ids
                    .iter()
                    .filter(|p| !state.local.contains_key(&(shard, p.id.clone())))
                    .map(|p| (p.id.clone(), p.times_delivered))
                    .collect()
            };
            if counts.len() < inner.batch {
                if let Some(scan) = self.state().scan.get_mut(usize::from(shard)) {
                    *scan = pending.ids.len() >= inner.batch;
                }
            }
            if counts.is_empty() {
                continue;
            }
            let mut claim = redis::cmd("XCLAIM");
            claim
                .arg(&stream)
                .arg(inner.queue.group_name())
                .arg(&inner.consumer)
                .arg(0);
            for id in counts.keys() {
                claim.arg(id);
            }
            let claimed: StreamClaimReply = match claim.query_async(&mut conn).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::debug!(shard, %error, "claiming held entries failed");
                    continue;
                }
            };
            for entry in &claimed.ids {
                let before = counts.get(&entry.id).copied().unwrap_or(0);
                let attempt = u32::try_from(before + 1).unwrap_or(u32::MAX);
                out.push(Entry::from_stream(shard, entry, attempt));
            }
        }
        Ok(out)
    }

    async fn fetch_new(&self) -> Result<Vec<Entry>, QueueError> {
        let inner = &*self.inner;
        let mut reader = inner.reader.clone();
        let next_due = self.state().local.values().map(|l| l.due).min();
        let block = next_due.map_or(BLOCK, |due| {
            due.saturating_duration_since(Instant::now())
                .clamp(Duration::from_millis(1), BLOCK)
        });
        let shards = inner.queue.shard_count();
        let reply: Option<StreamReadReply> = if inner.queue.is_cluster() {
            // One slot per command on a cluster: each shard read on its own, without
            // waiting; a pause when none had anything.
            let mut keys = Vec::new();
            let mut failed = None;
            for shard in 0..shards {
                let read = self.read_group(&[shard], None);
                match read
                    .query_async::<Option<StreamReadReply>>(&mut reader)
                    .await
                {
                    Ok(reply) => keys.extend(reply.map(|r| r.keys).unwrap_or_default()),
                    // A master down: its shards wait, the others are read.
                    Err(e) => failed = Some(e),
                }
            }
            if let (true, Some(e)) = (keys.is_empty(), failed) {
                return self.read_failed(e).await;
            }
            if keys.is_empty() {
                tokio::time::sleep(block.min(Duration::from_millis(50))).await;
            }
            Some(StreamReadReply { keys })
        } else {
            let all: Vec<u16> = (0..shards).collect();
            match self
                .read_group(&all, Some(block))
                .query_async(&mut reader)
                .await
            {
                Ok(reply) => reply,
                Err(e) => return self.read_failed(e).await,
            }
        };
        let mut out = Vec::new();
        for stream in reply.map(|r| r.keys).unwrap_or_default() {
            let shard = (0..shards)
                .find(|&s| inner.queue.stream_key(s) == stream.key)
                .unwrap_or(0);
            out.extend(
                stream
                    .ids
                    .iter()
                    .map(|entry| Entry::from_stream(shard, entry, 1)),
            );
        }
        Ok(out)
    }

    fn read_group(&self, shards: &[u16], block: Option<Duration>) -> redis::Cmd {
        let inner = &*self.inner;
        let mut read = redis::cmd("XREADGROUP");
        read.arg("GROUP")
            .arg(inner.queue.group_name())
            .arg(&inner.consumer)
            .arg("COUNT")
            .arg(inner.batch);
        if let Some(block) = block {
            read.arg("BLOCK")
                .arg(u64::try_from(block.as_millis()).unwrap_or(500));
        }
        read.arg("STREAMS");
        for &shard in shards {
            read.arg(inner.queue.stream_key(shard));
        }
        for _ in shards {
            read.arg(">");
        }
        read
    }

    async fn read_failed(&self, e: redis::RedisError) -> Result<Vec<Entry>, QueueError> {
        if e.code() == Some("NOGROUP") {
            // The server lost the group (restarted without its data): make it again.
            tracing::warn!("consumer group missing; creating it again");
            self.create_groups().await?;
            return Ok(Vec::new());
        }
        Err(e.into())
    }

    /// Handles one entry without acknowledging it: opens the token, takes the delivery's
    /// claim over, runs the router, and commits the claim when the handler succeeds. A
    /// delivery already committed is not handled again.
    pub async fn process(&self, entry: &Entry) -> Processed {
        let inner = &*self.inner;
        let local = {
            let state = self.state();
            state
                .local
                .get(&(entry.shard, entry.id.clone()))
                .map(|l| (l.ticket, l.committed, l.handled))
        };
        let (Some(key), Some(token)) = (&entry.key, &entry.token) else {
            return Processed::Poison("entry without key or token".to_owned());
        };
        let verified = match self.open(token) {
            Ok(verified) => verified,
            Err(error) => return Processed::Poison(error),
        };
        if verified.replay_key() != *key {
            return Processed::Poison("entry key does not match its token".to_owned());
        }
        let ticket = match local {
            Some((_, true, _)) => return Processed::Handled,
            Some((ticket, false, true)) => return self.commit(entry, key, ticket).await,
            Some((ticket, _, _)) => ticket,
            None => new_ticket(),
        };
        let store = inner.replay.store();
        let from = entry.ticket.unwrap_or(0);
        let lease = inner.replay.lease_duration();
        match store.take_over(key, from, ticket, lease).await {
            Err(error) => return self.later(entry, ticket, error.to_string()),
            Ok(Claim::Done) => return Processed::Duplicate,
            Ok(Claim::InFlight) => {
                return self.later(
                    entry,
                    ticket,
                    "another worker holds the delivery".to_owned(),
                );
            }
            Ok(Claim::New) => {}
        }
        if entry.attempt > inner.max_attempts {
            // Delivered this often without an answer: consumers stopped while handling it.
            self.remember(entry, ticket, false);
            let last = self
                .state()
                .local
                .get(&(entry.shard, entry.id.clone()))
                .and_then(|l| l.last_error.clone());
            return Processed::Poison(last.unwrap_or_else(|| {
                format!("delivered {} times without an answer", entry.attempt)
            }));
        }
        let reply = inner.router.dispatch(verified).await;
        if !reply.is_success() {
            let mut error = format!("{} {}", reply.status(), reply.outcome());
            if let Some(cause) = reply.cause() {
                error = format!("{error}: {cause}");
            }
            self.remember(entry, ticket, false);
            return Processed::Failed(error);
        }
        self.commit(entry, key, ticket).await
    }

    async fn commit(&self, entry: &Entry, key: &str, ticket: u128) -> Processed {
        let inner = &*self.inner;
        let retention = inner.replay.retention_duration();
        match inner.replay.store().commit(key, ticket, retention).await {
            Ok(()) => Processed::Handled,
            Err(error) => {
                // The handler ran: only the commit is retried.
                self.remember(entry, ticket, true);
                Processed::Later(format!("commit failed: {error}"))
            }
        }
    }

    fn later(&self, entry: &Entry, ticket: u128, error: String) -> Processed {
        self.remember(entry, ticket, false);
        Processed::Later(error)
    }

    fn remember(&self, entry: &Entry, ticket: u128, handled: bool) {
        let mut state = self.state();
        let local = state
            .local
            .entry((entry.shard, entry.id.clone()))
            .or_insert_with(|| Local {
                entry: entry.clone(),
                due: Instant::now(),
                counts: false,
                ticket,
                committed: false,
                handled: false,
                last_error: None,
            });
        local.ticket = ticket;
        local.handled |= handled;
    }

    fn open(&self, token: &str) -> Result<Verified, String> {
        let inner = &*self.inner;
        match inner.queue.key() {
            Some(key) => key
                .open_with(token, &inner.providers)
                .map_err(|e| format!("token: {e}")),
            None => crate::dangerous::verified_unchecked_from_json_with(
                token.as_bytes(),
                &inner.providers,
            )
            .map_err(|_| "token: not a delivery".to_owned()),
        }
    }

    /// Settles a processed entry: acknowledges (and deletes) a handled or duplicate one,
    /// schedules a retry with backoff, or moves it to the dead-letter stream with its
    /// last error (a poison entry at once, a failing one after the last attempt). Answers
    /// `Some(true)` when dead-lettered, `Some(false)` when a retry is scheduled.
    ///
    /// # Errors
    ///
    /// [`QueueError::Unavailable`] when Redis cannot be reached; the entry is then retried.
    pub async fn settle(
        &self,
        entry: &Entry,
        processed: Processed,
    ) -> Result<Option<bool>, QueueError> {
        let inner = &*self.inner;
        let slot = (entry.shard, entry.id.clone());
        match processed {
            Processed::Handled | Processed::Duplicate => {
                if let Err(error) = self.ack(entry).await {
                    let mut state = self.state();
                    let local = state.local.entry(slot).or_insert_with(|| Local {
                        entry: entry.clone(),
                        due: Instant::now(),
                        counts: false,
                        ticket: 0,
                        committed: true,
                        handled: true,
                        last_error: None,
                    });
                    local.committed = true;
                    local.counts = false;
                    local.due = Instant::now() + inner.backoff;
                    return Err(error);
                }
                self.state().local.remove(&slot);
                Ok(None)
            }
            Processed::Poison(error) => {
                self.dead_letter(entry, &error).await?;
                Ok(Some(true))
            }
            Processed::Failed(error) if entry.attempt >= inner.max_attempts => {
                tracing::warn!(entry = entry.id, attempts = entry.attempt, %error, "webhook dead-lettered");
                self.dead_letter(entry, &error).await?;
                Ok(Some(true))
            }
            Processed::Failed(error) => {
                tracing::debug!(entry = entry.id, attempt = entry.attempt, %error, "webhook handler failed; will retry");
                self.schedule(entry, true, error);
                Ok(Some(false))
            }
            Processed::Later(error) => {
                tracing::debug!(entry = entry.id, %error, "webhook not handled now; will retry");
                self.schedule(entry, false, error);
                Ok(Some(false))
            }
        }
    }

    fn schedule(&self, entry: &Entry, counts: bool, error: String) {
        let inner = &*self.inner;
        let exp = entry.attempt.saturating_sub(1).min(16);
        let wait = inner
            .backoff
            .saturating_mul(1 << exp)
            .min(inner.max_backoff)
            .min(inner.idle_timeout / 2);
        let mut state = self.state();
        let local = state
            .local
            .entry((entry.shard, entry.id.clone()))
            .or_insert_with(|| Local {
                entry: entry.clone(),
                due: Instant::now(),
                counts,
                ticket: new_ticket(),
                committed: false,
                handled: false,
                last_error: None,
            });
        local.entry.attempt = entry.attempt;
        local.due = Instant::now() + wait;
        local.counts = counts;
        local.last_error = Some(error);
    }

    async fn ack(&self, entry: &Entry) -> Result<(), QueueError> {
        let inner = &*self.inner;
        let mut conn = inner.conn.clone();
        inner
            .ack
            .key(inner.queue.stream_key(entry.shard))
            .arg(inner.queue.group_name())
            .arg(&entry.id)
            .invoke_async::<i64>(&mut conn)
            .await?;
        Ok(())
    }

    async fn dead_letter(&self, entry: &Entry, error: &str) -> Result<(), QueueError> {
        let inner = &*self.inner;
        let mut conn = inner.conn.clone();
        let mut script = inner.dead.prepare_invoke();
        script
            .key(inner.queue.stream_key(entry.shard))
            .key(inner.queue.dead_letter_key(entry.shard))
            .arg(inner.queue.group_name())
            .arg(&entry.id)
            .arg("entry")
            .arg(&entry.id)
            .arg("attempts")
            .arg(entry.attempt)
            .arg("error")
            .arg(error);
        if let Some(key) = &entry.key {
            script.arg("key").arg(key);
        }
        if let Some(token) = &entry.token {
            script.arg("token").arg(token);
        }
        script.invoke_async::<i64>(&mut conn).await?;
        let local = self.state().local.remove(&(entry.shard, entry.id.clone()));
        if let (Some(key), Some(local)) = (&entry.key, local) {
            // A later delivery of it (a provider's retry) is taken again.
            let _ = inner.replay.store().release(key, local.ticket).await;
        }
        Ok(())
    }
}
