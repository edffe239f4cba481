//! actix-web adapter for [`webhook_verify`]: verify webhook deliveries (Stripe, GitHub,
//! Slack, Standard Webhooks, Svix, Shopify, Twilio, Discord, Paddle, custom HMAC senders)
//! before your handler runs, with a middleware or an extractor.
//!
//! ```toml
//! [dependencies]
//! webhook-actix = "0.1"
//! webhook-verify = "0.1"
//! ```
//!
//! - [`VerifyWebhook`]: middleware that verifies, puts the body back for the handler's own
//!   extractors (`web::Json<T>`, `web::Bytes`) and stores the
//!   [`Verified`] delivery in the request extensions.
//! - [`Webhook<T>`]: extractor giving the verified body parsed as JSON `T`;
//!   [`RawWebhook`]: the [`Verified`] delivery itself. Both are
//!   configured by a [`WebhookConfig`] registered with `App::app_data`.
//! - [`Claimed<T>`]: extractor with replay protection, for handlers without the
//!   middleware: verified, claimed, parsed; commit on success, release on failure.
//! - [`events`](events()): a `POST` route that verifies and hands each delivery to an
//!   [`EventRouter`] of typed async handlers (see [Typed events](#typed-events)).
//! - [`WebhookError`]: every refusal, as a [`ResponseError`](actix_web::ResponseError).
//! - [`test`](mod@test): correctly signed `actix_web::test::TestRequest`s for your own tests.
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
//! Refusals follow one status policy, with short `text/plain` bodies that never say which
//! key or byte failed: 400 for missing, duplicate or malformed signature/timestamp headers
//! (`missing header stripe-signature`), 401 `invalid signature` and 401 `timestamp outside
//! tolerance`, 413 `payload too large`, 400 `invalid payload` when a verified body is not
//! the handler's type, 500 `internal server error` for the receiver's own configuration
//! mistakes (no [`WebhookConfig`], no URL for Twilio). See [`WebhookError`].
//!
//! # Replay protection
//!
//! With [`WebhookConfig::replay`], each verified delivery is claimed in a store
//! ([`MemoryStore`](webhook_verify::replay::MemoryStore), or `RedisStore` with the `redis`
//! feature) before the handler runs: a delivery already processed gets 200 `duplicate`,
//! one being processed 409 `in progress` with `Retry-After`, and an unreachable store
//! 503 `service unavailable` (fail closed). [`VerifyWebhook`] commits the claim on a 2xx
//! response and releases it otherwise, so the provider's retry runs the handler again;
//! without the middleware, [`Claimed<T>`] lets the handler commit or release.
//!
//! ```no_run
//! use actix_web::{App, HttpResponse, HttpServer, web};
//! use webhook_actix::{RawWebhook, VerifyWebhook, WebhookConfig};
//! use webhook_verify::replay::{MemoryStore, Replay};
//! use webhook_verify::{Provider, Verifier};
//!
//! async fn hook(webhook: RawWebhook) -> HttpResponse {
//!     println!("{}", webhook.replay_key());
//!     HttpResponse::Ok().finish()
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::new(Provider::GITHUB, "s3cret")?;
//! let replay = Replay::new(MemoryStore::new()).covering(&verifier);
//! let config = WebhookConfig::new(verifier).replay(replay);
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
//! # Typed events
//!
//! [`events`](events()) mounts an [`EventRouter`] in one line: each delivery is verified
//! with the config (same limit, answers, error handler and span as the extractors), read
//! through its provider's [`Envelope`], and handed to the handler registered for its event
//! type as a typed [`Event<T>`]. Event types without a route get 200, data that does not
//! match the handler's type 400 `invalid payload`, a failed handler 500; Slack's
//! `url_verification` challenge is answered. With [`WebhookConfig::replay`], the delivery
//! is claimed before the handlers run, committed when they succeed and released when they
//! fail.
//!
//! ```no_run
//! use actix_web::{App, HttpServer};
//! use serde::Deserialize;
//! use webhook_actix::{Event, EventRouter, WebhookConfig};
//! use webhook_verify::replay::{MemoryStore, Replay};
//! use webhook_verify::{Provider, Verifier};
//!
//! #[derive(Deserialize)]
//! struct Invoice {
//!     id: String,
//!     amount_paid: u64,
//! }
//!
//! async fn invoice_paid(event: Event<Invoice>) -> Result<(), std::io::Error> {
//!     println!("{} paid {}", event.data().id, event.data().amount_paid);
//!     Ok(())
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let verifier = Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?;
//!     let replay = Replay::new(MemoryStore::new()).covering(&verifier);
//!     let config = WebhookConfig::new(verifier).replay(replay);
//!     let router = EventRouter::builder(Provider::STRIPE)
//!         .on("invoice.paid", invoice_paid)
//!         .fallback(|event: Event| async move {
//!             println!("unhandled {}", event.name());
//!             Ok::<_, std::io::Error>(())
//!         })
//!         .build()?;
//!     HttpServer::new(move || {
//!         App::new().route(
//!             "/webhooks/stripe",
//!             webhook_actix::events(config.clone(), router.clone()),
//!         )
//!     })
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! The router must be built for the verifier's provider; a router for another provider
//! answers every delivery with 500 and logs at ERROR.
//!
//! # Features
//!
//! | feature | enables |
//! |---|---|
//! | `redis` | `webhook_verify::replay::RedisStore`, replay protection shared by many instances |
//!
//! # Providers that sign the URL
//!
//! Twilio signs the full URL it posts to. The adapter rebuilds it as
//! `http://{Host}{path and query}`; behind a proxy or TLS terminator set
//! [`WebhookConfig::public_base_url`] (e.g. `https://hooks.example.com`) so the URL checked
//! is the public one.
//!
//! # Logging
//!
//! Each delivery runs in a `tracing` span named `webhook` (target `webhook_actix`) with the
//! fields `provider`, `id` and `outcome` (`verified` or the refusal's
//! [`kind_str`](WebhookError::kind_str); under [`events`](events()), the router's
//! [`Outcome`](webhook_verify::events::Outcome) such as `handled` or `duplicate`).
//! Refusals are logged at DEBUG with the reason and the core's diagnosis hints;
//! configuration errors at ERROR.
//!
//! # Security
//!
//! - The body is verified as raw bytes before any parsing.
//! - Bodies are limited to [`DEFAULT_MAX_BODY`] (1 MiB) unless configured: a larger
//!   `Content-Length` is refused before reading, a chunked body as soon as it passes the
//!   limit, so memory stays bounded whatever the sender streams.
//! - Nothing logged or answered contains a secret, a signature or the body.
//! - Replay protection, when configured, fails closed: an unreachable store answers 503,
//!   never a 2xx for a delivery that was not recorded.
//! - No `unsafe` code.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod body;
mod config;
mod error;
mod events;
mod extract;
mod middleware;
mod replay;
pub mod test;
mod verify;

pub use config::{DEFAULT_MAX_BODY, WebhookConfig};
pub use error::WebhookError;
pub use events::events;
pub use extract::{RawWebhook, Webhook};
pub use middleware::{VerifyWebhook, VerifyWebhookService};
pub use replay::{Claimed, FromVerified};

#[doc(no_inline)]
pub use webhook_verify::replay::{Replay, StoreError};
#[doc(no_inline)]
pub use webhook_verify::{Envelope, Event, EventRouter, Provider, Verified, Verifier};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
