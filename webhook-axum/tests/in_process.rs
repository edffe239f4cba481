//! Every behaviour through `Router::oneshot`, for the extractors and for the layer.

mod common;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use common::*;
use webhook_axum::{Outcome, Webhook, WebhookConfig, WebhookRejection};
use webhook_testkit::{CountingBody, GITHUB_SECRET, NOW, other_secret, verifier};
use webhook_verify::{ErrorKind, Provider};

#[derive(Clone, Copy, Debug)]
enum Kind {
    Extractor,
    Layer,
}

const KINDS: [Kind; 2] = [Kind::Extractor, Kind::Layer];

fn app(kind: Kind, config: WebhookConfig) -> (Router, Calls) {
    let calls = Calls::default();
    let app = match kind {
        Kind::Extractor => extractor_app(config, calls.clone()),
        Kind::Layer => layer_app(config, calls.clone()),
    };
    (app, calls)
}

fn build(request: webhook_axum::test_helpers::SignedRequest) -> Request {
    request
        .header("content-type", "application/json")
        .build()
        .expect("signed request")
}

async fn send(kind: Kind, config: WebhookConfig, request: Request) -> (StatusCode, String, usize) {
    let (app, calls) = app(kind, config);
    let (status, headers, body) = oneshot(app, request).await;
    if status != StatusCode::OK {
        assert_eq!(
            headers["content-type"], "text/plain; charset=utf-8",
            "{kind:?}: rejections are text/plain"
        );
    }
    (
        status,
        String::from_utf8_lossy(&body).into_owned(),
        calls.get(),
    )
}

fn body_for(provider: &Provider) -> String {
    if *provider == Provider::TWILIO {
        TWILIO_FORM.to_owned()
    } else {
        json_body("evt_42")
    }
}

#[tokio::test]
async fn valid_deliveries_reach_the_handler_with_the_exact_body() {
    for kind in KINDS {
        for provider in providers() {
            let body = body_for(&provider);
            let request =
                build(signed(&provider, "/raw", body.clone()).header("X-GitHub-Event", "push"));
            let (app, calls) = app(kind, config(&provider));
            let (status, headers, got) = oneshot(app, request).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{kind:?} {}: {got:?}",
                provider.name()
            );
            assert_eq!(got, body.as_bytes(), "{kind:?} {}", provider.name());
            assert_eq!(headers["x-provider"], provider.name());
            assert_eq!(calls.get(), 1);
            if provider == Provider::STRIPE {
                assert_eq!(headers["x-id"], "evt_42");
            }
            if provider == Provider::STANDARD_WEBHOOKS {
                assert!(headers["x-id"].to_str().unwrap().starts_with("msg_"));
            }
            if provider == Provider::GITHUB {
                assert_eq!(headers["x-event-type"], "push");
            }
        }
    }
}

#[tokio::test]
async fn typed_payload_is_parsed_after_verification() {
    for kind in KINDS {
        for provider in providers().into_iter().filter(|p| *p != Provider::TWILIO) {
            let request = build(signed(&provider, "/json", json_body("evt_7")));
            let (status, body, calls) = send(kind, config(&provider), request).await;
            assert_eq!(
                (status, body.as_str(), calls),
                (StatusCode::OK, "evt_7", 1),
                "{kind:?} {}",
                provider.name()
            );
        }
    }
}

#[tokio::test]
async fn verified_body_that_is_not_the_handler_type_is_400_invalid_payload() {
    // The extractor answers 400 `invalid payload`. Behind the layer, axum's own `Json`
    // rejection answers (422 for a wrong shape): the layer's contract ends at verification.
    for body in [&b"not json"[..], br#"{"no_id":1}"#, b""] {
        let request = build(signed(
            &Provider::GITHUB,
            "/json",
            Bytes::copy_from_slice(body),
        ));
        let (status, text, calls) = send(Kind::Extractor, config(&Provider::GITHUB), request).await;
        assert_eq!(
            (status, text.as_str(), calls),
            (StatusCode::BAD_REQUEST, "invalid payload", 0)
        );
    }
}

