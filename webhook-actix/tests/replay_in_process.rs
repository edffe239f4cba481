//! Replay protection driven in process with `actix_web::test`: duplicates, deliveries in
//! flight, failed handlers, cancelled requests, lease expiry and misconfiguration, for the
//! middleware and the `Claimed` extractor, over the in-memory store and a real Redis (the
//! testkit's `for_each_store`).

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_http::Request;
use actix_web::App;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::{self, TestRequest};
use common::*;
use webhook_actix::WebhookConfig;

/// Status, `Retry-After`, body; asserts error and duplicate bodies are `text/plain`.
async fn send<S, B>(app: &S, req: Request) -> (u16, Option<String>, String)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req).await;
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    if status != 200 || body == "duplicate" {
        assert_eq!(
            content_type.as_deref(),
            Some("text/plain; charset=utf-8"),
            "{status} {body}"
        );
    }
    (status, retry_after, body)
}

fn post(path: &str, id: &str) -> Request {
    delivery(id)
        .into_iter()
        .fold(TestRequest::post().uri(path), |r, h| r.append_header(h))
        .set_payload(EVENT_BODY)
        .to_request()
}

fn processed(id: &str) -> (u16, Option<String>, String) {
    (200, None, format!("processed {id}"))
}

fn duplicate() -> (u16, Option<String>, String) {
    (200, None, "duplicate".to_owned())
}

/// 409 with the default `Retry-After`: the lease (60 s).
fn in_progress() -> (u16, Option<String>, String) {
    in_progress_after("60")
}

fn in_progress_after(secs: &str) -> (u16, Option<String>, String) {
    (409, Some(secs.to_owned()), "in progress".to_owned())
}

#[actix_web::test]
async fn processed_duplicate_is_acknowledged_without_running_the_handler() {
    for_each_store(|s| async move {
        let store = s.kind();
        let replay = s.replay();
        let probe = Probe::new();
        let app = test::init_service(
            App::new().configure(replay_routes(replay_config(replay), probe.clone())),
        )
        .await;
        for path in REPLAY_PATHS {
            let id = format!("dup{path}");
            assert_eq!(
                send(&app, post(path, &id)).await,
                processed(&id),
                "{store} {path}"
            );
            for _ in 0..3 {
                assert_eq!(
                    send(&app, post(path, &id)).await,
                    duplicate(),
                    "{store} {path}"
                );
            }
            assert_eq!(probe.entries(&id), 1, "{store} {path}");
        }
        // A retry of an already processed delivery, sent to another route of the same store,
        // is the same delivery.
        assert_eq!(send(&app, post("/claimed", "dup/mw")).await, duplicate());
        assert_eq!(probe.runs(), REPLAY_PATHS.len(), "{store}");
    })
    .await;
}

#[actix_web::test]
async fn duplicate_in_flight_gets_409_with_retry_after() {
    for_each_store(|s| async move {
        let store = s.kind();
        let replay = s.replay();
        let probe = Probe::new();
        let app = test::init_service(
            App::new().configure(replay_routes(replay_config(replay), probe.clone())),
        )
        .await;
        for path in REPLAY_PATHS {
            let id = format!("inflight{path}");
            probe.hold_next.store(true, Ordering::SeqCst);
            let before = probe.runs();
            let first = send(&app, post(path, &id));
            let second = async {
                probe.wait_runs(before + 1).await;
                let got = send(&app, post(path, &id)).await;
                probe.gate.notify_one();
                got
            };
            let (first, second) = tokio::join!(first, second);
            assert_eq!(first, processed(&id), "{store} {path}");
            assert_eq!(second, in_progress(), "{store} {path}");
            assert_eq!(
                send(&app, post(path, &id)).await,
                duplicate(),
                "{store} {path}"
            );
            assert_eq!(probe.entries(&id), 1, "{store} {path}");
        }
    })
    .await;
}

#[actix_web::test]
async fn failed_handler_releases_so_the_retry_is_processed() {
    for_each_store(|s| async move {
        let store = s.kind();
        let replay = s.replay();
        let probe = Probe::new();
        let app = test::init_service(
            App::new().configure(replay_routes(replay_config(replay), probe.clone())),
        )
        .await;
        for path in REPLAY_PATHS {
            let id = format!("fail{path}");
            probe.fail_next.store(1, Ordering::SeqCst);
            let (status, _, body) = send(&app, post(path, &id)).await;
            assert_eq!(
                (status, body.as_str()),
                (500, "handler failed"),
                "{store} {path}"
            );
            assert_eq!(
                send(&app, post(path, &id)).await,
                processed(&id),
                "{store} {path}"
            );
            assert_eq!(
                send(&app, post(path, &id)).await,
                duplicate(),
                "{store} {path}"
            );
            assert_eq!(probe.entries(&id), 2, "{store} {path}");
            assert_eq!(
                probe.successes(&id),
                1,
                "{store} {path}: exactly one success"
            );
        }
    })
    .await;
}

