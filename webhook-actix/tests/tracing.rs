//! The span per delivery carries provider, id and outcome, and never a secret, a signature
//! or the body.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_web::App;
use actix_web::test::{self, TestRequest};
use common::*;
use webhook_actix::WebhookConfig;

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

#[actix_web::test]
async fn span_fields_without_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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
