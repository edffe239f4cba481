//! The span per delivery carries provider, id and outcome, and never a secret, a signature
//! or the body.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_web::App;
use actix_web::test::{self, TestRequest};
use common::*;
use webhook_actix::{Event, EventRouter, WebhookConfig};
use webhook_verify::replay::{MemoryStore, Replay};
use webhook_verify::{Provider, SignOptions, Signer};

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

/// A subscriber writing every line at `level` and above into the returned buffer, for
/// this thread.
fn capture(level: tracing::Level) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[actix_web::test]
async fn span_fields_without_secrets() {
    let (captured, _guard) = capture(tracing::Level::TRACE);

    let app =
        test::init_service(App::new().configure(routes(WebhookConfig::new(standard())))).await;
    let body = r#"{"id":"evt_1","type":"invoice.paid","secret_field":"body-marker"}"#;
    let good = standard_headers(STANDARD_SECRET, body.as_bytes(), now());
    let bad = standard_headers(
        "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        body.as_bytes(),
        now(),
    );
    for (headers, status) in [(&good, 200), (&bad, 401)] {
        for path in ["/mw", "/raw"] {
            let mut req = TestRequest::post().uri(path);
            for h in headers.iter() {
                req = req.insert_header(h.clone());
            }
            let res = test::call_service(&app, req.set_payload(body).to_request()).await;
            assert_eq!(res.status().as_u16(), status);
        }
    }

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("provider=\"standard\"") || log.contains("provider=standard"),
        "{log}"
    );
    assert!(
        log.contains("id=\"msg_test\"") || log.contains("id=msg_test"),
        "{log}"
    );
    assert!(
        log.contains("outcome=\"verified\"") || log.contains("outcome=verified"),
        "{log}"
    );
    assert!(log.contains("signature_mismatch"), "{log}");
    for signature in good
        .iter()
        .chain(bad.iter())
        .filter(|(n, _)| n == "webhook-signature")
    {
        let sig = signature.1.trim_start_matches("v1,");
        assert!(!log.contains(sig), "signature in the log: {log}");
    }
    assert!(
        !log.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        "secret in the log"
    );
    assert!(!log.contains("body-marker"), "body in the log");
}

/// Under `webhook_actix::events`, the span's outcome is the router's (`handled`,
/// `duplicate`), with the provider and the id; a router for another provider than the
/// verifier's is logged at ERROR.
#[actix_web::test]
async fn events_span_records_the_router_outcome() {
    let (captured, _guard) = capture(tracing::Level::DEBUG);

    let stripe = WebhookConfig::new(verifier(&Provider::STRIPE, STRIPE_SECRET));
    let replayed = stripe.clone().replay(Replay::new(MemoryStore::new()));
    let router = EventRouter::builder(Provider::STRIPE)
        .on("invoice.paid", |_: Event| async {
            Ok::<_, std::io::Error>(())
        })
        .build()
        .unwrap();
    let github = EventRouter::builder(Provider::GITHUB).build().unwrap();
    let app = test::init_service(
        App::new()
            .route("/events", webhook_actix::events(replayed, router))
            .route("/mismatch", webhook_actix::events(stripe, github)),
    )
    .await;
    let signer = Signer::new(&Provider::STRIPE, STRIPE_SECRET).unwrap();
    for (path, status, body) in [
        ("/events", 200, ""),
        ("/events", 200, "duplicate"),
        ("/mismatch", 500, "internal server error"),
    ] {
        let req = webhook_actix::test::signed_request(&signer, EVENT_BODY, &SignOptions::new())
            .unwrap()
            .uri(path)
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_eq!(test::read_body(res).await, body, "{path}");
    }

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let dispatched: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("webhook event dispatched"))
        .collect();
    assert_eq!(dispatched.len(), 2, "{log}");
    for (line, outcome) in dispatched.iter().zip(["handled", "duplicate"]) {
        assert!(line.contains(r#"provider="stripe""#), "{line}");
        assert!(line.contains(r#"id="evt_1""#), "{line}");
        assert!(line.contains(&format!(r#"outcome="{outcome}""#)), "{line}");
        assert!(line.contains(r#"event="invoice.paid""#), "{line}");
        assert!(!line.contains("verified"), "{line}");
    }
    assert!(dispatched[0].contains(r#"route="invoice.paid""#), "{log}");
    assert!(
        log.lines().any(|l| l.contains("ERROR")
            && l.contains(r#"outcome="config""#)
            && l.contains("another provider")),
        "{log}"
    );
    assert!(!log.contains("v1="), "signature in the log: {log}");
}
