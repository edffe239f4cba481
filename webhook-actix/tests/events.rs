//! `webhook_actix::events`: an `EventRouter` mounted as a route, in process and behind a
//! real `HttpServer` on 127.0.0.1 reached with a real HTTP client. Every case runs both
//! ways (the `in_process` and `socket` modules at the bottom).

mod common;

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::error::InternalError;
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpResponse, HttpServer, web};
use common::*;
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use tokio::sync::Notify;
use webhook_actix::{Event, EventRouter, WebhookConfig};
use webhook_verify::events::Ack;
use webhook_verify::{Provider, SignOptions, Signer};

const INVOICE_PAID: &str =
    include_str!("../../webhook-verify/tests/data/payloads/stripe/invoice.paid.json");
const ISSUES_OPENED: &str =
    include_str!("../../webhook-verify/tests/data/payloads/github/issues.opened.json");
const ISSUES_TRANSFERRED: &str =
    include_str!("../../webhook-verify/tests/data/payloads/github/issues.transferred.json");
const URL_VERIFICATION: &str =
    include_str!("../../webhook-verify/tests/data/payloads/slack/url_verification.json");
const APP_MENTION: &str =
    include_str!("../../webhook-verify/tests/data/payloads/slack/event_callback.app_mention.json");

/// The body limit of every route.
const LIMIT: usize = 64 * 1024;
/// The replay lease on `/stripe`, sent as `Retry-After`.
const RETRY_AFTER: Duration = Duration::from_secs(7);

// ---- the app ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct Invoice {
    id: String,
    amount_paid: u64,
}

#[derive(Deserialize)]
struct Issue {
    number: u64,
    title: String,
}

#[derive(Deserialize)]
struct IssuesEvent {
    issue: Issue,
}

/// What the handlers did, shared with the test.
#[derive(Default)]
struct Probe {
    /// Runs of the `invoice.payment_failed` handler, which fails on its first run.
    flaky_runs: AtomicUsize,
    /// Entries into the `invoice.upcoming` handler, which waits for `gate`.
    slow_entries: AtomicUsize,
    gate: Notify,
}

/// A Stripe router: typed `invoice.paid`, a handler failing once, a slow handler, a
/// fallback.
fn stripe_router(probe: &Arc<Probe>) -> EventRouter {
    let flaky = Arc::clone(probe);
    let slow = Arc::clone(probe);
    EventRouter::builder(Provider::STRIPE)
        .on("invoice.paid", |event: Event<Invoice>| async move {
            let invoice = event.data();
            Ok::<_, std::io::Error>(format!(
                "paid {} {} {}",
                event.id().unwrap_or("-"),
                invoice.id,
                invoice.amount_paid
            ))
        })
        .on("invoice.payment_failed", move |event: Event| {
            let probe = Arc::clone(&flaky);
            async move {
                let run = probe.flaky_runs.fetch_add(1, Ordering::SeqCst) + 1;
                if run == 1 {
                    return Err(std::io::Error::other("database down"));
                }
                Ok(format!("recorded {} on run {run}", event.name()))
            }
        })
        .on("invoice.upcoming", move |_event: Event| {
            let probe = Arc::clone(&slow);
            async move {
                probe.slow_entries.fetch_add(1, Ordering::SeqCst);
                probe.gate.notified().await;
                Ok::<_, std::io::Error>(Ack::accepted())
            }
        })
        .fallback(|event: Event| async move {
            Ok::<_, std::io::Error>(format!("fallback {}", event.name()))
        })
        .build()
        .unwrap()
}

/// A GitHub router: `issues.opened` typed, every other `issues` action, no fallback.
fn github_router() -> EventRouter {
    EventRouter::builder(Provider::GITHUB)
        .on("issues.opened", |event: Event<IssuesEvent>| async move {
            let issue = &event.data().issue;
            Ok::<_, std::io::Error>(format!("opened #{} {}", issue.number, issue.title))
        })
        .on("issues", |event: Event| async move {
            Ok::<_, std::io::Error>(format!("issues route for {}", event.name()))
        })
        .build()
        .unwrap()
}