#[tokio::test]
async fn missing_signature_header_is_400_naming_it() {
    let cases = [
        (Provider::STRIPE, "stripe-signature"),
        (Provider::STANDARD_WEBHOOKS, "webhook-signature"),
        (Provider::GITHUB, "x-hub-signature-256"),
        (Provider::SLACK, "x-slack-signature"),
        (Provider::TWILIO, "x-twilio-signature"),
    ];
    for kind in KINDS {
        for (provider, header) in &cases {
            let mut request = build(signed(provider, "/raw", body_for(provider)));
            assert!(request.headers_mut().remove(*header).is_some());
            let (status, body, calls) = send(kind, config(provider), request).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{kind:?} {}",
                provider.name()
            );
            assert_eq!(body, format!("missing header {header}"));
            assert_eq!(calls, 0);
        }
    }
}

#[tokio::test]
async fn missing_timestamp_header_is_400() {
    for kind in KINDS {
        let mut request = build(signed(&Provider::STANDARD_WEBHOOKS, "/raw", json_body("a")));
        request.headers_mut().remove("webhook-timestamp");
        let (status, body, _) = send(kind, config(&Provider::STANDARD_WEBHOOKS), request).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::BAD_REQUEST, "missing header webhook-timestamp")
        );

        let mut request = build(signed(&Provider::SLACK, "/raw", json_body("a")));
        request.headers_mut().remove("x-slack-request-timestamp");
        let (status, body, _) = send(kind, config(&Provider::SLACK), request).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::BAD_REQUEST,
                "missing header x-slack-request-timestamp"
            )
        );
    }
}

#[tokio::test]
async fn duplicate_signature_headers_with_different_values_are_400() {
    for kind in KINDS {
        let mut request = build(signed(&Provider::STRIPE, "/raw", json_body("a")));
        request.headers_mut().append(
            "stripe-signature",
            HeaderValue::from_static("t=1700000000,v1=00"),
        );
        let (status, body, calls) = send(kind, config(&Provider::STRIPE), request).await;
        assert_eq!(
            (status, body.as_str(), calls),
            (
                StatusCode::BAD_REQUEST,
                "duplicate header stripe-signature",
                0
            )
        );
    }
}

#[tokio::test]
async fn garbled_headers_are_400_malformed_with_the_core_text() {
    let cases: [(Provider, &str, &[u8]); 5] = [
        (Provider::STRIPE, "stripe-signature", b"garbage"),
        (Provider::STANDARD_WEBHOOKS, "webhook-timestamp", b"12x"),
        (Provider::STANDARD_WEBHOOKS, "webhook-signature", b"v1,***"),
        (Provider::GITHUB, "x-hub-signature-256", b"sha256=zz"),
        (Provider::SLACK, "x-slack-request-timestamp", b"\xff\xfe"),
    ];
    for kind in KINDS {
        for (provider, header, value) in &cases {
            let mut request = build(signed(provider, "/raw", json_body("a")));
            request
                .headers_mut()
                .insert(*header, HeaderValue::from_bytes(value).unwrap());
            // The expected answer is whatever the core says about these very headers.
            let expected = config(provider)
                .verifier()
                .unwrap()
                .verify(&webhook_verify::Delivery::new(
                    request.headers(),
                    json_body("a"),
                ))
                .unwrap_err();
            assert_eq!(
                expected.kind(),
                ErrorKind::MalformedHeader,
                "{}",
                provider.name()
            );
            let (status, body, calls) = send(kind, config(provider), request).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{kind:?} {header}");
            assert!(
                body.starts_with(&format!("malformed header {header}: ")),
                "{body}"
            );
            assert_eq!(body, expected.body_text());
            assert_eq!(calls, 0);
        }
    }
}

