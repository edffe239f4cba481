//! Fixtures shared by the integration tests: secrets, configs, apps, counting bodies.
#![allow(dead_code)]

pub(crate) mod replay;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use serde::Deserialize;
use tower::ServiceExt as _;
use webhook_axum::test_helpers::SignedRequest;
use webhook_axum::{VerifiedWebhook, VerifyWebhookLayer, Webhook, WebhookConfig};
use webhook_verify::{FixedClock, Provider, Verified, Verifier};

/// The instant every test delivery is signed at, and every verifier's clock reads.
pub(crate) const NOW: i64 = 1_700_000_000;

pub(crate) const STRIPE_SECRET: &str = "whsec_test_secret";
pub(crate) const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
pub(crate) const GITHUB_SECRET: &str = "It's a Secret to Everybody";
pub(crate) const SLACK_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub(crate) const TWILIO_SECRET: &str = "12345";
pub(crate) const SHOPIFY_SECRET: &str = "shpss_test";

/// The providers exercised everywhere, with their secrets.
pub(crate) fn providers() -> Vec<(Provider, &'static str)> {
    vec![
        (Provider::STRIPE, STRIPE_SECRET),
        (Provider::STANDARD_WEBHOOKS, STANDARD_SECRET),
        (Provider::GITHUB, GITHUB_SECRET),
        (Provider::SLACK, SLACK_SECRET),
        (Provider::SHOPIFY, SHOPIFY_SECRET),
        (Provider::TWILIO, TWILIO_SECRET),
    ]
}

pub(crate) fn verifier(provider: &Provider, secret: &str) -> Verifier {
    Verifier::builder(provider.clone())
        .secret(secret)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .expect("test verifier")
}

pub(crate) fn config(provider: &Provider, secret: &str) -> WebhookConfig {
    WebhookConfig::new(verifier(provider, secret))
}

pub(crate) fn config_with_limit(provider: &Provider, secret: &str, limit: usize) -> WebhookConfig {
    WebhookConfig::builder(verifier(provider, secret))
        .max_body(limit)
        .build()
}

/// A signed request builder at [`NOW`].
pub(crate) fn signed(
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

/// A body that yields `total` bytes in `chunk`-sized frames, with no size hint, and counts
/// how many bytes were pulled from it.
pub(crate) struct CountingStream {
    remaining: usize,
    chunk: Bytes,
    pulled: Arc<AtomicUsize>,
}

impl CountingStream {
    pub(crate) fn new(total: usize, chunk: usize, pulled: Arc<AtomicUsize>) -> Self {
        Self {
            remaining: total,
            chunk: Bytes::from(vec![b'a'; chunk]),
            pulled,
        }
    }
}

impl http_body::Body for CountingStream {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(self.chunk.len());
        self.remaining -= n;
        self.pulled.fetch_add(n, Ordering::SeqCst);
        Poll::Ready(Some(Ok(Frame::data(self.chunk.slice(..n)))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

/// Wraps any body and counts the bytes pulled through it (used on the server side, to
/// see how much of an upload the adapter read).
pub(crate) struct Counted {
    inner: Body,
    pulled: Arc<AtomicUsize>,
}

impl Counted {
    pub(crate) fn wrap(inner: Body, pulled: Arc<AtomicUsize>) -> Body {
        Body::new(Self { inner, pulled })
    }
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                self.pulled.fetch_add(data.len(), Ordering::SeqCst);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
