//! The middleware and the extractors driven in process with `actix_web::test`.

mod common;

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{CONTENT_LENGTH, HeaderValue};
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpResponse, web};
use common::*;
use webhook_actix::test_helpers::SignedRequest;
use webhook_actix::{DEFAULT_MAX_BODY, VerifiedWebhook, VerifyWebhook, WebhookConfig};
use webhook_verify::{Delivery, Provider};

async fn send<S, B>(app: &S, req: Request) -> (u16, String)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req).await;
    let status = res.status().as_u16();
    if status >= 400 {
        assert_eq!(
            res.headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap()),
            Some("text/plain; charset=utf-8"),
            "error bodies are text/plain"
        );
    }
    let body = test::read_body(res).await;
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn post(path: &str, headers: &[(String, String)], body: impl Into<bytes::Bytes>) -> Request {
    let mut req = TestRequest::post().uri(path);
    for h in headers {
        req = req.append_header(h.clone());
    }
    req.set_payload(body).to_request()
}

#[actix_web::test]
async fn valid_deliveries_for_several_providers_middleware_and_extractor() {
    for (provider, _, body) in providers() {
        // One delivery to two routes: without replay protection.
        let app =
            test::init_service(App::new().configure(routes(no_replay(verifier(&provider))))).await;
        for path in ["/mw", "/raw"] {
            // The signed URL is rebuilt from the Host header, as a real client sends it.
            let url = format!("http://localhost:8080{path}");
            let mut headers = sign(&provider, body.as_bytes(), &url);
            headers.push(("host".to_owned(), "localhost:8080".to_owned()));
            let (status, text) = send(&app, post(path, &headers, body)).await;
            assert_eq!(status, 200, "{} {path}: {text}", provider.name());
            let expected_id = match provider.name() {
                "stripe" => "evt_1",
                "standard" => headers[1].1.as_str(),
                _ => "-",
            };
            assert_eq!(
                text,
                format!("{}|{expected_id}|{body}", provider.name()),
                "{path}"
            );
        }
    }
}

#[actix_web::test]
async fn test_helpers_sign_every_provider_for_the_extractor() {
    for (provider, secret, body) in providers() {
        // One body to two routes: without replay protection.
        let app =
            test::init_service(App::new().configure(routes(no_replay(verifier(&provider))))).await;
        let req = SignedRequest::new(&provider, secret)
            .timestamp(NOW)
            .base_url("http://hooks.example.com")
            .uri("/raw?a=1")
            .body(body)
            .build()
            .unwrap()
            .to_request();
        let (status, text) = send(&app, req).await;
        assert_eq!(status, 200, "{}: {text}", provider.name());
        // The default base URL, `http://localhost`, becomes the Host header.
        let req = SignedRequest::new(&provider, secret)
            .timestamp(NOW)
            .uri("/mw")
            .body(body)
            .build()
            .unwrap()
            .to_request();
        assert_eq!(send(&app, req).await.0, 200, "{}", provider.name());
    }
}

#[actix_web::test]
async fn middleware_then_web_json_and_typed_extractor() {
    // One delivery to two routes: without replay protection.
    let app = test::init_service(App::new().configure(routes(no_replay(standard())))).await;
    for path in ["/mw-json", "/typed"] {
        let headers = standard_headers(EVENT_BODY.as_bytes(), NOW);
        let req = TestRequest::post()
            .uri(path)
            .insert_header(("content-type", "application/json"));
        let req = headers
            .iter()
            .fold(req, |r, h| r.insert_header(h.clone()))
            .set_payload(EVENT_BODY)
            .to_request();
        assert_eq!(
            send(&app, req).await,
            (200, "evt_1 invoice.paid".to_owned()),
            "{path}"
        );
    }
    // The middleware refuses before web::Json ever parses.
    let (status, text) = send(&app, post("/mw-json", &[], EVENT_BODY)).await;
    assert_eq!(
        (status, text.as_str()),
        (400, "missing header webhook-signature")
    );
}

