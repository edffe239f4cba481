//! One table of deliveries, answered by the axum layer and extractor and by the actix
//! middleware and extractor: every answer (status and body) must match the table, so the
//! two adapters behave identically (DESIGN.md §4).

use actix_web::{App as ActixApp, HttpResponse, test as actix_test, web};
use axum::Router;
use axum::body::Body;
use axum::routing::post;
use http_body_util::BodyExt;
use tower::ServiceExt;
use webhook_testkit::{
    NOW, Store, StoreKind, for_each_store, other_secret, verifier, verifier_secret,
};
use webhook_verify::{Envelope, Event, EventRouter, Provider, SignOptions, Signer};

const LIMIT: usize = 1024;

struct Case {
    name: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Expected answer of the layer / middleware (raw body handler).
    raw: (u16, String),
    /// Expected answer of the typed `Webhook<serde_json::Value>` extractors, and of the
    /// event router mounted with `events(config, router)`.
    typed: (u16, String),
}

fn secret(p: &Provider) -> String {
    verifier_secret(p)
}

fn sign(p: &Provider, secret: &str, body: &[u8], ts: i64) -> Vec<(String, String)> {
    Signer::new(p, secret)
        .unwrap()
        .sign(body, &SignOptions::new().timestamp(ts).id("msg_parity"))
        .unwrap()
}

/// The event router both adapters mount at `/events`: every event type answers `ok`. The
/// type is read from the body's `type` for every provider, so the same bodies route.
fn event_router(p: &Provider) -> EventRouter {
    EventRouter::builder(p.clone())
        .envelope(Envelope::json_pointer("/type").unwrap())
        .on("*", |_: Event| async { Ok::<_, std::io::Error>("ok") })
        .build()
        .unwrap()
}

fn ok() -> (u16, String) {
    (200, "ok".into())
}

fn cases(p: &Provider) -> Vec<Case> {
    let json = br#"{"id":"evt_1","type":"invoice.paid"}"#.to_vec();
    let sig_header = p.signature_header().to_owned();
    let good = sign(p, &secret(p), &json, NOW);
    let mut v = Vec::new();
    let mut case = |name: &str,
                    headers: Vec<(String, String)>,
                    body: Vec<u8>,
                    raw: (u16, String),
                    typed: (u16, String)| {
        v.push(Case {
            name: format!("{p} {name}"),
            headers,
            body,
            raw,
            typed,
        });
    };
    case("valid", good.clone(), json.clone(), ok(), ok());

    let without: Vec<_> = good
        .iter()
        .filter(|(k, _)| *k != sig_header)
        .cloned()
        .collect();
    let missing = (400, format!("missing header {sig_header}"));
    case(
        "missing signature",
        without.clone(),
        json.clone(),
        missing.clone(),
        missing,
    );

    let mut dup = good.clone();
    let other = sign(p, &other_secret(p), &json, NOW);
    dup.push(
        other
            .iter()
            .find(|(k, _)| *k == sig_header)
            .unwrap()
            .clone(),
    );
    let duplicate = (400, format!("duplicate header {sig_header}"));
    case(
        "conflicting duplicate signature",
        dup,
        json.clone(),
        duplicate.clone(),
        duplicate,
    );

    let mut garbled = without.clone();
    garbled.push((
        sig_header.clone(),
        "\u{0}not a signature".replace('\u{0}', ""),
    ));
    let err = webhook_verify::verify(p, secret(p).as_str(), &garbled, json.clone()).unwrap_err();
    assert_eq!(err.status(), 400, "{err}");
    let garbled_answer = (400, err.to_string());
    case(
        "garbled signature",
        garbled,
        json.clone(),
        garbled_answer.clone(),
        garbled_answer,
    );

    let bad = (401, "invalid signature".to_owned());
    case(
        "wrong secret",
        sign(p, &other_secret(p), &json, NOW),
        json.clone(),
        bad.clone(),
        bad.clone(),
    );
    let mut flipped = json.clone();
    flipped[3] ^= 1;
    case(
        "flipped body bit",
        good.clone(),
        flipped,
        bad.clone(),
        bad.clone(),
    );

    if p.has_timestamp() {
        let stale = (401, "timestamp outside tolerance".to_owned());
        case(
            "stale timestamp",
            sign(p, &secret(p), &json, NOW - 301),
            json.clone(),
            stale.clone(),
            stale.clone(),
        );
        if p.default_tolerance().future().is_some() {
            case(
                "future timestamp",
                sign(p, &secret(p), &json, NOW + 301),
                json.clone(),
                stale.clone(),
                stale,
            );
        }
    }

    let invalid = (400, "invalid payload".to_owned());
    case(
        "empty body",
        sign(p, &secret(p), b"", NOW),
        Vec::new(),
        ok(),
        invalid.clone(),
    );
    case(
        "verified, not JSON",
        sign(p, &secret(p), b"not json", NOW),
        b"not json".to_vec(),
        ok(),
        invalid,
    );

    let at_limit = vec![b' '; LIMIT];
    case(
        "body at the limit",
        sign(p, &secret(p), &at_limit, NOW),
        at_limit.clone(),
        ok(),
        (400, "invalid payload".into()),
    );
    let over = vec![b' '; LIMIT + 1];
    let too_large = (413, "payload too large".to_owned());
    case(
        "body one byte over the limit",
        sign(p, &secret(p), &over, NOW),
        over,
        too_large.clone(),
        too_large,
    );
    v
}

