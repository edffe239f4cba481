//! The core's DEBUG `webhook` span per delivery carries provider, id and outcome, on every
//! route, and never a secret, a signature or the body.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use std::sync::atomic::Ordering;

use actix_web::App;
use actix_web::test::{self, TestRequest};
use common::*;
use tracing_subscriber::fmt::format::FmtSpan;
use webhook_actix::test_helpers::SignedRequest;
use webhook_actix::{Event, EventRouter, WebhookConfig};
use webhook_testkit::LogCapture;
use webhook_verify::Provider;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// What was logged since the last call.
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

/// A subscriber writing every line at `level` and above and a line when a span is created
/// into the returned buffer, for this thread. Kept here: the testkit's `LogCapture` writes
/// no span-creation lines, and the first test counts them (one `webhook` span per delivery).
fn capture_with_spans(level: tracing::Level) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_span_events(FmtSpan::NEW)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

/// The testkit's log capture, read and emptied at once.
struct Logs(LogCapture);

impl Logs {
    fn take(&self) -> String {
        let text = self.0.text();
        self.0.clear();
        text
    }
}

/// Whether `log` has the field `name` with `value`, quoted or not.
fn has(log: &str, name: &str, value: &str) -> bool {
    log.contains(&format!("{name}={value}")) || log.contains(&format!("{name}=\"{value}\""))
}

/// The last `outcome` recorded on the span in `line`.
fn last_outcome(line: &str) -> Option<&str> {
    let rest = &line[line.rfind("outcome=")? + "outcome=".len()..];
    let end = rest.find(['}', ' ']).unwrap_or(rest.len());
    Some(rest[..end].trim_matches('"'))
}

/// Every route (middleware, both extractors) logs its own delivery: each route's log is
/// checked on its own, so a route that logs nothing fails the test.
#[actix_web::test]
async fn every_route_logs_span_fields_without_secrets() {
    let (captured, _guard) = capture_with_spans(tracing::Level::TRACE);
    // The same delivery goes to every route: without replay protection.
    let app = test::init_service(App::new().configure(routes(no_replay(standard())))).await;
    let body = r#"{"id":"evt_1","type":"invoice.paid","secret_field":"body-marker"}"#;
    let good = standard_headers(body.as_bytes(), NOW);
    let bad = wrong_secret_headers(body.as_bytes());
    let signatures: Vec<String> = good
        .iter()
        .chain(bad.iter())
        .filter(|(n, _)| n == "webhook-signature")
        .map(|(_, v)| v.trim_start_matches("v1,").to_owned())
        .collect();
    for path in ["/mw", "/raw", "/typed"] {
        for (headers, status, outcome) in
            [(&good, 200, "verified"), (&bad, 401, "signature_mismatch")]
        {
            captured.take();
            let req = headers.iter().fold(TestRequest::post().uri(path), |r, h| {
                r.insert_header(h.clone())
            });
            let res = test::call_service(&app, req.set_payload(body).to_request()).await;
            assert_eq!(res.status().as_u16(), status, "{path}");
            let log = captured.take();
            // The core's span: DEBUG, named `webhook`, created once per delivery.
            let created: Vec<&str> = log
                .lines()
                .filter(|l| l.contains("webhook{") && l.ends_with(": new"))
                .collect();
            assert_eq!(created.len(), 1, "{path}: {log}");
            assert!(created[0].contains("DEBUG webhook{"), "{path}: {log}");
            assert!(!log.contains("webhook_actix"), "{path}: {log}");
            assert!(has(&log, "provider", "standard"), "{path}: {log}");
            // The id is known once the delivery verified.
            assert_eq!(has(&log, "id", SIGNED_ID), status == 200, "{path}: {log}");
            assert!(has(&log, "outcome", outcome), "{path}: {log}");
            for signature in &signatures {
                assert!(
                    !log.contains(signature.as_str()),
                    "{path}: signature in the log: {log}"
                );
            }
            assert!(
                !log.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                "{path}: secret in the log"
            );
            assert!(!log.contains("body-marker"), "{path}: body in the log");
        }
    }
}