/// One row of the status policy: headers and body sent, status and body expected.
struct Case {
    name: &'static str,
    headers: Vec<(String, String)>,
    body: String,
    status: u16,
    text: &'static str,
}

fn remove(mut headers: Vec<(String, String)>, name: &str) -> Vec<(String, String)> {
    headers.retain(|(n, _)| n != name);
    headers
}

fn replace(headers: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    let mut headers = remove(headers, name);
    headers.push((name.to_owned(), value.to_owned()));
    headers
}

fn rejection_cases() -> Vec<Case> {
    let body = EVENT_BODY.to_owned();
    let good = standard_headers(body.as_bytes(), NOW);
    let mut duplicate = good.clone();
    duplicate.push(("webhook-signature".into(), "v1,AAAA".into()));
    let case = |name, headers, status, text| Case {
        name,
        headers,
        body: body.clone(),
        status,
        text,
    };
    vec![
        case(
            "missing signature",
            remove(good.clone(), "webhook-signature"),
            400,
            "missing header webhook-signature",
        ),
        case(
            "missing timestamp",
            remove(good.clone(), "webhook-timestamp"),
            400,
            "missing header webhook-timestamp",
        ),
        case(
            "missing id",
            remove(good.clone(), "webhook-id"),
            400,
            "missing header webhook-id",
        ),
        case(
            "no headers",
            Vec::new(),
            400,
            "missing header webhook-signature",
        ),
        case(
            "duplicate signature",
            duplicate,
            400,
            "duplicate header webhook-signature",
        ),
        case(
            "garbled signature",
            replace(good.clone(), "webhook-signature", "garbage"),
            400,
            "malformed header webhook-signature: signature entry is not version,signature",
        ),
        case(
            "garbled timestamp",
            replace(good.clone(), "webhook-timestamp", "12x4"),
            400,
            "malformed header webhook-timestamp: timestamp is not an unsigned decimal integer",
        ),
        case(
            "wrong secret",
            wrong_secret_headers(body.as_bytes()),
            401,
            "invalid signature",
        ),
        Case {
            name: "tampered body",
            headers: good.clone(),
            body: body.replace("invoice.paid", "invoice.void"),
            status: 401,
            text: "invalid signature",
        },
        case(
            "timestamp too old",
            standard_headers(body.as_bytes(), NOW - 3600),
            401,
            "timestamp outside tolerance",
        ),
        case(
            "timestamp in the future",
            standard_headers(body.as_bytes(), NOW + 3600),
            401,
            "timestamp outside tolerance",
        ),
        Case {
            name: "empty body, signature of another",
            headers: good.clone(),
            body: String::new(),
            status: 401,
            text: "invalid signature",
        },
        Case {
            name: "over the default limit",
            headers: standard_headers(&[b' '; DEFAULT_MAX_BODY + 1], NOW),
            body: " ".repeat(DEFAULT_MAX_BODY + 1),
            status: 413,
            text: "payload too large",
        },
    ]
}

#[actix_web::test]
async fn every_rejection_row_same_on_middleware_and_extractors() {
    let verifier = standard();
    let app =
        test::init_service(App::new().configure(routes(WebhookConfig::new(verifier.clone()))))
            .await;
    for case in rejection_cases() {
        if case.status != 413 {
            // The adapter answers exactly what the core says.
            let err = verifier
                .verify(&Delivery::new(&case.headers, case.body.clone()))
                .unwrap_err();
            assert_eq!(
                (err.status(), &*err.body_text()),
                (case.status, case.text),
                "{}",
                case.name
            );
        }
        for path in ["/mw", "/mw-json", "/raw", "/typed"] {
            let got = send(&app, post(path, &case.headers, case.body.clone())).await;
            assert_eq!(
                got,
                (case.status, case.text.to_owned()),
                "{} at {path}",
                case.name
            );
        }
    }
}

