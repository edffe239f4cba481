//! A delivery's claim in the replay store, settled from the handler's answer.

use std::fmt;
use std::future::Future;
use std::task::{Context, Waker};

use super::Reply;
use crate::Verified;
use crate::replay::{Begin, ClaimGuard, Replay, StoreError};

/// A verified delivery's claim in the replay store: [`commit`](Self::commit) it when the
/// delivery is handled, [`release`](Self::release) it when handling failed (so the
/// provider's retry is handled), or [`settle`](Self::settle) it from the handler's status.
///
/// Dropped unsettled (early return, `?`, panic, cancelled request), it is released: at
/// once when the store answers without waiting (the in-memory store), else in the
/// background on the current tokio runtime (feature `tokio`, enabled by both adapters);
/// without one it expires after its lease. Without replay protection the claim is inert
/// ([`Claim::none`]) and settling it does nothing.
///
/// ```
/// # async fn run() -> Result<(), webhook_verify::replay::StoreError> {
/// use webhook_verify::receive::Claim;
///
/// let claim = Claim::none(); // what handlers get without replay protection
/// assert_eq!(claim.key(), None);
/// claim.commit().await?; // does nothing
/// # Ok(()) }
/// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// # let _ = std::pin::pin!(run()).as_mut().poll(&mut cx);
/// # use std::future::Future as _;
/// ```
#[must_use = "commit the claim once the delivery is handled, or it is released"]
pub struct Claim {
    guard: Option<ClaimGuard>,
    /// Counts the claim in the claims-in-flight gauge while it lives.
    #[cfg(feature = "metrics")]
    _in_flight: Option<super::metrics::InFlight>,
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim").field("key", &self.key()).finish()
    }
}

impl Claim {
    /// An inert claim, as without replay protection: settling it does nothing. For tests
    /// of handlers that take a claim.
    pub fn none() -> Self {
        Self {
            guard: None,
            #[cfg(feature = "metrics")]
            _in_flight: None,
        }
    }

    /// Whether this claim holds a key in a store (and so has something to settle).
    ///
    /// ```
    /// assert!(!webhook_verify::receive::Claim::none().is_held());
    /// ```
    #[must_use]
    pub fn is_held(&self) -> bool {
        self.guard.is_some()
    }

    /// The delivery's [replay key](Verified::replay_key) while this claim holds it.
    ///
    /// ```
    /// assert_eq!(webhook_verify::receive::Claim::none().key(), None);
    /// ```
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        self.guard.as_ref().map(ClaimGuard::key)
    }

    /// The ticket the claim is held under, while held.
    pub(crate) fn ticket(&self) -> Option<u128> {
        self.guard.as_ref().map(ClaimGuard::ticket)
    }

    /// Leaves the claim held until its lease ends, neither committed nor released: a
    /// queue worker takes it over with the ticket.
    pub(crate) fn keep(mut self) {
        drop(self.guard.take());
    }

    /// Marks the delivery handled: later deliveries of it get `200 duplicate` for the
    /// replay retention.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached (also logged at WARN); the claim
    /// then expires after its lease, after which a retry would be handled again.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let Some(guard) = self.guard.take() else {
            return Ok(());
        };
        guard.commit().await.inspect_err(|error| {
            tracing::warn!(%error, "replay commit failed; the claim expires after its lease");
        })
    }

    /// Forgets the claim now, so the provider's retry is handled.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached (also logged at WARN); the claim
    /// then expires after its lease.
    pub async fn release(mut self) -> Result<(), StoreError> {
        match self.guard.take() {
            Some(guard) => release(guard).await,
            None => Ok(()),
        }
    }

    /// Commits when `status` is 2xx, releases otherwise. A store failure is logged at WARN
    /// and not returned: the work was done (or failed) either way, and the answer should
    /// say so.
    pub async fn settle(self, status: u16) {
        // Already logged by commit/release.
        let _ = if (200..300).contains(&status) {
            self.commit().await
        } else {
            self.release().await
        };
    }
}

async fn release(guard: ClaimGuard) -> Result<(), StoreError> {
    guard.release().await.inspect_err(|error| {
        tracing::warn!(%error, "replay release failed; the claim expires after its lease");
    })
}

