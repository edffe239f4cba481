//! Typed events and an async router: parse a verified delivery into an [`Event<T>`] through
//! its payload shape ([`Envelope`]), and run the handler registered for its event type.
//!
//! Providers add event types, actions and fields all the time; nothing here breaks when
//! they do:
//!
//! - a new **event type** reaches the router's [fallback](EventRouterBuilder::fallback)
//!   (or is acknowledged with 200), with the data as raw JSON;
//! - a new **action** or enum value deserializes into [`OrOther::Other`];
//! - a new **field** is ignored by `serde` (unless your type denies unknown fields);
//! - a **changed field** that no longer matches your type is a [`PayloadError`] with the
//!   raw body, the event type and the path of the field (`data.object.amount_paid`); the
//!   router answers 400 `invalid payload` by default so the provider retries after you
//!   deploy a fix, or acknowledges and logs it ([`InvalidPayload::AcceptAndLog`]).
//!
//! ```
//! use serde::Deserialize;
//! use webhook_verify::events::{EventRouter, InvalidPayload, Failure};
//! use webhook_verify::{Event, OrOther, Provider};
//!
//! #[derive(Deserialize)]
//! #[serde(rename_all = "snake_case")]
//! enum Action { Opened, Closed }
//!
//! #[derive(Deserialize)]
//! struct Issue { number: u64, title: String }
//!
//! #[derive(Deserialize)]
//! struct IssuesEvent { action: OrOther<Action>, issue: Issue }
//!
//! async fn opened(event: Event<IssuesEvent>) -> Result<(), std::io::Error> {
//!     println!("#{} opened: {}", event.data().issue.number, event.data().issue.title);
//!     Ok(())
//! }
//!
//! let router = EventRouter::builder(Provider::GITHUB)
//!     .on("issues.opened", opened)
//!     .on("issues", |event: Event<IssuesEvent>| async move {
//!         // every other action, including ones added after this was written
//!         println!("issues.{:?}", event.action());
//!         Ok::<_, std::io::Error>(())
//!     })
//!     .fallback(|event: Event| async move {
//!         println!("unhandled {}: {}", event.name(), event.data());
//!         Ok::<_, std::io::Error>(())
//!     })
//!     .on_error(|failure: &Failure<'_>| eprintln!("webhook failed: {failure:?}"))
//!     .invalid_payload(InvalidPayload::Reject)
//!     .build()?;
//! # Ok::<(), webhook_verify::Error>(())
//! ```
//!
//! The adapters mount a router in one line: `webhook_axum::events(config, router)` and
//! `webhook_actix::events(config, router)`.

mod ack;
mod envelope;
mod event;
mod handler;
mod router;

/// The router's answers are the receive path's: see [`crate::receive`].
pub use crate::receive::{Outcome, Reply};
pub use ack::Ack;
pub use envelope::Envelope;
pub use event::{Event, OrOther, PayloadError, PayloadErrorKind};
pub use handler::{BoxError, Handler, State};
pub use router::{EventRouter, EventRouterBuilder, Failure, InvalidPayload};