#[actix_web::test]
async fn empty_and_non_json_bodies() {
    // One delivery to several routes: without replay protection.
    let app = test::init_service(App::new().configure(routes(no_replay(standard())))).await;
    for body in ["", "not json"] {
        let headers = standard_headers(body.as_bytes(), NOW);
        for path in ["/mw", "/raw"] {
            let got = send(&app, post(path, &headers, body)).await;
            assert_eq!(
                got,
                (200, format!("standard|{SIGNED_ID}|{body}")),
                "{body:?} at {path}"
            );
        }
        let got = send(&app, post("/typed", &headers, body)).await;
        assert_eq!(got, (400, "invalid payload".to_owned()), "{body:?}");
    }
    // A valid JSON body of the wrong shape is also `invalid payload`.
    let body = r#"{"id":1}"#;
    let headers = standard_headers(body.as_bytes(), NOW);
    let got = send(&app, post("/typed", &headers, body)).await;
    assert_eq!(got, (400, "invalid payload".to_owned()));
}

#[actix_web::test]
async fn limit_minus_one_exact_plus_one() {
    const LIMIT: usize = 1000;
    // One delivery to several routes, twice: without replay protection.
    let config = WebhookConfig::builder(standard())
        .max_body(LIMIT)
        .without_replay()
        .build();
    let app = test::init_service(App::new().configure(routes(config))).await;
    for (len, status) in [(LIMIT - 1, 200), (LIMIT, 200), (LIMIT + 1, 413)] {
        let body = "x".repeat(len);
        let headers = standard_headers(body.as_bytes(), NOW);
        for path in ["/mw", "/raw"] {
            // With Content-Length.
            let (got, text) = send(&app, post(path, &headers, body.clone())).await;
            assert_eq!(got, status, "{len} bytes at {path}: {text}");
            if status == 413 {
                assert_eq!(text, "payload too large");
            }
            // Streamed in chunks, without Content-Length.
            let stream = CountingBody::new(len, 100);
            let pulled_bytes = stream.pulled();
            let mut req = TestRequest::post().uri(path);
            for h in &headers {
                req = req.insert_header(h.clone());
            }
            let mut req = req.to_request();
            req.headers_mut().remove(CONTENT_LENGTH);
            *req.payload() = payload(stream);
            let (got, text) = send(&app, req).await;
            assert_eq!(got, status, "chunked {len} bytes at {path}: {text}");
            assert!(pulled(&pulled_bytes) <= LIMIT + 100);
        }
    }
}

/// A request whose body is a counting stream of `total` bytes.
fn streamed(
    path: &str,
    total: usize,
    chunk: usize,
    content_length: Option<usize>,
) -> (Request, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let stream = CountingBody::new(total, chunk);
    let counter = stream.pulled();
    let headers = standard_headers(b"whatever", NOW);
    let mut req = TestRequest::post().uri(path);
    for h in headers {
        req = req.insert_header(h);
    }
    let mut req = req.to_request();
    if let Some(len) = content_length {
        req.headers_mut().insert(
            CONTENT_LENGTH,
            HeaderValue::from_str(&len.to_string()).unwrap(),
        );
    }
    *req.payload() = payload(stream);
    (req, counter)
}

#[actix_web::test]
async fn fifty_mib_chunked_body_is_cut_off_at_the_limit() {
    const CHUNK: usize = 64 * 1024;
    let app =
        test::init_service(App::new().configure(routes(WebhookConfig::new(standard())))).await;
    for path in ["/mw", "/raw", "/typed"] {
        let (req, counter) = streamed(path, 50 * 1024 * 1024, CHUNK, None);
        let got = send(&app, req).await;
        assert_eq!(got, (413, "payload too large".to_owned()), "{path}");
        let pulled = pulled(&counter);
        assert!(pulled > DEFAULT_MAX_BODY, "{path}: read {pulled}");
        assert!(
            pulled <= DEFAULT_MAX_BODY + CHUNK,
            "{path}: read {pulled} bytes"
        );
    }
}

#[actix_web::test]
async fn content_length_over_the_limit_is_refused_before_reading() {
    let app =
        test::init_service(App::new().configure(routes(WebhookConfig::new(standard())))).await;
    for path in ["/mw", "/raw"] {
        let (req, counter) = streamed(path, 10, 10, Some(DEFAULT_MAX_BODY + 1));
        let got = send(&app, req).await;
        assert_eq!(got, (413, "payload too large".to_owned()), "{path}");
        assert_eq!(pulled(&counter), 0, "{path}");
    }
}