fn slack_router() -> EventRouter {
    EventRouter::builder(Provider::SLACK)
        .on("app_mention", |event: Event| async move {
            Ok::<_, std::io::Error>(format!("mention {}", event.name()))
        })
        .build()
        .unwrap()
}

/// The routes, each `events(config, router)`:
/// - `/stripe`: Stripe with in-memory replay protection and a 7 s lease (`Retry-After`);
/// - `/stripe-hooked`: Stripe with an error handler answering JSON;
/// - `/github`, `/slack`.
fn routes(probe: Arc<Probe>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let config =
            |provider: &Provider| WebhookConfig::builder(verifier(provider)).max_body(LIMIT);
        let hooked = config(&Provider::STRIPE)
            .error_handler(|err, _req| {
                let response = HttpResponse::build(err.status())
                    .json(serde_json::json!({ "error": err.body_text() }));
                InternalError::from_response(err, response).into()
            })
            .build();
        // `Retry-After` is the lease.
        let replayed = config(&Provider::STRIPE)
            .replay(Store::memory().replay().lease(RETRY_AFTER))
            .build();
        let github = config(&Provider::GITHUB).build();
        let slack = config(&Provider::SLACK).build();
        cfg.route(
            "/stripe",
            webhook_actix::events(replayed, stripe_router(&probe)),
        )
        .route(
            "/stripe-hooked",
            webhook_actix::events(hooked, stripe_router(&probe)),
        )
        .route("/github", webhook_actix::events(github, github_router()))
        .route("/slack", webhook_actix::events(slack, slack_router()));
    }
}

// ---- requests --------------------------------------------------------------------------

struct Request {
    path: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: Option<String>,
    retry_after: Option<String>,
    body: String,
}

impl Answer {
    fn pair(&self) -> (u16, &str) {
        (self.status, self.body.as_str())
    }
}

/// A request to `path` carrying `body`, signed at `NOW` by `provider` (the testkit's signer).
fn request(provider: &Provider, path: &'static str, body: &str) -> Request {
    let delivery = signed(provider, body.as_bytes(), NOW);
    Request {
        path,
        headers: delivery.headers,
        body: delivery.body,
    }
}

/// A Stripe request to `path` signed at `NOW` with the testkit's `other_secret`, which the
/// routes do not hold (the testkit's `signed` always signs with the right secret).
fn forged(path: &'static str, body: &str) -> Request {
    let headers = Signer::new(&Provider::STRIPE, other_secret(&Provider::STRIPE))
        .unwrap()
        .sign(body.as_bytes(), &SignOptions::new().timestamp(NOW))
        .unwrap();
    Request {
        path,
        headers,
        body: body.as_bytes().to_vec(),
    }
}

fn stripe(path: &'static str, body: &str) -> Request {
    request(&Provider::STRIPE, path, body)
}

fn github(event: &str, body: &str) -> Request {
    let mut req = request(&Provider::GITHUB, "/github", body);
    req.headers.push(("X-GitHub-Event".into(), event.into()));
    req
}

fn slack(body: &str) -> Request {
    request(&Provider::SLACK, "/slack", body)
}

/// A small Stripe event of `type` with event id `id`.
fn stripe_event(id: &str, r#type: &str) -> String {
    serde_json::json!({
        "id": id,
        "object": "event",
        "type": r#type,
        "data": { "object": { "id": "in_1", "object": "invoice" } },
    })
    .to_string()
}

type Post = dyn Fn(Request) -> LocalBoxFuture<'static, Answer>;

/// The app, and a way to send it requests: in process or over a socket.
struct Harness {
    post: Box<Post>,
    probe: Arc<Probe>,
    server: Option<ServerHandle>,
}

