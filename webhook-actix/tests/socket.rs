//! The middleware and the extractors behind a real `HttpServer` on 127.0.0.1, reached with
//! a real HTTP client.

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer};
use common::*;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use webhook_actix::{DEFAULT_MAX_BODY, WebhookConfig};

/// A server with [`routes`] for `config` on an ephemeral port; its base URL and handle.
fn spawn(config: WebhookConfig) -> (String, ServerHandle) {
    let server = HttpServer::new(move || App::new().configure(routes(config.clone())))
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://{addr}"), handle)
}

async fn post(url: &str, headers: &[(String, String)], body: reqwest::Body) -> (u16, String) {
    let mut req = reqwest::Client::new().post(url).body(body);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    if status >= 400 {
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "text/plain; charset=utf-8"
        );
    }
    (status, res.text().await.unwrap())
}

#[actix_web::test]
async fn valid_deliveries_for_several_providers() {
    for (provider, _, body) in providers() {
        // One delivery to two routes: without replay protection.
        let (base, handle) = spawn(no_replay(verifier(&provider)));
        for path in ["/mw", "/raw"] {
            // reqwest sends `Host: 127.0.0.1:port`, which the adapter uses for Twilio's URL.
            let url = format!("{base}{path}?q=1");
            let headers = sign(&provider, body.as_bytes(), &url);
            let (status, text) = post(&url, &headers, body.into()).await;
            assert_eq!(status, 200, "{} {path}: {text}", provider.name());
            assert!(text.starts_with(&format!("{}|", provider.name())), "{text}");
            assert!(text.ends_with(&format!("|{body}")), "{text}");
        }
        handle.stop(false).await;
    }
}

#[actix_web::test]
async fn middleware_then_web_json_and_typed_extractor() {
    // One delivery to two routes: without replay protection.
    let (base, handle) = spawn(no_replay(standard()));
    for path in ["/mw-json", "/typed"] {
        let mut headers = standard_headers(EVENT_BODY.as_bytes(), NOW);
        headers.push(("content-type".into(), "application/json".into()));
        let got = post(&format!("{base}{path}"), &headers, EVENT_BODY.into()).await;
        assert_eq!(got, (200, "evt_1 invoice.paid".to_owned()), "{path}");
        let got = post(&format!("{base}{path}"), &headers, "{}".into()).await;
        assert_eq!(got, (401, "invalid signature".to_owned()), "{path}");
    }
    handle.stop(false).await;
}

#[actix_web::test]
async fn status_rows_over_the_wire() {
    let (base, handle) = spawn(WebhookConfig::new(standard()));
    let good = standard_headers(EVENT_BODY.as_bytes(), NOW);
    let mut duplicate = good.clone();
    duplicate.push(("webhook-signature".into(), "v1,AAAA".into()));
    let mut garbled = good.clone();
    garbled.retain(|(n, _)| n != "webhook-signature");
    garbled.push(("webhook-signature".into(), "garbage".into()));
    type Row<'a> = (&'a str, Vec<(String, String)>, &'a str, u16, &'a str);
    let cases: Vec<Row<'_>> = vec![
        (
            "valid typed",
            good.clone(),
            EVENT_BODY,
            200,
            "evt_1 invoice.paid",
        ),
        (
            "no headers",
            vec![],
            EVENT_BODY,
            400,
            "missing header webhook-signature",
        ),
        (
            "duplicate",
            duplicate,
            EVENT_BODY,
            400,
            "duplicate header webhook-signature",
        ),
        (
            "garbled",
            garbled,
            EVENT_BODY,
            400,
            "malformed header webhook-signature: signature entry is not version,signature",
        ),
        ("tampered", good.clone(), "{}", 401, "invalid signature"),
        (
            "stale",
            standard_headers(EVENT_BODY.as_bytes(), NOW - 3600),
            EVENT_BODY,
            401,
            "timestamp outside tolerance",
        ),
        ("empty body", good.clone(), "", 401, "invalid signature"),
        (
            "not a T",
            standard_headers(b"[1]", NOW),
            "[1]",
            400,
            "invalid payload",
        ),
    ];
    for (name, headers, body, status, text) in cases {
        let got = post(&format!("{base}/typed"), &headers, body.to_owned().into()).await;
        assert_eq!(got, (status, text.to_owned()), "{name}");
    }
    handle.stop(false).await;
}

#[actix_web::test]
async fn limit_minus_one_exact_plus_one() {
    const LIMIT: usize = 4096;
    // One delivery to two routes: without replay protection.
    let (base, handle) = spawn(
        WebhookConfig::builder(standard())
            .max_body(LIMIT)
            .without_replay()
            .build(),
    );
    for (len, status) in [(LIMIT - 1, 200), (LIMIT, 200), (LIMIT + 1, 413)] {
        let body = "y".repeat(len);
        let headers = standard_headers(body.as_bytes(), NOW);
        for path in ["/mw", "/raw"] {
            let (got, text) = post(&format!("{base}{path}"), &headers, body.clone().into()).await;
            assert_eq!(got, status, "{len} bytes at {path}");
            if status == 413 {
                assert_eq!(text, "payload too large");
            } else {
                assert_eq!(text, format!("standard|{SIGNED_ID}|{body}"));
            }
        }
    }
    handle.stop(false).await;
}