#[actix_web::test]
async fn extractor_without_config_is_a_500() {
    let app = test::init_service(App::new().route("/raw", web::post().to(echo_raw))).await;
    let headers = standard_headers(EVENT_BODY.as_bytes(), NOW);
    let got = send(&app, post("/raw", &headers, EVENT_BODY)).await;
    assert_eq!(got, (500, "internal server error".to_owned()));
}

#[actix_web::test]
async fn extractor_reuses_the_middleware_result_without_config() {
    let app =
        test::init_service(
            App::new().service(
                web::resource("/")
                    .wrap(VerifyWebhook::new(standard()))
                    .route(web::post().to(|a: VerifiedWebhook| async move {
                        a.id().unwrap_or_default().to_owned()
                    })),
            ),
        )
        .await;
    let headers = standard_headers(EVENT_BODY.as_bytes(), NOW);
    assert_eq!(
        send(&app, post("/", &headers, EVENT_BODY)).await,
        (200, SIGNED_ID.to_owned())
    );
    assert_eq!(send(&app, post("/", &[], EVENT_BODY)).await.0, 400);
}

#[actix_web::test]
async fn config_as_web_data() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(WebhookConfig::new(standard())))
            .route("/raw", web::post().to(echo_raw)),
    )
    .await;
    let headers = standard_headers(EVENT_BODY.as_bytes(), NOW);
    assert_eq!(send(&app, post("/raw", &headers, EVENT_BODY)).await.0, 200);
}

#[actix_web::test]
async fn error_handler_on_middleware_and_extractor() {
    let config = WebhookConfig::builder(standard())
        .error_handler(|err, _req| {
            let res = HttpResponse::ImATeapot()
                .content_type("text/plain; charset=utf-8")
                .body(format!("custom: {}", err.body_text()));
            InternalError::from_response(err, res).into()
        })
        .build();
    let app = test::init_service(App::new().configure(routes(config))).await;
    for path in ["/mw", "/raw", "/typed"] {
        let got = send(&app, post(path, &[], EVENT_BODY)).await;
        assert_eq!(
            got,
            (418, "custom: missing header webhook-signature".to_owned()),
            "{path}"
        );
    }
    let headers = standard_headers(b"[]", NOW);
    let got = send(&app, post("/typed", &headers, "[]")).await;
    assert_eq!(got, (418, "custom: invalid payload".to_owned()));
}

#[actix_web::test]
async fn twilio_public_base_url() {
    let body = FORM_BODY;
    let public = "https://hooks.example.com/raw?x=1";
    let headers = sign(&Provider::TWILIO, body.as_bytes(), public);
    let request = || {
        let mut req = TestRequest::post()
            .uri("/raw?x=1")
            .insert_header(("host", "10.0.0.5:8080"));
        for h in &headers {
            req = req.insert_header(h.clone());
        }
        req.set_payload(body).to_request()
    };
    let twilio = verifier(&Provider::TWILIO);
    // Without the public URL, the internal Host does not match what Twilio signed.
    let app =
        test::init_service(App::new().configure(routes(WebhookConfig::new(twilio.clone())))).await;
    assert_eq!(
        send(&app, request()).await,
        (401, "invalid signature".to_owned())
    );
    let config = WebhookConfig::builder(twilio)
        .public_base_url("https://hooks.example.com")
        .build();
    let app = test::init_service(App::new().configure(routes(config))).await;
    assert_eq!(send(&app, request()).await.0, 200);
}

