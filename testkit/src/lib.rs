//! The one fixture crate of the workspace's tests (not published).
//!
//! Everything a test needs to build, sign and check deliveries lives here once, instead of
//! in a `tests/common` module per crate:
//!
//! | item | purpose | feature |
//! |---|---|---|
//! | [`NOW`], [`URL`] | the instant every test delivery is signed at; the URL signed for URL-signing providers | |
//! | [`verifier_secret`], [`signing_secret`], [`other_secret`], the `*_SECRET` constants | per-provider secrets | |
//! | [`verifier`], [`verifier_at`] | a verifier whose clock reads [`NOW`] (or another instant) | |
//! | [`all_providers`], [`custom`] | every built-in provider plus a custom one | |
//! | [`key_forms`], [`signs_body`] | every key form a provider signs and verifies with; whether a body change must fail | |
//! | [`signed`], [`Signed`], [`mailgun_body`], [`mailgun_form`] | a signed delivery for any provider: headers + body (+ URL) | |
//! | [`handshake`] | every handshake challenge as a request, genuine and forged, with its answer; a replay store counting its calls | |
//! | [`vectors`] | the official and derived vectors, and vector name → [`Provider`](webhook_verify::Provider) in one place | |
//! | [`Store`], [`for_each_store`], [`store_tests!`] | one replay scenario run against every store (memory, Redis) | `redis` for the Redis runs |
//! | [`RedisServer`] | a real `redis-server` on a free loopback port | |
//! | `RedisCluster` | a real 3-master Redis Cluster on loopback ports | `redis-cluster` |
//! | `LogCapture` | a `tracing` subscriber writing into a buffer | `tracing` |
//! | `CountingBody`, `Counted` | bodies that count the bytes pulled from them | `http-body`, `stream` |
//!
//! Features: `redis` (the Redis runs; enables `webhook-verify/redis`), `tracing`
//! (`LogCapture`), `http-body` and `stream` (`CountingBody`, `Counted`). None is on by
//! default, so the core's tests pull no adapter and no HTTP body crate.
//!
//! ## Porting a crate's `tests/common`
//!
//! | was | now |
//! |---|---|
//! | `NOW`, `*_SECRET` constants, `verifier(p, secret)` at `NOW` | [`NOW`], [`STRIPE_SECRET`] …, [`verifier`] / [`verifier_at`] |
//! | a signer per test file | [`signed`]`(p, body, ts)` → [`Signed`] (`.headers`, `.body`, `.url`, `.delivery()`) |
//! | `CountingStream` / `CountingBody` (+ `pulled`) | `CountingBody::new(total, chunk)` and `.pulled()`: an `http_body::Body` (`http-body`) or a `Stream` (`stream`; map its error into actix's `PayloadError`) |
//! | `Counted::wrap(body, counter)` | `Body::new(Counted::with_counter(body, counter))` |
//! | `Captured` + `capture()` | `LogCapture::new(level)`, `.set_default()` (this thread) or `.subscriber()`, then `.text()` / `.contains()` |
//! | a memory test and a copied Redis test | [`store_tests!`] (one `#[tokio::test]` per store) or [`for_each_store`] (inside one test; actix's runtime too), with [`Store::replay`] |
//! | `webhook_testkit::RedisServer` | unchanged; [`Store::server_mut`] stops and restarts a store's own server |
//!
//! ```
//! use webhook_testkit::{NOW, signed, verifier};
//! use webhook_verify::Provider;
//!
//! let delivery = signed(&Provider::STRIPE, br#"{"id":"evt_1"}"#, NOW);
//! let verified = verifier(&Provider::STRIPE).verify(&delivery.delivery()).unwrap();
//! assert_eq!(verified.timestamp(), Some(NOW));
//! ```

#[cfg(any(feature = "http-body", feature = "stream"))]
mod body;
pub mod handshake;
mod keys;
#[cfg(feature = "tracing")]
mod logs;
#[cfg(feature = "redis-cluster")]
mod redis_cluster;
mod redis_server;
mod replay;
mod sign;
pub mod vectors;

#[cfg(feature = "http-body")]
pub use body::Counted;
#[cfg(any(feature = "http-body", feature = "stream"))]
pub use body::CountingBody;
pub use keys::{
    ADYEN_SECRET, DISCORD_PUBLIC, DISCORD_SEED, GITHUB_SECRET, KeyPair, NOW, OTHER_CERT,
    PAYPAL_WEBHOOK_ID, SHOPIFY_SECRET, SLACK_SECRET, STANDARD_SECRET, STRIPE_SECRET, TELNYX_PUBLIC,
    TELNYX_SEED, TEST_CERT, TEST_CERT_KEY, TWILIO_SECRET, URL, WHPK, WHSK, all_providers, custom,
    key_forms, other_secret, other_whpk, p256_key, p256_public_b64, signing_secret, signs_body,
    verifier, verifier_at, verifier_secret,
};
#[cfg(feature = "tracing")]
pub use logs::LogCapture;
#[cfg(feature = "redis-cluster")]
pub use redis_cluster::RedisCluster;
pub use redis_server::RedisServer;
pub use replay::{Store, StoreKind, for_each_store};
pub use sign::{
    MAILGUN_TOKEN, SIGNED_ID, Signed, mailgun_body, mailgun_form, paypal_headers, rfc3339, signed,
    sns_body,
};

#[doc(hidden)]
pub mod __private {
    pub use crate::replay::run_named;
}
