//! The `webhook` span: provider, id and outcome are logged; secrets, signatures and bodies
//! never are.

mod common;

use axum::http::StatusCode;
use common::*;
use webhook_testkit::{LogCapture, STRIPE_SECRET};
use webhook_verify::Provider;

#[tokio::test(flavor = "current_thread")]
async fn span_has_provider_id_outcome_and_nothing_secret() {
    let logs = LogCapture::new(tracing::Level::TRACE);
    let _guard = logs.set_default();

    let marker = "body-marker-7f3a";
    let body = format!(r#"{{"id":"evt_traced","type":"x","note":"{marker}"}}"#);
    let good = signed(&Provider::STRIPE, "/raw", body.clone())
        .build()
        .unwrap();
    let signature = good.headers()["stripe-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let signature = signature.split("v1=").nth(1).unwrap().to_owned();
    let bad = signed_with(&Provider::STRIPE, "whsec_other", "/raw", body.clone())
        .build()
        .unwrap();
    let bad_signature = bad.headers()["stripe-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let bad_signature = bad_signature.split("v1=").nth(1).unwrap().to_owned();

    for make in [
        extractor_app as fn(_, _) -> axum::Router,
        layer_app as fn(_, _) -> axum::Router,
    ] {
        let app = make(config(&Provider::STRIPE), Calls::default());
        let good = signed(&Provider::STRIPE, "/raw", body.clone())
            .build()
            .unwrap();
        let bad = signed_with(&Provider::STRIPE, "whsec_other", "/raw", body.clone())
            .build()
            .unwrap();
        let big = signed(&Provider::STRIPE, "/raw", vec![b'z'; 2 << 20])
            .build()
            .unwrap();
        assert_eq!(oneshot(app.clone(), good).await.0, StatusCode::OK);
        assert_eq!(oneshot(app.clone(), bad).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(oneshot(app, big).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    }

    let log = logs.text();
    for expected in [
        "provider=stripe",
        "id=\"evt_traced\"",
        "outcome=\"verified\"",
        "outcome=\"signature_mismatch\"",
        "outcome=\"payload_too_large\"",
        webhook_axum::REJECTION_TARGET,
    ] {
        assert!(
            log.matches(expected).count() >= 2,
            "{expected} twice in:\n{log}"
        );
    }
    for secret in [
        STRIPE_SECRET,
        "whsec_other",
        &signature,
        &bad_signature,
        marker,
        "zzzzzzzz",
    ] {
        assert!(!log.contains(secret), "{secret:?} leaked into:\n{log}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn events_route_records_the_router_outcome_and_nothing_secret() {
    use webhook_verify::{Event, EventRouter};

    let logs = LogCapture::new(tracing::Level::TRACE);
    let _guard = logs.set_default();

    let marker = "body-marker-routed-91c2";
    let router = EventRouter::builder(Provider::STRIPE)
        .on("invoice.paid", |_: Event| async {
            Ok::<_, std::io::Error>(())
        })
        .on("invoice.failed", |_: Event| async {
            Err::<(), _>(std::io::Error::other("handler says no"))
        })
        .build()
        .unwrap();
    let app = axum::Router::new().route(
        "/events",
        webhook_axum::events(config(&Provider::STRIPE), router),
    );
    for (kind, status) in [
        ("invoice.paid", StatusCode::OK),
        ("invoice.failed", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let body = format!(
            r#"{{"id":"evt_{kind}","type":"{kind}","data":{{"object":{{"note":"{marker}"}}}}}}"#
        );
        let request = signed(&Provider::STRIPE, "/events", body).build().unwrap();
        assert_eq!(oneshot(app.clone(), request).await.0, status);
    }

    let log = logs.text();
    for expected in [
        "provider=stripe",
        "outcome=\"handled\"",
        "outcome=\"handler_failed\"",
        "handler says no",
        "route=invoice.failed",
    ] {
        assert!(log.contains(expected), "{expected} in:\n{log}");
    }
    for secret in [STRIPE_SECRET, marker] {
        assert!(!log.contains(secret), "{secret:?} leaked into:\n{log}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_delivery_in_flight_is_recorded_as_in_progress() {
    use common::replay::{Kind, Script, delivery, replay_app, replay_config};
    use webhook_verify::replay::{MemoryStore, Replay};

    for kind in [Kind::Layer, Kind::Extractor] {
        let logs = LogCapture::new(tracing::Level::DEBUG);
        let _guard = logs.set_default();
        let script = Script::holding();
        let app = replay_app(
            kind,
            replay_config(Replay::new(MemoryStore::new())),
            script.clone(),
        );
        let first = tokio::spawn(oneshot(
            app.clone(),
            delivery("/hook", "evt_busy").build().unwrap(),
        ));
        script.hold().entered.notified().await;
        let (status, _, _) = oneshot(app, delivery("/hook", "evt_busy").build().unwrap()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{kind:?}");
        script.hold().release.notify_one();
        first.await.unwrap();

        let log = logs.text();
        assert!(log.contains("outcome=\"in_progress\""), "{kind:?}:\n{log}");
        assert!(!log.contains("in_flight"), "{kind:?}:\n{log}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_span_is_debug_webhook_on_every_route() {
    // A receiver misconfigured for Twilio (no Host, no public URL) answers 500 and logs
    // at ERROR inside the span: at INFO the event is there without its span (the span is
    // below INFO), at DEBUG it is there inside `webhook{...}`.
    let request = || {
        let mut request = signed(&Provider::TWILIO, "/raw", TWILIO_FORM)
            .build()
            .unwrap();
        request.headers_mut().remove("host");
        request
    };
    let apps = || {
        let events = webhook_verify::EventRouter::builder(Provider::TWILIO)
            .build()
            .unwrap();
        let events = webhook_axum::events(config(&Provider::TWILIO), events);
        [
            (
                "extractor",
                extractor_app(config(&Provider::TWILIO), Calls::default()),
            ),
            (
                "layer",
                layer_app(config(&Provider::TWILIO), Calls::default()),
            ),
            ("events", axum::Router::new().route("/raw", events)),
        ]
    };
    for (name, app) in apps() {
        let logs = LogCapture::new(tracing::Level::INFO);
        let _guard = logs.set_default();
        assert_eq!(
            oneshot(app, request()).await.0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let log = logs.text();
        assert!(
            log.contains("webhook refused"),
            "{name}: logged at ERROR:\n{log}"
        );
        assert!(!log.contains("webhook{"), "{name}: no span at INFO:\n{log}");
    }
    for (name, app) in apps() {
        let logs = LogCapture::new(tracing::Level::DEBUG);
        let _guard = logs.set_default();
        assert_eq!(
            oneshot(app, request()).await.0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let log = logs.text();
        let refused = log
            .lines()
            .find(|line| line.contains("webhook refused"))
            .unwrap_or_else(|| panic!("{name}:\n{log}"));
        assert!(
            refused.contains("webhook{provider=twilio"),
            "{name}: {refused}"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_invalid_payload_behind_the_layer_is_recorded_as_such() {
    use axum::routing::post;
    use webhook_axum::{VerifyWebhookLayer, Webhook};

    #[derive(serde::Deserialize)]
    struct Strict {
        #[allow(dead_code)]
        amount: u64,
    }
    let config = config(&Provider::STRIPE);
    let app = axum::Router::new()
        .route("/typed", post(|Webhook(_): Webhook<Strict>| async { "ok" }))
        .route_layer(VerifyWebhookLayer::new(config.clone()))
        .with_state(config);
    let logs = LogCapture::new(tracing::Level::DEBUG);
    let _guard = logs.set_default();
    let request = signed(
        &Provider::STRIPE,
        "/typed",
        r#"{"id":"evt_1","amount":"x"}"#,
    )
    .build()
    .unwrap();
    let (status, _, body) = oneshot(app, request).await;
    assert_eq!(
        (status, &body[..]),
        (StatusCode::BAD_REQUEST, &b"invalid payload"[..])
    );
    let log = logs.text();
    let answered = log
        .lines()
        .rfind(|line| line.contains("outcome="))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(answered.contains("outcome=\"invalid_payload\""), "{log}");
    assert!(!log.contains("handler_failed"), "{log}");
}
