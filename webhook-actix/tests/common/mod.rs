//! What the adapter's tests share that is actix's own: apps, handlers, request payloads and
//! the replay probe. Secrets, `NOW`, verifiers, signers, counting bodies and replay stores
//! come from `webhook-testkit`.

#![allow(dead_code, unreachable_pub, unused_imports)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, web};
use futures_util::StreamExt as _;
use serde::Deserialize;
use webhook_actix::{Claimed, VerifiedWebhook, VerifyWebhook, Webhook, WebhookConfig};
use webhook_verify::replay::Replay;
use webhook_verify::{Provider, SignOptions, Signer, Verified, Verifier};

pub use webhook_testkit::{
    CountingBody, GITHUB_SECRET, NOW, SIGNED_ID, SLACK_SECRET, STANDARD_SECRET, STRIPE_SECRET,
    Store, TWILIO_SECRET, for_each_store, other_secret, signed, signing_secret, verifier,
};

/// A JSON body every provider can sign; Stripe reads `id` and `type` from it.
pub const EVENT_BODY: &str = r#"{"id":"evt_1","type":"invoice.paid","data":{"n":7}}"#;
/// A form body, as Twilio and Slack commands send.
pub const FORM_BODY: &str = "Digits=1234&From=%2B15551234567&To=%2B15557654321";

/// The providers tested end to end, with a secret (for `SignedRequest`) and a body each.
pub fn providers() -> Vec<(Provider, &'static str, &'static str)> {
    vec![
        (Provider::STRIPE, STRIPE_SECRET, EVENT_BODY),
        (Provider::STANDARD_WEBHOOKS, STANDARD_SECRET, EVENT_BODY),
        (Provider::GITHUB, GITHUB_SECRET, EVENT_BODY),
        (Provider::SLACK, SLACK_SECRET, EVENT_BODY),
        (Provider::TWILIO, TWILIO_SECRET, FORM_BODY),
    ]
}

/// A Standard Webhooks verifier whose clock reads [`NOW`].
pub fn standard() -> Verifier {
    verifier(&Provider::STANDARD_WEBHOOKS)
}

/// A configuration without replay protection, for tests about something else that send
/// one delivery to several routes or several times (replay protection is on by default;
/// it is tested in `replay_in_process.rs` and `replay_socket.rs`).
pub fn no_replay(verifier: Verifier) -> WebhookConfig {
    WebhookConfig::builder(verifier).without_replay().build()
}

/// Standard Webhooks headers for `body` signed at `timestamp` (the testkit's signer).
pub fn standard_headers(body: &[u8], timestamp: i64) -> Vec<(String, String)> {
    signed(&Provider::STANDARD_WEBHOOKS, body, timestamp).headers
}

/// Standard Webhooks headers for `body` signed at [`NOW`] with the testkit's
/// `other_secret`, which the verifiers here do not hold (the testkit's `signed` always signs
/// with the right secret).
pub fn wrong_secret_headers(body: &[u8]) -> Vec<(String, String)> {
    let p = Provider::STANDARD_WEBHOOKS;
    Signer::new(&p, other_secret(&p))
        .unwrap()
        .sign(body, &SignOptions::new().timestamp(NOW).id(SIGNED_ID))
        .unwrap()
}

