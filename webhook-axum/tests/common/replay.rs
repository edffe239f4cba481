//! Fixtures for the replay tests: a scripted handler behind the layer and behind
//! `Claimed<Webhook<T>>`, deliveries, and a server on 127.0.0.1.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use tokio::sync::Notify;
use webhook_axum::test_helpers::SignedRequest;
use webhook_axum::{Claimed, VerifiedWebhook, VerifyWebhookLayer, Webhook, WebhookConfig};
use webhook_verify::Provider;
use webhook_verify::replay::Replay;

use webhook_testkit::{NOW, verifier};

use super::{Payload, json_body, signed};

/// The body a handler answers when it handled a delivery.
pub(crate) const HANDLED: &str = "handled";

/// Where the replay protection sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `VerifyWebhookLayer` + `Json<Payload>`: the layer settles from the status.
    Layer,
    /// `Claimed<Webhook<Payload>>`: the handler commits or releases.
    Extractor,
}

pub(crate) const KINDS: [Kind; 2] = [Kind::Layer, Kind::Extractor];

/// What the handler does, and what it saw.
#[derive(Clone, Default)]
pub(crate) struct Script(Arc<ScriptInner>);

#[derive(Default)]
pub(crate) struct ScriptInner {
    /// Handler invocations.
    entered: AtomicUsize,
    /// Invocations that succeeded (answered 200 `handled`).
    handled: AtomicUsize,
    /// How many of the next invocations fail with 500.
    fail: AtomicUsize,
    /// How many of the next invocations panic.
    panic: AtomicUsize,
    /// When set, the first invocation signals `entered` and waits for `release`.
    hold: Option<Hold>,
    /// A pause inside the handler, to keep deliveries in flight longer.
    pause: Duration,
}

#[derive(Default)]
pub(crate) struct Hold {
    pub(crate) entered: Notify,
    pub(crate) release: Notify,
}

impl Script {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The first invocation signals `hold().entered` and waits for `hold().release`
    /// (forever, unless a test notifies it); later ones run straight through.
    pub(crate) fn holding() -> Self {
        Self(Arc::new(ScriptInner {
            hold: Some(Hold::default()),
            ..ScriptInner::default()
        }))
    }

    /// Each invocation pauses `pause` before answering.
    pub(crate) fn pausing(pause: Duration) -> Self {
        Self(Arc::new(ScriptInner {
            pause,
            ..ScriptInner::default()
        }))
    }

    /// The next `n` invocations fail with 500.
    pub(crate) fn fail_next(&self, n: usize) {
        self.0.fail.store(n, Ordering::SeqCst);
    }

    /// The next `n` invocations panic.
    pub(crate) fn panic_next(&self, n: usize) {
        self.0.panic.store(n, Ordering::SeqCst);
    }

    pub(crate) fn hold(&self) -> &Hold {
        self.0.hold.as_ref().expect("a holding script")
    }

    pub(crate) fn entered(&self) -> usize {
        self.0.entered.load(Ordering::SeqCst)
    }

    pub(crate) fn handled(&self) -> usize {
        self.0.handled.load(Ordering::SeqCst)
    }

    /// Runs one invocation; `true` when it succeeded.
    async fn run(&self) -> bool {
        let n = self.0.entered.fetch_add(1, Ordering::SeqCst);
        if let (Some(hold), 0) = (&self.0.hold, n) {
            hold.entered.notify_one();
            hold.release.notified().await;
        }
        if !self.0.pause.is_zero() {
            tokio::time::sleep(self.0.pause).await;
        }
        let panics = self
            .0
            .panic
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        assert!(!panics, "the handler panics, as scripted");
        let failed = self
            .0
            .fail
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failed {
            return false;
        }
        self.0.handled.fetch_add(1, Ordering::SeqCst);
        true
    }
}

fn answer(ok: bool) -> (StatusCode, &'static str) {
    if ok {
        (StatusCode::OK, HANDLED)
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, "handler failed")
    }
}