#[tokio::test]
async fn wrong_secret_or_tampered_body_is_401_invalid_signature() {
    for kind in KINDS {
        for provider in providers() {
            let body = body_for(&provider);
            // Signed with another secret.
            let other = other_secret(&provider);
            let request = build(signed_with(&provider, &other, "/raw", body.clone()));
            let (status, text, calls) = send(kind, config(&provider), request).await;
            assert_eq!(
                (status, text.as_str(), calls),
                (StatusCode::UNAUTHORIZED, "invalid signature", 0),
                "{kind:?} {}",
                provider.name()
            );

            // Signed correctly, one byte changed in transit.
            let (mut parts, _) = build(signed(&provider, "/raw", body.clone())).into_parts();
            parts.headers.remove(http::header::CONTENT_LENGTH);
            let mut tampered = body.into_bytes();
            let last = tampered.len() - 1;
            tampered[last] ^= 0x01;
            let request = Request::from_parts(parts, Body::from(tampered));
            let (status, text, calls) = send(kind, config(&provider), request).await;
            assert_eq!(
                (status, text.as_str(), calls),
                (StatusCode::UNAUTHORIZED, "invalid signature", 0),
                "{kind:?} {}",
                provider.name()
            );
        }
    }
}

#[tokio::test]
async fn stale_or_future_timestamp_is_401() {
    for kind in KINDS {
        for provider in [
            Provider::STRIPE,
            Provider::STANDARD_WEBHOOKS,
            Provider::SLACK,
        ] {
            for ts in [NOW - 301, NOW - 100_000] {
                let request = build(signed(&provider, "/raw", json_body("a")).timestamp(ts));
                let (status, text, calls) = send(kind, config(&provider), request).await;
                assert_eq!(
                    (status, text.as_str(), calls),
                    (StatusCode::UNAUTHORIZED, "timestamp outside tolerance", 0),
                    "{kind:?} {} {ts}",
                    provider.name()
                );
            }
            // Still inside the window: accepted.
            let request = build(signed(&provider, "/raw", json_body("a")).timestamp(NOW - 299));
            let (status, _, _) = send(kind, config(&provider), request).await;
            assert_eq!(status, StatusCode::OK, "{kind:?} {}", provider.name());
        }
        let request = build(
            signed(&Provider::STANDARD_WEBHOOKS, "/raw", json_body("a")).timestamp(NOW + 301),
        );
        let (status, text, _) = send(kind, config(&Provider::STANDARD_WEBHOOKS), request).await;
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::UNAUTHORIZED, "timestamp outside tolerance")
        );
    }
}

