//! Replay protection through the layer and through `Claimed<Webhook<T>>`: in process with
//! `oneshot`, and over a real socket. Every scenario runs on every replay store (memory,
//! and Redis on a `redis-server` of its own) through `store_tests!`; one more is about
//! Redis going down.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use common::replay::*;
use common::{oneshot, signed};
use futures_util::future::join_all;
use webhook_testkit::{NOW, Store};
use webhook_verify::Provider;

/// One delivery through `app` in process: status, `Retry-After`, body.
async fn once(app: &Router, path: &str, id: &str) -> (StatusCode, Option<String>, String) {
    let request = delivery(path, id).build().unwrap();
    let (status, headers, body) = oneshot(app.clone(), request).await;
    let retry_after = headers
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (
        status,
        retry_after,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

// Each scenario in `store_tests!` runs once per store (`memory`, `redis`), on a fresh
// store shared by both kinds: each kind uses event ids of its own.

webhook_testkit::store_tests! {
    async fn duplicate_of_a_handled_delivery_is_acknowledged_without_running_the_handler(store) {
        for kind in KINDS {
            let (dup, other) = (format!("evt_dup_{kind:?}"), format!("evt_other_{kind:?}"));
            let script = Script::new();
            let app = replay_app(kind, replay_config(store.replay()), script.clone());
            let first = once(&app, "/hook", &dup).await;
            assert_eq!(
                first,
                (StatusCode::OK, None, HANDLED.to_owned()),
                "{kind:?}"
            );
            for _ in 0..3 {
                let again = once(&app, "/hook", &dup).await;
                assert_eq!(
                    again,
                    (StatusCode::OK, None, "duplicate".to_owned()),
                    "{kind:?}"
                );
            }
            // Another event is handled.
            let answer = once(&app, "/hook", &other).await;
            assert_eq!(answer.2, HANDLED, "{kind:?}");
            assert_eq!((script.entered(), script.handled()), (2, 2), "{kind:?}");
        }
    }

    async fn a_retry_signed_again_later_is_still_a_duplicate(store) {
        // Stripe's key is the event id in the signed body, so a retry with a new timestamp
        // and signature is recognised.
        for kind in KINDS {
            let id = format!("evt_re_{kind:?}");
            let script = Script::new();
            let app = replay_app(kind, replay_config(store.replay()), script.clone());
            assert_eq!(once(&app, "/hook", &id).await.2, HANDLED);
            let retry = signed(&Provider::STRIPE, "/hook", common::json_body(&id))
                .timestamp(NOW - 30)
                .header("content-type", "application/json")
                .build()
                .unwrap();
            let (status, _, body) = oneshot(app.clone(), retry).await;
            assert_eq!(
                (status, &body[..]),
                (StatusCode::OK, &b"duplicate"[..]),
                "{kind:?}"
            );
            assert_eq!(script.entered(), 1, "{kind:?}");
        }
    }

    async fn duplicate_in_flight_gets_409_with_retry_after(store) {
        for kind in KINDS {
            let id = format!("evt_busy_{kind:?}");
            let script = Script::holding();
            let app = replay_app(kind, replay_config(store.replay()), script.clone());
            let first = tokio::spawn({
                let (app, id) = (app.clone(), id.clone());
                async move { once(&app, "/hook", &id).await }
            });
            script.hold().entered.notified().await;

            let second = once(&app, "/hook", &id).await;
            assert_eq!(
                second,
                (
                    StatusCode::CONFLICT,
                    Some("60".to_owned()),
                    "in progress".to_owned()
                ),
                "{kind:?}: Retry-After is the lease (default 60 s)"
            );
            assert_eq!(script.entered(), 1, "{kind:?}");

            script.hold().release.notify_one();
            assert_eq!(first.await.unwrap().2, HANDLED, "{kind:?}");
            let third = once(&app, "/hook", &id).await;
            assert_eq!(third.2, "duplicate", "{kind:?}");
            assert_eq!((script.entered(), script.handled()), (1, 1), "{kind:?}");
        }
    }

    async fn retry_after_follows_the_lease_rounded_up(store) {
        let script = Script::holding();
        let replay = store.replay().lease(Duration::from_millis(2500));
        let app = replay_app(Kind::Layer, replay_config(replay), script.clone());
        let first = tokio::spawn({
            let app = app.clone();
            async move { once(&app, "/hook", "evt_ra").await }
        });
        script.hold().entered.notified().await;
        let second = once(&app, "/hook", "evt_ra").await;
        assert_eq!(
            (second.0, second.1.as_deref()),
            (StatusCode::CONFLICT, Some("3"))
        );
        script.hold().release.notify_one();
        first.await.unwrap();
    }

    async fn handler_failure_releases_so_the_retry_is_handled(store) {
        for kind in KINDS {
            for path in ["/hook", "/raw"] {
                let id = format!("evt_fail_{kind:?}_{path}");
                let script = Script::new();
                let app = replay_app(kind, replay_config(store.replay()), script.clone());
                script.fail_next(1);
                let first = once(&app, path, &id).await;
                assert_eq!(
                    first.0,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "{kind:?} {path}"
                );
                let retry = once(&app, path, &id).await;
                assert_eq!(
                    retry,
                    (StatusCode::OK, None, HANDLED.to_owned()),
                    "{kind:?} {path}"
                );
                let again = once(&app, path, &id).await;
                assert_eq!(again.2, "duplicate", "{kind:?} {path}");
                assert_eq!(
                    (script.entered(), script.handled()),
                    (2, 1),
                    "{kind:?} {path}: exactly one success recorded"
                );
            }
        }
    }

    async fn a_4xx_from_the_handler_behind_the_layer_releases_too(store) {
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = calls.clone();
        let app = Router::new()
            .route(
                "/hook",
                axum::routing::post(move || {
                    let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    async move {
                        if n == 0 {
                            (StatusCode::UNPROCESSABLE_ENTITY, "not yet")
                        } else {
                            (StatusCode::ACCEPTED, HANDLED)
                        }
                    }
                }),
            )
            .route_layer(webhook_axum::VerifyWebhookLayer::new(replay_config(
                store.replay(),
            )));
        let first = once(&app, "/hook", "evt_422").await;
        assert_eq!(first.0, StatusCode::UNPROCESSABLE_ENTITY);
        // Released: the retry runs; its 202 (any 2xx) commits.
        let retry = once(&app, "/hook", "evt_422").await;
        assert_eq!((retry.0, &retry.2[..]), (StatusCode::ACCEPTED, HANDLED));
        let again = once(&app, "/hook", "evt_422").await;
        assert_eq!((again.0, &again.2[..]), (StatusCode::OK, "duplicate"));
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    async fn commit_happens_before_the_response_goes_out(store) {
        // The very next delivery after a 2xx already sees `duplicate` (no race with a
        // background commit), for both kinds and many events.
        for kind in KINDS {
            let script = Script::new();
            let app = replay_app(kind, replay_config(store.replay()), script.clone());
            for i in 0..50 {
                let id = format!("evt_seq_{kind:?}_{i}");
                assert_eq!(once(&app, "/hook", &id).await.2, HANDLED, "{kind:?}");
                assert_eq!(once(&app, "/hook", &id).await.2, "duplicate", "{kind:?}");
            }
            assert_eq!(script.handled(), 50);
        }
    }

    async fn invalid_payload_claims_nothing(store) {
        for kind in KINDS {
            let script = Script::new();
            let app = replay_app(kind, replay_config(store.replay()), script.clone());
            // Verified, but no `id` field: 400 invalid payload.
            let body = r#"{"type":"x"}"#;
            let bad = || {
                signed(&Provider::STRIPE, "/hook", body)
                    .header("content-type", "application/json")
                    .build()
                    .unwrap()
            };
            // The extractor parses before claiming: `400 invalid payload`. Behind the layer,
            // axum's `Json` answers 422 after the layer's claim, which the layer releases.
            let expected = match kind {
                Kind::Extractor => StatusCode::BAD_REQUEST,
                Kind::Layer => StatusCode::UNPROCESSABLE_ENTITY,
            };
            for attempt in 0..2 {
                let (status, _, text) = oneshot(app.clone(), bad()).await;
                assert_eq!(
                    status, expected,
                    "{kind:?} attempt {attempt}: no claim left behind"
                );
                if kind == Kind::Extractor {
                    assert_eq!(&text[..], b"invalid payload");
                }
            }
            assert_eq!(script.entered(), 0);
        }
    }

    async fn plain_extractors_reuse_the_layer_and_alone_claim_and_commit_at_most_once(store) {
        // Behind the layer (same config), `Webhook<T>` parses the layer's delivery: handled
        // once, then duplicate. A second verification with its own claim would see 409.
        let script = Script::new();
        let app = replay_app(Kind::Layer, replay_config(store.replay()), script.clone());
        assert_eq!(once(&app, "/plain", "evt_p").await.2, HANDLED);
        assert_eq!(once(&app, "/plain", "evt_p").await.2, "duplicate");
        assert_eq!(script.handled(), 1);

        // Alone, the extractor never sees the handler's answer: it claims and commits before
        // the handler runs. Duplicates never reach the handler...
        let script = Script::new();
        let app = replay_app(Kind::Extractor, replay_config(store.replay()), script.clone());
        assert_eq!(
            once(&app, "/plain", "evt_p_alone").await,
            (StatusCode::OK, None, HANDLED.to_owned())
        );
        assert_eq!(
            once(&app, "/plain", "evt_p_alone").await,
            (StatusCode::OK, None, "duplicate".to_owned())
        );
        assert_eq!((script.entered(), script.handled()), (1, 1));

        // ... and a delivery whose handler failed is not handled again: at most once.
        script.fail_next(1);
        let failed = once(&app, "/plain", "evt_q").await;
        assert_eq!(failed.0, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(once(&app, "/plain", "evt_q").await.2, "duplicate");
        assert_eq!((script.entered(), script.handled()), (2, 1));
    }

    async fn cancelled_request_releases_its_claim(store) {
        // The first request never finishes and is dropped (the client went away): its claim
        // is released in the background, long before the 60 s lease.
        for kind in KINDS {
            let id = format!("evt_cancel_{kind:?}");
            let script = Script::holding();
            let app = replay_app(kind, replay_config(store.replay()), script.clone());
            let first = tokio::spawn({
                let (app, id) = (app.clone(), id.clone());
                async move { once(&app, "/hook", &id).await }
            });
            script.hold().entered.notified().await;
            assert_eq!(
                once(&app, "/hook", &id).await.0,
                StatusCode::CONFLICT
            );
            first.abort();
            assert!(first.await.unwrap_err().is_cancelled());

            let mut answer = None;
            for _ in 0..1000 {
                let got = once(&app, "/hook", &id).await;
                if got.0 == StatusCode::OK {
                    answer = Some(got);
                    break;
                }
                assert_eq!(
                    got.0,
                    StatusCode::CONFLICT,
                    "{kind:?}: only 409 before the release"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let answer = answer.expect("released within 10 s");
            assert_eq!(answer.2, HANDLED, "{kind:?}");
            assert_eq!(script.handled(), 1, "{kind:?}");
        }
    }

    async fn handler_panic_releases_so_the_retry_is_handled(store) {
        for kind in KINDS {
            let id = format!("evt_panic_{kind:?}");
            let script = Script::new();
            let addr = serve(replay_app(kind, replay_config(store.replay()), script.clone())).await;
            script.panic_next(1);
            // The panic drops the connection without an answer.
            let sent = client()
                .post(format!("http://{addr}/hook"))
                .headers(reqwest_headers(&delivery("/hook", &id)))
                .body(common::json_body(&id))
                .send()
                .await;
            assert!(sent.is_err(), "{kind:?}: no answer after a panic: {sent:?}");
            // Released in the background: a retry is soon handled, exactly once.
            let client = client();
            let mut handled = false;
            for _ in 0..1000 {
                let (status, _, body) = send(&client, addr, delivery("/hook", &id)).await;
                if status == StatusCode::OK {
                    assert_eq!(body, HANDLED, "{kind:?}");
                    handled = true;
                    break;
                }
                assert_eq!(
                    status,
                    StatusCode::CONFLICT,
                    "{kind:?}: only 409 before the release"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            assert!(
                handled,
                "{kind:?}: released within 10 s, long before the 60 s lease"
            );
            assert_eq!((script.entered(), script.handled()), (2, 1), "{kind:?}");
        }
    }
}

/// The lease of the lease-expiry test.
const LEASE: Duration = Duration::from_millis(300);

/// How a scenario reaches its app: in process, or over a socket.
#[derive(Clone)]
enum Via {
    Oneshot(Router),
    Socket(reqwest::Client, SocketAddr),
}

impl Via {
    /// `app` in process, or served on 127.0.0.1.
    async fn new(app: Router, socket: bool) -> Self {
        if socket {
            Self::Socket(client(), serve(app).await)
        } else {
            Self::Oneshot(app)
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Oneshot(_) => "oneshot",
            Self::Socket(..) => "socket",
        }
    }

    /// One delivery of `id` to `/hook`: status and body text.
    async fn hook(&self, id: &str) -> (StatusCode, String) {
        match self {
            Self::Oneshot(app) => {
                let (status, _, body) = once(app, "/hook", id).await;
                (status, body)
            }
            Self::Socket(client, addr) => {
                let (status, _, body) = send(client, *addr, delivery("/hook", id)).await;
                (status, body)
            }
        }
    }
}

webhook_testkit::store_tests! {
    /// The first handler never completes and its request is never dropped: only the
    /// lease frees the delivery. In process and over a socket, for both kinds.
    async fn claim_left_in_flight_lets_a_retry_through_after_the_lease(store) {
        for kind in KINDS {
            for socket in [false, true] {
                let script = Script::holding();
                let config = replay_config(store.replay().lease(LEASE));
                let via = Via::new(replay_app(kind, config, script.clone()), socket).await;
                let name = via.name();
                let id = format!("evt_lease_{kind:?}_{name}");
                // Before the first request claims: the lease cannot end before
                // `start + LEASE`.
                let start = Instant::now();
                let stuck = tokio::spawn({
                    let (via, id) = (via.clone(), id.clone());
                    async move { via.hook(&id).await }
                });
                script.hold().entered.notified().await;

                let mut answers = Vec::new();
                let mut through = None;
                for _ in 0..1000 {
                    let got = via.hook(&id).await;
                    let processed = got.0 == StatusCode::OK;
                    answers.push(got);
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
                    "{kind:?} {name}: a retry got through after the lease"
                );
                assert!(
                    !before.is_empty(),
                    "{kind:?} {name}: at least one answer came while the lease lasted"
                );
                // The memory store reads the system clock's coarse time (it lags by up to
                // one kernel tick, at most 10 ms) and Redis counts whole milliseconds, so a
                // lease can end up to a tick before `start + LEASE` on the monotonic clock.
                assert!(
                    through + Duration::from_millis(20) >= LEASE
                        && through < LEASE + Duration::from_secs(10),
                    "{kind:?} {name}: through after {through:?}, the lease is {LEASE:?}"
                );
                for (status, body) in before {
                    assert_eq!(
                        (*status, &body[..]),
                        (StatusCode::CONFLICT, "in progress"),
                        "{kind:?} {name}: only 409 while the lease lasts"
                    );
                }
                assert_eq!(
                    (script.entered(), script.handled()),
                    (2, 1),
                    "{kind:?} {name}"
                );
                stuck.abort();
            }
        }
    }

    /// Over a socket: a duplicate in flight gets 409 with `Retry-After`, then `duplicate`
    /// once handled; a failed delivery is released, its retry handled, then `duplicate`.
    async fn socket_in_flight_duplicate_and_failure_retry(store) {
        for kind in KINDS {
            let script = Script::holding();
            let addr = serve(replay_app(kind, replay_config(store.replay()), script.clone())).await;
            let client = client();
            let id = format!("evt_s_{kind:?}");
            let first = tokio::spawn({
                let (client, id) = (client.clone(), id.clone());
                async move { send(&client, addr, delivery("/hook", &id)).await }
            });
            script.hold().entered.notified().await;
            let (status, headers, body) = send(&client, addr, delivery("/hook", &id)).await;
            assert_eq!(
                (status, &body[..]),
                (StatusCode::CONFLICT, "in progress"),
                "{kind:?}"
            );
            assert_eq!(headers["retry-after"], "60", "{kind:?}");
            script.hold().release.notify_one();
            assert_eq!(first.await.unwrap().2, HANDLED, "{kind:?}");
            let (status, _, body) = send(&client, addr, delivery("/hook", &id)).await;
            assert_eq!(
                (status, &body[..]),
                (StatusCode::OK, "duplicate"),
                "{kind:?}"
            );
            assert_eq!((script.entered(), script.handled()), (1, 1), "{kind:?}");

            let id = format!("evt_f_{kind:?}");
            script.fail_next(1);
            let (status, _, _) = send(&client, addr, delivery("/hook", &id)).await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{kind:?}");
            let (status, _, body) = send(&client, addr, delivery("/hook", &id)).await;
            assert_eq!((status, &body[..]), (StatusCode::OK, HANDLED), "{kind:?}");
            let (status, _, body) = send(&client, addr, delivery("/hook", &id)).await;
            assert_eq!(
                (status, &body[..]),
                (StatusCode::OK, "duplicate"),
                "{kind:?}"
            );
            assert_eq!(
                (script.entered(), script.handled()),
                (3, 2),
                "{kind:?}: the failed delivery ran twice and succeeded once"
            );
        }
    }
}

webhook_testkit::store_tests! {
    flavor = "multi_thread";

    /// 200 identical deliveries at once over a socket: the handler runs once.
    async fn concurrent_identical_deliveries_over_http_run_the_handler_once(store) {
        for kind in KINDS {
            let script = Script::pausing(Duration::from_millis(50));
            let addr = serve(replay_app(kind, replay_config(store.replay()), script.clone())).await;
            let answers = concurrent(addr, &format!("evt_storm_{kind:?}")).await;
            check_storm(kind, &script, &answers);
        }
    }

    /// The same storm on `/raw`: `Claimed<VerifiedWebhook>` runs once.
    async fn concurrent_claimed_verified_webhook_over_http_runs_once(store) {
        let script = Script::pausing(Duration::from_millis(50));
        let addr = serve(replay_app(
            Kind::Extractor,
            replay_config(store.replay()),
            script.clone(),
        ))
        .await;
        let client = client();
        let answers =
            join_all((0..200).map(|_| send(&client, addr, delivery("/raw", "evt_raw")))).await;
        let answers: Vec<_> = answers.into_iter().map(|(s, _, b)| (s, b)).collect();
        check_storm(Kind::Extractor, &script, &answers);
    }
}

/// Redis only: the store's server is stopped, then restarted.
#[tokio::test]
async fn redis_down_answers_503_and_the_retry_after_restart_runs_once() {
    for kind in KINDS {
        let mut store = Store::redis().await;
        let script = Script::new();
        let addr = serve(replay_app(
            kind,
            replay_config(store.replay()),
            script.clone(),
        ))
        .await;
        let client = client();

        let (status, _, body) = send(&client, addr, delivery("/hook", "evt_before")).await;
        assert_eq!((status, &body[..]), (StatusCode::OK, HANDLED), "{kind:?}");

        store.server_mut().expect("a Redis store").stop();
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

        store.server_mut().expect("a Redis store").restart();
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

fn reqwest_headers(
    request: &webhook_axum::test_helpers::SignedRequest,
) -> reqwest::header::HeaderMap {
    let mut map = reqwest::header::HeaderMap::new();
    for (name, value) in request.headers().unwrap() {
        map.insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            reqwest::header::HeaderValue::from_str(&value).unwrap(),
        );
    }
    map
}
