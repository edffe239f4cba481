//! Outcome metrics scraped from a real listener's `/metrics` (the Prometheus exporter the
//! listeners' `--metrics-addr` installs), after a scripted set of deliveries; and shadow
//! mode's outcome on the metric and on the span.
//!
//! Its own test binary: the metrics recorder and the tracing subscriber are global.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use webhook_testkit::LogCapture;
use webhook_verify::{Provider, SignOptions, Signer, Verifier};

const STRIPE_SECRET: &str = "whsec_metrics";
const GITHUB_SECRET: &str = "github-metrics";

/// A listener with two routes: `/stripe` (the verifying layer; the handler fails for a
/// body containing `fail`) and `/github` in shadow mode (the handler answers whether the
/// delivery was authentic).
fn listener(handled: Arc<AtomicUsize>) -> SocketAddr {
    use axum::Router;
    use axum::routing::post;
    let stripe = webhook_axum::WebhookConfig::builder(
        Verifier::new(Provider::STRIPE, STRIPE_SECRET).unwrap(),
    )
    .max_body(1024)
    .build();
    let github = webhook_axum::WebhookConfig::builder(
        Verifier::new(Provider::GITHUB, GITHUB_SECRET).unwrap(),
    )
    .shadow(true)
    .build();
    let seen = Arc::clone(&handled);
    let app = Router::new()
        .route(
            "/stripe",
            post(move |body: String| {
                let seen = Arc::clone(&seen);
                async move {
                    seen.fetch_add(1, Ordering::SeqCst);
                    if body.contains("fail") {
                        (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "no")
                    } else {
                        (axum::http::StatusCode::OK, "ok")
                    }
                }
            }),
        )
        .layer(webhook_axum::VerifyWebhookLayer::new(stripe))
        .merge(
            Router::new()
                .route(
                    "/github",
                    post(
                        move |webhook_axum::VerifiedWebhook(v): webhook_axum::VerifiedWebhook| {
                            let handled = Arc::clone(&handled);
                            async move {
                                handled.fetch_add(1, Ordering::SeqCst);
                                if v.is_authentic() {
                                    "authentic"
                                } else {
                                    "unverified"
                                }
                            }
                        },
                    ),
                )
                .with_state(github),
        );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    provider: &Provider,
    secret: &str,
    body: &[u8],
    options: &SignOptions,
) -> u16 {
    let mut request = client.post(url).body(body.to_vec());
    for (name, value) in Signer::new(provider, secret)
        .unwrap()
        .sign(body, options)
        .unwrap()
    {
        request = request.header(name, value);
    }
    request.send().await.unwrap().status().as_u16()
}

/// `name{labels} value` lines of `metric`, keyed by their labels.
fn samples(text: &str, metric: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter_map(|line| line.strip_prefix(metric))
        .filter_map(|rest| {
            let (labels, value) = rest.rsplit_once(' ')?;
            let mut labels: Vec<&str> = labels
                .trim_start_matches('{')
                .trim_end_matches('}')
                .split(',')
                .filter(|l| !l.is_empty())
                .collect();
            labels.sort_unstable();
            Some((labels.join(","), value.parse().ok()?))
        })
        .collect()
}

