//! The latency of the replay stores, delivery after delivery: `claim` of a fresh key, then
//! `commit`, timed one at a time over `N` sequential deliveries (default 20 000, after
//! 1 000 untimed ones), for the in-memory store and for the Redis store against a local
//! `redis-server` (started on a free loopback port by `webhook-testkit`). Prints one JSON
//! object: p50 and p99 of `claim` alone and of `claim` + `commit` for each store, and of a
//! bare `PING` round trip to the same server, sent (on its own connection) before each
//! Redis delivery: one round trip per call costs about that.
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
    println!("{out}");
}
