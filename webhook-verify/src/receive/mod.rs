//! The one receive path, shared by both adapters, the router and the CLI's listener:
//!
//! ```text
//! request ─► body limit (declared length, then per chunk, then the body timeout)
//!         ─► verify (headers, timestamp, signature; diagnosis logged on failure)
//!         ─► replay claim (duplicate: 200, in flight: 409, store down: 503)
//!         ─► handler ─► commit on 2xx, release otherwise
//!         ─► Reply (status, body text, Retry-After) ─► the framework's response
//! ```
//!
//! - [`Receiver`]: the verifier, body limit, body timeout, public base URL and replay
//!   protection (on by default, in memory).
//! - [`Reception`]: one delivery going through those steps, with its `webhook` tracing
//!   span: [`body_limit`](Reception::body_limit), [`read_body`](Reception::read_body),
//!   [`verify`](Reception::verify), [`claim`](Reception::claim).
//! - [`Claim`]: settles the replay claim from the handler's status, released if dropped.
//! - [`Reply`]: the status policy (DESIGN.md §4), the only place statuses and body texts
//!   are decided; [`Outcome`] names what happened.
//! - [`Endpoint`]: a receiver and an [`EventRouter`](crate::EventRouter), checked once to
//!   be for the same provider.
//! - [`SignedRequest`]: correctly signed requests to test an endpoint with; each adapter
//!   builds its framework's request from the [`SignedParts`].
//!
//! An adapter only turns its framework's request into headers, a stream of body chunks
//! and a [`RequestUrl`], and a [`Reply`] into its framework's response.
//!
//! # Handshake challenges
//!
//! Some senders send a handshake before any delivery (when the endpoint is registered,
//! and some periodically). The receive path answers them, once, for both adapters and the
//! router: [`Reception::challenge`] before the body is read (handshakes that are plain
//! requests; any other `GET` or `HEAD` gets `405 method not allowed` with `Allow`), and
//! [`Reception::answer`] after verification (handshakes that are signed deliveries). An
//! answered handshake never runs the handler and claims nothing in the replay store. A
//! handshake is answered only where the sender's scheme authenticates it or the answer
//! reveals nothing; a forged one gets the status policy's refusal (`403 invalid verify
//! token`, `401 invalid signature`, `400`). Mount webhook routes for `GET` as well as
//! `POST` for the senders whose handshake is a `GET` (axum `get(h).post(h)` or `any(h)`,
//! actix `web::route().guard(guard::Any(guard::Get()).or(guard::Post()))`; both adapters'
//! `events` routes do).
//!
//! <!-- handshakes:start -->
//! | sender | request | answer | checked |
//! |---|---|---|---|
//! | Slack | POST, signed, body `type` = `url_verification` | 200 `{"challenge": …}` (JSON) | the delivery's signature and timestamp, as for any delivery |
//! | Zoom | POST, signed, body `event` = `endpoint.url_validation` with `payload.plainToken` | 200 `{"plainToken": …, "encryptedToken": hex HMAC-SHA256(secret, plainToken)}` | the delivery's signature and timestamp, as for any delivery |
//! | Discord | POST, signed, body `type` = 1 | 200 `{"type":1}` (JSON) | the delivery's signature and timestamp, as for any delivery |
//! | Twitch | POST, signed, `webhook_callback_verification`: the signed body carries `challenge` | 200, `challenge` as `text/plain` (`nosniff`) | the delivery's signature and timestamp, as for any delivery |
//! | Meta | GET `?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` | 200, `hub.challenge` as `text/plain` (`nosniff`) | `hub.verify_token` equals the receiver's verify token (constant time); else 403 |
//! | X (Twitter) | GET `?crc_token=…` | 200 `{"response_token": "sha256=" + base64 HMAC-SHA256(consumer secret, crc_token)}` | nothing is signed: the token must be short base64 text that is not JSON, so the answer never signs a delivery body |
//! | Dropbox | GET `?challenge=…` | 200, `challenge` as `text/plain` with `X-Content-Type-Options: nosniff` | nothing: the answer reveals nothing (an echo) |
//! | Microsoft Graph | POST `?validationToken=…` (empty body) | 200, `validationToken` (decoded) as `text/plain` (`nosniff`) | nothing: the answer reveals nothing (an echo) |
//! | Okta | GET with `X-Okta-Verification-Challenge` and the credential header | 200 `{"verification": …}` (JSON) | the credential header equals the configured value (constant time); else 400/401 |
//! <!-- handshakes:end -->

mod body;
mod challenge;
mod claim;
mod endpoint;
#[cfg(feature = "metrics")]
pub mod metrics;
mod receiver;
mod reply;
mod signed_request;

pub use body::BodyLimit;
pub(crate) use challenge::signed_answer;
pub use claim::Claim;
pub(crate) use claim::claim;
pub use endpoint::Endpoint;
pub use receiver::{
    DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY, Handover, REJECTION_TARGET, Receiver, ReceiverBuilder,
    Reception, RequestUrl,
};
pub use reply::{BoxError, Outcome, Reply};
pub use signed_request::{BuildRequest, DEFAULT_BASE_URL, SignedParts, SignedRequest};
