//! What the integration tests share that is specific to axum: configs, signed requests,
//! the apps and a `oneshot` helper. Secrets, `NOW`, verifiers, counting bodies and log
//! capture come from `webhook_testkit`.
#![allow(dead_code)]

pub(crate) mod replay;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Bytes;
use axum::extract::{FromRef, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use http_body_util::BodyExt;
use serde::Deserialize;
use tower::ServiceExt as _;
use webhook_axum::test_helpers::SignedRequest;
use webhook_axum::{VerifiedWebhook, VerifyWebhookLayer, Webhook, WebhookConfig};
use webhook_testkit::{NOW, signing_secret, verifier};
use webhook_verify::{Provider, Verified};

/// The providers exercised everywhere (their secrets are the testkit's).
pub(crate) fn providers() -> [Provider; 6] {
    [
        Provider::STRIPE,
        Provider::STANDARD_WEBHOOKS,
        Provider::GITHUB,
        Provider::SLACK,
        Provider::SHOPIFY,
        Provider::TWILIO,
    ]
}

/// A config around the testkit's verifier for `provider` (its secret, clock at [`NOW`]).
pub(crate) fn config(provider: &Provider) -> WebhookConfig {
    WebhookConfig::new(verifier(provider))
}

/// As [`config`], with a body limit.
pub(crate) fn config_with_limit(provider: &Provider, limit: usize) -> WebhookConfig {
    WebhookConfig::builder(verifier(provider))
        .max_body(limit)
        .build()
}

/// A request to `uri` signed at [`NOW`] with the testkit's signing secret for `provider`
/// (axum's `SignedRequest`: it signs the URL the request is sent to).
pub(crate) fn signed(provider: &Provider, uri: &str, body: impl Into<Bytes>) -> SignedRequest {
    signed_with(provider, &signing_secret(provider), uri, body)
}

/// As [`signed`], with another secret (a wrong key, a rotated one).
pub(crate) fn signed_with(
    provider: &Provider,
    secret: &str,
    uri: &str,
    body: impl Into<Bytes>,
) -> SignedRequest {
    SignedRequest::new(provider, secret)
        .uri(uri)
        .body(body)
        .timestamp(NOW)
}
/// The JSON every handler parses: a required `id` so that "invalid payload" is reachable.
#[derive(Debug, Deserialize)]
pub(crate) struct Payload {
    pub(crate) id: String,
}

/// A JSON body carrying `id`.
pub(crate) fn json_body(id: &str) -> String {
    format!(r#"{{"id":"{id}","type":"test.event","object":"event"}}"#)
}

/// A form body, the way Twilio sends one.
pub(crate) const TWILIO_FORM: &str =
    "Body=Hello&From=%2B15550001111&MessageSid=SM123&To=%2B15550002222";

/// Echoes what the handler saw: the body and the verified id, provider and event type in
/// headers. Tests compare them with what was sent.
fn echo(verified: &Verified, body: Bytes) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-provider",
        HeaderValue::from_str(verified.provider().name()).unwrap(),
    );
    if let Some(id) = verified.id() {
        headers.insert("x-id", HeaderValue::from_str(id).unwrap());
    }
    if let Some(kind) = verified.event_type() {
        headers.insert("x-event-type", HeaderValue::from_str(kind).unwrap());
    }
    (StatusCode::OK, headers, body).into_response()
}

/// Counts handler invocations.
#[derive(Clone, Default)]
pub(crate) struct Calls(pub(crate) Arc<AtomicUsize>);

impl Calls {
    pub(crate) fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The app state: the webhook config, reached through `FromRef`, and a call counter.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) webhook: WebhookConfig,
    pub(crate) calls: Calls,
}

impl FromRef<AppState> for WebhookConfig {
    fn from_ref(state: &AppState) -> Self {
        state.webhook.clone()
    }
}

/// Extractor routes: `/json` (`Webhook<Payload>`, answers the id), `/raw`
/// (`VerifiedWebhook`, echoes), also mounted under `/nested`.
pub(crate) fn extractor_app(config: WebhookConfig, calls: Calls) -> Router {
    let routes = Router::new()
        .route(
            "/json",
            post(|state: axum::extract::State<AppState>, Webhook(p): Webhook<Payload>| async move {
                state.calls.hit();
                p.id
            }),
        )
        .route(
            "/raw",
            post(|state: axum::extract::State<AppState>, VerifiedWebhook(v): VerifiedWebhook| async move {
                state.calls.hit();
                let body = v.body().clone();
                echo(&v, body)
            }),
        );
    Router::new()
        .merge(routes.clone())
        .nest("/nested", routes)
        .with_state(AppState {
            webhook: config,
            calls,
        })
}

/// The same routes behind `VerifyWebhookLayer`, with stock axum extractors after it:
/// `/json` takes `Json<Payload>`, `/raw` takes `Extension<Verified>` and `Bytes`.
pub(crate) fn layer_app(config: WebhookConfig, calls: Calls) -> Router {
    let c1 = calls.clone();
    let c2 = calls;
    Router::new()
        .route(
            "/json",
            post(move |Json(p): Json<Payload>| async move {
                c1.hit();
                p.id
            }),
        )
        .route(
            "/raw",
            post(
                move |Extension(v): Extension<Verified>, body: Bytes| async move {
                    c2.hit();
                    echo(&v, body)
                },
            ),
        )
        .route_layer(VerifyWebhookLayer::new(config))
}

/// Sends one request through `app` in process.
pub(crate) async fn oneshot(app: Router, request: Request) -> (StatusCode, HeaderMap, Bytes) {
    let response = app.oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("response body")
        .to_bytes();
    (status, headers, body)
}
