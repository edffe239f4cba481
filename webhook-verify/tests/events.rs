//! Typed events and the router, with the recorded and documented sample payloads in
//! `tests/data/payloads` (see its SOURCES.md), each signed and verified first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde::de::DeserializeSeed as _;
use serde_json::Value;
use webhook_verify::events::{
    Ack, EventRouter, Failure, InvalidPayload, Outcome, PayloadErrorKind, State,
};
use webhook_verify::replay::{MemoryStore, Replay};
use webhook_verify::{
    Delivery, Envelope, Event, OrOther, Provider, SignOptions, Signer, TokenError, TokenKey,
    Verified, Verifier,
};

use webhook_testkit::{LogCapture, NOW, signing_secret, store_tests, verifier};

fn payload(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/data/payloads/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The `X-GitHub-Event` / `X-Shopify-Topic` sidecar of a payload.
fn sidecar(path: &str) -> Vec<(String, String)> {
    let json: serde_json::Map<String, Value> =
        serde_json::from_slice(&payload(&path.replace(".json", ".headers.json"))).unwrap();
    json.into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
        .collect()
}

/// Signs `body` as `provider` would, adds `extra` headers, and verifies it.
fn verified_with(provider: &Provider, body: &[u8], extra: &[(String, String)]) -> Verified {
    let signer = Signer::new(provider, signing_secret(provider)).unwrap();
    let mut headers = signer
        .sign(body, &SignOptions::new().timestamp(NOW).id("msg_2f1a"))
        .unwrap();
    headers.extend_from_slice(extra);
    verifier(provider)
        .verify(&Delivery::new(&headers, body.to_vec()))
        .unwrap()
}

fn verified(provider: &Provider, path: &str) -> Verified {
    let extra = match provider.name() {
        "github" | "shopify" => sidecar(path),
        _ => Vec::new(),
    };
    verified_with(provider, &payload(path), &extra)
}

// ---------------------------------------------------------------------------------------
// Envelopes, one per shape, with the sample payloads.

#[derive(Debug, Deserialize)]
struct StripeInvoice {
    id: String,
    object: String,
    amount_paid: i64,
    customer: String,
}

#[test]
fn stripe_envelope_reads_every_sample() {
    let cases = [
        ("stripe/invoice.paid.json", "invoice.paid", "invoice"),
        (
            "stripe/payment_intent.succeeded.json",
            "payment_intent.succeeded",
            "payment_intent",
        ),
        (
            "stripe/checkout.session.completed.json",
            "checkout.session.completed",
            "checkout.session",
        ),
        (
            "stripe/customer.subscription.updated.json",
            "customer.subscription.updated",
            "subscription",
        ),
    ];
    for (file, name, object) in cases {
        let v = verified(&Provider::STRIPE, file);
        let event = Envelope::stripe().parse::<Value>(&v).unwrap();
        let whole: Value = serde_json::from_slice(v.body()).unwrap();
        assert_eq!(event.name(), name, "{file}");
        assert_eq!(event.event_type(), name);
        assert_eq!(event.action(), None);
        assert_eq!(event.id(), whole["id"].as_str(), "{file}");
        assert!(event.id().unwrap().starts_with("evt_"));
        assert_eq!(event.data(), &whole["data"]["object"], "{file}");
        assert_eq!(event.data()["object"], object, "{file}");
        assert_eq!(event.raw_body(), v.body());
    }
    let v = verified(&Provider::STRIPE, "stripe/invoice.paid.json");
    let invoice = Envelope::stripe().parse::<StripeInvoice>(&v).unwrap();
    assert_eq!(invoice.data().id, "in_1KJqKBJDPojXS6LNJbvLUgEy");
    assert_eq!(invoice.data().object, "invoice");
    assert!(invoice.data().customer.starts_with("cus_"));
    assert!(invoice.data().amount_paid >= 0);
}

#[test]
fn standard_webhooks_envelope_reads_standard_clerk_and_resend_samples() {
    let cases = [
        (
            Provider::STANDARD_WEBHOOKS,
            "standard-webhooks/example.event.json",
            "example.event",
        ),
        (Provider::CLERK, "clerk/user.created.json", "user.created"),
        (
            Provider::RESEND,
            "resend/email.delivered.json",
            "email.delivered",
        ),
    ];
    for (provider, file, name) in cases {
        let v = verified(&provider, file);
        assert_eq!(
            Envelope::for_provider(&provider),
            Envelope::standard_webhooks()
        );
        let event = Envelope::standard_webhooks().parse::<Value>(&v).unwrap();
        let whole: Value = serde_json::from_slice(v.body()).unwrap();
        assert_eq!(event.name(), name, "{file}");
        assert_eq!(event.id(), Some("msg_2f1a"), "the signed webhook-id");
        assert_eq!(event.data(), &whole["data"], "{file}");
    }
    #[derive(Deserialize)]
    struct Example {
        foo: String,
        fizzbuzz: u32,
    }
    let v = verified(
        &Provider::STANDARD_WEBHOOKS,
        "standard-webhooks/example.event.json",
    );
    let e = Envelope::standard_webhooks().parse::<Example>(&v).unwrap();
    assert_eq!((e.data().foo.as_str(), e.data().fizzbuzz), ("bar", 2));
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum IssueAction {
    Opened,
    Closed,
    Edited,
}

#[derive(Debug, Deserialize)]
struct IssuesEvent {
    action: OrOther<IssueAction>,
    issue: Issue,
}

#[derive(Debug, Deserialize)]
struct Issue {
    number: u64,
    title: String,
}

#[test]
fn github_envelope_takes_the_type_from_the_header_and_the_action_from_the_body() {
    let cases = [
        ("github/ping.json", "ping", None),
        ("github/push.json", "push", None),
        (
            "github/pull_request.opened.json",
            "pull_request",
            Some("opened"),
        ),
        ("github/issues.opened.json", "issues", Some("opened")),
        (
            "github/issues.transferred.json",
            "issues",
            Some("transferred"),
        ),
        (
            "github/installation.created.json",
            "installation",
            Some("created"),
        ),
    ];
    for (file, event_type, action) in cases {
        let v = verified(&Provider::GITHUB, file);
        let event = Envelope::github().parse::<Value>(&v).unwrap();
        assert_eq!(event.event_type(), event_type, "{file}");
        assert_eq!(event.action(), action, "{file}");
        let name = match action {
            Some(a) => format!("{event_type}.{a}"),
            None => event_type.to_owned(),
        };
        assert_eq!(event.name(), name);
        let whole: Value = serde_json::from_slice(v.body()).unwrap();
        assert_eq!(event.data(), &whole, "GitHub's data is the whole body");
    }

    // Known and unknown actions.
    let opened = verified(&Provider::GITHUB, "github/issues.opened.json");
    let e = Envelope::github().parse::<IssuesEvent>(&opened).unwrap();
    assert_eq!(e.data().action, OrOther::Known(IssueAction::Opened));
    assert!(e.data().issue.number > 0 && !e.data().issue.title.is_empty());
    let transferred = verified(&Provider::GITHUB, "github/issues.transferred.json");
    let e = Envelope::github()
        .parse::<IssuesEvent>(&transferred)
        .unwrap();
    assert_eq!(e.data().action, OrOther::Other("transferred".to_owned()));
    assert_eq!(e.data().action.known(), None);
}

#[test]
fn github_without_the_event_header_is_an_envelope_error() {
    let v = verified_with(&Provider::GITHUB, &payload("github/ping.json"), &[]);
    let err = Envelope::github().parse::<Value>(&v).unwrap_err();
    assert_eq!(err.kind(), PayloadErrorKind::Envelope);
    assert_eq!(err.to_string(), "no event type header");
}

#[test]
fn slack_envelope_reads_inner_events_and_the_challenge() {
    let v = verified(&Provider::SLACK, "slack/event_callback.app_mention.json");
    let e = Envelope::slack().parse::<Value>(&v).unwrap();
    let whole: Value = serde_json::from_slice(v.body()).unwrap();
    assert_eq!(e.event_type(), "app_mention");
    assert_eq!(e.name(), "app_mention");
    assert_eq!(e.data(), &whole["event"]);
    assert_eq!(e.id(), whole["event_id"].as_str());

    let v = verified(&Provider::SLACK, "slack/url_verification.json");
    let e = Envelope::slack().parse::<Value>(&v).unwrap();
    assert_eq!(e.name(), "url_verification");
    assert_eq!(e.data()["challenge"], "valid_challenge_token");

    // A message with a subtype: the subtype is the action.
    let body = br#"{"type":"event_callback","event_id":"Ev1","event":{"type":"message","subtype":"bot_message","text":"hi"}}"#;
    let v = verified_with(&Provider::SLACK, body, &[]);
    let e = Envelope::slack().parse::<Value>(&v).unwrap();
    assert_eq!(
        (e.name(), e.action(), e.id()),
        ("message.bot_message", Some("bot_message"), Some("Ev1"))
    );
}

#[test]
fn shopify_envelope_takes_the_topic_header() {
    for (file, topic) in [
        ("shopify/orders-create.json", "orders/create"),
        ("shopify/products-update.json", "products/update"),
    ] {
        let v = verified(&Provider::SHOPIFY, file);
        let e = Envelope::shopify().parse::<Value>(&v).unwrap();
        assert_eq!(e.name(), topic, "{file}");
        let whole: Value = serde_json::from_slice(v.body()).unwrap();
        assert_eq!(e.data(), &whole);
    }
}

#[test]
fn paddle_envelope_reads_event_type_id_and_data() {
    for (file, name) in [
        ("paddle/subscription.created.json", "subscription.created"),
        ("paddle/transaction.completed.json", "transaction.completed"),
    ] {
        let v = verified(&Provider::PADDLE, file);
        let e = Envelope::for_provider(&Provider::PADDLE)
            .parse::<Value>(&v)
            .unwrap();
        let whole: Value = serde_json::from_slice(v.body()).unwrap();
        assert_eq!(e.name(), name, "{file}");
        assert_eq!(e.id(), whole["event_id"].as_str());
        assert!(e.id().unwrap().starts_with("evt_"));
        assert_eq!(e.data(), &whole["data"]);
    }
}

#[test]
fn json_pointer_envelope_reads_discord_webhook_events_and_interactions() {
    let v = verified(
        &Provider::DISCORD,
        "discord/webhook_event.entitlement_create.json",
    );
    let envelope = Envelope::json_pointer("/event/type")
        .unwrap()
        .with_data_at("/event/data")
        .unwrap();
    let e = envelope.parse::<Value>(&v).unwrap();
    let whole: Value = serde_json::from_slice(v.body()).unwrap();
    assert_eq!(e.name(), "ENTITLEMENT_CREATE");
    assert_eq!(e.data(), &whole["event"]["data"]);

    // Interactions: a numeric type, given in decimal; the command name as the action.
    let v = verified(
        &Provider::DISCORD,
        "discord/application_command.chat_input.json",
    );
    let envelope = Envelope::json_pointer("/type")
        .unwrap()
        .with_action_at("/data/name")
        .unwrap()
        .with_id_at("/id")
        .unwrap();
    let e = envelope.parse::<Value>(&v).unwrap();
    let whole: Value = serde_json::from_slice(v.body()).unwrap();
    assert_eq!(e.event_type(), "2");
    assert_eq!(e.action(), whole["data"]["name"].as_str());
    assert_eq!(e.id(), whole["id"].as_str());

    for bad in ["event/type", "/a~2"] {
        let err = Envelope::json_pointer(bad).unwrap_err();
        assert_eq!(
            err.kind(),
            webhook_verify::ErrorKind::Config,
            "{bad}: {err}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Drift: changed fields, not JSON, duplicate keys.

#[test]
fn a_changed_field_reports_its_path_from_the_top_of_the_body() {
    #[derive(Debug, Deserialize)]
    struct Strict {
        #[allow(dead_code)]
        amount_paid: String, // the sample has a number
    }
    let v = verified(&Provider::STRIPE, "stripe/invoice.paid.json");
    let err = Envelope::stripe().parse::<Strict>(&v).unwrap_err();
    assert_eq!(err.kind(), PayloadErrorKind::Data);
    assert_eq!(err.path(), Some("data.object.amount_paid"));
    assert_eq!(err.event_type(), Some("invoice.paid"));
    assert_eq!(err.event_name(), Some("invoice.paid"));
    assert!(err.id().unwrap().starts_with("evt_"));
    assert_eq!(err.raw_body(), v.body());
    assert!(
        err.message().starts_with("invalid type: integer"),
        "{}",
        err.message()
    );

    // Nested in arrays.
    #[derive(Debug, Deserialize)]
    struct Lines {
        #[allow(dead_code)]
        lines: LineList,
    }
    #[derive(Debug, Deserialize)]
    struct LineList {
        #[allow(dead_code)]
        data: Vec<Line>,
    }
    #[derive(Debug, Deserialize)]
    struct Line {
        #[allow(dead_code)]
        amount: String, // a number in the sample
    }
    let err = Envelope::stripe().parse::<Lines>(&v).unwrap_err();
    assert_eq!(
        err.path(),
        Some("data.object.lines.data[0].amount"),
        "{err}"
    );

    // A missing field: the path is the object that lacks it.
    #[derive(Debug, Deserialize)]
    struct Missing {
        #[allow(dead_code)]
        no_such_field: String,
    }
    let err = Envelope::stripe()
        .parse::<Missing>(&verified(&Provider::STRIPE, "stripe/invoice.paid.json"))
        .unwrap_err();
    assert_eq!(err.path(), Some("data.object"));
    assert!(
        err.to_string().contains("missing field `no_such_field`"),
        "{err}"
    );
}

#[test]
fn bodies_that_are_not_json_or_repeat_envelope_keys_are_payload_errors() {
    let v = verified_with(&Provider::STRIPE, b"amount=1", &[]);
    let err = Envelope::stripe().parse::<Value>(&v).unwrap_err();
    assert_eq!(err.kind(), PayloadErrorKind::NotJson);
    assert_eq!(err.status(), 400);

    let v = verified_with(&Provider::STRIPE, b"\xff\xfe", &[]);
    assert_eq!(
        Envelope::stripe().parse::<Value>(&v).unwrap_err().kind(),
        PayloadErrorKind::NotJson
    );

    // Two `type` keys: parsers could disagree about which counts, so neither does.
    let body =
        br#"{"id":"evt_1","type":"invoice.paid","type":"charge.refunded","data":{"object":{}}}"#;
    let v = verified_with(&Provider::STRIPE, body, &[]);
    let err = Envelope::stripe().parse::<Value>(&v).unwrap_err();
    assert!(err.to_string().contains("duplicate field `type`"), "{err}");

    for body in [
        &b"[1,2]"[..],
        b"{\"id\":\"evt_1\"}",
        b"{\"type\":{\"a\":1}}",
    ] {
        let v = verified_with(&Provider::STRIPE, body, &[]);
        let err = Envelope::stripe().parse::<Value>(&v).unwrap_err();
        assert_eq!(err.kind(), PayloadErrorKind::Envelope, "{err}");
    }
}

// ---------------------------------------------------------------------------------------
// The router.

fn stripe_event(kind: &str, object: &str) -> Verified {
    let body = format!(r#"{{"id":"evt_{kind}","type":"{kind}","data":{{"object":{object}}}}}"#);
    verified_with(&Provider::STRIPE, body.as_bytes(), &[])
}

type Log = Arc<Mutex<Vec<String>>>;

fn recorder(
    log: &Log,
    label: &'static str,
) -> impl Fn(Event) -> std::future::Ready<Result<(), std::io::Error>> + Send + Sync + 'static {
    let log = Arc::clone(log);
    move |event: Event| {
        log.lock()
            .unwrap()
            .push(format!("{label}:{}", event.name()));
        std::future::ready(Ok(()))
    }
}

#[tokio::test]
async fn the_most_specific_route_runs() {
    let log: Log = Arc::default();
    let router = EventRouter::builder(Provider::STRIPE)
        .on("*", recorder(&log, "star"))
        .on("invoice.*", recorder(&log, "invoice.*"))
        .on("invoice.payment_*", recorder(&log, "invoice.payment_*"))
        .on("invoice.paid", recorder(&log, "invoice.paid"))
        .build()
        .unwrap();
    for (kind, route) in [
        ("invoice.paid", "invoice.paid"),
        ("invoice.payment_failed", "invoice.payment_*"),
        ("invoice.created", "invoice.*"),
        ("charge.refunded", "*"),
    ] {
        let reply = router.dispatch(stripe_event(kind, "{}")).await;
        assert_eq!(reply.status(), 200);
        assert_eq!(reply.outcome(), Outcome::Handled);
        assert_eq!(reply.route(), Some(route), "{kind}");
        assert_eq!(reply.event(), Some(kind));
    }
    assert_eq!(
        *log.lock().unwrap(),
        [
            "invoice.paid:invoice.paid",
            "invoice.payment_*:invoice.payment_failed",
            "invoice.*:invoice.created",
            "star:charge.refunded"
        ]
    );
}

#[tokio::test]
async fn github_routes_match_name_then_type_then_prefix() {
    let log: Log = Arc::default();
    let router = EventRouter::builder(Provider::GITHUB)
        .on("issues.opened", recorder(&log, "exact"))
        .on("issues", recorder(&log, "type"))
        .on("pull_request*", recorder(&log, "prefix"))
        .build()
        .unwrap();
    for (file, route) in [
        ("github/issues.opened.json", Some("issues.opened")),
        ("github/issues.transferred.json", Some("issues")),
        ("github/pull_request.opened.json", Some("pull_request*")),
        ("github/push.json", None),
    ] {
        let reply = router.dispatch(verified(&Provider::GITHUB, file)).await;
        assert_eq!(reply.status(), 200, "{file}");
        assert_eq!(reply.route(), route, "{file}");
    }
    assert_eq!(
        *log.lock().unwrap(),
        [
            "exact:issues.opened",
            "type:issues.transferred",
            "prefix:pull_request.opened"
        ]
    );
}

#[tokio::test]
async fn unknown_types_reach_the_fallback_with_raw_json_or_are_acknowledged() {
    let router = EventRouter::builder(Provider::STRIPE)
        .on("invoice.paid", |_: Event<StripeInvoice>| async {
            Ok::<_, std::io::Error>(())
        })
        .build()
        .unwrap();
    let reply = router
        .dispatch(stripe_event("brand_new.type", r#"{"x":[1,2]}"#))
        .await;
    assert_eq!((reply.status(), reply.outcome()), (200, Outcome::Unrouted));
    assert_eq!(reply.route(), None);

    let seen: Arc<Mutex<Option<Value>>> = Arc::default();
    let seen2 = Arc::clone(&seen);
    let router = EventRouter::builder(Provider::STRIPE)
        .on("invoice.paid", |_: Event<StripeInvoice>| async {
            Ok::<_, std::io::Error>(())
        })
        .fallback(move |event: Event| {
            *seen2.lock().unwrap() = Some(event.data().clone());
            async { Ok::<_, std::io::Error>(Ack::accepted()) }
        })
        .build()
        .unwrap();
    let reply = router
        .dispatch(stripe_event("brand_new.type", r#"{"x":[1,2]}"#))
        .await;
    assert_eq!((reply.status(), reply.outcome()), (202, Outcome::Handled));
    assert_eq!(reply.route(), Some("<fallback>"));
    assert_eq!(
        *seen.lock().unwrap(),
        Some(serde_json::json!({"x": [1, 2]}))
    );
}

#[tokio::test]
async fn shape_drift_is_400_by_default_or_accepted_and_reported() {
    type Seen = (Option<String>, Option<String>, usize);
    let failures: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let ran = Arc::new(AtomicUsize::new(0));
    let build = |policy| {
        let failures = Arc::clone(&failures);
        let ran = Arc::clone(&ran);
        EventRouter::builder(Provider::STRIPE)
            .on_any({
                let ran = Arc::clone(&ran);
                move |_: Event| {
                    ran.fetch_add(1, Ordering::SeqCst);
                    async { Ok::<_, std::io::Error>(()) }
                }
            })
            .on("invoice.paid", move |_: Event<StripeInvoice>| {
                ran.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, std::io::Error>(()) }
            })
            .on_error(move |f: &Failure<'_>| {
                if let Failure::InvalidPayload(e) = f {
                    failures.lock().unwrap().push((
                        e.event_type().map(str::to_owned),
                        e.path().map(str::to_owned),
                        e.raw_body().len(),
                    ));
                }
            })
            .invalid_payload(policy)
            .build()
            .unwrap()
    };
    let drifted = stripe_event(
        "invoice.paid",
        r#"{"id":"in_1","object":"invoice","amount_paid":"12.50","customer":"cus_1"}"#,
    );
    let len = drifted.body().len();

    let reply = build(InvalidPayload::Reject)
        .dispatch(drifted.clone())
        .await;
    assert_eq!(
        (reply.status(), reply.body().as_ref()),
        (400, &b"invalid payload"[..])
    );
    assert_eq!(reply.outcome(), Outcome::InvalidPayload);
    assert_eq!(reply.event(), Some("invoice.paid"));

    let reply = build(InvalidPayload::AcceptAndLog).dispatch(drifted).await;
    assert_eq!(
        (reply.status(), reply.outcome()),
        (200, Outcome::InvalidPayloadAccepted)
    );

    assert_eq!(
        ran.load(Ordering::SeqCst),
        0,
        "no handler runs for a payload that does not parse"
    );
    let expected = (
        Some("invoice.paid".to_owned()),
        Some("data.object.amount_paid".to_owned()),
        len,
    );
    assert_eq!(*failures.lock().unwrap(), [expected.clone(), expected]);
}

store_tests! {
/// Run against every replay store.
async fn handler_errors_and_panics_are_500_and_release_the_claim(store) {
    let calls = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let router = {
        let calls = Arc::clone(&calls);
        let failures = Arc::clone(&failures);
        EventRouter::builder(Provider::STRIPE)
            .on("invoice.paid", move |event: Event| {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    match n {
                        0 => Err(format!("database down for {}", event.id().unwrap_or("?"))),
                        1 => panic!("handler bug"),
                        _ => Ok(Ack::text("done")),
                    }
                }
            })
            .on_error(move |f: &Failure<'_>| {
                let line = match f {
                    Failure::Handler { route, error, .. } => format!("error {route}: {error}"),
                    Failure::Panic { route, message, .. } => format!("panic {route}: {message}"),
                    other => format!("{other:?}"),
                };
                failures.lock().unwrap().push(line);
            })
            .build()
            .unwrap()
    };
    let replay = store.replay();
    let delivery = stripe_event("invoice.paid", "{}");

    let first = router.dispatch_claimed(delivery.clone(), &replay).await;
    assert_eq!(
        (first.status(), first.outcome()),
        (500, Outcome::HandlerFailed)
    );
    assert_eq!(first.body().as_ref(), b"internal server error");
    assert_eq!(first.route(), Some("invoice.paid"));

    // Released: the provider's retry runs the handler again, which panics this time.
    let second = router.dispatch_claimed(delivery.clone(), &replay).await;
    assert_eq!(
        (second.status(), second.outcome()),
        (500, Outcome::HandlerFailed)
    );

    let third = router.dispatch_claimed(delivery.clone(), &replay).await;
    assert_eq!((third.status(), third.body().as_ref()), (200, &b"done"[..]));
    assert_eq!(third.content_type(), Some("text/plain; charset=utf-8"));

    // Committed: now a duplicate, and the handler does not run again.
    let fourth = router.dispatch_claimed(delivery, &replay).await;
    assert_eq!(
        (fourth.status(), fourth.outcome()),
        (200, Outcome::Duplicate)
    );
    assert_eq!(fourth.body().as_ref(), b"duplicate");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(
        *failures.lock().unwrap(),
        [
            "error invoice.paid: database down for evt_invoice.paid",
            "panic invoice.paid: handler bug"
        ]
    );
}

/// Run against every replay store.
async fn a_delivery_in_flight_gets_409_with_retry_after(store) {
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let (finish_tx, finish_rx) = tokio::sync::oneshot::channel::<()>();
    let started_tx = Mutex::new(Some(started_tx));
    let finish_rx = Arc::new(tokio::sync::Mutex::new(Some(finish_rx)));
    let router = EventRouter::builder(Provider::STRIPE)
        .on("invoice.paid", move |_: Event| {
            if let Some(tx) = started_tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
            let finish_rx = Arc::clone(&finish_rx);
            async move {
                if let Some(rx) = finish_rx.lock().await.take() {
                    let _ = rx.await;
                }
                Ok::<_, std::io::Error>(())
            }
        })
        .build()
        .unwrap();
    let replay = store.replay().lease(std::time::Duration::from_millis(2500));
    let delivery = stripe_event("invoice.paid", "{}");
    let first = tokio::spawn({
        let router = router.clone();
        let replay = replay.clone();
        let delivery = delivery.clone();
        async move { router.dispatch_claimed(delivery, &replay).await }
    });
    started_rx.await.unwrap();
    let second = router.dispatch_claimed(delivery.clone(), &replay).await;
    assert_eq!(
        (second.status(), second.outcome()),
        (409, Outcome::InProgress)
    );
    assert_eq!(second.retry_after(), Some(3));
    assert_eq!(second.body().as_ref(), b"in progress");
    finish_tx.send(()).unwrap();
    assert_eq!(first.await.unwrap().status(), 200);
    assert_eq!(
        router.dispatch_claimed(delivery, &replay).await.outcome(),
        Outcome::Duplicate
    );
}
}

#[tokio::test]
async fn on_any_runs_first_for_every_event_and_its_error_fails_the_delivery() {
    let log: Log = Arc::default();
    let router = EventRouter::builder(Provider::STRIPE)
        .on_any(recorder(&log, "any"))
        .on_any({
            let log = Arc::clone(&log);
            move |event: Event| {
                log.lock().unwrap().push(format!("audit:{}", event.name()));
                let fail = event.name() == "charge.failed";
                async move {
                    if fail {
                        Err(std::io::Error::other("audit log full"))
                    } else {
                        Ok(())
                    }
                }
            }
        })
        .on("charge.*", recorder(&log, "charge"))
        .build()
        .unwrap();
    assert_eq!(
        router
            .dispatch(stripe_event("charge.succeeded", "{}"))
            .await
            .status(),
        200
    );
    let failed = router.dispatch(stripe_event("charge.failed", "{}")).await;
    assert_eq!(failed.status(), 500);
    assert_eq!(failed.route(), Some("<any>"));
    let unrouted = router.dispatch(stripe_event("payout.paid", "{}")).await;
    assert_eq!(
        (unrouted.status(), unrouted.outcome()),
        (200, Outcome::Unrouted)
    );
    assert_eq!(
        *log.lock().unwrap(),
        [
            "any:charge.succeeded",
            "audit:charge.succeeded",
            "charge:charge.succeeded",
            "any:charge.failed",
            "audit:charge.failed",
            "any:payout.paid",
            "audit:payout.paid"
        ]
    );
}

#[tokio::test]
async fn handlers_get_the_router_state() {
    #[derive(Clone, Default)]
    struct App {
        paid: Arc<AtomicUsize>,
    }
    async fn paid(
        State(app): State<App>,
        event: Event<StripeInvoice>,
    ) -> Result<Ack, std::io::Error> {
        app.paid.fetch_add(1, Ordering::SeqCst);
        Ok(Ack::json(&serde_json::json!({"invoice": event.data().id})).unwrap())
    }
    let app = App::default();
    let router = EventRouter::with_state(Provider::STRIPE, app.clone())
        .on("invoice.paid", paid)
        .on("invoice.*", |_: Event| async {
            Ok::<_, std::io::Error>(())
        })
        .build()
        .unwrap();
    let reply = router
        .dispatch(verified(&Provider::STRIPE, "stripe/invoice.paid.json"))
        .await;
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.content_type(), Some("application/json"));
    assert_eq!(
        reply.body().as_ref(),
        br#"{"invoice":"in_1KJqKBJDPojXS6LNJbvLUgEy"}"#
    );
    assert_eq!(app.paid.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn slack_url_verification_is_answered_without_a_handler_or_a_claim() {
    let router = EventRouter::builder(Provider::SLACK)
        .on("*", |_: Event| async {
            Err::<(), _>(std::io::Error::other("must not run"))
        })
        .build()
        .unwrap();
    let replay = Replay::new(MemoryStore::new());
    for _ in 0..2 {
        let reply = router
            .dispatch_claimed(
                verified(&Provider::SLACK, "slack/url_verification.json"),
                &replay,
            )
            .await;
        assert_eq!((reply.status(), reply.outcome()), (200, Outcome::Challenge));
        assert_eq!(reply.content_type(), Some("application/json"));
        assert_eq!(
            reply.body().as_ref(),
            br#"{"challenge":"valid_challenge_token"}"#
        );
    }
    let mention = router
        .dispatch(verified(
            &Provider::SLACK,
            "slack/event_callback.app_mention.json",
        ))
        .await;
    assert_eq!(
        mention.status(),
        500,
        "the catch-all handler ran for a real event"
    );
}

#[tokio::test]
async fn shopify_and_paddle_route_by_topic_and_event_type() {
    let log: Log = Arc::default();
    let shopify = EventRouter::builder(Provider::SHOPIFY)
        .on("orders/*", recorder(&log, "orders"))
        .on("products/update", recorder(&log, "products"))
        .build()
        .unwrap();
    for file in ["shopify/orders-create.json", "shopify/products-update.json"] {
        assert_eq!(
            shopify
                .dispatch(verified(&Provider::SHOPIFY, file))
                .await
                .status(),
            200
        );
    }
    let paddle = EventRouter::builder(Provider::PADDLE)
        .on("subscription.created", recorder(&log, "sub"))
        .on("transaction.*", recorder(&log, "txn"))
        .build()
        .unwrap();
    for file in [
        "paddle/subscription.created.json",
        "paddle/transaction.completed.json",
    ] {
        assert_eq!(
            paddle
                .dispatch(verified(&Provider::PADDLE, file))
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        *log.lock().unwrap(),
        [
            "orders:orders/create",
            "products:products/update",
            "sub:subscription.created",
            "txn:transaction.completed"
        ]
    );
}

/// What the router logs when a delivery fails names the event and the route; the body
/// and the secret never appear, at any level.
#[tokio::test(flavor = "current_thread")]
async fn failures_are_logged_without_the_body_or_the_secret() {
    let logs = LogCapture::new(tracing::Level::TRACE);
    let _guard = logs.set_default();
    let marker = "body-marker-5e1f";
    let router = |policy| {
        EventRouter::builder(Provider::STRIPE)
            .on("invoice.paid", |_: Event<StripeInvoice>| async {
                Err::<(), _>(std::io::Error::other("database down"))
            })
            .invalid_payload(policy)
            .build()
            .unwrap()
    };
    let good = stripe_event(
        "invoice.paid",
        &format!(r#"{{"id":"in_1","object":"invoice","amount_paid":1,"customer":"{marker}"}}"#),
    );
    let reply = router(InvalidPayload::Reject).dispatch(good).await;
    assert_eq!(reply.status(), 500);
    let drifted = stripe_event(
        "invoice.paid",
        &format!(r#"{{"id":"in_1","object":"invoice","amount_paid":"{marker}","customer":"c"}}"#),
    );
    for policy in [InvalidPayload::Reject, InvalidPayload::AcceptAndLog] {
        let reply = router(policy).dispatch(drifted.clone()).await;
        assert!(matches!(reply.status(), 200 | 400), "{}", reply.status());
    }

    let text = logs.text();
    assert!(text.contains("webhook handler failed"), "{text}");
    assert!(text.contains("route=invoice.paid"), "{text}");
    assert!(text.contains("does not parse"), "{text}");
    assert!(text.contains(r#"path="data.object.amount_paid""#), "{text}");
    assert!(!text.contains(marker), "the body was logged: {text}");
    assert!(!text.contains(webhook_testkit::STRIPE_SECRET), "{text}");
}

#[test]
fn bad_or_repeated_patterns_fail_the_build() {
    let ok = |_: Event| async { Ok::<_, std::io::Error>(()) };
    for (patterns, message) in [
        (&["invoice.paid", "invoice.paid"][..], "registered twice"),
        (&["invoice.*", "invoice.*"][..], "registered twice"),
        (&[""][..], "cannot be empty"),
        (&["in*voice"][..], "may only end a pattern"),
        (&["**"][..], "may only end a pattern"),
    ] {
        let mut builder = EventRouter::builder(Provider::STRIPE);
        for p in patterns {
            builder = builder.on(p, ok);
        }
        let err = builder.build().unwrap_err();
        assert!(err.to_string().contains(message), "{patterns:?}: {err}");
    }
}

// ---------------------------------------------------------------------------------------
// Verified tokens.

#[tokio::test]
async fn a_token_round_trips_and_is_routed_after_the_tolerance_window() {
    let v = verified(&Provider::STRIPE, "stripe/invoice.paid.json");
    let json = serde_json::to_string(&v).unwrap();
    let token: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(token["provider"], "stripe");
    assert_eq!(token["id"], "evt_1KJrGtJDPojXS6LN15fcthM3");
    assert_eq!(token["timestamp"], NOW);
    assert_eq!(token["event_type"], "invoice.paid");
    assert_eq!(token["key_index"], 0);
    assert_eq!(token["received_at"], NOW * 1000);
    assert_eq!(
        token["body"].as_str().unwrap().as_bytes(),
        v.body().as_ref()
    );
    let back = webhook_verify::dangerous::verified_unchecked_from_json(json.as_bytes()).unwrap();
    assert_eq!(back.provider(), &Provider::STRIPE);
    assert_eq!(back.id(), v.id());
    assert_eq!(back.timestamp(), Some(NOW));
    assert_eq!(back.event_type(), Some("invoice.paid"));
    assert_eq!(back.received_at(), NOW * 1000);
    assert_eq!(back.key(), v.key());
    assert_eq!(back.body(), v.body());
    assert_eq!(back.replay_key(), v.replay_key());

    // Hours later, no verifier and no clock: it still parses and routes.
    let router = EventRouter::builder(Provider::STRIPE)
        .on("invoice.paid", |e: Event<StripeInvoice>| async move {
            Ok::<_, std::io::Error>(Ack::text(e.data().id.clone()))
        })
        .build()
        .unwrap();
    let reply = router.dispatch(back).await;
    assert_eq!(reply.body().as_ref(), b"in_1KJqKBJDPojXS6LNJbvLUgEy");
}

#[test]
fn tokens_keep_header_fields_key_ids_and_binary_bodies() {
    // GitHub: the type and delivery id come from headers, which the token keeps.
    let extra = [
        ("X-GitHub-Event".to_owned(), "ping".to_owned()),
        ("X-GitHub-Delivery".to_owned(), "72d3162e".to_owned()),
    ];
    let body = b"\x00\xff not UTF-8";
    let signer = Signer::new(&Provider::GITHUB, "s1").unwrap();
    let mut headers = signer.sign(body, &SignOptions::new()).unwrap();
    headers.extend(extra);
    let verifier = Verifier::builder(Provider::GITHUB)
        .secret_with_id("2023", "old")
        .secret_with_id("2024", "s1")
        .build()
        .unwrap();
    let v = verifier
        .verify(&Delivery::new(&headers, &body[..]))
        .unwrap();
    let json = serde_json::to_value(&v).unwrap();
    assert!(json.get("body").is_none());
    assert!(json["body_base64"].is_string());
    assert_eq!(json["key_id"], "2024");
    let back = webhook_verify::dangerous::UncheckedVerifiedSeed::new(&[])
        .deserialize(json)
        .unwrap();
    assert_eq!(back.body().as_ref(), body);
    assert_eq!(back.event_type(), Some("ping"));
    assert_eq!(back.id(), Some("72d3162e"));
    assert_eq!((back.key().index(), back.key().id()), (1, Some("2024")));
    assert!(back.replay_key().starts_with("github:sig:"));
    assert_eq!(back.replay_key(), v.replay_key());

    // Malformed tokens are errors, not panics.
    let good = serde_json::to_value(&v).unwrap();
    for (field, value) in [
        ("v", serde_json::json!(2)),
        ("provider", serde_json::json!("nope")),
        ("body_base64", serde_json::json!("***")),
        ("signature", serde_json::json!("zz")),
        ("signature", serde_json::json!("00".repeat(100))),
        ("alternate", serde_json::json!(true)),
        ("extra", serde_json::json!(1)),
    ] {
        let mut bad = good.clone();
        bad[field] = value;
        assert!(
            webhook_verify::dangerous::UncheckedVerifiedSeed::new(&[])
                .deserialize(bad)
                .is_err(),
            "{field}"
        );
    }
    let mut both = good.clone();
    both["body"] = serde_json::json!("x");
    assert!(
        webhook_verify::dangerous::UncheckedVerifiedSeed::new(&[])
            .deserialize(both)
            .is_err()
    );
}

#[test]
fn sealed_tokens_open_only_with_their_key_and_unchanged() {
    let v = verified(
        &Provider::STANDARD_WEBHOOKS,
        "standard-webhooks/example.event.json",
    );
    let key = TokenKey::new("0123456789abcdef0123456789abcdef").unwrap();
    let token = key.seal(&v);
    let back = key.open(&token).unwrap();
    assert_eq!(back.id(), Some("msg_2f1a"));
    assert_eq!(back.body(), v.body());
    assert_eq!(format!("{key:?}"), "TokenKey(REDACTED)");

    let other = TokenKey::new("another key, same length, 32 b!!").unwrap();
    assert_eq!(other.open(&token).unwrap_err(), TokenError::BadSeal);
    let (payload, tag) = token.split_once('.').unwrap();
    // Every single-character change of the payload is caught.
    for i in 0..payload.len() {
        let mut changed = payload.as_bytes().to_vec();
        changed[i] = if changed[i] == b'A' { b'B' } else { b'A' };
        let forged = format!("{}.{tag}", String::from_utf8(changed).unwrap());
        let err = key.open(&forged).unwrap_err();
        // The seal is checked first; only the last character (whose low bits may be
        // padding) can instead make the base64 non-canonical.
        if i + 1 < payload.len() {
            assert_eq!(err, TokenError::BadSeal, "byte {i}");
        } else {
            assert!(
                matches!(err, TokenError::BadSeal | TokenError::Malformed),
                "{err:?}"
            );
        }
    }
    for malformed in ["", "abc", "a.b.c", "!!.!!"] {
        assert_eq!(
            key.open(malformed).unwrap_err(),
            TokenError::Malformed,
            "{malformed:?}"
        );
    }
    // Two empty parts are well-formed base64url; the empty tag is simply not the seal.
    assert_eq!(key.open(".").unwrap_err(), TokenError::BadSeal);
    assert_eq!(
        TokenKey::new("").unwrap_err().kind(),
        webhook_verify::ErrorKind::InvalidSecret
    );
}