impl Drop for Claim {
    fn drop(&mut self) {
        let Some(guard) = self.guard.take() else {
            return;
        };
        tracing::debug!("webhook claim dropped unsettled; releasing it");
        let mut release = Box::pin(release(guard));
        // The in-memory store answers at once: no runtime needed.
        if release
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_ready()
        {
            return;
        }
        #[cfg(feature = "tokio")]
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            drop(handle.spawn(async move {
                let _ = release.await;
            }));
            return;
        }
        tracing::debug!("no runtime to release the dropped claim on; it expires after its lease");
    }
}

/// Claims `verified` in `replay` (an inert claim without one). The answers for a
/// duplicate, a delivery in flight and an unreachable store are the status policy's.
pub(crate) async fn claim(replay: Option<&Replay>, verified: &Verified) -> Result<Claim, Reply> {
    let Some(replay) = replay else {
        return Ok(Claim::none());
    };
    // A delivery handed over in shadow mode proves nothing: claiming its (unauthenticated)
    // id could mark a genuine delivery still to come as a duplicate.
    if !verified.is_authentic() {
        return Ok(Claim::none());
    }
    match replay.begin(verified).await {
        Ok(Begin::New(guard)) => Ok(Claim {
            guard: Some(guard),
            #[cfg(feature = "metrics")]
            _in_flight: Some(super::metrics::InFlight::new(verified.provider().name())),
        }),
        Ok(Begin::Done) => {
            tracing::debug!("webhook already handled; acknowledged as duplicate");
            Err(Reply::duplicate())
        }
        Ok(Begin::InFlight) => {
            tracing::debug!("webhook being handled by another request");
            Err(Reply::in_progress(replay.lease_duration()))
        }
        Err(error) => {
            tracing::warn!(%error, "replay store unreachable; answering 503");
            Err(Reply::store_unavailable(error))
        }
    }
}

/// Runs `fut` to completion if it needs no waiting (used by tests of the drop path).
#[cfg(test)]
fn now_or_never<F: Future>(fut: F) -> Option<F::Output> {
    match std::pin::pin!(fut).poll(&mut Context::from_waker(Waker::noop())) {
        std::task::Poll::Ready(out) => Some(out),
        std::task::Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::{Claim as StoreClaim, MemoryStore, ReplayStore};
    use crate::{Provider, SignOptions, Signer, verify};
    use std::sync::Arc;
    use std::time::Duration;

    fn verified() -> Verified {
        let body = br#"{"action":"opened"}"#;
        let headers = Signer::new(&Provider::GITHUB, "s")
            .unwrap()
            .sign(body, &SignOptions::new())
            .unwrap();
        verify(&Provider::GITHUB, "s", &headers, &body[..])
            .unwrap()
            .into_owned()
    }

    #[test]
    fn dropped_claims_are_released_without_a_runtime() {
        let store = Arc::new(MemoryStore::new());
        let replay = Replay::from_arc(store.clone());
        let verified = verified();
        let claim = now_or_never(claim(Some(&replay), &verified))
            .unwrap()
            .unwrap();
        assert!(claim.is_held());
        let again = now_or_never(super::claim(Some(&replay), &verified)).unwrap();
        assert_eq!(again.unwrap_err().status(), 409);
        drop(claim);
        let key = verified.replay_key();
        let state = now_or_never(store.claim(&key, 1, Duration::from_secs(1))).unwrap();
        assert_eq!(state.unwrap(), StoreClaim::New);
    }

    #[test]
    fn settle_commits_2xx_and_releases_the_rest() {
        let replay = Replay::new(MemoryStore::new());
        let verified = verified();
        let held = now_or_never(claim(Some(&replay), &verified))
            .unwrap()
            .unwrap();
        now_or_never(held.settle(500)).unwrap();
        let held = now_or_never(claim(Some(&replay), &verified))
            .unwrap()
            .unwrap();
        now_or_never(held.settle(204)).unwrap();
        let dup = now_or_never(claim(Some(&replay), &verified))
            .unwrap()
            .unwrap_err();
        assert_eq!((dup.status(), dup.body_text().as_ref()), (200, "duplicate"));
    }

    #[test]
    fn no_replay_is_an_inert_claim() {
        let claim = now_or_never(claim(None, &verified())).unwrap().unwrap();
        assert!(!claim.is_held());
        assert_eq!(now_or_never(claim.commit()).unwrap(), Ok(()));
    }
}
