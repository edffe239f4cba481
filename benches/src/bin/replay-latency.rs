//! The latency of the replay stores, delivery after delivery: `claim` of a fresh key, then
//! `commit`, timed one at a time over `N` sequential deliveries (default 20 000, after
//! 1 000 untimed ones), for the in-memory store and for the Redis store against a local
//! `redis-server` (started on a free loopback port by `webhook-testkit`). Prints one JSON
//! object: p50 and p99 of `claim` alone and of `claim` + `commit` for each store, and the
//! Redis commands the server processed per store call (1 = one round trip per call).
//!
//! ```text
//! replay-latency [N]
//! ```

use std::time::{Duration, Instant};

use serde_json::json;
use webhook_testkit::RedisServer;
use webhook_verify::replay::{Claim, MemoryStore, RedisStore, ReplayStore};

const WARM_UP: usize = 1_000;
const LEASE: Duration = Duration::from_secs(60);
const RETENTION: Duration = Duration::from_secs(86_400);

/// Nanoseconds of `claim` and of `claim` + `commit`, one pair per delivery.
struct Samples {
    claim: Vec<u64>,
    claim_commit: Vec<u64>,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

async fn run(store: &dyn ReplayStore, run: &str, n: usize) -> Samples {
    let mut samples = Samples {
        claim: Vec::with_capacity(n),
        claim_commit: Vec::with_capacity(n),
    };
    for i in 0..WARM_UP + n {
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

async fn commands_processed(conn: &mut redis::aio::MultiplexedConnection) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("stats")
        .query_async(conn)
        .await
        .expect("INFO stats");
    info.lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("total_commands_processed in INFO stats")
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
        let mut memory = run(&MemoryStore::new(), "memory", n).await;

        let store = RedisStore::connect(&server.url())
            .await
            .expect("redis-server reachable");
        let client = redis::Client::open(server.url()).expect("a redis URL");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("a connection");
        let before = commands_processed(&mut conn).await;
        let mut redis_samples = run(&store, "redis", n).await;
        let after = commands_processed(&mut conn).await;
        // Store calls made: claim + commit per delivery, and the duplicate check. The INFO
        // call is counted once. Script loading (first EVALSHA answered NOSCRIPT) adds 1-2.
        let calls = 2 * (WARM_UP + n) + 1;
        let commands = after - before - 1;

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
            "redis_store_calls": calls,
            "redis_commands_processed": commands,
        })
    });
    println!("{out}");
}
