//! What the core receive pipeline made the same everywhere, checked on every way in (the
//! extractors alone, `Claimed`, the layer, `events`): the divergences the copies used to
//! have would each fail one of these.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::routing::post;
use common::*;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::Notify;
use webhook_axum::{
    Claimed, MemoryStore, Replay, VerifiedWebhook, VerifyWebhookLayer, Webhook, WebhookConfig,
};
use webhook_testkit::{Counted, verifier};
use webhook_verify::replay::StoreError;
use webhook_verify::{Event, EventRouter, Provider};

/// Every way a delivery reaches a handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Way {
    /// `Webhook<T>` alone.
    Typed,
    /// `VerifiedWebhook` alone.
    Raw,
    /// `Claimed<Webhook<T>>`, committing on success.
    Claimed,
    /// `VerifyWebhookLayer` + `Json<T>`.
    Layer,
    /// `webhook_axum::events`.
    Events,
}

const WAYS: [Way; 5] = [Way::Typed, Way::Raw, Way::Claimed, Way::Layer, Way::Events];

/// A handler behind `way` at `/`, counting its runs, optionally held until `gate` opens.
fn app(
    way: Way,
    config: WebhookConfig,
    calls: Arc<AtomicUsize>,
    gate: Option<Arc<Notify>>,
) -> Router {
    let run = move || {
        let (calls, gate) = (calls.clone(), gate.clone());
        async move {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                if let Some(gate) = gate {
                    gate.notified().await;
                }
            }
        }
    };
    match way {
        Way::Typed => Router::new()
            .route(
                "/",
                post(move |Webhook(_): Webhook<serde_json::Value>| async move { run().await }),
            )
            .with_state(config),
        Way::Raw => Router::new()
            .route(
                "/",
                post(move |VerifiedWebhook(_): VerifiedWebhook| async move { run().await }),
            )
            .with_state(config),
        Way::Claimed => Router::new()
            .route(
                "/",
                post(
                    move |Claimed(Webhook(_), claim): Claimed<Webhook<serde_json::Value>>| async move {
                        run().await;
                        let committed: Result<(), StoreError> = claim.commit().await;
                        committed.expect("memory store");
                    },
                ),
            )
            .with_state(config),
        Way::Layer => Router::new()
            .route(
                "/",
                post(move |axum::Json(_): axum::Json<serde_json::Value>| async move { run().await }),
            )
            .route_layer(VerifyWebhookLayer::new(config)),
        Way::Events => {
            let router = EventRouter::builder(config.provider().clone())
                .fallback(move |_: Event| {
                    let run = run.clone();
                    async move {
                        run().await;
                        Ok::<_, std::io::Error>(())
                    }
                })
                .build()
                .unwrap();
            Router::new().route("/", webhook_axum::events(config, router))
        }
    }
}

