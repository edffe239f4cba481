//! `webhook_axum::events`: an `EventRouter` mounted as a route, in process (`oneshot`) and
//! over a real socket (`axum::serve` on 127.0.0.1:0 with reqwest).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{signed, signed_with};
use http_body_util::BodyExt as _;
use serde::Deserialize;
use tower::ServiceExt as _;
use webhook_axum::WebhookConfig;
use webhook_axum::test_helpers::SignedRequest;
use webhook_testkit::verifier;
use webhook_verify::events::{Ack, EventRouter};
use webhook_verify::replay::{MemoryStore, Replay};
use webhook_verify::{Event, Provider};

fn payload(path: &str) -> Vec<u8> {
    let full = format!(
        "{}/../webhook-verify/tests/data/payloads/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

#[derive(Deserialize)]
struct Invoice {
    id: String,
    amount_paid: u64,
}

fn stripe_body(kind: &str, object: &str) -> String {
    format!(r#"{{"id":"evt_{kind}","type":"{kind}","data":{{"object":{object}}}}}"#)
}

/// A Stripe app whose `invoice.paid` handler fails on its first call, with or without a
/// replay store, and a body limit of 4 KiB.
fn stripe_app(replay: bool, calls: Arc<AtomicUsize>) -> Router {
    let router = EventRouter::builder(Provider::STRIPE)
        .on("invoice.paid", move |event: Event<Invoice>| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    return Err(std::io::Error::other("first attempt fails"));
                }
                Ok(Ack::text(format!(
                    "{} {}",
                    event.data().id,
                    event.data().amount_paid
                )))
            }
        })
        .on("invoice.*", |event: Event| async move {
            Ok::<_, std::io::Error>(format!("other invoice event {}", event.name()))
        })
        .build()
        .unwrap();
    let mut config = WebhookConfig::builder(verifier(&Provider::STRIPE)).max_body(4096);
    config = if replay {
        config.replay(Replay::new(MemoryStore::new()))
    } else {
        // Replay protection is on by default: "without" has to be said.
        config.without_replay()
    };
    Router::new().route("/stripe", webhook_axum::events(config.build(), router))
}

/// A Stripe delivery to `/stripe`, signed at `NOW` with the testkit's secret.
fn stripe_request(body: impl Into<String>) -> SignedRequest {
    signed(&Provider::STRIPE, "/stripe", body.into())
}

async fn call(app: &Router, request: SignedRequest) -> (StatusCode, String, Option<String>) {
    let response = app.clone().oneshot(request.build().unwrap()).await.unwrap();
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap(), retry)
}