#[actix_web::test]
async fn cancelled_request_releases_its_claim() {
    for_each_store(|s| async move {
        let store = s.kind();
        let replay = s.replay();
        let probe = Probe::new();
        let app = test::init_service(
            App::new().configure(replay_routes(replay_config(replay), probe.clone())),
        )
        .await;
        for path in REPLAY_PATHS {
            let id = format!("cancel{path}");
            probe.hold_next.store(true, Ordering::SeqCst);
            let before = probe.runs();
            {
                let mut first = Box::pin(send(&app, post(path, &id)));
                tokio::select! {
                    got = &mut first => panic!("{store} {path}: finished while held: {got:?}"),
                    () = probe.wait_runs(before + 1) => {}
                }
                // The client went away: actix drops the request's future.
            }
            // The claim is released in the background, not committed: the retry runs the
            // handler (well before the 60 s lease could expire).
            let mut got = send(&app, post(path, &id)).await;
            for _ in 0..100 {
                if got != in_progress() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                got = send(&app, post(path, &id)).await;
            }
            assert_eq!(got, processed(&id), "{store} {path}");
            assert_eq!(probe.successes(&id), 1, "{store} {path}");
            assert_eq!(probe.entries(&id), 2, "{store} {path}");
        }
    })
    .await;
}

#[actix_web::test]
async fn lease_expiry_lets_a_retry_through() {
    for_each_store(|s| async move {
        let store = s.kind();
        let replay = s.replay().lease(Duration::from_millis(300));
        let probe = Probe::new();
        let app = test::init_service(
            App::new().configure(replay_routes(replay_config(replay), probe.clone())),
        )
        .await;
        for path in REPLAY_PATHS {
            let id = format!("lease{path}");
            probe.hold_next.store(true, Ordering::SeqCst);
            let before = probe.runs();
            let first = send(&app, post(path, &id));
            let retries = async {
                probe.wait_runs(before + 1).await;
                let claimed = std::time::Instant::now();
                // The first is stuck (as if its worker hung): its claim blocks retries...
                let early = send(&app, post(path, &id)).await;
                let early_after = claimed.elapsed();
                // ...until the lease runs out.
                tokio::time::sleep(Duration::from_millis(450)).await;
                let late = send(&app, post(path, &id)).await;
                let late_after = claimed.elapsed();
                probe.gate.notify_one();
                (early, early_after, late, late_after)
            };
            let (first, (early, early_after, late, late_after)) = tokio::join!(first, retries);
            // Both retries were answered (compared below), the late one only once the
            // 300 ms lease had run out.
            assert!(
                early_after < late_after && late_after >= Duration::from_millis(300),
                "{store} {path}: {early_after:?} {late_after:?}"
            );
            // Retry-After is the 300 ms lease, rounded up.
            assert_eq!(early, in_progress_after("1"), "{store} {path}");
            assert_eq!(late, processed(&id), "{store} {path}: the lease expired");
            assert_eq!(first, processed(&id), "{store} {path}");
            assert_eq!(probe.entries(&id), 2, "{store} {path}");
            assert_eq!(
                send(&app, post(path, &id)).await,
                duplicate(),
                "{store} {path}"
            );
        }
    })
    .await;
}

/// `Webhook<T>` alone claims and commits before the handler runs: duplicates never reach
/// it, and a delivery reaches it at most once (a retry after a failure is a duplicate).
#[actix_web::test]
async fn plain_extractor_alone_handles_each_delivery_at_most_once() {
    let probe = Probe::new();
    let app = test::init_service(App::new().configure(replay_routes(
        replay_config(Store::memory().replay()),
        probe.clone(),
    )))
    .await;
    assert_eq!(
        send(&app, post("/plain", "plain")).await,
        processed("plain")
    );
    assert_eq!(send(&app, post("/plain", "plain")).await, duplicate());
    probe.fail_next.store(1, Ordering::SeqCst);
    let (status, _, body) = send(&app, post("/plain", "plain-fails")).await;
    assert_eq!((status, body.as_str()), (500, "handler failed"));
    assert_eq!(send(&app, post("/plain", "plain-fails")).await, duplicate());
    assert_eq!(probe.entries("plain"), 1);
    assert_eq!(probe.entries("plain-fails"), 1);
}

