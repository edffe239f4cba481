//! Replay protection with the Redis store against a real `redis-server` on loopback
//! (started by `webhook_testkit::RedisServer`), over a real socket.
#![cfg(feature = "redis")]

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::replay::*;
use webhook_testkit::RedisServer;
use webhook_verify::replay::{RedisStore, Replay};

async fn redis(server: &RedisServer, prefix: &str) -> Replay {
    let store = RedisStore::connect(&server.url())
        .await
        .expect("redis reachable");
    Replay::new(store.prefix(prefix))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_identical_deliveries_over_http_run_the_handler_once() {
    let server = RedisServer::start();
    for kind in KINDS {
        let script = Script::pausing(Duration::from_millis(50));
        let replay = redis(&server, &format!("storm:{kind:?}:")).await;
        let addr = serve(replay_app(kind, replay_config(replay), script.clone())).await;
        let answers = concurrent(addr, "evt_storm").await;
        check_storm(kind, &script, &answers);
    }
}

#[tokio::test]
async fn duplicate_in_flight_and_failure_retry() {
    let server = RedisServer::start();
    for kind in KINDS {
        let script = Script::holding();
        let replay = redis(&server, &format!("seq:{kind:?}:")).await;
        let addr = serve(replay_app(kind, replay_config(replay), script.clone())).await;
        let client = client();
        let first = tokio::spawn({
            let client = client.clone();
            async move { send(&client, addr, delivery("/hook", "evt_r")).await }
        });
        script.hold().entered.notified().await;
        let (status, headers, body) = send(&client, addr, delivery("/hook", "evt_r")).await;
        assert_eq!(
            (status, &body[..]),
            (StatusCode::CONFLICT, "in progress"),
            "{kind:?}"
        );
        assert_eq!(headers["retry-after"], "60");
        script.hold().release.notify_one();
        assert_eq!(first.await.unwrap().2, HANDLED, "{kind:?}");
        let (status, _, body) = send(&client, addr, delivery("/hook", "evt_r")).await;
        assert_eq!(
            (status, &body[..]),
            (StatusCode::OK, "duplicate"),
            "{kind:?}"
        );

        script.fail_next(1);
        let (status, _, _) = send(&client, addr, delivery("/hook", "evt_r2")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{kind:?}");
        let (status, _, body) = send(&client, addr, delivery("/hook", "evt_r2")).await;
        assert_eq!((status, &body[..]), (StatusCode::OK, HANDLED), "{kind:?}");
        let (status, _, body) = send(&client, addr, delivery("/hook", "evt_r2")).await;
        assert_eq!(
            (status, &body[..]),
            (StatusCode::OK, "duplicate"),
            "{kind:?}"
        );
        assert_eq!((script.entered(), script.handled()), (3, 2), "{kind:?}");
    }
}

#[tokio::test]
async fn redis_down_answers_503_and_the_retry_after_restart_runs_once() {
    for kind in KINDS {
        let mut server = RedisServer::start();
        let script = Script::new();
        let replay = redis(&server, "fault:").await;
        let addr = serve(replay_app(kind, replay_config(replay), script.clone())).await;
        let client = client();

        let (status, _, body) = send(&client, addr, delivery("/hook", "evt_before")).await;
        assert_eq!((status, &body[..]), (StatusCode::OK, HANDLED), "{kind:?}");

        server.stop();
        for id in ["evt_down", "evt_down", "evt_before"] {
            let (status, _, body) = send(&client, addr, delivery("/hook", id)).await;
            assert_eq!(
                (status, &body[..]),
                (StatusCode::SERVICE_UNAVAILABLE, "service unavailable"),
                "{kind:?} {id}: fail closed while Redis is down"
            );
        }
        assert_eq!(
            script.entered(),
            1,
            "{kind:?}: the handler never ran while down"
        );

        server.restart();
        // Poll until the connection manager reconnects: only 503 until then.
        let mut handled = false;
        for _ in 0..150 {
            let (status, _, body) = send(&client, addr, delivery("/hook", "evt_down")).await;
            match (status, body.as_str()) {
                (StatusCode::OK, HANDLED) => {
                    handled = true;
                    break;
                }
                (StatusCode::SERVICE_UNAVAILABLE, "service unavailable") => {}
                other => panic!("{kind:?}: unexpected answer while reconnecting: {other:?}"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(handled, "{kind:?}: reconnected within 30 s");
        for _ in 0..3 {
            let (status, _, body) = send(&client, addr, delivery("/hook", "evt_down")).await;
            assert_eq!(
                (status, &body[..]),
                (StatusCode::OK, "duplicate"),
                "{kind:?}"
            );
        }
        assert_eq!(
            (script.entered(), script.handled()),
            (2, 2),
            "{kind:?}: evt_before once, evt_down exactly once"
        );
    }
}

/// The lease of the lease-expiry test.
const LEASE: Duration = Duration::from_millis(300);

#[tokio::test]
async fn claim_left_in_flight_lets_a_retry_through_after_the_lease() {
    let server = RedisServer::start();
    for kind in KINDS {
        let script = Script::holding();
        let replay = redis(&server, &format!("lease:{kind:?}:"))
            .await
            .lease(LEASE);
        let addr = serve(replay_app(kind, replay_config(replay), script.clone())).await;
        let client = client();
        // Before the first request claims: the lease cannot end before `start + LEASE`.
        let start = Instant::now();
        let stuck = tokio::spawn({
            let client = client.clone();
            async move { send(&client, addr, delivery("/hook", "evt_lease")).await }
        });
        script.hold().entered.notified().await;
        let mut answers = Vec::new();
        let mut through = None;
        for _ in 0..500 {
            let (status, _, body) = send(&client, addr, delivery("/hook", "evt_lease")).await;
            let processed = status == StatusCode::OK;
            answers.push((status, body));
            if processed {
                through = Some(start.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let through = through.expect("a retry got through");
        let (last, before) = answers.split_last().unwrap();
        assert_eq!(
            last.1, HANDLED,
            "{kind:?}: a retry got through after the lease"
        );
        assert!(
            !before.is_empty(),
            "{kind:?}: at least one answer came while the lease lasted"
        );
        assert!(
            through >= LEASE && through < LEASE + Duration::from_secs(10),
            "{kind:?}: through after {through:?}, the lease is {LEASE:?}"
        );
        for (status, body) in before {
            assert_eq!(
                (*status, &body[..]),
                (StatusCode::CONFLICT, "in progress"),
                "{kind:?}"
            );
        }
        assert_eq!((script.entered(), script.handled()), (2, 1), "{kind:?}");
        stuck.abort();
    }
}