#[tokio::test]
async fn scraped_metrics_count_each_outcome_exactly() {
    let logs = LogCapture::new(tracing::Level::DEBUG);
    tracing::subscriber::set_global_default(logs.subscriber()).unwrap();
    let metrics_addr = free_port();
    // What `--metrics-addr` does (inside a runtime).
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(metrics_addr)
        .install()
        .unwrap();
    let handled = Arc::new(AtomicUsize::new(0));
    let addr = listener(Arc::clone(&handled));
    let client = reqwest::Client::new();
    let stripe = format!("http://{addr}/stripe");
    let now = SignOptions::new();
    let body = |n: u32| format!(r#"{{"id":"evt_{n}","type":"invoice.paid","object":"event"}}"#);

    // 3 handled, 1 duplicate of the first.
    for n in 0..3 {
        assert_eq!(
            send(
                &client,
                &stripe,
                &Provider::STRIPE,
                STRIPE_SECRET,
                body(n).as_bytes(),
                &now
            )
            .await,
            200
        );
    }
    assert_eq!(
        send(
            &client,
            &stripe,
            &Provider::STRIPE,
            STRIPE_SECRET,
            body(0).as_bytes(),
            &now
        )
        .await,
        200
    );
    // 2 tampered (signed with another secret).
    for n in 10..12 {
        assert_eq!(
            send(
                &client,
                &stripe,
                &Provider::STRIPE,
                "whsec_other",
                body(n).as_bytes(),
                &now
            )
            .await,
            401
        );
    }
    // 1 stale: signed an hour ago.
    let now_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let stale = SignOptions::new().timestamp(i64::try_from(now_secs).unwrap() - 3600);
    assert_eq!(
        send(
            &client,
            &stripe,
            &Provider::STRIPE,
            STRIPE_SECRET,
            body(20).as_bytes(),
            &stale
        )
        .await,
        401
    );
    // 1 oversized (the limit is 1 KiB).
    let big = format!(r#"{{"id":"evt_big","pad":"{}"}}"#, "x".repeat(2048));
    assert_eq!(
        send(
            &client,
            &stripe,
            &Provider::STRIPE,
            STRIPE_SECRET,
            big.as_bytes(),
            &now
        )
        .await,
        413
    );
    // 1 without a signature.
    let unsigned = client.post(&stripe).body(body(30)).send().await.unwrap();
    assert_eq!(unsigned.status().as_u16(), 400);
    // 1 failing handler.
    let failing = r#"{"id":"evt_fail","type":"fail","object":"event"}"#;
    assert_eq!(
        send(
            &client,
            &stripe,
            &Provider::STRIPE,
            STRIPE_SECRET,
            failing.as_bytes(),
            &now
        )
        .await,
        500
    );
    assert_eq!(
        handled.load(Ordering::SeqCst),
        4,
        "3 handled and the failing one"
    );

    // Shadow mode: one genuine and one tampered delivery both reach the handler.
    let github = format!("http://{addr}/github");
    assert_eq!(
        send(
            &client,
            &github,
            &Provider::GITHUB,
            GITHUB_SECRET,
            b"{\"a\":1}",
            &now
        )
        .await,
        200
    );
    let response = {
        let mut request = client.post(&github).body("{\"a\":2}");
        for (name, value) in Signer::new(&Provider::GITHUB, "wrong")
            .unwrap()
            .sign(b"{\"a\":2}", &now)
            .unwrap()
        {
            request = request.header(name, value);
        }
        request.send().await.unwrap()
    };
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "unverified");
    assert_eq!(handled.load(Ordering::SeqCst), 6);

    let text = reqwest::get(format!("http://{metrics_addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let deliveries = samples(&text, "webhook_deliveries_total");
    let expected: BTreeMap<String, f64> = [
        ("outcome=\"handled\",provider=\"stripe\"", 3.0),
        ("outcome=\"duplicate\",provider=\"stripe\"", 1.0),
        ("outcome=\"signature_mismatch\",provider=\"stripe\"", 2.0),
        ("outcome=\"timestamp_too_old\",provider=\"stripe\"", 1.0),
        ("outcome=\"payload_too_large\",provider=\"stripe\"", 1.0),
        ("outcome=\"missing_header\",provider=\"stripe\"", 1.0),
        ("outcome=\"handler_failed\",provider=\"stripe\"", 1.0),
        ("outcome=\"verified\",provider=\"github\"", 1.0),
        ("outcome=\"shadow_accepted\",provider=\"github\"", 1.0),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(deliveries, expected, "{text}");
    // Every delivery but the oversized one (refused from its Content-Length) was verified.
    let verify = samples(&text, "webhook_verify_duration_seconds_count");
    assert_eq!(verify.get("provider=\"stripe\""), Some(&9.0), "{text}");
    assert_eq!(verify.get("provider=\"github\""), Some(&2.0), "{text}");
    // The handler behind the layer answered for the 4 new Stripe deliveries that verified;
    // an extractor's handler (the GitHub route) answers out of the receive path's sight,
    // so its deliveries end as `verified` with no handler time.
    let handler = samples(&text, "webhook_handler_duration_seconds_count");
    assert_eq!(handler.get("provider=\"stripe\""), Some(&4.0), "{text}");
    assert_eq!(handler.get("provider=\"github\""), None, "{text}");
    // No claim left in flight; the shadow-accepted delivery was never claimed.
    let in_flight = samples(&text, "webhook_claims_in_flight");
    assert_eq!(in_flight.get("provider=\"stripe\""), Some(&0.0), "{text}");
    assert!(text.contains("# HELP webhook_deliveries_total"), "{text}");

    // The span says the same.
    let logged = logs.text();
    let shadow_line = logged
        .lines()
        .find(|l| l.contains("shadow mode") && l.contains("webhook{"))
        .unwrap_or_else(|| panic!("{logged}"));
    assert!(
        shadow_line.contains("outcome=\"shadow_accepted\"")
            || shadow_line.contains("outcome=shadow_accepted"),
        "{shadow_line}"
    );
    assert!(shadow_line.contains("WARN"), "{shadow_line}");
}
