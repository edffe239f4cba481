//! The latency of the replay stores, delivery after delivery: `claim` of a fresh key, then
//! `commit`, timed one at a time over `N` sequential deliveries (default 20 000, after
//! 1 000 untimed ones), for the in-memory store and for the Redis store against a local
//! `redis-server` (started on a free loopback port by `webhook-testkit`). Prints one JSON
//! object: p50 and p99 of `claim` alone and of `claim` + `commit` for each store, and of a
//! bare `PING` round trip to the same server, sent (on its own connection) before each
//! Redis delivery: one round trip per call costs about that.
//!
//! Then the Redis store under concurrency (`"concurrent"`): 64 deliveries in flight at
//! once, as a busy endpoint has them. 64 tasks on a multi-thread tokio runtime share one
//! `RedisStore` (one multiplexed connection, as an application shares it between its
//! handlers); each claims then commits fresh keys, `N / 64` (rounded up) deliveries per
//! task after an untimed round, each claim + commit timed. Beside it, 64 tasks sharing one
//! connection of the same kind (a `ConnectionManager`) send as many `PING`s, each timed:
//! what the connection itself costs at that concurrency. Reported: p50 and p99 of each,
//! and the deliveries (and `PING`s) completed per second over the timed round.
//!
//! ```text
//! replay-latency [N]
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use webhook_testkit::RedisServer;
use webhook_verify::replay::{Claim, MemoryStore, RedisStore, ReplayStore};

const WARM_UP: usize = 1_000;
const LEASE: Duration = Duration::from_secs(60);
const RETENTION: Duration = Duration::from_secs(86_400);
/// Deliveries in flight at once in the concurrent measurement.
const TASKS: usize = 64;

/// Nanoseconds of `claim` and of `claim` + `commit`, one pair per delivery, and of the
/// `PING` sent before each delivery when there is a connection to send it on.
struct Samples {
    claim: Vec<u64>,
    claim_commit: Vec<u64>,
    ping: Vec<u64>,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

async fn run(
    store: &dyn ReplayStore,
    mut ping: Option<&mut redis::aio::MultiplexedConnection>,
    run: &str,
    n: usize,
) -> Samples {
    let mut samples = Samples {
        claim: Vec::with_capacity(n),
        claim_commit: Vec::with_capacity(n),
        ping: Vec::with_capacity(n),
    };
    for i in 0..WARM_UP + n {
        if let Some(conn) = ping.as_deref_mut() {
            let start = Instant::now();
            let pong: String = redis::cmd("PING").query_async(conn).await.expect("PONG");
            let elapsed = start.elapsed();
            assert_eq!(pong, "PONG");
            if i >= WARM_UP {
                samples.ping.push(nanos(elapsed));
            }
        }
        let key = format!("stripe:evt_{run}_{i:024}");
        let ticket = i as u128;
        let start = Instant::now();
        let claim = store.claim(&key, ticket, LEASE).await.expect("claimed");
        let claimed = start.elapsed();
        store
            .commit(&key, ticket, RETENTION)
            .await
            .expect("committed");
        let done = start.elapsed();
        assert_eq!(claim, Claim::New, "each key is fresh");
        if i >= WARM_UP {
            samples.claim.push(nanos(claimed));
            samples.claim_commit.push(nanos(done));
        }
    }
    // The store remembers: a retry of the last delivery is a duplicate.
    let last = format!("stripe:evt_{run}_{:024}", WARM_UP + n - 1);
    assert_eq!(
        store.claim(&last, 0, LEASE).await.expect("claimed"),
        Claim::Done
    );
    samples
}

/// The value at percentile `p` (nearest rank) of `v`, sorted in place.
fn percentile(v: &mut [u64], p: f64) -> u64 {
    v.sort_unstable();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

fn summary(s: &mut Samples) -> serde_json::Value {
    json!({
        "claim": { "p50_ns": percentile(&mut s.claim, 50.0), "p99_ns": percentile(&mut s.claim, 99.0) },
        "claim_commit": {
            "p50_ns": percentile(&mut s.claim_commit, 50.0),
            "p99_ns": percentile(&mut s.claim_commit, 99.0),
        },
    })
}

/// Runs `TASKS` tasks at once on the current (multi-thread) runtime, task `t` awaiting
/// `op(t, i)` for `i` in `0..per_task`, each call timed. All tasks start together (a
/// barrier); returns the times and the wall time from the start to the last task's end.
async fn concurrently<F, Fut>(per_task: usize, op: F) -> (Vec<u64>, Duration)
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let op = Arc::new(op);
    let start = Arc::new(tokio::sync::Barrier::new(TASKS + 1));
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (op, start) = (Arc::clone(&op), Arc::clone(&start));
            tokio::spawn(async move {
                let mut times = Vec::with_capacity(per_task);
                start.wait().await;
                for i in 0..per_task {
                    let begin = Instant::now();
                    op(task, i).await;
                    times.push(nanos(begin.elapsed()));
                }
                times
            })
        })
        .collect();
    start.wait().await;
    let begin = Instant::now();
    let mut times = Vec::with_capacity(TASKS * per_task);
    for task in tasks {
        times.extend(task.await.expect("a task ran to its end"));
    }
    (times, begin.elapsed())
}

