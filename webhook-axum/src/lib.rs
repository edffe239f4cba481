//! Verify webhook deliveries in [axum](https://docs.rs/axum) 0.8: an extractor that hands
//! your handler a verified, parsed event, and a tower layer for everything else. The
//! signature checks are [`webhook_verify`]'s: constant-time, over the raw body, with
//! timestamp tolerance and key rotation, for Stripe, GitHub, Slack, Standard Webhooks,
//! Svix, Shopify, Twilio, Discord, Paddle and custom HMAC senders.
//!
//! ```toml
//! [dependencies]
//! webhook-axum = "0.1"
//! webhook-verify = "0.1"
//! ```
//!
//! # Quickstart
//!
//! Put a [`WebhookConfig`] in the state (or make it reachable with
//! [`FromRef`](axum::extract::FromRef)) and take [`Webhook<T>`] as the handler's last
//! argument:
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use serde::Deserialize;
//! use webhook_axum::{Webhook, WebhookConfig};
//! use webhook_verify::{Provider, Verifier};
//!
//! #[derive(Deserialize)]
//! struct Event {
//!     id: String,
//!     #[serde(rename = "type")]
//!     kind: String,
//! }
//!
//! async fn stripe(Webhook(event): Webhook<Event>) -> &'static str {
//!     println!("{}: {}", event.id, event.kind);
//!     "ok"
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let verifier = Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?;
//!     let app = Router::new()
//!         .route("/webhooks/stripe", post(stripe))
//!         .with_state(WebhookConfig::new(verifier));
//!     let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! - [`Webhook<T>`]: verified, then parsed as JSON `T`.
//! - [`VerifiedWebhook`]: verified, unparsed: the raw bytes and the
//!   [`Verified`] metadata (id, timestamp, event type, key).
//! - [`VerifyWebhookLayer`]: verifies before the inner service, puts the `Verified` in the
//!   request extensions and passes the body on, so `Json<T>` or any other extractor works.
//! - [`Claimed<E>`]: `Webhook<T>` or `VerifiedWebhook` claimed in the replay store, with
//!   the [`Claim`] the handler commits once the work is done.
//! - [`WebhookRejection`]: what a refused request gets: a core [`Reply`], whose status and
//!   body follow the status policy below; [`WebhookConfigBuilder::on_rejection`] replaces
//!   the response.
//! - [`events()`]: a route that verifies, then runs the typed async handler registered for
//!   each event type in an [`EventRouter`] (see [Typed events](#typed-events)).
//! - [`test_helpers::SignedRequest`]: signed requests for your own tests.
//!
//! # Responses
//!
//! Every status and body comes from the core's [`Reply`]; this crate only turns it into a
//! response.
//!
//! | situation | status | body (`text/plain`) |
//! |---|---|---|
//! | verified, handler succeeded | the handler's 2xx | the handler's |
//! | delivery already handled ([replay protection](#replay-protection)) | 200 | `duplicate` |
//! | delivery being handled by another request | 409, `Retry-After` (≥ 1 s) | `in progress` |
//! | signature or timestamp header (or `Content-Length`) missing, repeated or malformed | 400 | e.g. `missing header webhook-signature` |
//! | signature mismatch | 401 | `invalid signature` |
//! | timestamp outside tolerance | 401 | `timestamp outside tolerance` |
//! | body not received within the body timeout | 408 | `request timeout` |
//! | body over the limit | 413 | `payload too large` |
//! | verified, but not JSON of the handler's type | 400 | `invalid payload` |
//! | body could not be read | 400 | `failed to read body` |
//! | handler failed ([`events()`]) | 500 | `internal server error` |
//! | receiver misconfigured (e.g. no URL for Twilio) | 500 | `internal server error` |
//! | replay store unreachable | 503 | `service unavailable` |
//!
//! # Replay protection
//!
//! Providers retry, and a captured delivery can be replayed while its timestamp is
//! accepted (forever, for GitHub or Shopify, which sign no timestamp). So replay
//! protection is **on by default**, in memory: each verified delivery is claimed under its
//! [replay key](webhook_verify::Verified::replay_key) before the handler runs. A delivery
//! already handled gets `200 duplicate`, one being handled gets `409 in progress` with
//! `Retry-After` (the lease, in whole seconds, at least 1), and an unreachable store gets
//! `503` (fail closed). Share a store between instances with
//! [`WebhookConfigBuilder::replay`] (`RedisStore`, feature `redis`); turn protection off
//! only with [`WebhookConfigBuilder::without_replay`].
//!
//! - [`VerifyWebhookLayer`] and [`events()`] settle the claim from the answer: committed
//!   on a 2xx, released on any other status, an error, a panic or a cancelled request, so
//!   the provider's retry runs the handler again (at least once).
//! - [`Claimed<Webhook<T>>`](Claimed): the handler calls [`Claim::commit`]; dropping the
//!   claim (early return, `?`, panic) releases it (at least once).
//! - [`Webhook<T>`] and [`VerifiedWebhook`] alone never see the handler's answer: they
//!   claim and commit before the handler runs, so each delivery reaches it **at most
//!   once**. Behind the layer they leave the claim to it.
//!
//! ```no_run
//! use axum::{Json, Router, routing::post};
//! use webhook_axum::{VerifyWebhookLayer, WebhookConfig};
//! use webhook_verify::{Provider, Verifier};
//!
//! async fn handler(Json(event): Json<serde_json::Value>) -> &'static str {
//!     println!("{}", event["type"]); // runs once per delivery
//!     "ok" // 2xx: committed; retries now get `200 duplicate`
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::new(Provider::STANDARD_WEBHOOKS, std::env::var("WEBHOOK_SECRET")?)?;
//! let app = Router::new()
//!     .route("/hooks", post(handler))
//!     .route_layer(VerifyWebhookLayer::new(WebhookConfig::new(verifier)));
//! # let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! # axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! Commit and release happen before the response goes out. If the store fails at that
//! point, the failure is logged at WARN and the handler's response is sent unchanged: the
//! work was done (or failed) either way. The claim then expires after its lease.
//!
//! # Typed events
//!
//! An [`EventRouter`] maps event types to typed async handlers (`on("invoice.paid", …)`,
//! `on("invoice.*", …)`, a fallback for types added later); [`events()`] mounts it in one
//! line, with the config's verification, body limit and replay protection. A handler's
//! `Ok` answers its 2xx and commits the claim, an `Err` answers 500 and releases it, a
//! payload that no longer matches the handler's type answers 400 `invalid payload`, and
//! handshake challenges are answered for you (below).
//!
//! ```no_run
//! use axum::Router;
//! use serde::Deserialize;
//! use webhook_axum::WebhookConfig;
//! use webhook_verify::{Event, EventRouter, Provider, Verifier};
//!
//! #[derive(Deserialize)]
//! struct Subscription { id: String, status: String }
//!
//! async fn subscription(event: Event<Subscription>) -> Result<(), std::io::Error> {
//!     println!("{}: {} is {}", event.name(), event.data().id, event.data().status);
//!     Ok(())
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?;
//! let config = WebhookConfig::new(verifier);
//! let router = EventRouter::builder(Provider::STRIPE)
//!     .on("customer.subscription.*", subscription)
//!     .fallback(|event: Event| async move {
//!         println!("not handled yet: {}", event.name());
//!         Ok::<_, std::io::Error>(())
//!     })
//!     .build()?;
//! let app: Router = Router::new().route("/webhooks/stripe", webhook_axum::events(config, router));
//! # let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! # axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! # Handshake challenges
//!
//! The extractors, the layer and [`events()`] answer senders' handshakes through the
//! core's receive path, without running the handler and without a replay claim: Slack's
//! `url_verification`, Zoom's `endpoint.url_validation`, Discord's PING, Twitch's callback
//! verification (signed deliveries, answered once verified), and Meta's `hub.challenge`,
//! X's CRC, Dropbox's `challenge`, Microsoft Graph's `validationToken` and Okta's one-time
//! verification (plain requests, answered before any body is read). A forged handshake is
//! refused (`403 invalid verify token`, `401 invalid signature`, `400`); the rejection hook
//! sees refusals, never answers. See [the table](webhook_verify::receive#handshake-challenges).
//!
//! Meta, X, Dropbox and Okta send their handshake as a `GET`: mount the route for `GET`
//! too, with `get(h).post(h)` or `any(h)` ([`events()`] does). A `GET` that is no handshake
//! gets `405 method not allowed` with `Allow`. Meta's verify token goes on the config:
//!
//! ```no_run
//! use axum::{Router, routing::any};
//! use webhook_axum::{Webhook, WebhookConfig};
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
//! let app = Router::new().route("/meta", any(meta)).with_state(config);
//! # let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! # axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! # Features
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `redis` | no | `RedisStore` (re-exported from `webhook_verify::replay`), a replay store shared by many instances; `queue()`: a route handing verified deliveries to workers through a Redis Stream |
//!
//! # URL-signing providers (Twilio)
//!
//! Twilio signs the URL it requested. Behind a proxy or TLS terminator, set
//! [`WebhookConfigBuilder::public_base_url`] to the scheme and host the sender uses
//! (`https://hooks.example.com`); the request's original path and query are appended.
//! Without it the URL is rebuilt as `http://{Host}{path and query}`.
//!
//! # Tracing
//!
//! Each delivery runs in the core's DEBUG `webhook` span with the fields `provider`, `id`
//! and `outcome` ([`Outcome`]: `verified`, `handled`, `signature_mismatch`,
//! `payload_too_large`, `duplicate`, `in_progress`, ...). On failure a DEBUG event carries
//! the verifier's [diagnosis](webhook_verify::Diagnosis) hints; refusals are logged at
//! TRACE under [`REJECTION_TARGET`]; an unreachable store and failed commits or releases
//! at WARN. Secrets, signatures and bodies are never logged.
//!
//! # Security
//!
//! The defaults, all in [`WebhookConfig::new`]:
//! - Verification runs on the raw bytes before any parsing; handlers only ever see
//!   verified bodies.
//! - Replay protection is **on**, in memory, remembering deliveries at least as long as
//!   the verifier accepts their timestamps; it fails closed (503) when the store cannot be
//!   reached.
//! - Bodies are limited to [`DEFAULT_MAX_BODY`] (**1 MiB**): a `Content-Length` over the
//!   limit is refused before reading, and a longer body as soon as the limit is passed.
//!   axum's `DefaultBodyLimit` does not apply; [`WebhookConfigBuilder::max_body`] does.
//! - A body must arrive within [`DEFAULT_BODY_TIMEOUT`] (**30 s**), so a client trickling
//!   bytes cannot hold a connection ([`WebhookConfigBuilder::body_timeout`]).
//! - Responses never say which key or byte failed; diagnosis hints go to logs only.
//! - No `unsafe` code.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod config;
mod events;
mod extract;
mod layer;
#[cfg(feature = "redis")]
mod queue;
mod rejection;
mod request;
pub mod test_helpers;

pub use config::{WebhookConfig, WebhookConfigBuilder};
pub use events::events;
pub use extract::{Claimed, VerifiedWebhook, Webhook};
pub use layer::{ResponseFuture, VerifyWebhook, VerifyWebhookLayer};
#[cfg(feature = "redis")]
pub use queue::queue;
pub use rejection::WebhookRejection;

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

/// Compiles the README's examples.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