impl Harness {
    async fn in_process() -> Self {
        let probe = Arc::new(Probe::default());
        let app =
            Rc::new(test::init_service(App::new().configure(routes(Arc::clone(&probe)))).await);
        let post = move |req: Request| -> LocalBoxFuture<'static, Answer> {
            let app = Rc::clone(&app);
            Box::pin(async move {
                let mut builder = TestRequest::post().uri(req.path);
                for header in req.headers {
                    builder = builder.append_header(header);
                }
                let res =
                    test::call_service(&*app, builder.set_payload(req.body).to_request()).await;
                let header = |name: &str| {
                    res.headers()
                        .get(name)
                        .map(|v| v.to_str().unwrap().to_owned())
                };
                let (status, content_type, retry_after) = (
                    res.status().as_u16(),
                    header("content-type"),
                    header("retry-after"),
                );
                let body = test::read_body(res).await;
                Answer {
                    status,
                    content_type,
                    retry_after,
                    body: String::from_utf8(body.to_vec()).unwrap(),
                }
            })
        };
        Self {
            post: Box::new(post),
            probe,
            server: None,
        }
    }

    async fn socket() -> Self {
        let probe = Arc::new(Probe::default());
        let shared = Arc::clone(&probe);
        let server = HttpServer::new(move || App::new().configure(routes(Arc::clone(&shared))))
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .unwrap();
        let base = format!("http://{}", server.addrs()[0]);
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let client = reqwest::Client::new();
        let post = move |req: Request| -> LocalBoxFuture<'static, Answer> {
            let mut builder = client.post(format!("{base}{}", req.path)).body(req.body);
            for (name, value) in req.headers {
                builder = builder.header(name, value);
            }
            Box::pin(async move {
                let res = builder.send().await.unwrap();
                let header = |name: &str| {
                    res.headers()
                        .get(name)
                        .map(|v| v.to_str().unwrap().to_owned())
                };
                let (status, content_type, retry_after) = (
                    res.status().as_u16(),
                    header("content-type"),
                    header("retry-after"),
                );
                Answer {
                    status,
                    content_type,
                    retry_after,
                    body: res.text().await.unwrap(),
                }
            })
        };
        Self {
            post: Box::new(post),
            probe,
            server: Some(handle),
        }
    }

    async fn post(&self, req: Request) -> Answer {
        (self.post)(req).await
    }

    async fn stop(self) {
        if let Some(server) = self.server {
            server.stop(false).await;
        }
    }
}

// ---- the cases -------------------------------------------------------------------------

