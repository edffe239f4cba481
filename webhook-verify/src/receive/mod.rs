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

mod body;
mod claim;
mod endpoint;
#[cfg(feature = "metrics")]
pub mod metrics;
mod receiver;
mod reply;
mod signed_request;

pub use body::BodyLimit;
pub use claim::Claim;
pub(crate) use claim::claim;
pub use endpoint::Endpoint;
pub use receiver::{
    DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY, Handover, REJECTION_TARGET, Receiver, ReceiverBuilder,
    Reception, RequestUrl,
};
pub use reply::{BoxError, Outcome, Reply};
pub use signed_request::{BuildRequest, DEFAULT_BASE_URL, SignedParts, SignedRequest};