async fn axum_answer(p: &Provider, path: &str, case: &Case) -> (u16, String) {
    let config = webhook_axum::WebhookConfig::builder(verifier(p))
        .max_body(LIMIT)
        .build();
    let app = Router::new()
        .route("/layer", post(|| async { "ok" }))
        .layer(webhook_axum::VerifyWebhookLayer::new(config.clone()))
        .merge(
            Router::new()
                .route(
                    "/typed",
                    post(|_: webhook_axum::Webhook<serde_json::Value>| async { "ok" }),
                )
                .with_state(config.clone()),
        )
        .route("/events", webhook_axum::events(config, event_router(p)));
    let mut req = axum::http::Request::post(path);
    for (k, v) in &case.headers {
        req = req.header(k, v);
    }
    let res = app
        .oneshot(req.body(Body::from(case.body.clone())).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn actix_answer(p: &Provider, path: &str, case: &Case) -> (u16, String) {
    let config = webhook_actix::WebhookConfig::builder(verifier(p))
        .max_body(LIMIT)
        .build();
    let app = actix_test::init_service(
        ActixApp::new()
            .app_data(config.clone())
            .service(
                web::resource("/layer")
                    .wrap(webhook_actix::VerifyWebhook::new(config.clone()))
                    .route(web::post().to(|| async { HttpResponse::Ok().body("ok") })),
            )
            .route(
                "/typed",
                web::post().to(|_: webhook_actix::Webhook<serde_json::Value>| async {
                    HttpResponse::Ok().body("ok")
                }),
            )
            .route("/events", webhook_actix::events(config, event_router(p))),
    )
    .await;
    let mut req = actix_test::TestRequest::post().uri(path);
    for (k, v) in &case.headers {
        req = req.append_header((k.as_str(), v.as_str()));
    }
    let res = actix_test::call_service(&app, req.set_payload(case.body.clone()).to_request()).await;
    let status = res.status().as_u16();
    let body = actix_test::read_body(res).await;
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[actix_web::test]
async fn axum_and_actix_answer_every_case_identically() {
    let mut checked = 0;
    for p in [
        Provider::STRIPE,
        Provider::STANDARD_WEBHOOKS,
        Provider::GITHUB,
        Provider::SLACK,
    ] {
        for case in cases(&p) {
            for (path, expected) in [
                ("/layer", &case.raw),
                ("/typed", &case.typed),
                ("/events", &case.typed),
            ] {
                let axum = axum_answer(&p, path, &case).await;
                let actix = actix_answer(&p, path, &case).await;
                assert_eq!(&axum, expected, "axum {path}: {}", case.name);
                assert_eq!(&actix, expected, "actix {path}: {}", case.name);
                checked += 1;
            }
        }
    }
    // 3 entry points x (10 cases per provider, + stale for Stripe, Standard Webhooks and
    // Slack, + future for the last two, which check both ways).
    assert_eq!(checked, 3 * (4 * 10 + 3 + 2));
}

/// With replay protection, a repeated delivery gets the same answer from both adapters:
/// the first is handled, the second acknowledged as `duplicate` without running the handler.
/// Both adapters share one store (a delivery each), in memory and in Redis.
#[actix_web::test]
async fn both_adapters_acknowledge_a_duplicate_alike() {
    let mut stores = Vec::new();
    for_each_store(|store| {
        stores.push(store.kind());
        duplicate_scenario(store)
    })
    .await;
    assert_eq!(stores, [StoreKind::Memory, StoreKind::Redis]);
}

async fn duplicate_scenario(store: Store) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let p = Provider::STRIPE;
    let delivery = |id: &str| {
        let body = format!(r#"{{"id":"{id}","type":"invoice.paid"}}"#).into_bytes();
        let headers = sign(&p, &secret(&p), &body, NOW);
        (headers, body)
    };

    let runs = Arc::new(AtomicUsize::new(0));
    let axum_runs = Arc::clone(&runs);
    let config = webhook_axum::WebhookConfig::builder(verifier(&p))
        .replay(store.replay())
        .build();
    let axum_app = Router::new()
        .route(
            "/",
            post(move || {
                axum_runs.fetch_add(1, Ordering::SeqCst);
                async { "ok" }
            }),
        )
        .layer(webhook_axum::VerifyWebhookLayer::new(config));
    let (headers, body) = delivery("evt_dup_axum");
    let mut axum_answers = Vec::new();
    for _ in 0..2 {
        let mut req = axum::http::Request::post("/");
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        let res = axum_app
            .clone()
            .oneshot(req.body(Body::from(body.clone())).unwrap())
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.into_body().collect().await.unwrap().to_bytes();
        axum_answers.push((status, String::from_utf8(text.to_vec()).unwrap()));
    }

    let actix_runs = Arc::clone(&runs);
    let config = webhook_actix::WebhookConfig::builder(verifier(&p))
        .replay(store.replay())
        .build();
    let app = actix_test::init_service(
        ActixApp::new().service(
            web::resource("/")
                .wrap(webhook_actix::VerifyWebhook::new(config))
                .route(web::post().to(move || {
                    actix_runs.fetch_add(1, Ordering::SeqCst);
                    async { HttpResponse::Ok().body("ok") }
                })),
        ),
    )
    .await;
    let (headers, body) = delivery("evt_dup_actix");
    let mut actix_answers = Vec::new();
    for _ in 0..2 {
        let mut req = actix_test::TestRequest::post().uri("/");
        for (k, v) in &headers {
            req = req.append_header((k.as_str(), v.as_str()));
        }
        let res = actix_test::call_service(&app, req.set_payload(body.clone()).to_request()).await;
        let status = res.status().as_u16();
        let text = actix_test::read_body(res).await;
        actix_answers.push((status, String::from_utf8(text.to_vec()).unwrap()));
    }

    let expected = vec![(200, "ok".to_owned()), (200, "duplicate".to_owned())];
    assert_eq!(axum_answers, expected, "{}", store.kind());
    assert_eq!(actix_answers, expected, "{}", store.kind());
    assert_eq!(
        runs.load(Ordering::SeqCst),
        2,
        "{}: one handler run per framework",
        store.kind()
    );
}
