//! The same behaviours over a real socket: `axum::serve` on 127.0.0.1:0 and a reqwest client.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use common::replay::client;
use common::*;
use webhook_axum::WebhookConfig;
use webhook_axum::test_helpers::SignedRequest;
use webhook_testkit::{Counted, NOW, verifier};
use webhook_verify::Provider;

/// A server with the extractor routes under `/x` and the layer routes under `/l`,
/// counting the request body bytes the adapter pulls from the connection.
struct Server {
    addr: SocketAddr,
    pulled: Arc<AtomicUsize>,
    calls: Calls,
}

async fn serve(config: WebhookConfig) -> Server {
    let pulled = Arc::new(AtomicUsize::new(0));
    let calls = Calls::default();
    let counter = pulled.clone();
    let app = Router::new()
        .nest("/x", extractor_app(config.clone(), calls.clone()))
        .nest("/l", layer_app(config, calls.clone()))
        .layer(axum::middleware::map_request(move |req: Request| {
            let counter = counter.clone();
            async move { req.map(|body| Body::new(Counted::with_counter(body, counter))) }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        addr,
        pulled,
        calls,
    }
}

impl Server {
    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sends `request` (its URL, headers and body) with reqwest, to this server.
    async fn send(&self, request: SignedRequest) -> (StatusCode, Bytes) {
        let request = request.base_url(self.base());
        let mut builder = client().post(request.url());
        for (name, value) in request.headers().unwrap() {
            builder = builder.header(name, value);
        }
        let response = builder
            .body(request.body_bytes().clone())
            .send()
            .await
            .unwrap();
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        (status, response.bytes().await.unwrap())
    }
}

const ROUTES: [&str; 2] = ["/x/raw", "/l/raw"];

/// These tests send one delivery to several routes of one server: they are about the
/// routes and the status policy, not replay, so replay protection is off (it would answer
/// the second route `200 duplicate`; tests/replay.rs covers that).
fn config(provider: &Provider) -> WebhookConfig {
    WebhookConfig::builder(verifier(provider))
        .without_replay()
        .build()
}

/// As [`config`], with a body limit.
fn config_with_limit(provider: &Provider, limit: usize) -> WebhookConfig {
    WebhookConfig::builder(verifier(provider))
        .max_body(limit)
        .without_replay()
        .build()
}

fn body_for(provider: &Provider) -> String {
    if *provider == Provider::TWILIO {
        TWILIO_FORM.to_owned()
    } else {
        json_body("evt_9")
    }
}

#[tokio::test]
async fn valid_deliveries_for_each_provider() {
    for provider in providers() {
        let server = serve(config(&provider)).await;
        for route in ROUTES {
            let body = body_for(&provider);
            let (status, got) = server.send(signed(&provider, route, body.clone())).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{} {route}: {got:?}",
                provider.name()
            );
            assert_eq!(got, body.as_bytes());
        }
        // Typed: `Webhook<Payload>` and `VerifyWebhookLayer` + `Json<Payload>`.
        if provider != Provider::TWILIO {
            for route in ["/x/json", "/l/json"] {
                let request = signed(&provider, route, json_body("evt_9"))
                    .header("content-type", "application/json");
                let (status, got) = server.send(request).await;
                assert_eq!(
                    (status, &got[..]),
                    (StatusCode::OK, &b"evt_9"[..]),
                    "{} {route}",
                    provider.name()
                );
            }
        }
        assert_eq!(
            server.calls.get(),
            if provider == Provider::TWILIO { 2 } else { 4 }
        );
    }
}

#[tokio::test]
async fn status_policy_rows() {
    let provider = Provider::STANDARD_WEBHOOKS;
    let server = serve(config_with_limit(&provider, 1000)).await;
    for route in ROUTES {
        // 401: signed with another key.
        let (status, body) = server
            .send(signed_with(
                &provider,
                "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                route,
                json_body("a"),
            ))
            .await;
        assert_eq!(
            (status, &body[..]),
            (StatusCode::UNAUTHORIZED, &b"invalid signature"[..])
        );
        // 401: too old.
        let (status, body) = server
            .send(signed(&provider, route, json_body("a")).timestamp(NOW - 3600))
            .await;
        assert_eq!(
            (status, &body[..]),
            (
                StatusCode::UNAUTHORIZED,
                &b"timestamp outside tolerance"[..]
            )
        );
        // 400: no headers at all.
        let response = client()
            .post(format!("{}{route}", server.base()))
            .body(json_body("a"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
        assert_eq!(
            response.text().await.unwrap(),
            "missing header webhook-signature"
        );
        // 400: malformed signature header.
        let request = signed(&provider, route, json_body("a")).base_url(server.base());
        let mut builder = client().post(request.url());
        for (name, value) in request.headers().unwrap() {
            let value = if name == "webhook-signature" {
                "v1,!!!".to_owned()
            } else {
                value
            };
            builder = builder.header(name, value);
        }
        let response = builder.body(json_body("a")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 400);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .starts_with("malformed header webhook-signature: ")
        );
        // 413: one byte over; 200 at the limit; 200 with an empty body.
        let (status, body) = server
            .send(signed(&provider, route, vec![b'x'; 1001]))
            .await;
        assert_eq!(
            (status, &body[..]),
            (StatusCode::PAYLOAD_TOO_LARGE, &b"payload too large"[..])
        );
        let (status, _) = server
            .send(signed(&provider, route, vec![b'x'; 1000]))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = server.send(signed(&provider, route, Bytes::new())).await;
        assert_eq!((status, body.len()), (StatusCode::OK, 0));
    }
    let request = signed(&provider, "/x/json", "[1,2]");
    let (status, body) = server.send(request).await;
    assert_eq!(
        (status, &body[..]),
        (StatusCode::BAD_REQUEST, &b"invalid payload"[..])
    );
    assert_eq!(server.calls.get(), 4);
}

#[tokio::test]
async fn non_utf8_github_body() {
    let server = serve(config(&Provider::GITHUB)).await;
    let body: Vec<u8> = vec![0xff, 0x00, 0xfe, b'{', 0xc3, 0x28, b'\n', b'\r'];
    for route in ROUTES {
        let (status, got) = server
            .send(signed(&Provider::GITHUB, route, body.clone()))
            .await;
        assert_eq!((status, &got[..]), (StatusCode::OK, &body[..]), "{route}");
    }
}

const FIFTY_MIB: usize = 50 * 1024 * 1024;

/// A 50 MiB upload, streamed (chunked, no Content-Length) or not. The answer is 413, and
/// the server pulls about the limit, not the body. The client may see the connection
/// closed while it is still sending; the response is read when it arrives first.
async fn upload_fifty_mib(server: &Server, route: &str, with_length: bool) -> StatusCode {
    let request = signed(&Provider::GITHUB, route, Bytes::new()).base_url(server.base());
    let sent = Arc::new(AtomicUsize::new(0));
    let body = if with_length {
        sent.store(FIFTY_MIB, Ordering::SeqCst);
        reqwest::Body::from(vec![b'a'; FIFTY_MIB])
    } else {
        let sent = sent.clone();
        let chunk = Bytes::from(vec![b'a'; 64 * 1024]);
        let stream = futures_util::stream::iter((0..FIFTY_MIB / chunk.len()).map(move |_| {
            sent.fetch_add(chunk.len(), Ordering::SeqCst);
            Ok::<_, std::io::Error>(chunk.clone())
        }));
        reqwest::Body::wrap_stream(stream)
    };
    let mut builder = client().post(format!("{}{route}", server.base()));
    for (name, value) in request.headers().unwrap() {
        builder = builder.header(name, value);
    }
    let response = builder.body(body).send().await.expect("the 413 response");
    StatusCode::from_u16(response.status().as_u16()).unwrap()
}

#[tokio::test]
async fn fifty_mib_upload_with_content_length_is_refused_unread() {
    let server = serve(config(&Provider::GITHUB)).await;
    for route in ROUTES {
        let status = upload_fifty_mib(&server, route, true).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{route}");
    }
    assert_eq!(server.pulled.load(Ordering::SeqCst), 0);
    assert_eq!(server.calls.get(), 0);
}

#[tokio::test]
async fn fifty_mib_chunked_upload_is_refused_after_about_the_limit() {
    let server = serve(config(&Provider::GITHUB)).await;
    for route in ROUTES {
        server.pulled.store(0, Ordering::SeqCst);
        let status = upload_fifty_mib(&server, route, false).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{route}");
        let pulled = server.pulled.load(Ordering::SeqCst);
        // Past the limit, by at most one read of the connection (hyper reads <= 400 KiB).
        assert!(
            pulled > webhook_axum::DEFAULT_MAX_BODY
                && pulled < webhook_axum::DEFAULT_MAX_BODY + 512 * 1024,
            "{route}: pulled {pulled}"
        );
    }
    assert_eq!(server.calls.get(), 0);
}

#[tokio::test]
async fn twilio_over_the_socket_with_and_without_a_public_base_url() {
    let server = serve(config(&Provider::TWILIO)).await;
    for route in ROUTES {
        // reqwest sends Host: 127.0.0.1:port, the URL the request is signed for.
        let (status, _) = server
            .send(signed(
                &Provider::TWILIO,
                &format!("{route}?a=1&b=2"),
                TWILIO_FORM,
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{route}");
    }
    // Signed for a public URL; this server only knows it through the configuration.
    let with_base = WebhookConfig::builder(verifier(&Provider::TWILIO))
        .public_base_url("https://sms.example.com")
        .build();
    let server = serve(with_base).await;
    for route in ROUTES {
        let request =
            signed(&Provider::TWILIO, route, TWILIO_FORM).base_url("https://sms.example.com");
        let headers = request.headers().unwrap();
        let mut builder = client().post(format!("{}{route}", server.base()));
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let response = builder.body(TWILIO_FORM).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{route}");
        // The same request signed for the address it reached is now refused.
        let (status, body) = server
            .send(signed(&Provider::TWILIO, route, TWILIO_FORM))
            .await;
        assert_eq!(
            (status, &body[..]),
            (StatusCode::UNAUTHORIZED, &b"invalid signature"[..])
        );
    }
}
