//! The replay stores' contract, the same scenarios against every store (`MemoryStore`,
//! and with the `redis` feature `RedisStore` on a real `redis-server` started on a free
//! loopback port), then what only Redis does (namespaces, failing closed, reconnecting).

use std::time::{Duration, Instant};

use webhook_testkit::store_tests;
use webhook_verify::replay::Claim;

const LEASE: Duration = Duration::from_secs(60);
const KEEP: Duration = Duration::from_secs(3600);

store_tests! {
/// Claim, release by a stranger (ignored), release by the holder, commit.
async fn claim_commit_release_semantics(store) {
    let store = store.store();
    assert_eq!(store.claim("a", 1, LEASE).await.unwrap(), Claim::New);
    assert_eq!(store.claim("a", 2, LEASE).await.unwrap(), Claim::InFlight);
    store.release("a", 2).await.unwrap(); // not the holder
    assert_eq!(store.claim("a", 3, LEASE).await.unwrap(), Claim::InFlight);
    store.release("a", 1).await.unwrap();
    assert_eq!(store.claim("a", 4, LEASE).await.unwrap(), Claim::New);
    store.commit("a", 4, KEEP).await.unwrap();
    assert_eq!(store.claim("a", 5, LEASE).await.unwrap(), Claim::Done);
    // Committing or releasing with a stale ticket changes nothing.
    store.release("a", 1).await.unwrap();
    assert_eq!(store.claim("a", 6, LEASE).await.unwrap(), Claim::Done);
}

/// A queue worker takes a listener's claim over with the listener's ticket; a third
/// ticket cannot; a committed key stays done.
async fn claims_are_taken_over_by_their_ticket(store) {
    let store = store.store();
    assert_eq!(store.claim("q", 1, LEASE).await.unwrap(), Claim::New);
    assert_eq!(store.take_over("q", 7, 2, LEASE).await.unwrap(), Claim::InFlight);
    assert_eq!(store.take_over("q", 1, 2, LEASE).await.unwrap(), Claim::New);
    // Taken again by its holder (a retry), never by the old ticket's other workers.
    assert_eq!(store.take_over("q", 1, 2, LEASE).await.unwrap(), Claim::New);
    assert_eq!(store.take_over("q", 1, 3, LEASE).await.unwrap(), Claim::InFlight);
    assert_eq!(store.claim("q", 4, LEASE).await.unwrap(), Claim::InFlight);
    store.release("q", 1).await.unwrap(); // the listener's ticket no longer holds it
    assert_eq!(store.claim("q", 4, LEASE).await.unwrap(), Claim::InFlight);
    store.commit("q", 2, KEEP).await.unwrap();
    assert_eq!(store.take_over("q", 1, 2, LEASE).await.unwrap(), Claim::Done);
    // Nobody holds an unknown key: taken.
    assert_eq!(store.take_over("fresh", 9, 5, LEASE).await.unwrap(), Claim::New);
}

/// A lease and a retention run out; each wait is measured, so the answers come after.
async fn lease_and_retention_expire(store) {
    let store = store.store();
    let started = Instant::now();
    assert_eq!(
        store
            .claim("k", 1, Duration::from_millis(300))
            .await
            .unwrap(),
        Claim::New
    );
    assert_eq!(store.claim("k", 2, LEASE).await.unwrap(), Claim::InFlight);
    assert!(started.elapsed() < Duration::from_millis(300), "the lease was still running");
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(
        store.claim("k", 3, LEASE).await.unwrap(),
        Claim::New,
        "the lease ran out"
    );
    let committed = Instant::now();
    store
        .commit("k", 3, Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(store.claim("k", 4, LEASE).await.unwrap(), Claim::Done);
    assert!(committed.elapsed() < Duration::from_millis(300), "retention was still running");
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(
        store.claim("k", 5, LEASE).await.unwrap(),
        Claim::New,
        "retention ran out"
    );
}

}

store_tests! {
flavor = "multi_thread";
/// Two hundred claims at once, from two worker threads: one is new.
async fn two_hundred_concurrent_claims_have_one_winner(store) {
    let store = store.store();
    let tasks: Vec<_> = (0..200u128)
        .map(|t| {
            let store = std::sync::Arc::clone(&store);
            tokio::spawn(async move { store.claim("same", t, LEASE).await.unwrap() })
        })
        .collect();
    let mut new = 0;
    for t in tasks {
        if t.await.unwrap() == Claim::New {
            new += 1;
        }
    }
    assert_eq!(new, 1);
}
}

/// What only the Redis store does.
#[cfg(feature = "redis")]
mod redis {
    use std::time::Duration;

    use webhook_testkit::RedisServer;
    use webhook_verify::replay::{Begin, Claim, RedisStore, Replay, ReplayStore};

    use super::LEASE;

    #[tokio::test]
    async fn keys_are_namespaced_by_prefix() {
        let server = RedisServer::start();
        let store = RedisStore::connect(&server.url()).await.unwrap();
        assert_eq!(store.claim("a", 1, LEASE).await.unwrap(), Claim::New);
        let other = RedisStore::connect(&server.url())
            .await
            .unwrap()
            .prefix("other:");
        assert_eq!(other.claim("a", 2, LEASE).await.unwrap(), Claim::New);
        assert_eq!(other.claim("a", 3, LEASE).await.unwrap(), Claim::InFlight);
    }

    #[tokio::test]
    async fn unreachable_redis_fails_closed_then_recovers() {
        let mut server = RedisServer::start();
        let replay = Replay::new(RedisStore::connect(&server.url()).await.unwrap());
        let key = || "github:sig:abc".to_owned();
        server.stop();
        let err = replay.begin_key(key()).await.unwrap_err();
        assert_eq!(err.status(), 503);
        assert!(
            err.to_string().starts_with("replay store unavailable"),
            "{err}"
        );
        server.restart();
        // The connection manager reconnects; the delivery is then processed exactly once.
        let mut first = None;
        for _ in 0..50 {
            match replay.begin_key(key()).await {
                Ok(b) => {
                    first = Some(b);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let Some(Begin::New(claim)) = first else {
            panic!("not reconnected")
        };
        claim.commit().await.unwrap();
        assert!(matches!(
            replay.begin_key(key()).await.unwrap(),
            Begin::Done
        ));
    }

    #[tokio::test]
    async fn invalid_url_is_an_error_without_echoing_it() {
        let err = RedisStore::connect("redis://:hunter2@[bad")
            .await
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }
}
