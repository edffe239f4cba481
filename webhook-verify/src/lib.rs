//! Verify webhook deliveries: prove that a request is **authentic** (constant-time signature
//! checks over the raw body), **fresh** (timestamp tolerance with an injectable clock) and
//! from the sender you configured, for Stripe, GitHub, Slack, Standard Webhooks, Svix (and
//! Clerk, Resend), Shopify, Twilio, Discord, Paddle, Meta, X, Dropbox and more, and any HMAC
//! sender you describe. The [`receive`] path answers senders' handshake challenges
//! ([`Handshake`]: Meta's `hub.challenge`, X's CRC, Twitch, Slack, Zoom, Discord, ...).
//!
//! ```toml
//! [dependencies]
//! webhook-verify = "0.1"
//! ```
//!
//! # Quickstart
//!
//! ```
//! use webhook_verify::{Delivery, FixedClock, Provider, Verifier};
//!
//! // Once, at start-up. Add several secrets while rotating: any of them may match.
//! let verifier = Verifier::builder(Provider::STRIPE)
//!     .secret("whsec_test_secret")
//! #   .clock(FixedClock::from_unix(1_700_000_000))
//!     .build()?;
//!
//! // For each request: the headers (an `http::HeaderMap`, or name/value pairs) and the
//! // raw body bytes exactly as received.
//! let body = b"{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}";
//! let headers = [(
//!     "Stripe-Signature",
//!     "t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150",
//! )];
//! match verifier.verify(&Delivery::new(&headers, &body[..])) {
//!     Ok(verified) => assert_eq!(verified.id(), Some("evt_test_webhook")),
//!     // 400 for missing/malformed headers, 401 for a bad signature or stale timestamp.
//!     Err(e) => panic!("{} {e}", e.status()),
//! }
//! # Ok::<(), webhook_verify::Error>(())
//! ```
//!
//! # Typed events
//!
//! [`EventRouter`] runs a typed async handler per event type (`on("invoice.paid", …)`,
//! `on("invoice.*", …)`, a fallback for types added later), reading each provider's payload
//! shape through an [`Envelope`]; [`OrOther`] keeps enums open to values added later, and a
//! payload that no longer matches its type is reported with the field's path. A
//! [`Verified`] delivery serializes for a queue, sealed by a [`TokenKey`] when the queue is
//! not trusted. See [`events`].
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | the system clock ([`SystemClock`], [`Verifier::new`], [`verify`]), [`receive`], [`replay`], [`events`]; `http`, `tokio` and `redis` enable it |
//! | `http` | yes | [`Headers`] for `http::HeaderMap` |
//! | `tokio` | no | the receive path's body timeout, and dropped replay claims released in the background (both adapters enable it) |
//! | `redis` | no | `replay::RedisStore`, replay protection shared by many instances; [`queue`]: hand deliveries to workers through Redis Streams |
//! | `redis-cluster` | no | the Redis store and the queue on a Redis Cluster (`connect_cluster`) |
//! | `fetch` | no | `fetch`: AWS SNS and PayPal certificates fetched from checked URLs (hyper, rustls) |
//!
//! # Without `std`
//!
//! With `default-features = false` the crate is `#![no_std]` + `alloc` (edge runtimes,
//! wasm): every provider, [`Verifier`] through [`VerifierBuilder`], [`Signer`],
//! [`Verified`], [`Error`] (a `core::error::Error`). There is no system clock: give the
//! builder one ([`FixedClock`] or your own [`Clock`]), or [`build`](VerifierBuilder::build)
//! refuses; a [`SignOptions`] needs its timestamp.
//!
//! # Security
//!
//! - Signatures are compared as decoded bytes in constant time; a mismatch says nothing
//!   about which key or byte differed. Non-canonical encodings (uppercase hex, unpadded
//!   base64, non-zero trailing bits) are refused, not normalised.
//! - Each provider's own key derivation is used; it is never guessed from the secret's
//!   prefix (Stripe and Standard Webhooks both use `whsec_`, with different keys).
//! - Timestamps are parsed strictly (ASCII digits, no sign, no overflow) and checked with
//!   each provider's default tolerance; [`VerifierBuilder::tolerance`] changes the window.
//! - Headers that appear twice with different values are refused; at most
//!   [`MAX_SIGNATURES`] signatures are read from one header.
//! - [`Secret`]s are zeroized on drop and print as `Secret(REDACTED)`; no error or
//!   diagnosis contains a secret, a signature or the body.
//! - No `unsafe` code.
//!
//! # Where things are
//!
//! - `provider/`: one file per sender, named after it (`stripe.rs`, `linear.rs`,
//!   `zoom.rs`, ...), holding its scheme as data and, for the few whose signed bytes are
//!   not a template (Twilio, Mailgun, Adyen classic, GitLab's token), the code that builds
//!   them; each file says where its scheme comes from.
//! - `verifier/`: [`Verifier`] and the verify flow (`mod.rs`), [`VerifierBuilder`] and key
//!   setup (`builder.rs`), key matching and timestamp checks (`matching.rs`).
//! - `signature/`: signature header formats (`formats.rs`) and the canonical hex and base64
//!   decoders (`decode.rs`).
//! - `delivery.rs` ([`Delivery`], [`Verified`]), `sign.rs` ([`Signer`]), `keys.rs`,
//!   `secret.rs`, `headers.rs`, `tolerance.rs`, `clock.rs`, `json.rs` (the JSON field
//!   reader the verifier, providers and envelopes share).
//! - [`receive`]: the one request path both adapters use; [`replay`]; [`events`].

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg_attr(not(feature = "std"), macro_use)]
extern crate alloc;

mod certificate;
mod clock;
pub mod dangerous;
mod delivery;
mod diagnose;
mod error;
#[cfg(feature = "std")]
pub mod events;
#[cfg(feature = "fetch")]
pub mod fetch;
mod headers;
mod json;
#[cfg(feature = "std")]
pub mod key_source;
mod keys;
mod provider;
#[cfg(feature = "redis")]
pub mod queue;
#[cfg(feature = "std")]
pub mod receive;
#[cfg(feature = "std")]
pub mod replay;
mod secret;
mod sign;
mod signature;
mod token;
mod tolerance;
mod verifier;

#[cfg(feature = "std")]
pub use clock::SystemClock;
pub use clock::{Clock, FixedClock};
pub use delivery::{Body, Delivery, IntoBody, MatchedKey, Verified};
pub use diagnose::Diagnosis;
pub use error::{Error, ErrorKind};
#[cfg(feature = "std")]
pub use events::{Envelope, Event, EventRouter, OrOther};
pub use headers::Headers;
pub use provider::{Algorithm, CustomProvider, Encoding, Handshake, KeyForm, Provider, zoom};
pub use secret::{IntoSecret, Secret};
pub use sign::{SignOptions, Signer};
pub use signature::MAX_SIGNATURES;
pub use token::{TokenError, TokenKey};
pub use tolerance::Tolerance;
#[cfg(feature = "std")]
pub use verifier::verify;
pub use verifier::{Verifier, VerifierBuilder};

#[doc(no_inline)]
pub use bytes::Bytes;
