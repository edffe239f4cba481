//! actix-web adapter for [`webhook_verify`]: verify webhook deliveries (Stripe, GitHub,
//! Slack, Standard Webhooks, Svix, Shopify, Twilio, Discord, Paddle, custom HMAC senders)
//! before your handler runs, with a middleware, extractors or an event router.
//!
//! ```toml
//! [dependencies]
//! webhook-actix = "0.1"
//! webhook-verify = "0.1"
//! ```
//!
//! The adapter is glue over the core's receive pipeline ([`webhook_verify::receive`]): it
//! turns an actix request into headers, a body stream and a URL, and the core's
//! [`Reply`] into an actix response. Statuses, body texts, spans and replay decisions are
//! the core's.
//!
//! - [`WebhookConfig`]: a core [`Receiver`] (verifier, limits, replay protection) and an
//!   error handler; register it with `App::app_data` for the extractors.
//! - [`Webhook<T>`]: the verified body parsed as JSON `T`; [`VerifiedWebhook`]: the
//!   [`Verified`] delivery itself. Each delivery reaches the handler at most once.
//! - [`Claimed<E>`]: either of them with the replay [`Claim`] the handler commits once the
//!   work is done: at least once, duplicates never reach the handler.
//! - [`VerifyWebhook`]: middleware that verifies and claims, puts the body back for the
//!   handler's own extractors, and settles the claim from the response status.
//! - [`events`](events()): a `POST` route handing each delivery to an [`EventRouter`] of
//!   typed async handlers.
//! - [`WebhookError`]: every refusal, as a [`ResponseError`](actix_web::ResponseError).
//! - [`test_helpers::SignedRequest`]: correctly signed `TestRequest`s for your own tests.
//!
//! # Quickstart
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use serde::Deserialize;
//! use webhook_actix::{Webhook, WebhookConfig};
//! use webhook_verify::{Provider, Verifier};
//!
//! #[derive(Deserialize)]
//! struct StripeEvent {
//!     id: String,
//!     r#type: String,
//! }
//!
//! async fn stripe(Webhook(event): Webhook<StripeEvent>) -> &'static str {
//!     println!("{} {}", event.id, event.r#type);
//!     "ok"
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let verifier = Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?;
//!     let config = WebhookConfig::new(verifier);
//!     HttpServer::new(move || {
//!         App::new()
//!             .app_data(config.clone())
//!             .route("/webhooks/stripe", web::post().to(stripe))
//!     })
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! # Responses
//!
//! Short `text/plain` bodies that never say which key or byte failed:
//!
//! | situation | status | body |
//! |---|---|---|
//! | verified, handler succeeded | 200 (or the handler's 2xx) | the handler's |
//! | duplicate of a delivery already processed | 200 | `duplicate` |
//! | duplicate while the first is still being processed | 409, `Retry-After` (≥ 1 s) | `in progress` |
//! | signature or timestamp header missing, repeated or malformed; malformed or conflicting `Content-Length` | 400 | e.g. `missing header webhook-signature` |
//! | signature mismatch, timestamp outside tolerance | 401 | `invalid signature` / `timestamp outside tolerance` |
//! | body not received within the body timeout | 408 | `request timeout` |
//! | body over the limit | 413 | `payload too large` |
//! | verified but the payload does not parse as the handler's type | 400 | `invalid payload` |
//! | handler failed; receiver misconfigured (no config registered) | 500 | `internal server error` |
//! | replay store unreachable | 503 | `service unavailable` |
//!
//! The config's [`error_handler`](WebhookConfigBuilder::error_handler) can replace the
//! response of any refusal.
//!
//! # Replay protection
//!
//! On by default, in memory: each verified delivery is claimed before the handler runs.
//! [`Webhook<T>`] and [`VerifiedWebhook`] alone never see the handler's answer, so they
//! claim and commit at once (at most once). [`Claimed<E>`], [`VerifyWebhook`] and
//! [`events`](events()) commit after a successful handler and release after a failure, so
//! the provider's retry is handled (at least once). Share a `RedisStore` (feature `redis`)
//! between instances with [`WebhookConfigBuilder::replay`]; turn protection off only with
//! [`WebhookConfigBuilder::without_replay`].
//!
//! ```no_run
//! use actix_web::{App, HttpResponse, HttpServer, web};
//! use webhook_actix::{VerifiedWebhook, VerifyWebhook, WebhookConfig};
//! use webhook_verify::{Provider, Verifier};
//!
//! async fn hook(webhook: VerifiedWebhook) -> HttpResponse {
//!     println!("{}", webhook.replay_key());
//!     HttpResponse::Ok().finish() // 2xx: committed; anything else: released
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = WebhookConfig::new(Verifier::new(Provider::GITHUB, "s3cret")?);
//! HttpServer::new(move || {
//!     App::new().service(
//!         web::resource("/webhooks/github")
//!             .wrap(VerifyWebhook::new(config.clone()))
//!             .route(web::post().to(hook)),
//!     )
//! })
//! .bind(("127.0.0.1", 8080))?
//! .run()
//! .await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Handshake challenges
//!
//! The extractors, the middleware and [`events()`] answer senders' handshakes through the
//! core's receive path, without running the handler and without a replay claim: Slack's
//! `url_verification`, Zoom's `endpoint.url_validation`, Discord's PING, Twitch's callback
//! verification (signed deliveries, answered once verified), and Meta's `hub.challenge`,
//! X's CRC, Dropbox's `challenge`, Microsoft Graph's `validationToken` and Okta's one-time
//! verification (plain requests, answered before any body is read). A forged handshake is
//! refused (`403 invalid verify token`, `401 invalid signature`, `400`); the error handler
//! sees refusals, never answers. See [the table](webhook_verify::receive#handshake-challenges).
//!
//! Meta, X, Dropbox and Okta send their handshake as a `GET`: route `GET` too, with
//! `web::route().guard(guard::Any(guard::Get()).or(guard::Post()))` ([`events()`] does). A
//! `GET` that is no handshake gets `405 method not allowed` with `Allow`. Meta's verify
//! token goes on the config:
//!
//! ```no_run
//! use actix_web::{App, HttpServer, guard, web};
//! use webhook_actix::{Webhook, WebhookConfig};
//! use webhook_verify::{Provider, Verifier};
//!
//! async fn meta(Webhook(event): Webhook<serde_json::Value>) -> &'static str {
//!     println!("{}", event["object"]);
//!     "ok"
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::new(Provider::META, std::env::var("META_APP_SECRET")?)?;
//! let config = WebhookConfig::builder(verifier)
//!     .verify_token(std::env::var("META_VERIFY_TOKEN")?)?
//!     .build();
//! HttpServer::new(move || {
//!     App::new().app_data(config.clone()).route(
//!         "/meta",
//!         web::route().guard(guard::Any(guard::Get()).or(guard::Post())).to(meta),
//!     )
//! })
//! .bind(("127.0.0.1", 8080))?
//! .run()
//! .await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! | feature | enables |
//! |---|---|
//! | `redis` | `RedisStore` (`webhook_verify::replay::RedisStore`), replay protection shared by many instances; `queue()`: a route handing verified deliveries to workers through a Redis Stream |
//!
//! # Providers that sign the URL
//!
//! Twilio signs the full URL it posts to. The adapter rebuilds it from the request
//! (`http://{Host}{path and query}`); behind a proxy or TLS terminator set
//! [`WebhookConfigBuilder::public_base_url`] so the URL checked is the public one.
//!
//! # Logging
//!
//! Each delivery runs in the core's DEBUG span `webhook` with `provider`, `id` and
//! `outcome` ([`Outcome`]); refusals are logged at DEBUG with the core's diagnosis (5xx
//! at ERROR), and at TRACE under [`REJECTION_TARGET`].
//!
//! # Security
//!
//! - The body is verified as raw bytes before any parsing.
//! - Replay protection is **on** by default, in memory, covering the verifier's tolerance;
//!   an unreachable store answers 503, never a 2xx for a delivery that was not recorded.
//! - Bodies are limited to [`DEFAULT_MAX_BODY`] (1 MiB) and must arrive within
//!   [`DEFAULT_BODY_TIMEOUT`] (30 s): a larger `Content-Length` is refused before reading,
//!   a longer body as soon as it passes the limit, a slower one with 408.
//! - Nothing logged or answered contains a secret, a signature or the body.
//! - No `unsafe` code.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod config;
mod error;
mod events;
mod extract;
mod middleware;
#[cfg(feature = "redis")]
mod queue;
mod request;
pub mod test_helpers;

pub use config::{WebhookConfig, WebhookConfigBuilder};
pub use error::WebhookError;
pub use events::events;
pub use extract::{Claimed, VerifiedWebhook, Webhook};
pub use middleware::{VerifyWebhook, VerifyWebhookService};
#[cfg(feature = "redis")]
pub use queue::queue;
pub use request::ActixHeaders;

#[doc(no_inline)]
pub use webhook_verify::receive::{
    Claim, DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY, Outcome, REJECTION_TARGET, Receiver, Reply,
};
#[cfg(feature = "redis")]
#[doc(no_inline)]
pub use webhook_verify::replay::RedisStore;
#[doc(no_inline)]
pub use webhook_verify::replay::{MemoryStore, Replay, StoreError};
#[doc(no_inline)]
pub use webhook_verify::{Envelope, Event, EventRouter, Provider, Verified, Verifier};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