#[actix_web::test]
async fn chunked_body_within_the_limit_is_reassembled() {
    // One delivery to two routes: without replay protection.
    let (base, handle) = spawn(no_replay(standard()));
    let body = "x".repeat(300_000);
    let headers = standard_headers(body.as_bytes(), NOW);
    for path in ["/raw", "/mw"] {
        let stream = CountingBody::new(body.len(), 7_000);
        let counter = stream.pulled();
        let (status, text) = post(
            &format!("{base}{path}"),
            &headers,
            reqwest::Body::wrap_stream(stream),
        )
        .await;
        // `/mw` hands the body to `web::Bytes`, whose own default limit is 256 KiB.
        let expected = if path == "/mw" { 413 } else { 200 };
        assert_eq!(status, expected, "{path}: {}", &text[..text.len().min(80)]);
        if status == 200 {
            assert_eq!(text, format!("standard|{SIGNED_ID}|{body}"));
        }
        assert_eq!(pulled(&counter), body.len());
    }
    handle.stop(false).await;
}

/// Sends a 50 MiB chunked body and returns the status (when the response arrived before the
/// server closed the connection) and how many bytes the client produced.
async fn send_50_mib(url: &str) -> (Option<(u16, String)>, Arc<AtomicUsize>) {
    let stream = CountingBody::new(50 * 1024 * 1024, 64 * 1024);
    let counter = stream.pulled();
    let headers = standard_headers(b"irrelevant", NOW);
    let mut req = reqwest::Client::new()
        .post(url)
        .body(reqwest::Body::wrap_stream(stream));
    for (n, v) in &headers {
        req = req.header(n, v);
    }
    let got = match req.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            Some((status, res.text().await.unwrap_or_default()))
        }
        // The server may close the connection while the client is still writing.
        Err(_) => None,
    };
    (got, counter)
}

#[actix_web::test]
async fn fifty_mib_chunked_body_gets_413_with_bounded_reading() {
    let (base, handle) = spawn(WebhookConfig::new(standard()));
    for path in ["/mw", "/raw", "/typed"] {
        // After answering, the server closes the connection with the rest of the body
        // unread; depending on timing the client sees the 413 or only the reset that
        // follows it (the in-process test checks the 413 itself). Over the socket, every
        // attempt must stop near the limit and any answer that arrives must be the 413.
        let mut answered = 0;
        for _ in 0..5 {
            let (got, counter) = send_50_mib(&format!("{base}{path}")).await;
            // The server stopped reading near the limit: what the client managed to produce
            // is the limit plus what the loopback socket buffers hold, far from 50 MiB.
            let produced = pulled(&counter);
            assert!(produced > DEFAULT_MAX_BODY, "{path}: {produced}");
            assert!(
                produced < 24 * 1024 * 1024,
                "{path}: produced {produced} bytes"
            );
            if let Some(got) = got {
                assert_eq!(got, (413, "payload too large".to_owned()), "{path}");
                answered += 1;
            }
        }
        eprintln!("{path}: the 413 reached the client in {answered} of 5 attempts");
    }
    handle.stop(false).await;
}

#[actix_web::test]
async fn content_length_over_the_limit_gets_413() {
    let (base, handle) = spawn(WebhookConfig::builder(standard()).max_body(100).build());
    let body = vec![b'q'; 5000];
    let headers = standard_headers(&body, NOW);
    for path in ["/mw", "/raw", "/typed"] {
        let got = post(&format!("{base}{path}"), &headers, body.clone().into()).await;
        assert_eq!(got, (413, "payload too large".to_owned()), "{path}");
    }
    handle.stop(false).await;
}

/// A client sending its body one byte per second to a server with a 1 s body timeout gets
/// 408 `request timeout`, within a bounded time, on every route.
#[actix_web::test]
async fn slow_body_gets_408_within_the_body_timeout() {
    let config = WebhookConfig::builder(standard())
        .body_timeout(Duration::from_secs(1))
        .build();
    let (base, handle) = spawn(config);
    let addr = base.trim_start_matches("http://").to_owned();
    let body = EVENT_BODY.as_bytes();
    for path in ["/mw", "/raw", "/typed"] {
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in standard_headers(body, NOW) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let (mut read, mut write) = stream.into_split();
        let start = Instant::now();
        let sender = actix_web::rt::spawn(async move {
            write.write_all(head.as_bytes()).await?;
            for byte in body {
                write.write_all(&[*byte]).await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Ok::<_, std::io::Error>(())
        });
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        let read_answer = async {
            while !String::from_utf8_lossy(&answer).contains("request timeout") {
                let n = read.read(&mut buf).await.unwrap();
                assert_ne!(n, 0, "{path}: closed without an answer");
                answer.extend_from_slice(&buf[..n]);
            }
        };
        tokio::time::timeout(Duration::from_secs(10), read_answer)
            .await
            .unwrap_or_else(|_| panic!("{path}: no answer within 10 s"));
        let elapsed = start.elapsed();
        sender.abort();
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{path}: {answer}"
        );
        assert!(
            elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5),
            "{path}: answered after {elapsed:?}"
        );
    }
    handle.stop(false).await;
}
