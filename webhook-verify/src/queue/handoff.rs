//! The listener's side: append a verified, claimed delivery, answer once Redis has it.

use tracing::Instrument as _;

use super::Queue;
use crate::Verified;
use crate::receive::{Receiver, Reception, Reply};
use crate::replay::StoreError;

/// A [`Receiver`] and a [`Queue`]: what an adapter mounts as one route to hand deliveries
/// to workers (`webhook_axum::queue`, `webhook_actix::queue`).
///
/// For each verified delivery: the replay claim (a duplicate of a handled delivery gets
/// `200 duplicate`, one queued or being handled `409 in progress`, an unreachable store
/// 503), then the append of its token; `202 queued` once Redis acknowledged it. An append
/// that fails answers 503 and releases the claim, so the sender's retry is taken. The claim
/// stays in flight after the append: the worker takes it over and commits it when its
/// handler succeeds.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use webhook_verify::queue::{Handoff, Queue};
/// use webhook_verify::receive::Receiver;
/// use webhook_verify::replay::{RedisStore, Replay};
/// use webhook_verify::{Provider, Verifier};
///
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
/// let receiver = Receiver::builder(Verifier::new(Provider::STRIPE, "whsec_...")?)
///     .replay(Replay::new(store))
///     .build();
/// let queue = Queue::connect("redis://127.0.0.1:6379/", "webhooks").await?;
/// let handoff = Handoff::new(receiver, queue);
/// // per request, after `let verified = delivery.verify(...)?`:
/// // let reply = handoff.enqueue(&delivery, verified).await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Handoff {
    receiver: Receiver,
    queue: Queue,
}

impl Handoff {
    /// Deliveries received by `receiver` go to `queue`. Use the Redis replay store the
    /// workers use, so that they can take the listeners' claims over.
    #[must_use]
    pub fn new(receiver: impl Into<Receiver>, queue: Queue) -> Self {
        Self {
            receiver: receiver.into(),
            queue,
        }
    }

    /// The receiver.
    #[must_use]
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }

    /// The queue.
    #[must_use]
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// Releases the claim of a delivery whose append failed, trying twice: the connection
    /// that just failed may be finding its way again (a cluster refreshing its slots).
    /// When both fail, the claim ends with its lease and the sender's retries get 409
    /// until then.
    async fn release(&self, verified: &Verified, claim: crate::receive::Claim) {
        let Some(replay) = self.receiver.replay() else {
            return;
        };
        let ticket = claim.ticket();
        let Err(_) = claim.release().await else {
            return;
        };
        if let Some(ticket) = ticket {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let key = verified.replay_key();
            if let Err(error) = replay.store().release(&key, ticket).await {
                tracing::warn!(%error, "replay release failed again; the claim expires after its lease");
            }
        }
    }

    /// Claims the delivery verified by `delivery`'s steps and appends it; records the
    /// answer on its span.
    pub async fn enqueue(&self, delivery: &Reception, verified: Verified) -> Reply {
        // A signed handshake (Slack, Zoom, Discord, Twitch) is answered now, not queued.
        if let Some(reply) = delivery.answer(&verified) {
            return reply;
        }
        let claim = match delivery.claim(&verified).await {
            Ok(claim) => claim,
            Err(reply) => return reply,
        };
        let key = verified.replay_key();
        let token = match self.queue.key() {
            Some(key) => key.seal(&verified),
            None => match serde_json::to_string(&verified) {
                Ok(token) => token,
                Err(_) => return delivery.refuse(Reply::handler_failed()),
            },
        };
        let ticket = claim.ticket().unwrap_or(0);
        let appended = self
            .queue
            .append(&key, ticket, &token)
            .instrument(delivery.span().clone())
            .await;
        match appended {
            Ok(entry) => {
                claim.keep();
                let _entered = delivery.span().enter();
                tracing::debug!(entry, "webhook queued");
                drop(_entered);
                let reply = Reply::queued();
                delivery.finish(&reply);
                reply
            }
            Err(error) => {
                self.release(&verified, claim).await;
                delivery.refuse(Reply::store_unavailable(StoreError::from(error)))
            }
        }
    }
}