#[tokio::test]
async fn routes_to_typed_handlers_and_answers_the_status_policy() {
    let calls = Arc::new(AtomicUsize::new(1)); // no failing first attempt here
    let app = stripe_app(false, calls);
    let paid = stripe_body("invoice.paid", r#"{"id":"in_1","amount_paid":500}"#);
    assert_eq!(
        call(&app, stripe_request(paid.clone())).await,
        (StatusCode::OK, "in_1 500".to_owned(), None)
    );
    let created = stripe_body("invoice.created", "{}");
    assert_eq!(
        call(&app, stripe_request(created)).await.1,
        "other invoice event invoice.created"
    );
    // An event type without a route is acknowledged.
    let unknown = stripe_body("brand_new.event", r#"{"anything":[1]}"#);
    assert_eq!(
        call(&app, stripe_request(unknown)).await,
        (StatusCode::OK, String::new(), None)
    );
    // Shape drift: a verified payload that no longer matches the handler's type.
    let drifted = stripe_body("invoice.paid", r#"{"id":"in_1","amount_paid":"5.00"}"#);
    assert_eq!(
        call(&app, stripe_request(drifted)).await,
        (StatusCode::BAD_REQUEST, "invalid payload".to_owned(), None)
    );
    // Verification answers are the config's.
    let wrong = signed_with(&Provider::STRIPE, "whsec_other", "/stripe", paid.clone());
    assert_eq!(
        call(&app, wrong).await.0,
        StatusCode::UNAUTHORIZED,
        "wrong secret"
    );
    let huge = stripe_body(
        "invoice.paid",
        &format!(r#"{{"pad":"{}"}}"#, "x".repeat(5000)),
    );
    let (status, body, _) = call(&app, stripe_request(huge)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload too large")
    );
    let unsigned = Request::post("/stripe").body(Body::from(paid)).unwrap();
    let response = app.clone().oneshot(unsigned).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Only POST is routed.
    let get = Request::get("/stripe").body(Body::empty()).unwrap();
    let response = app.clone().oneshot(get).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn handler_errors_are_500_released_then_committed_then_duplicates() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = stripe_app(true, Arc::clone(&calls));
    let body = stripe_body("invoice.paid", r#"{"id":"in_9","amount_paid":7}"#);
    let request = || stripe_request(body.clone());
    assert_eq!(
        call(&app, request()).await,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal server error".to_owned(),
            None
        )
    );
    // Released: the retry runs the handler again and succeeds; then it is a duplicate.
    assert_eq!(call(&app, request()).await.1, "in_9 7");
    assert_eq!(
        call(&app, request()).await,
        (StatusCode::OK, "duplicate".to_owned(), None)
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn slack_challenges_and_github_actions_over_a_real_socket() {
    let slack = EventRouter::builder(Provider::SLACK)
        .on("app_mention", |_: Event| async {
            Ok::<_, std::io::Error>("mentioned")
        })
        .build()
        .unwrap();
    let github = EventRouter::builder(Provider::GITHUB)
        .on("issues.opened", |e: Event| async move {
            Ok::<_, std::io::Error>(format!("opened #{}", e.data()["issue"]["number"]))
        })
        .on("issues", |e: Event| async move {
            Ok::<_, std::io::Error>(format!("issues, action {}", e.action().unwrap_or("-")))
        })
        .build()
        .unwrap();
    let app = Router::new()
        .route(
            "/slack",
            webhook_axum::events(WebhookConfig::new(verifier(&Provider::SLACK)), slack),
        )
        .route(
            "/github",
            webhook_axum::events(WebhookConfig::new(verifier(&Provider::GITHUB)), github),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let send = |request: SignedRequest| {
        let client = client.clone();
        async move {
            let request = request.base_url(format!("http://{addr}"));
            let mut builder = client.post(request.url());
            for (name, value) in request.headers().unwrap() {
                builder = builder.header(name, value);
            }
            let response = builder
                .body(request.body_bytes().clone())
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, content_type, response.text().await.unwrap())
        }
    };

    let challenge = signed(
        &Provider::SLACK,
        "/slack",
        payload("slack/url_verification.json"),
    );
    assert_eq!(
        send(challenge).await,
        (
            200,
            Some("application/json".to_owned()),
            r#"{"challenge":"valid_challenge_token"}"#.to_owned()
        )
    );
    let mention = signed(
        &Provider::SLACK,
        "/slack",
        payload("slack/event_callback.app_mention.json"),
    );
    assert_eq!(send(mention).await.2, "mentioned");

    for (file, expected) in [
        ("github/issues.opened.json", "opened #"),
        (
            "github/issues.transferred.json",
            "issues, action transferred",
        ),
    ] {
        let request =
            signed(&Provider::GITHUB, "/github", payload(file)).header("X-GitHub-Event", "issues");
        let (status, _, text) = send(request).await;
        assert_eq!(status, 200, "{file}");
        assert!(text.starts_with(expected), "{file}: {text}");
    }
    let tampered = signed_with(
        &Provider::GITHUB,
        "not the secret",
        "/github",
        payload("github/issues.opened.json"),
    )
    .header("X-GitHub-Event", "issues");
    assert_eq!(send(tampered).await.2, "invalid signature");
}

#[test]
fn a_router_for_another_provider_panics_when_the_route_is_built() {
    // Checked once, when the route is put together (like axum's conflicting routes), not
    // answered with a 500 on every delivery.
    let router = EventRouter::builder(Provider::GITHUB).build().unwrap();
    let config = WebhookConfig::new(verifier(&Provider::STRIPE));
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: Router = Router::new().route("/stripe", webhook_axum::events(config, router));
    }));
    let message = built.unwrap_err();
    let message = message
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(
        message.starts_with("webhook_axum::events: ")
            && message.contains("github")
            && message.contains("stripe"),
        "{message}"
    );
}