fn github(body: &str) -> Request {
    signed(&Provider::GITHUB, "/", body.to_owned())
        .header("X-GitHub-Event", "push")
        .header("content-type", "application/json")
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_default_config_deduplicates_a_github_delivery_sent_twice() {
    // GitHub signs no timestamp: without replay protection a captured delivery could be
    // replayed forever. `WebhookConfig::new` protects it.
    for way in WAYS {
        let calls = Arc::new(AtomicUsize::new(0));
        let config = WebhookConfig::new(verifier(&Provider::GITHUB));
        let app = app(way, config, calls.clone(), None);
        let (status, _, _) = oneshot(app.clone(), github(r#"{"ref":"main"}"#)).await;
        assert_eq!(status, StatusCode::OK, "{way:?}");
        let (status, _, body) = oneshot(app, github(r#"{"ref":"main"}"#)).await;
        assert_eq!(
            (status, &body[..]),
            (StatusCode::OK, &b"duplicate"[..]),
            "{way:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{way:?}: handler ran once");
    }
}

#[tokio::test]
async fn retry_after_is_at_least_one_second_for_a_sub_second_lease() {
    for way in [Way::Claimed, Way::Layer, Way::Events] {
        let calls = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(Notify::new());
        let replay = Replay::new(MemoryStore::new()).lease(Duration::from_millis(200));
        let config = WebhookConfig::builder(verifier(&Provider::GITHUB))
            .replay(replay)
            .build();
        let app = app(way, config, calls.clone(), Some(gate.clone()));
        let first = tokio::spawn(oneshot(app.clone(), github("{}")));
        while calls.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let (status, headers, body) = oneshot(app, github("{}")).await;
        assert_eq!(
            (status, &body[..]),
            (StatusCode::CONFLICT, &b"in progress"[..]),
            "{way:?}"
        );
        assert_eq!(
            headers["retry-after"], "1",
            "{way:?}: 200 ms rounds up to 1 s"
        );
        gate.notify_one();
        assert_eq!(first.await.unwrap().0, StatusCode::OK, "{way:?}");
    }
}

#[tokio::test]
async fn claimed_without_replay_is_an_inert_claim_answering_200() {
    let config = WebhookConfig::builder(verifier(&Provider::GITHUB))
        .without_replay()
        .build();
    let app = Router::new()
        .route(
            "/typed",
            post(
                |Claimed(Webhook(_), claim): Claimed<Webhook<serde_json::Value>>| async move {
                    assert!(!claim.is_held() && claim.key().is_none());
                    let committed: Result<(), StoreError> = claim.commit().await;
                    committed.map_or("commit failed", |()| "committed")
                },
            ),
        )
        .route(
            "/raw",
            post(|Claimed(_, claim): Claimed<VerifiedWebhook>| async move {
                assert!(!claim.is_held());
                claim
                    .release()
                    .await
                    .map_or("release failed", |()| "released")
            }),
        )
        .with_state(config);
    for (path, answer) in [("/typed", "committed"), ("/raw", "released")] {
        // Twice: without replay protection both run.
        for _ in 0..2 {
            let request = signed(&Provider::GITHUB, path, "{}").build().unwrap();
            let (status, _, body) = oneshot(app.clone(), request).await;
            assert_eq!(
                (status, &body[..]),
                (StatusCode::OK, answer.as_bytes()),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn content_length_is_parsed_once_the_same_way_everywhere() {
    let limit = 64;
    let cases: [(&[&str], StatusCode, &str); 5] = [
        (
            &["abc"],
            StatusCode::BAD_REQUEST,
            "malformed header content-length: not a decimal length",
        ),
        (
            &["-1"],
            StatusCode::BAD_REQUEST,
            "malformed header content-length: not a decimal length",
        ),
        (
            &["2", "3"],
            StatusCode::BAD_REQUEST,
            "duplicate header content-length",
        ),
        (&["65"], StatusCode::PAYLOAD_TOO_LARGE, "payload too large"),
        (
            &["99999999999999999999999"],
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload too large",
        ),
    ];
    for way in WAYS {
        for (values, status, text) in cases {
            let calls = Arc::new(AtomicUsize::new(0));
            let config = WebhookConfig::builder(verifier(&Provider::GITHUB))
                .max_body(limit)
                .build();
            let app = app(way, config, calls.clone(), None);
            let pulled = Arc::new(AtomicUsize::new(0));
            let (mut parts, body) = github("{}").into_parts();
            parts.headers.remove("content-length");
            for value in values {
                parts
                    .headers
                    .append("content-length", HeaderValue::from_str(value).unwrap());
            }
            let body = Body::new(Counted::with_counter(body, pulled.clone()));
            let (got, _, body) = oneshot(app, Request::from_parts(parts, body)).await;
            assert_eq!(
                (got, &body[..]),
                (status, text.as_bytes()),
                "{way:?} {values:?}"
            );
            assert_eq!(
                pulled.load(Ordering::SeqCst),
                0,
                "{way:?}: refused before reading"
            );
            assert_eq!(calls.load(Ordering::SeqCst), 0, "{way:?}");
        }
        // Repeated with the same value: one length.
        let calls = Arc::new(AtomicUsize::new(0));
        let config = WebhookConfig::new(verifier(&Provider::GITHUB));
        let (mut parts, body) = github("{}").into_parts();
        parts
            .headers
            .append("content-length", HeaderValue::from_static("2"));
        let app = app(way, config, calls, None);
        let (got, _, _) = oneshot(app, Request::from_parts(parts, body)).await;
        assert_eq!(got, StatusCode::OK, "{way:?}");
    }
}

#[tokio::test]
async fn a_slow_body_gets_408_within_the_body_timeout() {
    // A real client on a real socket sends the headers, then one byte a second.
    for way in WAYS {
        let config = WebhookConfig::builder(verifier(&Provider::GITHUB))
            .body_timeout(Duration::from_secs(1))
            .build();
        let calls = Arc::new(AtomicUsize::new(0));
        let addr = common::replay::serve(app(way, config, calls.clone(), None)).await;
        let body = r#"{"ref":"refs/heads/main"}"#;
        let request = signed(&Provider::GITHUB, "/", body).header("X-GitHub-Event", "push");
        let mut head = format!(
            "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (name, value) in request.headers().unwrap() {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");

        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut read, mut write) = stream.into_split();
        let start = Instant::now();
        write.write_all(head.as_bytes()).await.unwrap();
        let trickle = tokio::spawn(async move {
            for byte in body.bytes() {
                if write.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        let read_answer = async {
            while !answer.ends_with(b"request timeout") {
                match read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => answer.extend_from_slice(&buf[..n]),
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), read_answer)
            .await
            .expect("an answer within 10 s");
        let elapsed = start.elapsed();
        trickle.abort();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408 "), "{way:?}: {answer}");
        assert!(answer.ends_with("request timeout"), "{way:?}: {answer}");
        assert!(
            elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(5),
            "{way:?}: answered after {elapsed:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 0, "{way:?}");
    }
}

#[tokio::test]
async fn a_body_in_time_is_not_cut_by_the_body_timeout() {
    for way in WAYS {
        let config = WebhookConfig::builder(verifier(&Provider::GITHUB))
            .body_timeout(Duration::from_secs(1))
            .build();
        let calls = Arc::new(AtomicUsize::new(0));
        let app = app(way, config, calls.clone(), None);
        let (parts, _) = github(r#"{"a":12}"#).into_parts();
        let chunks =
            [r#"{"a""#, ":1", "2}"].map(|c| Ok::<_, std::convert::Infallible>(Bytes::from(c)));
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        let (status, _, _) = oneshot(app, Request::from_parts(parts, body)).await;
        assert_eq!(
            (status, calls.load(Ordering::SeqCst)),
            (StatusCode::OK, 1),
            "{way:?}"
        );
    }
}
