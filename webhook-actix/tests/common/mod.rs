//! Fixtures shared by the adapter's tests: secrets, signers, apps and a counting body.

#![allow(dead_code, unreachable_pub)]

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, web};
use bytes::Bytes;
use futures_util::Stream;
use serde::Deserialize;
use webhook_actix::{RawWebhook, VerifyWebhook, Webhook, WebhookConfig};
use webhook_verify::{Provider, SignOptions, Signer, Verified, Verifier};

pub const STRIPE_SECRET: &str = "whsec_test_secret";
pub const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
pub const GITHUB_SECRET: &str = "It's a Secret to Everybody";
pub const SLACK_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const TWILIO_SECRET: &str = "12345";

/// A JSON body every provider can sign; Stripe reads `id` and `type` from it.
pub const EVENT_BODY: &str = r#"{"id":"evt_1","type":"invoice.paid","data":{"n":7}}"#;
/// A form body, as Twilio and Slack commands send.
pub const FORM_BODY: &str = "Digits=1234&From=%2B15551234567&To=%2B15557654321";

/// The providers tested end to end, with a secret and a body each.
pub fn providers() -> Vec<(Provider, &'static str, &'static str)> {
    vec![
        (Provider::STRIPE, STRIPE_SECRET, EVENT_BODY),
        (Provider::STANDARD_WEBHOOKS, STANDARD_SECRET, EVENT_BODY),
        (Provider::GITHUB, GITHUB_SECRET, EVENT_BODY),
        (Provider::SLACK, SLACK_SECRET, EVENT_BODY),
        (Provider::TWILIO, TWILIO_SECRET, FORM_BODY),
    ]
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

pub fn verifier(provider: &Provider, secret: &str) -> Verifier {
    Verifier::new(provider.clone(), secret).unwrap()
}

pub fn standard() -> Verifier {
    verifier(&Provider::STANDARD_WEBHOOKS, STANDARD_SECRET)
}

/// Standard Webhooks headers for `body`, signed now with `secret`.
pub fn standard_headers(secret: &str, body: &[u8], timestamp: i64) -> Vec<(String, String)> {
    Signer::new(&Provider::STANDARD_WEBHOOKS, secret)
        .unwrap()
        .sign(
            body,
            &SignOptions::new().timestamp(timestamp).id("msg_test"),
        )
        .unwrap()
}

/// Headers for `body` signed by `provider` now; `url` for URL-signing providers.
pub fn sign(provider: &Provider, secret: &str, body: &[u8], url: &str) -> Vec<(String, String)> {
    Signer::new(provider, secret)
        .unwrap()
        .sign(body, &SignOptions::new().url(url))
        .unwrap()
}

#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    pub r#type: String,
}

/// The handler behind the middleware: echoes the `Verified` from the extensions and the
/// body the handler's own `web::Bytes` extractor reads.
pub async fn echo_extensions(req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let verified = req.extensions().get::<Verified>().cloned();
    match verified {
        Some(v) => HttpResponse::Ok().body(describe(&v, &body)),
        None => HttpResponse::InternalServerError().body("no Verified in extensions"),
    }
}

/// The handler taking the raw extractor.
pub async fn echo_raw(webhook: RawWebhook) -> HttpResponse {
    HttpResponse::Ok().body(describe(&webhook, webhook.body()))
}

/// The handler taking the typed extractor.
pub async fn echo_typed(Webhook(event): Webhook<Event>) -> HttpResponse {
    HttpResponse::Ok().body(format!("{} {}", event.id, event.r#type))
}

/// The handler behind the middleware with actix's own JSON extractor.
pub async fn echo_json(event: web::Json<Event>) -> HttpResponse {
    HttpResponse::Ok().body(format!("{} {}", event.id, event.r#type))
}

/// `provider|id|body`, what the echo handlers answer.
pub fn describe(v: &Verified, body: &[u8]) -> String {
    format!(
        "{}|{}|{}",
        v.provider().name(),
        v.id().unwrap_or("-"),
        String::from_utf8_lossy(body)
    )
}

/// Routes for one configuration: `/mw` (middleware, then `web::Bytes`), `/mw-json`
/// (middleware, then `web::Json`), `/raw` (`RawWebhook`), `/typed` (`Webhook<Event>`).
pub fn routes(config: WebhookConfig) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.service(
            web::resource("/mw")
                .wrap(VerifyWebhook::new(config.clone()))
                .route(web::post().to(echo_extensions)),
        )
        .service(
            web::resource("/mw-json")
                .wrap(VerifyWebhook::new(config.clone()))
                .route(web::post().to(echo_json)),
        )
        .service(
            web::scope("")
                .app_data(config)
                .route("/raw", web::post().to(echo_raw))
                .route("/typed", web::post().to(echo_typed)),
        );
    }
}

/// A request body of `total` bytes `x` in `chunk`-sized pieces that counts how many bytes the
/// receiver pulled.
pub struct CountingBody {
    pub remaining: usize,
    pub chunk: Bytes,
    pub pulled: Arc<AtomicUsize>,
}

impl CountingBody {
    pub fn new(total: usize, chunk: usize) -> (Self, Arc<AtomicUsize>) {
        let pulled = Arc::new(AtomicUsize::new(0));
        (
            Self {
                remaining: total,
                chunk: Bytes::from(vec![b'x'; chunk]),
                pulled: pulled.clone(),
            },
            pulled,
        )
    }
}

impl Stream for CountingBody {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(self.chunk.len());
        self.remaining -= n;
        self.pulled.fetch_add(n, Ordering::SeqCst);
        Poll::Ready(Some(Ok(self.chunk.slice(..n))))
    }
}

pub fn pulled(counter: &AtomicUsize) -> usize {
    counter.load(Ordering::SeqCst)
}

/// The body as an actix request payload, for in-process tests.
pub fn payload(body: CountingBody) -> actix_web::dev::Payload {
    use futures_util::StreamExt as _;
    let stream = body.map(|r| r.map_err(actix_web::error::PayloadError::Io));
    actix_web::dev::Payload::from(Box::pin(stream) as actix_http::BoxedPayloadStream)
}
