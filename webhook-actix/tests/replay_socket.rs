//! Replay protection behind a real `HttpServer` on 127.0.0.1, reached with a real HTTP
//! client: 200 concurrent identical deliveries, and Redis going away and coming back.

mod common;

use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer};
use common::*;
use webhook_actix::WebhookConfig;
use webhook_verify::replay::Replay;

/// A server with [`replay_routes`] on an ephemeral port, two workers; its base URL and
/// handle.
fn spawn(config: WebhookConfig, probe: Arc<Probe>) -> (String, ServerHandle) {
    let server =
        HttpServer::new(move || App::new().configure(replay_routes(config.clone(), probe.clone())))
            .workers(2)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://{addr}"), handle)
}

/// Status, `Retry-After` and body of one delivery of message `id`.
async fn deliver(client: &reqwest::Client, url: &str, id: &str) -> (u16, Option<String>, String) {
    let mut req = client.post(url).body(EVENT_BODY);
    for (n, v) in delivery(id) {
        req = req.header(n, v);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = res.text().await.unwrap();
    if status != 200 || body == "duplicate" {
        assert_eq!(content_type.as_deref(), Some("text/plain; charset=utf-8"));
    }
    (status, retry_after, body)
}

/// Sends 200 identical deliveries at once to each processing route: the handler runs once
/// per route, every other answer is 200 `duplicate` or 409 `in progress` + `Retry-After`.
async fn two_hundred_at_once(replay: Replay) {
    let probe = Probe::new();
    // The handler takes a while, so many duplicates arrive while it is in flight.
    probe
        .delay_ms
        .store(50, std::sync::atomic::Ordering::SeqCst);
    // `Retry-After` is the lease.
    let config = replay_config(replay.lease(Duration::from_secs(7)));
    let (base, handle) = spawn(config, probe.clone());
    let client = reqwest::Client::new();
    for path in REPLAY_PATHS {
        let id = format!("burst{path}");
        let url = format!("{base}{path}");
        let answers =
            futures_util::future::join_all((0..200).map(|_| deliver(&client, &url, &id))).await;
        let processed = format!("processed {id}");
        let mut counts = [0usize; 3];
        for answer in &answers {
            match (answer.0, answer.1.as_deref(), answer.2.as_str()) {
                (200, None, body) if body == processed => counts[0] += 1,
                (200, None, "duplicate") => counts[1] += 1,
                (409, Some("7"), "in progress") => counts[2] += 1,
                other => panic!("{path}: unexpected answer {other:?}"),
            }
        }
        assert_eq!(counts[0], 1, "{path}: {counts:?}");
        assert_eq!(counts.iter().sum::<usize>(), 200, "{path}");
        assert_eq!(probe.entries(&id), 1, "{path}: the handler ran once");
        assert_eq!(probe.successes(&id), 1, "{path}");
    }
    assert_eq!(probe.runs(), REPLAY_PATHS.len());
    handle.stop(false).await;
}

#[actix_web::test]
async fn two_hundred_concurrent_identical_deliveries_memory() {
    two_hundred_at_once(Store::memory().replay()).await;
}

#[cfg(feature = "redis")]
#[actix_web::test]
async fn two_hundred_concurrent_identical_deliveries_redis() {
    let store = Store::redis().await;
    two_hundred_at_once(store.replay()).await;
}

#[actix_web::test]
async fn failed_handler_then_retry_over_the_socket() {
    // Every store: in memory, and (feature `redis`) a real `redis-server`.
    for_each_store(|s| async move {
        let probe = Probe::new();
        let (base, handle) = spawn(replay_config(s.replay()), probe.clone());
        let client = reqwest::Client::new();
        for path in REPLAY_PATHS {
            let id = format!("retry{path}");
            let url = format!("{base}{path}");
            probe
                .fail_next
                .store(1, std::sync::atomic::Ordering::SeqCst);
            let (status, _, body) = deliver(&client, &url, &id).await;
            assert_eq!((status, body.as_str()), (500, "handler failed"), "{path}");
            let (status, _, body) = deliver(&client, &url, &id).await;
            assert_eq!((status, body), (200, format!("processed {id}")), "{path}");
            let (status, _, body) = deliver(&client, &url, &id).await;
            assert_eq!((status, body.as_str()), (200, "duplicate"), "{path}");
            assert_eq!(probe.successes(&id), 1, "{path}: exactly one success");
        }
        handle.stop(false).await;
    })
    .await;
}

#[cfg(feature = "redis")]
#[actix_web::test]
async fn redis_down_is_503_and_retries_are_processed_once_it_is_back() {
    let mut store = Store::redis().await;
    let probe = Probe::new();
    let (base, handle) = spawn(replay_config(store.replay()), probe.clone());
    let client = reqwest::Client::new();

    for path in REPLAY_PATHS {
        let (status, _, body) =
            deliver(&client, &format!("{base}{path}"), &format!("before{path}")).await;
        assert_eq!((status, body), (200, format!("processed before{path}")));
    }

    store.server_mut().unwrap().stop();
    for path in REPLAY_PATHS {
        let url = format!("{base}{path}");
        for id in [format!("during{path}"), format!("before{path}")] {
            for _ in 0..3 {
                let (status, retry_after, body) = deliver(&client, &url, &id).await;
                assert_eq!(
                    (status, retry_after, body.as_str()),
                    (503, None, "service unavailable"),
                    "{path} {id}: fail closed"
                );
            }
        }
        assert_eq!(probe.entries(&format!("during{path}")), 0, "{path}");
    }
    let runs_while_down = probe.runs();
    assert_eq!(
        runs_while_down,
        REPLAY_PATHS.len(),
        "no handler ran while Redis was down"
    );

    store.server_mut().unwrap().restart();
    for path in REPLAY_PATHS {
        let url = format!("{base}{path}");
        let id = format!("during{path}");
        // The provider retries until the store answers again.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let got = loop {
            let got = deliver(&client, &url, &id).await;
            if got.0 != 503 || std::time::Instant::now() > deadline {
                break got;
            }
            assert_eq!(got.2, "service unavailable");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!((got.0, got.2), (200, format!("processed {id}")), "{path}");
        let (status, _, body) = deliver(&client, &url, &id).await;
        assert_eq!((status, body.as_str()), (200, "duplicate"), "{path}");
        assert_eq!(probe.entries(&id), 1, "{path}: processed exactly once");
        assert_eq!(probe.successes(&id), 1, "{path}");
    }
    handle.stop(false).await;
}