#[tokio::test]
async fn empty_body_is_verified() {
    for kind in KINDS {
        let request = build(signed(&Provider::GITHUB, "/raw", Bytes::new()));
        let (app, calls) = app(kind, config(&Provider::GITHUB));
        let (status, _, body) = oneshot(app, request).await;
        assert_eq!(
            (status, body.len(), calls.get()),
            (StatusCode::OK, 0, 1),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn non_utf8_github_body_is_passed_on_byte_for_byte() {
    let body: Vec<u8> = (0..=255u8).rev().chain([0xff, 0xfe, 0xc3, 0x28]).collect();
    assert!(std::str::from_utf8(&body).is_err());
    for kind in KINDS {
        let request = build(signed(&Provider::GITHUB, "/raw", body.clone()));
        let (app, _) = app(kind, config(&Provider::GITHUB));
        let (status, _, got) = oneshot(app, request).await;
        assert_eq!(status, StatusCode::OK, "{kind:?}");
        assert_eq!(got.as_ref(), body.as_slice());
    }
}

#[tokio::test]
async fn body_at_the_limit_passes_and_one_byte_over_is_413() {
    const LIMIT: usize = 100;
    for kind in KINDS {
        for streamed in [false, true] {
            for (len, expect) in [
                (LIMIT, StatusCode::OK),
                (LIMIT + 1, StatusCode::PAYLOAD_TOO_LARGE),
            ] {
                let body = vec![b'x'; len];
                let (parts, _) =
                    build(signed(&Provider::GITHUB, "/raw", body.clone())).into_parts();
                let body = if streamed {
                    // Sent in 7-byte frames with no length known in advance.
                    let frames: Vec<Result<Bytes, std::convert::Infallible>> = body
                        .chunks(7)
                        .map(|c| Ok(Bytes::copy_from_slice(c)))
                        .collect();
                    Body::from_stream(futures_util::stream::iter(frames))
                } else {
                    Body::from(body)
                };
                let request = Request::from_parts(parts, body);
                let (status, text, calls) =
                    send(kind, config_with_limit(&Provider::GITHUB, LIMIT), request).await;
                assert_eq!(status, expect, "{kind:?} streamed={streamed} len={len}");
                if expect == StatusCode::PAYLOAD_TOO_LARGE {
                    assert_eq!((text.as_str(), calls), ("payload too large", 0));
                }
            }
        }
    }
}

#[tokio::test]
async fn default_limit_is_one_mib() {
    for kind in KINDS {
        for (len, expect) in [
            (webhook_axum::DEFAULT_MAX_BODY, StatusCode::OK),
            (
                webhook_axum::DEFAULT_MAX_BODY + 1,
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
        ] {
            let request = build(signed(&Provider::GITHUB, "/raw", vec![b'{'; len]));
            let (status, _, _) = send(kind, config(&Provider::GITHUB), request).await;
            assert_eq!(status, expect, "{kind:?} {len}");
        }
    }
}

const FIFTY_MIB: usize = 50 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

#[tokio::test]
async fn fifty_mib_without_content_length_is_413_after_reading_about_the_limit() {
    for kind in KINDS {
        let (parts, _) = build(signed(&Provider::GITHUB, "/raw", Bytes::new())).into_parts();
        let counting = CountingBody::new(FIFTY_MIB, CHUNK);
        let pulled = counting.pulled();
        let request = Request::from_parts(parts, Body::new(counting));
        assert!(request.headers().get("content-length").is_none());
        let (status, text, calls) = send(kind, config(&Provider::GITHUB), request).await;
        assert_eq!(
            (status, text.as_str(), calls),
            (StatusCode::PAYLOAD_TOO_LARGE, "payload too large", 0)
        );
        let pulled = pulled.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            pulled > webhook_axum::DEFAULT_MAX_BODY
                && pulled <= webhook_axum::DEFAULT_MAX_BODY + CHUNK,
            "{kind:?}: pulled {pulled} bytes"
        );
    }
}

#[tokio::test]
async fn fifty_mib_with_content_length_is_413_without_reading() {
    for kind in KINDS {
        let (mut parts, _) = build(signed(&Provider::GITHUB, "/raw", Bytes::new())).into_parts();
        parts
            .headers
            .insert("content-length", HeaderValue::from(FIFTY_MIB));
        let counting = CountingBody::new(FIFTY_MIB, CHUNK);
        let pulled = counting.pulled();
        let body = Body::new(counting);
        let (status, text, calls) = send(
            kind,
            config(&Provider::GITHUB),
            Request::from_parts(parts, body),
        )
        .await;
        assert_eq!(
            (status, text.as_str(), calls),
            (StatusCode::PAYLOAD_TOO_LARGE, "payload too large", 0)
        );
        assert_eq!(
            pulled.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn twilio_url_from_host_from_public_base_url_and_under_nest() {
    let provider = Provider::TWILIO;
    for kind in KINDS {
        // Signed for the Host the request carries: rebuilt as http://{Host}{path}.
        let request = build(
            signed(&provider, "/raw?from=sms", TWILIO_FORM).base_url("http://hooks.internal:8080"),
        );
        let (status, _, _) = send(kind, config(&provider), request).await;
        assert_eq!(status, StatusCode::OK, "{kind:?}");

        // Signed for the public URL, received under another Host (a proxy in between).
        let public = || {
            let mut request =
                build(signed(&provider, "/raw", TWILIO_FORM).base_url("https://hooks.example.com"));
            request
                .headers_mut()
                .insert("host", HeaderValue::from_static("10.0.0.5:3000"));
            request
        };
        let (status, text, _) = send(kind, config(&provider), public()).await;
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::UNAUTHORIZED, "invalid signature"),
            "{kind:?}"
        );
        let with_base = WebhookConfig::builder(verifier(&provider))
            .public_base_url("https://hooks.example.com/")
            .build();
        let (status, _, _) = send(kind, with_base, public()).await;
        assert_eq!(status, StatusCode::OK, "{kind:?}");

        // No Host and no base URL: the receiver is misconfigured, 500 with a generic body.
        let mut request = build(signed(&provider, "/raw", TWILIO_FORM));
        request.headers_mut().remove("host");
        let (status, text, _) = send(kind, config(&provider), request).await;
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
        );
    }
    // Under `nest`, the signed URL has the prefix the handler no longer sees.
    let request = build(signed(&provider, "/nested/raw", TWILIO_FORM));
    let (status, _, calls) = send(Kind::Extractor, config(&provider), request).await;
    assert_eq!((status, calls), (StatusCode::OK, 1));
}

#[tokio::test]
async fn rejection_hook_replaces_every_response() {
    for kind in KINDS {
        let config = WebhookConfig::builder(verifier(&Provider::GITHUB))
            .max_body(10)
            .on_rejection(|r| {
                (
                    StatusCode::IM_A_TEAPOT,
                    format!("custom {} {}", r.status().as_u16(), r.outcome()),
                )
                    .into_response()
            })
            .build();
        let request = build(signed_with(&Provider::GITHUB, "wrong", "/raw", "{}"));
        let (router, _) = app(kind, config.clone());
        let (status, _, body) = oneshot(router, request).await;
        assert_eq!(
            (status, &body[..]),
            (
                StatusCode::IM_A_TEAPOT,
                &b"custom 401 signature_mismatch"[..]
            )
        );

        let request = build(signed(&Provider::GITHUB, "/raw", vec![b'x'; 11]));
        let (router, _) = app(kind, config.clone());
        let (status, _, body) = oneshot(router, request).await;
        assert_eq!(
            (status, &body[..]),
            (
                StatusCode::IM_A_TEAPOT,
                &b"custom 413 payload_too_large"[..]
            )
        );
    }
    let config = WebhookConfig::builder(verifier(&Provider::GITHUB))
        .on_rejection(|r| {
            (StatusCode::IM_A_TEAPOT, format!("custom {}", r.outcome())).into_response()
        })
        .build();
    let request = build(signed(&Provider::GITHUB, "/json", "[]"));
    let (router, _) = app(Kind::Extractor, config);
    let (status, _, body) = oneshot(router, request).await;
    assert_eq!(
        (status, &body[..]),
        (StatusCode::IM_A_TEAPOT, &b"custom invalid_payload"[..])
    );
}

#[tokio::test]
async fn handler_can_take_the_rejection_as_a_result() {
    let app = Router::new()
        .route(
            "/",
            post(
                |result: Result<Webhook<Payload>, WebhookRejection>| async move {
                    match result {
                        Ok(Webhook(p)) => p.id,
                        Err(r) => {
                            // The status the policy gives a signature mismatch, and the
                            // error it came from (not a status compared with itself).
                            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
                            assert_eq!(
                                r.verify_error(),
                                Some(&webhook_verify::Error::SignatureMismatch)
                            );
                            assert_eq!(
                                r.outcome(),
                                Outcome::Rejected(ErrorKind::SignatureMismatch)
                            );
                            format!("handled: {r}")
                        }
                    }
                },
            ),
        )
        .with_state(config(&Provider::GITHUB));
    let request = build(signed_with(&Provider::GITHUB, "wrong", "/", json_body("x")));
    let (status, _, body) = oneshot(app.clone(), request).await;
    assert_eq!(
        (status, &body[..]),
        (StatusCode::OK, &b"handled: invalid signature"[..])
    );
    let request = build(signed(&Provider::GITHUB, "/", json_body("x")));
    let (status, _, body) = oneshot(app, request).await;
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"x"[..]));
}

#[tokio::test]
async fn key_rotation_and_matched_key_reach_the_handler() {
    let verifier = webhook_verify::Verifier::builder(Provider::GITHUB)
        .secret_with_id("old", "old secret")
        .secret_with_id("new", GITHUB_SECRET)
        .build()
        .unwrap();
    let app = Router::new()
        .route(
            "/",
            post(
                |webhook_axum::VerifiedWebhook(v): webhook_axum::VerifiedWebhook| async move {
                    v.key().id().unwrap_or("-").to_owned()
                },
            ),
        )
        .with_state(WebhookConfig::new(verifier));
    for (secret, id) in [("old secret", "old"), (GITHUB_SECRET, "new")] {
        let (status, _, body) = oneshot(
            app.clone(),
            build(signed_with(&Provider::GITHUB, secret, "/", "{}")),
        )
        .await;
        assert_eq!((status, &body[..]), (StatusCode::OK, id.as_bytes()));
    }
}