/// Without replay protection, `Claimed` gets an inert claim (committing it does nothing)
/// and the handler answers 200, every time.
#[actix_web::test]
async fn claimed_without_replay_is_an_inert_claim() {
    let probe = Probe::new();
    let config = WebhookConfig::builder(standard()).without_replay().build();
    let app = test::init_service(App::new().configure(replay_routes(config, probe.clone()))).await;
    for path in ["/inert", "/mw-claimed"] {
        let id = format!("no-replay{path}");
        for _ in 0..2 {
            assert_eq!(send(&app, post(path, &id)).await, processed(&id), "{path}");
        }
        assert_eq!(probe.entries(&id), 2, "{path}");
    }
    // The other routes too: every delivery is handled.
    for _ in 0..2 {
        assert_eq!(send(&app, post("/mw", "m")).await, processed("m"));
        assert_eq!(send(&app, post("/plain", "p")).await, processed("p"));
    }
    assert_eq!((probe.entries("m"), probe.entries("p")), (2, 2));
}

/// The default configuration (`WebhookConfig::new`) deduplicates: the same GitHub delivery
/// (no signed timestamp) sent twice runs the handler once; the second answer is 200
/// `duplicate`. On every kind of route.
#[actix_web::test]
async fn default_config_deduplicates_a_github_delivery() {
    use actix_web::{HttpResponse, web};
    use std::sync::atomic::AtomicUsize;
    use webhook_actix::test_helpers::SignedRequest;
    use webhook_actix::{Claimed, VerifiedWebhook, VerifyWebhook, Webhook};
    use webhook_verify::Provider;

    static RUNS: AtomicUsize = AtomicUsize::new(0);
    fn run() -> HttpResponse {
        RUNS.fetch_add(1, Ordering::SeqCst);
        HttpResponse::Ok().body("handled")
    }
    let config = WebhookConfig::new(verifier(&Provider::GITHUB));
    let router = webhook_actix::EventRouter::builder(Provider::GITHUB)
        .on("issues.opened", |_: webhook_actix::Event| async {
            RUNS.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>("handled")
        })
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .app_data(config.clone())
            .route(
                "/plain",
                web::post().to(|_: Webhook<serde_json::Value>| async { run() }),
            )
            .route(
                "/claimed",
                web::post().to(|Claimed(_, claim): Claimed<VerifiedWebhook>| async move {
                    let response = run();
                    claim.commit().await.unwrap();
                    response
                }),
            )
            .service(
                web::resource("/mw")
                    .wrap(VerifyWebhook::new(config.clone()))
                    .route(web::post().to(|| async { run() })),
            )
            .route("/events", webhook_actix::events(config, router)),
    )
    .await;
    for path in ["/plain", "/claimed", "/mw", "/events"] {
        let before = RUNS.load(Ordering::SeqCst);
        let request = || {
            SignedRequest::new(&Provider::GITHUB, GITHUB_SECRET)
                .timestamp(NOW)
                .uri(path)
                .header("X-GitHub-Event", "issues")
                .body(format!(r#"{{"action":"opened","path":"{path}"}}"#))
                .build()
                .unwrap()
                .to_request()
        };
        assert_eq!(
            send(&app, request()).await,
            (200, None, "handled".to_owned()),
            "{path}"
        );
        assert_eq!(send(&app, request()).await, duplicate(), "{path}");
        assert_eq!(RUNS.load(Ordering::SeqCst), before + 1, "{path}");
    }
}

#[actix_web::test]
async fn refusals_happen_before_claiming() {
    // A tampered or unparsable delivery never takes a claim: the genuine one is processed.
    let probe = Probe::new();
    let replay = Store::memory().replay();
    let app = test::init_service(
        App::new().configure(replay_routes(replay_config(replay.clone()), probe.clone())),
    )
    .await;
    for path in REPLAY_PATHS {
        let id = format!("refused{path}");
        let tampered = delivery(&id)
            .into_iter()
            .fold(TestRequest::post().uri(path), |r, h| r.append_header(h))
            .set_payload(r#"{"id":"evt_2","type":"invoice.paid"}"#)
            .to_request();
        let (status, _, body) = send(&app, tampered).await;
        assert_eq!(
            (status, body.as_str()),
            (401, "invalid signature"),
            "{path}"
        );
        assert_eq!(send(&app, post(path, &id)).await, processed(&id), "{path}");
    }
    // The testkit's signer: id `SIGNED_ID`, used by no delivery above.
    let id = SIGNED_ID;
    let headers = signed(&webhook_verify::Provider::STANDARD_WEBHOOKS, b"[1]", NOW).headers;
    let req = headers
        .into_iter()
        .fold(TestRequest::post().uri("/claimed"), |r, h| {
            r.append_header(h)
        })
        .set_payload("[1]")
        .to_request();
    let (status, _, body) = send(&app, req).await;
    assert_eq!((status, body.as_str()), (400, "invalid payload"));
    // No claim was left behind for it.
    let headers = delivery(id);
    let verified = standard()
        .verify(&webhook_verify::Delivery::new(
            &headers,
            EVENT_BODY.as_bytes().to_vec(),
        ))
        .unwrap();
    assert!(matches!(
        replay.begin(&verified).await.unwrap(),
        webhook_verify::replay::Begin::New(_)
    ));
    assert_eq!(probe.entries(id), 0);
}