/// A Stripe `invoice.paid` reaches its typed handler, whose body is the answer.
async fn stripe_invoice_paid_runs_its_typed_handler(h: &Harness) {
    let answer = h.post(stripe("/stripe", INVOICE_PAID)).await;
    assert_eq!(
        answer.pair(),
        (
            200,
            "paid evt_1KJrGtJDPojXS6LN15fcthM3 in_1KJqKBJDPojXS6LNJbvLUgEy 0"
        )
    );
    assert_eq!(
        answer.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
}

/// An event type without a route goes to the fallback (Stripe) or is acknowledged with an
/// empty 200 (GitHub, no fallback).
async fn unknown_event_types_get_200(h: &Harness) {
    let answer = h
        .post(stripe(
            "/stripe",
            &stripe_event("evt_new", "customer.created"),
        ))
        .await;
    assert_eq!(answer.pair(), (200, "fallback customer.created"));

    let answer = h.post(github("star", r#"{"action":"created"}"#)).await;
    assert_eq!(answer.pair(), (200, ""));
}

/// A verified `invoice.paid` whose `amount_paid` changed shape: 400 `invalid payload`, the
/// handler does not run.
async fn shape_drift_is_400_invalid_payload(h: &Harness) {
    let drifted = INVOICE_PAID.replacen(r#""amount_paid": 0"#, r#""amount_paid": "zero""#, 1);
    assert_ne!(drifted, INVOICE_PAID);
    for path in ["/stripe", "/stripe-hooked"] {
        let answer = h.post(stripe(path, &drifted)).await;
        assert_eq!(answer.pair(), (400, "invalid payload"), "{path}");
    }
}

/// With replay protection: a failing handler answers 500 and releases its claim, so the
/// provider's retry runs it again; once it succeeded, a resend is 200 `duplicate`.
async fn handler_error_is_500_then_retried_then_duplicate(h: &Harness) {
    let body = stripe_event("evt_flaky", "invoice.payment_failed");
    let answer = h.post(stripe("/stripe", &body)).await;
    assert_eq!(answer.pair(), (500, "internal server error"));
    assert_eq!(h.probe.flaky_runs.load(Ordering::SeqCst), 1);

    // The retry is signed again (a new timestamp); the replay key is the event id.
    let answer = h.post(stripe("/stripe", &body)).await;
    assert_eq!(
        answer.pair(),
        (200, "recorded invoice.payment_failed on run 2")
    );
    assert_eq!(h.probe.flaky_runs.load(Ordering::SeqCst), 2);

    let answer = h.post(stripe("/stripe", &body)).await;
    assert_eq!(answer.pair(), (200, "duplicate"));
    assert_eq!(h.probe.flaky_runs.load(Ordering::SeqCst), 2);
}

/// While a delivery is being handled, the same delivery gets 409 `in progress` with the
/// config's `Retry-After`; after the first succeeds, a resend is a duplicate.
async fn in_flight_duplicate_is_409_with_retry_after(h: &Harness) {
    let body = stripe_event("evt_slow", "invoice.upcoming");
    let first = h.post(stripe("/stripe", &body));
    let second = async {
        while h.probe.slow_entries.load(Ordering::SeqCst) == 0 {
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
        }
        let answer = h.post(stripe("/stripe", &body)).await;
        h.probe.gate.notify_one();
        answer
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first.pair(), (202, ""));
    assert_eq!(second.pair(), (409, "in progress"));
    assert_eq!(second.retry_after.as_deref(), Some("7"));
    assert_eq!(h.probe.slow_entries.load(Ordering::SeqCst), 1);
    let again = h.post(stripe("/stripe", &body)).await;
    assert_eq!(again.pair(), (200, "duplicate"));
    assert_eq!(again.retry_after, None);
}

/// A wrong secret or a tampered body: 401 `invalid signature`; no signature: 400.
async fn bad_signature_is_401(h: &Harness) {
    let forged = forged("/stripe", INVOICE_PAID);
    let answer = h.post(forged).await;
    assert_eq!(answer.pair(), (401, "invalid signature"));
    assert_eq!(
        answer.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );

    let mut tampered = stripe("/stripe", INVOICE_PAID);
    tampered.body = INVOICE_PAID.replacen("in_1KJq", "in_2KJq", 1).into_bytes();
    assert_eq!(h.post(tampered).await.pair(), (401, "invalid signature"));

    let mut unsigned = stripe("/stripe", INVOICE_PAID);
    unsigned.headers.clear();
    assert_eq!(
        h.post(unsigned).await.pair(),
        (400, "missing header stripe-signature")
    );
}

/// Refusals before dispatch go through the config's error handler.
async fn error_handler_shapes_verification_refusals(h: &Harness) {
    let forged = forged("/stripe-hooked", INVOICE_PAID);
    let answer = h.post(forged).await;
    assert_eq!(answer.pair(), (401, r#"{"error":"invalid signature"}"#));
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    // Accepted deliveries are the router's.
    let answer = h.post(stripe("/stripe-hooked", INVOICE_PAID)).await;
    assert_eq!(answer.status, 200);
}

/// One byte over the limit: 413 `payload too large`; exactly the limit is verified.
async fn body_over_the_limit_is_413(h: &Harness) {
    let padded = |len: usize| {
        let event = stripe_event("evt_big", "customer.created");
        // `{...}` becomes `{...,"pad":"xx…"}`.
        let open = &event[..event.len() - 1];
        let pad = len - open.len() - r#","pad":""}"#.len();
        format!(r#"{open},"pad":"{}"}}"#, "x".repeat(pad))
    };
    let exact = padded(LIMIT);
    assert_eq!(exact.len(), LIMIT);
    let answer = h.post(stripe("/stripe", &exact)).await;
    assert_eq!(answer.pair(), (200, "fallback customer.created"));

    let over = padded(LIMIT + 1);
    assert_eq!(over.len(), LIMIT + 1);
    let answer = h.post(stripe("/stripe", &over)).await;
    assert_eq!(answer.pair(), (413, "payload too large"));
}

/// Slack's `url_verification` is answered with its challenge as JSON; an `event_callback`
/// is routed by its inner event type.
async fn slack_url_verification_returns_the_challenge(h: &Harness) {
    let answer = h.post(slack(URL_VERIFICATION)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "challenge": "valid_challenge_token" })
    );

    let answer = h.post(slack(APP_MENTION)).await;
    assert_eq!(answer.pair(), (200, "mention app_mention"));
}

/// GitHub deliveries are routed by `X-GitHub-Event` plus the body's `action`: `issues` +
/// `opened` to the typed `issues.opened` handler, another action to the `issues` route.
async fn github_routed_by_event_header_and_action(h: &Harness) {
    let answer = h.post(github("issues", ISSUES_OPENED)).await;
    assert_eq!(
        answer.pair(),
        (200, "opened #1 Spelling error in the README file")
    );

    let answer = h.post(github("issues", ISSUES_TRANSFERRED)).await;
    assert_eq!(answer.pair(), (200, "issues route for issues.transferred"));
}

macro_rules! both_ways {
    ($($case:ident),* $(,)?) => {
        mod in_process {
            $(
                #[actix_web::test]
                async fn $case() {
                    let h = super::Harness::in_process().await;
                    super::$case(&h).await;
                    h.stop().await;
                }
            )*
        }
        mod socket {
            $(
                #[actix_web::test]
                async fn $case() {
                    let h = super::Harness::socket().await;
                    super::$case(&h).await;
                    h.stop().await;
                }
            )*
        }
    };
}

both_ways!(
    stripe_invoice_paid_runs_its_typed_handler,
    unknown_event_types_get_200,
    shape_drift_is_400_invalid_payload,
    handler_error_is_500_then_retried_then_duplicate,
    in_flight_duplicate_is_409_with_retry_after,
    bad_signature_is_401,
    error_handler_shapes_verification_refusals,
    body_over_the_limit_is_413,
    slack_url_verification_returns_the_challenge,
    github_routed_by_event_header_and_action,
);

// ---- in process only -------------------------------------------------------------------

/// A chunked body is refused as soon as it passes the limit, without reading the rest.
#[actix_web::test]
async fn oversized_chunked_body_is_refused_while_streaming() {
    let app = test::init_service(App::new().configure(routes(Arc::default()))).await;
    let stream = CountingBody::new(1024 * 1024, 4096);
    let counter = stream.pulled();
    let mut req = TestRequest::post().uri("/stripe");
    for header in stripe("/stripe", "irrelevant").headers {
        req = req.append_header(header);
    }
    let mut req = req.to_request();
    *req.payload() = payload(stream);
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status().as_u16(), 413);
    assert_eq!(test::read_body(res).await, "payload too large");
    assert!(pulled(&counter) <= LIMIT + 4096, "{}", pulled(&counter));
}

/// `GET` on an events route reaches the receive path (handshakes arrive as `GET` for some
/// senders): without a handshake it is `405` with `Allow`, and the router never runs.
/// Other methods are not routed: actix answers 404.
#[actix_web::test]
async fn only_get_and_post_are_routed() {
    let app = test::init_service(App::new().configure(routes(Arc::default()))).await;
    let res = test::call_service(&app, TestRequest::get().uri("/stripe").to_request()).await;
    assert_eq!(res.status().as_u16(), 405);
    assert_eq!(res.headers().get("allow").unwrap(), "POST");
    assert_eq!(test::read_body(res).await, "method not allowed");
    let res = test::call_service(&app, TestRequest::put().uri("/stripe").to_request()).await;
    assert_eq!(res.status().as_u16(), 404);
}

/// A router built for another provider than the verifier's is refused once, when the
/// route is built, with a clear message: not per request.
#[test]
#[should_panic(
    expected = "webhook_actix::events: invalid configuration: the event router reads github deliveries, the verifier checks stripe"
)]
fn provider_mismatch_panics_when_the_route_is_built() {
    let stripe = WebhookConfig::new(verifier(&Provider::STRIPE));
    let _ = webhook_actix::events(stripe, github_router());
}
