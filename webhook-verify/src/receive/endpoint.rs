//! A receiver and an event router put together.

use tracing::Instrument as _;

use super::{Receiver, Reception, Reply};
use crate::{Error, EventRouter, Verified};

/// A [`Receiver`] and an [`EventRouter`] for the same provider: what an adapter mounts as
/// one route. Whether the two agree is checked once, here, not per request.
///
/// ```
/// use webhook_verify::receive::{Endpoint, Receiver};
/// use webhook_verify::{EventRouter, Provider, Verifier};
///
/// let receiver = Receiver::new(Verifier::new(Provider::STRIPE, "whsec_x")?);
/// let stripe = EventRouter::builder(Provider::STRIPE).build()?;
/// let endpoint = Endpoint::new(receiver.clone(), stripe)?;
///
/// let github = EventRouter::builder(Provider::GITHUB).build()?;
/// let error = Endpoint::new(receiver, github).unwrap_err();
/// assert_eq!(error.kind(), webhook_verify::ErrorKind::Config);
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Endpoint {
    receiver: Receiver,
    router: EventRouter,
}

impl Endpoint {
    /// Puts `receiver` and `router` together.
    ///
    /// # Errors
    ///
    /// A configuration [`Error`] when the router was built for another provider than the
    /// receiver's verifier.
    pub fn new(receiver: impl Into<Receiver>, router: EventRouter) -> Result<Self, Error> {
        let receiver = receiver.into();
        let verifier = receiver.provider();
        if router.provider() != verifier {
            return Err(Error::config(format!(
                "the event router reads {} deliveries, the verifier checks {}",
                router.provider().name(),
                verifier.name()
            )));
        }
        Ok(Self { receiver, router })
    }

    /// The receiver.
    #[must_use]
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// The router.
    #[must_use]
    pub fn router(&self) -> &EventRouter {
        &self.router
    }

    /// Routes a delivery verified by `delivery`'s steps, with the receiver's replay
    /// protection, and records the answer on its span.
    pub async fn dispatch(&self, delivery: &Reception, verified: Verified) -> Reply {
        let reply = self
            .router
            .run(verified, self.receiver.replay())
            .instrument(delivery.span().clone())
            .await;
        if reply.is_success() && reply.outcome() != super::Outcome::Duplicate {
            delivery.finish(&reply);
            reply
        } else {
            delivery.refuse(reply)
        }
    }
}