/// Headers for `body` signed by `provider` at [`NOW`] for `url`: the testkit's `signed`
/// signs its fixed `URL`, and these tests sign the URL the actix request rebuilds (its Host
/// and path), so this local signer stays.
pub fn sign(provider: &Provider, body: &[u8], url: &str) -> Vec<(String, String)> {
    Signer::new(provider, signing_secret(provider))
        .unwrap()
        .sign(body, &SignOptions::new().timestamp(NOW).url(url))
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

/// The handler taking the unparsed extractor.
pub async fn echo_raw(webhook: VerifiedWebhook) -> HttpResponse {
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
/// (middleware, then `web::Json`), `/raw` (`VerifiedWebhook`), `/typed` (`Webhook<Event>`).
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

/// How many bytes were pulled from a [`CountingBody`], by its shared counter.
pub fn pulled(counter: &AtomicUsize) -> usize {
    counter.load(Ordering::SeqCst)
}

/// The testkit's [`CountingBody`] as an actix request payload, for in-process tests.
pub fn payload(body: CountingBody) -> actix_web::dev::Payload {
    let stream = body.map(|r| r.map_err(actix_web::error::PayloadError::Io));
    actix_web::dev::Payload::from(Box::pin(stream) as actix_http::BoxedPayloadStream)
}

// ---- replay protection ----------------------------------------------------------------

/// What the replay test handlers did, shared with the test.
#[derive(Default)]
pub struct Probe {
    /// Handler entries, all deliveries together.
    pub runs: AtomicUsize,
    /// Successful handler runs per delivery id.
    pub successes: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    /// Handler entries per delivery id.
    pub entries: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    /// The next run waits for `gate` after entering (once).
    pub hold_next: std::sync::atomic::AtomicBool,
    /// Answer 500 this many times.
    pub fail_next: AtomicUsize,
    /// Sleep this long in every run (widens the in-flight window).
    pub delay_ms: std::sync::atomic::AtomicU64,
    /// Lets a held run go on.
    pub gate: tokio::sync::Notify,
}

impl Probe {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The handler's work for delivery `id`: `Ok("processed {id}")` or `Err(())` when told to
    /// fail.
    pub async fn handle(&self, id: &str) -> Result<String, ()> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        *self
            .entries
            .lock()
            .unwrap()
            .entry(id.to_owned())
            .or_default() += 1;
        if self.hold_next.swap(false, Ordering::SeqCst) {
            self.gate.notified().await;
        }
        let delay = self.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        let fail = self
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if fail {
            return Err(());
        }
        *self
            .successes
            .lock()
            .unwrap()
            .entry(id.to_owned())
            .or_default() += 1;
        Ok(format!("processed {id}"))
    }

    /// Waits until `n` runs have started in all.
    pub async fn wait_runs(&self, n: usize) {
        while self.runs() < n {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }

    pub fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    pub fn successes(&self, id: &str) -> usize {
        self.successes.lock().unwrap().get(id).copied().unwrap_or(0)
    }

    pub fn entries(&self, id: &str) -> usize {
        self.entries.lock().unwrap().get(id).copied().unwrap_or(0)
    }
}

fn answer(result: Result<String, ()>) -> HttpResponse {
    match result {
        Ok(text) => HttpResponse::Ok().body(text),
        Err(()) => HttpResponse::InternalServerError()
            .content_type("text/plain; charset=utf-8")
            .body("handler failed"),
    }
}

/// The delivery's `webhook-id`, which the probe counts by.
fn delivery_id(req: &HttpRequest) -> String {
    req.headers()
        .get("webhook-id")
        .map_or("-", |v| v.to_str().unwrap())
        .to_owned()
}

/// Behind the middleware: the unparsed extractor, which must not claim again.
pub async fn replay_mw(hook: VerifiedWebhook, probe: web::Data<Probe>) -> HttpResponse {
    let id = hook.id().unwrap_or("-").to_owned();
    answer(probe.handle(&id).await)
}

/// `Claimed<Webhook<Event>>` settled from the answer: commit on 2xx, release otherwise.
pub async fn replay_claimed(
    req: HttpRequest,
    Claimed(Webhook(event), claim): Claimed<Webhook<Event>>,
    probe: web::Data<Probe>,
) -> HttpResponse {
    assert_eq!(event.r#type, "invoice.paid");
    assert!(claim.is_held(), "the extractor holds the claim");
    let response = answer(probe.handle(&delivery_id(&req)).await);
    claim.settle(response.status().as_u16()).await;
    response
}

/// `Claimed<VerifiedWebhook>` finished by hand: commit after success, release on failure.
pub async fn replay_claimed_manual(
    Claimed(hook, claim): Claimed<VerifiedWebhook>,
    probe: web::Data<Probe>,
) -> HttpResponse {
    let id = hook.id().unwrap_or("-").to_owned();
    let Ok(text) = probe.handle(&id).await else {
        claim.release().await.unwrap();
        return answer(Err(()));
    };
    let committed: Result<(), webhook_actix::StoreError> = claim.commit().await;
    committed.unwrap();
    HttpResponse::Ok().body(text)
}

/// Behind the middleware, `Claimed` does not claim again: its claim is inert.
pub async fn replay_mw_claimed(
    req: HttpRequest,
    Claimed(_, claim): Claimed<Webhook<Event>>,
    probe: web::Data<Probe>,
) -> HttpResponse {
    assert!(!claim.is_held(), "the middleware holds the claim");
    answer(probe.handle(&delivery_id(&req)).await)
}

/// `Webhook<Event>` alone: claimed and committed before the handler runs.
pub async fn replay_plain(
    req: HttpRequest,
    Webhook(event): Webhook<Event>,
    probe: web::Data<Probe>,
) -> HttpResponse {
    assert_eq!(event.r#type, "invoice.paid");
    answer(probe.handle(&delivery_id(&req)).await)
}

/// `Claimed` without replay protection: an inert claim, the handler answers.
pub async fn inert_claimed(
    req: HttpRequest,
    Claimed(_, claim): Claimed<VerifiedWebhook>,
    probe: web::Data<Probe>,
) -> HttpResponse {
    assert!(!claim.is_held() && claim.key().is_none());
    let response = answer(probe.handle(&delivery_id(&req)).await);
    assert_eq!(claim.commit().await, Ok(()));
    response
}

/// Routes for replay tests, all under a scope registering `config`: `/mw` (middleware, then
/// `VerifiedWebhook`), `/mw-claimed` (middleware, then `Claimed<Webhook<Event>>`),
/// `/claimed` (`Claimed<Webhook<Event>>` settled), `/claimed-manual`
/// (`Claimed<VerifiedWebhook>` committed by hand), `/plain` (`Webhook<Event>` alone).
pub fn replay_routes(
    config: WebhookConfig,
    probe: Arc<Probe>,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::from(probe)).service(
            web::scope("")
                .app_data(config.clone())
                .service(
                    web::resource("/mw")
                        .wrap(VerifyWebhook::new(config.clone()))
                        .route(web::post().to(replay_mw)),
                )
                .service(
                    web::resource("/mw-claimed")
                        .wrap(VerifyWebhook::new(config))
                        .route(web::post().to(replay_mw_claimed)),
                )
                .route("/claimed", web::post().to(replay_claimed))
                .route("/claimed-manual", web::post().to(replay_claimed_manual))
                .route("/plain", web::post().to(replay_plain))
                .route("/inert", web::post().to(inert_claimed)),
        );
    }
}

/// The replay routes that handle each delivery at least once (all but `/plain`, which
/// handles it at most once, and `/inert`).
pub const REPLAY_PATHS: [&str; 4] = ["/mw", "/mw-claimed", "/claimed", "/claimed-manual"];

/// Standard Webhooks headers for [`EVENT_BODY`] with message id `id`, signed at [`NOW`]
/// (the testkit's `signed` has one fixed id; replay tests need one per delivery).
pub fn delivery(id: &str) -> Vec<(String, String)> {
    Signer::new(&Provider::STANDARD_WEBHOOKS, STANDARD_SECRET)
        .unwrap()
        .sign(
            EVENT_BODY.as_bytes(),
            &SignOptions::new().timestamp(NOW).id(id),
        )
        .unwrap()
}

/// A configuration verifying [`delivery`]s with `replay`.
pub fn replay_config(replay: Replay) -> WebhookConfig {
    WebhookConfig::builder(standard()).replay(replay).build()
}
