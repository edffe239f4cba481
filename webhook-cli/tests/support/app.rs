//! A local app for the development-loop tests: an axum server on 127.0.0.1 that verifies
//! each delivery itself with `webhook-verify` (system clock) and keeps what it received.

#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use webhook_verify::{Delivery, Provider, Verifier};

/// One delivery as the app received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the app's own verification passed.
    pub verified: bool,
    pub id: Option<String>,
    pub timestamp: Option<i64>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
struct AppState {
    verifier: Verifier,
    received: Arc<Mutex<Vec<Received>>>,
}

/// The running app; its runtime stops when dropped.
pub struct App {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl App {
    /// Starts the app at `/hook` verifying `provider` deliveries with `secret`.
    pub fn start(provider: Provider, secret: &str) -> Self {
        let verifier = Verifier::new(provider, secret).unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let state = AppState {
            verifier,
            received: received.clone(),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let router = Router::new().route("/hook", post(handle)).with_state(state);
        runtime.spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            url: format!("http://{addr}/hook"),
            received,
            runtime: Some(runtime),
        }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Stops the app: its port refuses connections afterwards.
    pub fn stop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Verifies, keeps the delivery, answers 201 `handled <id>` with an `X-App` header when
/// verified, 401 otherwise.
async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let result = state
        .verifier
        .verify(&Delivery::new(&headers, body.clone()));
    let pairs = headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let (verified, id, timestamp) = match &result {
        Ok(v) => (true, v.id().map(str::to_owned), v.timestamp()),
        Err(_) => (false, None, None),
    };
    state.received.lock().unwrap().push(Received {
        headers: pairs,
        body: body.to_vec(),
        verified,
        id: id.clone(),
        timestamp,
    });
    match result {
        Ok(_) => (
            StatusCode::CREATED,
            [("x-app", "yes")],
            format!("handled {}", id.unwrap_or_default()),
        ),
        Err(e) => (
            StatusCode::UNAUTHORIZED,
            [("x-app", "yes")],
            format!("app: {e}"),
        ),
    }
}

/// Signs `body` for `provider` at `timestamp` with `id` and POSTs it to `url`; returns
/// the status, the `X-App` header and the body of the answer, and the headers sent.
pub fn post_signed(
    provider: &Provider,
    secret: &str,
    url: &str,
    body: &[u8],
    id: &str,
    timestamp: i64,
    tamper: bool,
) -> (u16, Option<String>, String, Vec<(String, String)>) {
    let signer = webhook_verify::Signer::new(provider, secret).unwrap();
    let headers = signer
        .sign(
            body,
            &webhook_verify::SignOptions::new()
                .id(id)
                .timestamp(timestamp),
        )
        .unwrap();
    let mut sent = body.to_vec();
    if tamper {
        sent.extend_from_slice(b" ");
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "test-sender/1");
    for (n, v) in &headers {
        request = request.header(n.as_str(), v.as_str());
    }
    let (status, x_app, text) = rt.block_on(async {
        let response = request.body(sent).send().await.unwrap();
        let status = response.status().as_u16();
        let x_app = response
            .headers()
            .get("x-app")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, x_app, response.text().await.unwrap())
    });
    (status, x_app, text, headers)
}

/// The current Unix time in seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