/// A Stripe config with `replay`, at [`NOW`].
pub(crate) fn replay_config(replay: Replay) -> WebhookConfig {
    WebhookConfig::builder(verifier(&Provider::STRIPE))
        .replay(replay)
        .build()
}

/// A Stripe delivery of event `id` to `path` (replay key `stripe:{id}`).
pub(crate) fn delivery(path: &str, id: &str) -> SignedRequest {
    signed(&Provider::STRIPE, path, json_body(id))
        .timestamp(NOW)
        .header("content-type", "application/json")
}

/// The scripted handler at `/hook`, protected the `kind` way. Also:
/// - `/plain`: a plain `Webhook<Payload>` (behind the layer for `Kind::Layer`),
/// - `/raw`: `Claimed<VerifiedWebhook>` (behind the layer for `Kind::Layer`).
pub(crate) fn replay_app(kind: Kind, config: WebhookConfig, script: Script) -> Router {
    let (s1, s2, s3) = (script.clone(), script.clone(), script);
    let plain = post(move |Webhook(_p): Webhook<Payload>| async move { answer(s2.run().await) });
    let raw = post(
        move |Claimed(VerifiedWebhook(_v), claim): Claimed<VerifiedWebhook>| async move {
            let ok = s3.run().await;
            if ok {
                claim.commit().await.expect("store commit");
            } else {
                claim.release().await.expect("store release");
            }
            answer(ok)
        },
    );
    match kind {
        Kind::Layer => Router::new()
            .route(
                "/hook",
                post(move |Json(_p): Json<Payload>| async move { answer(s1.run().await) }),
            )
            .route("/plain", plain)
            .route("/raw", raw)
            .route_layer(VerifyWebhookLayer::new(config.clone()))
            .with_state(config),
        Kind::Extractor => Router::new()
            .route(
                "/hook",
                post(
                    move |Claimed(Webhook(_p), claim): Claimed<Webhook<Payload>>| async move {
                        let ok = s1.run().await;
                        if ok {
                            claim.commit().await.expect("store commit");
                        } else {
                            claim.release().await.expect("store release");
                        }
                        answer(ok)
                    },
                ),
            )
            .route("/plain", plain)
            .route("/raw", raw)
            .with_state(config),
    }
}

/// Serves `app` on 127.0.0.1 on a free port.
pub(crate) async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A reqwest client for loopback (no proxy).
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Sends `request` over the socket to `addr`: status, headers, body text.
pub(crate) async fn send(
    client: &reqwest::Client,
    addr: SocketAddr,
    request: SignedRequest,
) -> (StatusCode, HeaderMap, String) {
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
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let mut headers = HeaderMap::new();
    for (name, value) in response.headers() {
        headers.insert(
            axum::http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            axum::http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    (status, headers, response.text().await.unwrap())
}

/// How many identical deliveries [`concurrent`] sends at once.
pub(crate) const STORM: usize = 200;

/// Sends [`STORM`] identical deliveries of `id` to `/hook` at once, over the socket.
pub(crate) async fn concurrent(addr: SocketAddr, id: &str) -> Vec<(StatusCode, String)> {
    let client = client();
    let answers = futures_util::future::join_all(
        (0..STORM).map(|_| send(&client, addr, delivery("/hook", id))),
    )
    .await;
    answers.into_iter().map(|(s, _, b)| (s, b)).collect()
}

/// Exactly one answer is the handler's; every other is `200 duplicate` or `409 in progress`.
pub(crate) fn check_storm(kind: Kind, script: &Script, answers: &[(StatusCode, String)]) {
    assert_eq!(answers.len(), STORM);
    let mut handled = 0;
    for (status, body) in answers {
        match (*status, body.as_str()) {
            (StatusCode::OK, HANDLED) => handled += 1,
            (StatusCode::OK, "duplicate") | (StatusCode::CONFLICT, "in progress") => {}
            other => panic!("{kind:?}: unexpected answer {other:?}"),
        }
    }
    assert_eq!(handled, 1, "{kind:?}: exactly one delivery handled");
    assert_eq!(
        (script.entered(), script.handled()),
        (1, 1),
        "{kind:?}: handler ran once"
    );
}