/// A delivery in flight elsewhere is recorded as `in_progress` (the core's name), on every
/// route that claims.
#[actix_web::test]
async fn in_flight_outcome_is_in_progress() {
    let captured = Logs(LogCapture::new(tracing::Level::DEBUG));
    let _guard = captured.0.set_default();
    let probe = Probe::new();
    let app = test::init_service(App::new().configure(replay_routes(
        replay_config(Store::memory().replay()),
        probe.clone(),
    )))
    .await;
    let post = |path: &str, id: &str| {
        delivery(id)
            .into_iter()
            .fold(TestRequest::post().uri(path), |r, h| r.append_header(h))
            .set_payload(EVENT_BODY)
            .to_request()
    };
    for path in REPLAY_PATHS {
        let id = format!("inflight{path}");
        probe.hold_next.store(true, Ordering::SeqCst);
        let before = probe.runs();
        let first = test::call_service(&app, post(path, &id));
        let second = async {
            probe.wait_runs(before + 1).await;
            captured.take();
            let res = test::call_service(&app, post(path, &id)).await;
            let log = captured.take();
            probe.gate.notify_one();
            (res.status().as_u16(), log)
        };
        let (first, (status, log)) = tokio::join!(first, second);
        assert_eq!((first.status().as_u16(), status), (200, 409), "{path}");
        let refused = log
            .lines()
            .find(|l| l.contains("webhook refused"))
            .unwrap_or_else(|| panic!("{path}: {log}"));
        assert_eq!(last_outcome(refused), Some("in_progress"), "{path}: {log}");
        assert!(!log.contains("in_flight"), "{path}: {log}");
    }
}

/// Under `webhook_actix::events`, the span's final outcome is the router's (`handled`,
/// `duplicate`), with the provider, the id, the event and the route.
#[actix_web::test]
async fn events_span_records_the_router_outcome() {
    let captured = Logs(LogCapture::new(tracing::Level::DEBUG));
    let _guard = captured.0.set_default();
    let stripe = WebhookConfig::new(verifier(&Provider::STRIPE));
    let router = EventRouter::builder(Provider::STRIPE)
        .on("invoice.paid", |_: Event| async {
            Ok::<_, std::io::Error>(())
        })
        .build()
        .unwrap();
    let app =
        test::init_service(App::new().route("/events", webhook_actix::events(stripe, router)))
            .await;
    for (body, message, outcome) in [
        ("", "webhook answered", "handled"),
        ("duplicate", "webhook refused", "duplicate"),
    ] {
        captured.take();
        let req = SignedRequest::new(&Provider::STRIPE, STRIPE_SECRET)
            .timestamp(NOW)
            .uri("/events")
            .body(EVENT_BODY)
            .build()
            .unwrap()
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status().as_u16(), 200, "{outcome}");
        assert_eq!(test::read_body(res).await, body, "{outcome}");
        let log = captured.take();
        let lines: Vec<&str> = log.lines().filter(|l| l.contains(message)).collect();
        assert_eq!(lines.len(), 1, "{log}");
        let line = lines[0];
        assert!(line.contains("DEBUG webhook{"), "{line}");
        assert!(has(line, "provider", "stripe"), "{line}");
        assert!(has(line, "id", "evt_1"), "{line}");
        assert_eq!(last_outcome(line), Some(outcome), "{line}");
        if outcome == "handled" {
            assert!(has(line, "event", "invoice.paid"), "{line}");
            assert!(has(line, "route", "invoice.paid"), "{line}");
        }
        assert!(!log.contains("v1="), "signature in the log: {log}");
    }
}

/// Behind the middleware, a payload `Webhook<T>` cannot parse is recorded as
/// `invalid_payload` (the extractor's refusal), not as a failed handler.
#[actix_web::test]
async fn an_invalid_payload_behind_the_middleware_is_recorded_as_such() {
    use actix_web::web;
    use webhook_actix::{VerifyWebhook, Webhook};

    #[derive(serde::Deserialize)]
    struct Strict {
        #[allow(dead_code)]
        amount: u64,
    }
    let captured = Logs(LogCapture::new(tracing::Level::DEBUG));
    let _guard = captured.0.set_default();
    let config = WebhookConfig::new(standard());
    let app = test::init_service(
        App::new().app_data(config.clone()).service(
            web::resource("/typed")
                .wrap(VerifyWebhook::new(config))
                .route(web::post().to(|Webhook(_): Webhook<Strict>| async { "ok" })),
        ),
    )
    .await;
    let body = r#"{"id":"evt_1","amount":"x"}"#;
    let req = standard_headers(body.as_bytes(), NOW)
        .into_iter()
        .fold(TestRequest::post().uri("/typed"), |r, h| r.append_header(h))
        .set_payload(body)
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(test::read_body(res).await, "invalid payload");
    let log = captured.take();
    let answered = log
        .lines()
        .rfind(|line| line.contains("outcome="))
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(last_outcome(answered), Some("invalid_payload"), "{log}");
    assert!(!log.contains("handler_failed"), "{log}");
}