/// p50 and p99 of `times`.
fn quantiles(times: &mut [u64]) -> serde_json::Value {
    json!({ "p50_ns": percentile(times, 50.0), "p99_ns": percentile(times, 99.0) })
}

/// The Redis store with `TASKS` deliveries in flight, beside `PING` at the same
/// concurrency; `n` timed calls of each (rounded up to a multiple of `TASKS`).
async fn concurrent(url: &str, n: usize) -> serde_json::Value {
    let per_task = n.div_ceil(TASKS);
    let warm_up = (WARM_UP / TASKS).max(1);

    let store = RedisStore::connect(url)
        .await
        .expect("redis-server reachable");
    let deliver = |round: &'static str| {
        let store = store.clone();
        move |task: usize, i: usize| {
            let store = store.clone();
            async move {
                let key = format!("stripe:evt_concurrent_{round}_{task:02}_{i:020}");
                let ticket = (task * 1_000_000_000 + i) as u128;
                let claim = store.claim(&key, ticket, LEASE).await.expect("claimed");
                assert_eq!(claim, Claim::New, "each key is fresh");
                store
                    .commit(&key, ticket, RETENTION)
                    .await
                    .expect("committed");
            }
        }
    };
    concurrently(warm_up, deliver("warm_up")).await;
    let (mut claim_commit, elapsed) = concurrently(per_task, deliver("timed")).await;
    let deliveries_per_s = claim_commit.len() as f64 / elapsed.as_secs_f64();

    let client = redis::Client::open(url).expect("a redis URL");
    let conn = redis::aio::ConnectionManager::new(client)
        .await
        .expect("a connection");
    let ping = || {
        let conn = conn.clone();
        move |task: usize, i: usize| {
            let mut conn = conn.clone();
            async move {
                let pong: String = redis::cmd("PING")
                    .query_async(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("PING {task}/{i}: {e}"));
                assert_eq!(pong, "PONG");
            }
        }
    };
    concurrently(warm_up, ping()).await;
    let (mut pings, ping_elapsed) = concurrently(per_task, ping()).await;
    let pings_per_s = pings.len() as f64 / ping_elapsed.as_secs_f64();

    json!({
        "tasks": TASKS,
        "worker_threads": std::thread::available_parallelism().map_or(1, usize::from),
        "deliveries": claim_commit.len(),
        "warm_up": warm_up * TASKS,
        "claim_commit": quantiles(&mut claim_commit),
        "ping": quantiles(&mut pings),
        "deliveries_per_s": deliveries_per_s.round(),
        "pings_per_s": pings_per_s.round(),
    })
}

fn main() {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().expect("N: a number of deliveries"),
        None => 20_000,
    };
    assert!(n > 0, "N must be positive");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let server = RedisServer::start();
    let out = rt.block_on(async {
        let mut memory = run(&MemoryStore::new(), None, "memory", n).await;

        let store = RedisStore::connect(&server.url())
            .await
            .expect("redis-server reachable");
        let client = redis::Client::open(server.url()).expect("a redis URL");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("a connection");
        let mut redis_samples = run(&store, Some(&mut conn), "redis", n).await;
        let redis_version: String = redis::cmd("INFO")
            .arg("server")
            .query_async::<String>(&mut conn)
            .await
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|l| l.strip_prefix("redis_version:"))
                    .map(|v| v.trim().to_owned())
            })
            .unwrap_or_default();
        json!({
            "deliveries": n,
            "warm_up": WARM_UP,
            "memory": summary(&mut memory),
            "redis": summary(&mut redis_samples),
            "redis_version": redis_version,
            "redis_ping": {
                "p50_ns": percentile(&mut redis_samples.ping, 50.0),
                "p99_ns": percentile(&mut redis_samples.ping, 99.0),
            },
        })
    });
    drop(rt);
    // A runtime of its own with a worker thread per core, as a server has.
    let concurrent = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(concurrent(&server.url(), n));
    let mut out = out;
    out["concurrent"] = concurrent;
    println!("{out}");
}
