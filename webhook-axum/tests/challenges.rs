//! Handshake challenges through every way of mounting a webhook route (the `Webhook<T>`
//! extractor on an `any` route, `events`, the layer), in process (`Router::oneshot`) and
//! over a real socket (`axum::serve` on 127.0.0.1:0, reqwest): each genuine one answered
//! by the core, each forged one refused with the status policy's answer, never reaching
//! the handler and never touching the replay store.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request};
use axum::routing::any;
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;
use webhook_axum::{VerifyWebhookLayer, Webhook, WebhookConfig};
use webhook_testkit::handshake::{Case, CountingStore, cases};
use webhook_verify::{Event, EventRouter};

/// The routes a handshake must be answered on, each with a handler that counts its calls.
fn app(config: &WebhookConfig, case: &Case, calls: &Arc<AtomicUsize>) -> Router {
    let extractor = {
        let calls = calls.clone();
        any(move |Webhook(_): Webhook<serde_json::Value>| async move {
            calls.fetch_add(1, Ordering::SeqCst);
            "handled"
        })
    };
    let layered = {
        let calls = calls.clone();
        any(move || async move {
            calls.fetch_add(1, Ordering::SeqCst);
            "handled"
        })
    };
    let routed = {
        let calls = calls.clone();
        EventRouter::builder(case.provider.clone())
            .fallback(move |_: Event| {
                let calls = calls.clone();
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, std::io::Error>(())
                }
            })
            .build()
            .unwrap()
    };
    Router::new()
        .nest(
            "/x",
            Router::new()
                .route("/hook", extractor)
                .with_state(config.clone()),
        )
        .nest(
            "/l",
            Router::new()
                .route("/hook", layered)
                .layer(VerifyWebhookLayer::new(config.clone())),
        )
        .nest(
            "/e",
            Router::new().route("/hook", webhook_axum::events(config.clone(), routed)),
        )
}

fn check(case: &Case, mount: &str, status: u16, headers: &HeaderMap, body: &[u8]) {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    case.check(status, content_type, header, body)
        .unwrap_or_else(|e| panic!("{mount}: {e}"));
}

#[tokio::test]
async fn handshakes_in_process() {
    for case in cases() {
        let store = CountingStore::default();
        let config = WebhookConfig::from(case.receiver(store.replay()));
        let calls = Arc::new(AtomicUsize::new(0));
        let app = app(&config, &case, &calls);
        for mount in ["/x", "/l", "/e"] {
            let mut request = Request::builder()
                .method(case.method)
                .uri(format!("{mount}{}", case.path_and_query));
            for (name, value) in &case.headers {
                request = request.header(name, value);
            }
            let request = request.body(Body::from(case.body.clone())).unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            check(&case, mount, status, &headers, &body);
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "{}: a handler ran",
            case.name
        );
        assert_eq!(store.calls(), 0, "{}: the replay store was used", case.name);
    }
}

#[tokio::test]
async fn handshakes_over_a_real_socket() {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    for case in cases() {
        let store = CountingStore::default();
        let config = WebhookConfig::from(case.receiver(store.replay()));
        let calls = Arc::new(AtomicUsize::new(0));
        let app = app(&config, &case, &calls);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        for mount in ["/x", "/l", "/e"] {
            let url = format!("http://{addr}{mount}{}", case.path_and_query);
            let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
            let mut request = client.request(method, url).body(case.body.clone());
            for (name, value) in &case.headers {
                request = request.header(name, value);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let mut headers = HeaderMap::new();
            for (name, value) in response.headers() {
                headers.insert(
                    name.as_str().parse::<http::HeaderName>().unwrap(),
                    value.to_str().unwrap().parse().unwrap(),
                );
            }
            let body = response.bytes().await.unwrap();
            check(&case, mount, status, &headers, &body);
        }
        server.abort();
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "{}: a handler ran",
            case.name
        );
        assert_eq!(store.calls(), 0, "{}: the replay store was used", case.name);
    }
}

/// A delivery after the handshake still reaches the handler on the same routes.
#[tokio::test]
async fn deliveries_still_reach_the_handler() {
    use webhook_testkit::{NOW, signed};
    let case = cases()
        .into_iter()
        .find(|c| c.name == "meta subscribe")
        .unwrap();
    let store = CountingStore::default();
    let config = WebhookConfig::from(case.receiver(store.replay()));
    let calls = Arc::new(AtomicUsize::new(0));
    let app = app(&config, &case, &calls);
    for (i, mount) in ["/x", "/l", "/e"].into_iter().enumerate() {
        let body = format!(r#"{{"object":"page","entry":[{{"id":"{i}"}}]}}"#);
        let delivery = signed(&case.provider, body.as_bytes(), NOW);
        let mut request = Request::builder()
            .method("POST")
            .uri(format!("{mount}/hook"));
        for (name, value) in &delivery.headers {
            request = request.header(name, value);
        }
        let request = request.body(Body::from(delivery.body.clone())).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{mount}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(store.calls() > 0);
}