/// `Content-Length` is read by the core: malformed or conflicting is 400, over the limit
/// 413, on every route, before the body is read.
#[actix_web::test]
async fn content_length_malformed_conflicting_or_over_the_limit() {
    let config = WebhookConfig::builder(standard()).max_body(100).build();
    let app = test::init_service(App::new().configure(routes(config))).await;
    let cases: [(&[&str], u16, &str); 5] = [
        (
            &["abc"],
            400,
            "malformed header content-length: not a decimal length",
        ),
        (
            &["-1"],
            400,
            "malformed header content-length: not a decimal length",
        ),
        (&["10", "11"], 400, "duplicate header content-length"),
        (&["101"], 413, "payload too large"),
        (&["99999999999999999999999"], 413, "payload too large"),
    ];
    for (lengths, status, text) in cases {
        for path in ["/mw", "/raw", "/typed"] {
            let stream = CountingBody::new(10, 10);
            let counter = stream.pulled();
            let headers = standard_headers(b"0123456789", NOW);
            let mut req = headers
                .into_iter()
                .fold(TestRequest::post().uri(path), |r, h| r.insert_header(h))
                .to_request();
            req.headers_mut().remove(CONTENT_LENGTH);
            for length in lengths {
                req.headers_mut()
                    .append(CONTENT_LENGTH, HeaderValue::from_static(length));
            }
            *req.payload() = payload(stream);
            let got = send(&app, req).await;
            assert_eq!(got, (status, text.to_owned()), "{lengths:?} at {path}");
            assert_eq!(pulled(&counter), 0, "{lengths:?} at {path}");
        }
    }
}

/// A `WebhookError` answers exactly its core `Reply`: status, content type,
/// `Retry-After` (at least 1 s for a sub-second lease) and body.
#[actix_web::test]
async fn webhook_error_answers_its_reply() {
    use actix_web::ResponseError as _;
    use std::time::Duration;
    use webhook_actix::{Reply, WebhookError};

    for reply in [
        Reply::rejected(webhook_verify::Error::SignatureMismatch),
        Reply::in_progress(Duration::from_millis(300)),
        Reply::body_timeout(),
        Reply::duplicate(),
        Reply::payload_too_large(),
    ] {
        let err = WebhookError::from(reply.clone());
        assert_eq!(
            (err.status().as_u16(), err.outcome(), err.retry_after()),
            (reply.status(), reply.outcome(), reply.retry_after())
        );
        let res = err.error_response();
        assert_eq!(res.status().as_u16(), reply.status());
        let header = |name| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header("retry-after"),
            reply.retry_after().map(|s| s.to_string())
        );
        assert_eq!(header("content-type").as_deref(), reply.content_type());
        assert_eq!(res.into_body().try_into_bytes().unwrap(), reply.body());
    }
    let in_progress = WebhookError::from(Reply::in_progress(Duration::from_millis(300)));
    assert_eq!(in_progress.retry_after(), Some(1));
    assert_eq!(in_progress.outcome().as_str(), "in_progress");
}

/// Behind the middleware, an extractor with a configuration of its own reuses the
/// middleware's verification only when it is the same configuration; otherwise it
/// verifies the delivery itself (as axum's extractors do behind the layer).
#[actix_web::test]
async fn an_extractor_with_another_configuration_verifies_again() {
    let p = Provider::STANDARD_WEBHOOKS;
    let middleware = WebhookConfig::new(standard());
    let other = WebhookConfig::new(
        webhook_verify::Verifier::builder(p.clone())
            .secret(other_secret(&p))
            .clock(webhook_verify::FixedClock::from_unix(NOW))
            .build()
            .unwrap(),
    );
    for (extractor, status) in [(middleware.clone(), 200), (other, 401)] {
        let app = test::init_service(
            App::new().app_data(extractor).service(
                web::resource("/hooks")
                    .wrap(VerifyWebhook::new(middleware.clone()))
                    .route(web::post().to(|_: VerifiedWebhook| async { "ok" })),
            ),
        )
        .await;
        let request = SignedRequest::new(&p, &signing_secret(&p))
            .uri("/hooks")
            .timestamp(NOW)
            .id(format!("msg_{status}")) // the middleware's store is shared by both runs
            .body(r#"{"type":"x"}"#)
            .build()
            .unwrap()
            .to_request();
        let res = test::call_service(&app, request).await;
        let got = res.status().as_u16();
        let body = test::read_body(res).await;
        assert_eq!(got, status, "{body:?}");
    }
}
