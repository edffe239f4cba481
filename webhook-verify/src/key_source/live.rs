//! Keys replaced while serving, without a lock on the verify path.

use std::fmt;
use std::sync::Arc;

use arc_swap::{ArcSwap, Guard};

use crate::delivery::Body;
use crate::{Delivery, Error, Provider, Verified, Verifier};

/// A verifier whose keys can be replaced at run time (a secret manager's rotation, a key
/// file reloaded on `SIGHUP`), atomically: each delivery is verified entirely with the
/// keys before or entirely with the keys after a [`replace`](Self::replace), and reading
/// the current keys takes no lock (an `arc-swap` load). Clones share the same keys.
///
/// To rotate without failing a delivery, replace the set with one holding the old and the
/// new key, watch [`MatchedKey::id`](crate::MatchedKey::id) on verified deliveries, and
/// replace it again without the old key once nothing matches it.
///
/// ```
/// use webhook_verify::key_source::LiveKeys;
/// use webhook_verify::{Delivery, Provider, SignOptions, Signer, Verifier};
///
/// let keys = LiveKeys::new(Verifier::builder(Provider::GITHUB).secret_with_id("2025", "old").build()?);
/// let body = br#"{"zen":"Keep it logically awesome."}"#;
/// let signed_new = Signer::new(&Provider::GITHUB, "new")?.sign(body, &SignOptions::new())?;
/// assert!(keys.verify(&Delivery::new(&signed_new, &body[..])).is_err());
///
/// // Both keys during the rotation, then the new one alone.
/// keys.replace(
///     Verifier::builder(Provider::GITHUB).secret_with_id("2025", "old").secret_with_id("2026", "new").build()?,
/// )?;
/// let verified = keys.verify(&Delivery::new(&signed_new, &body[..]))?;
/// assert_eq!(verified.key().id(), Some("2026"));
/// keys.replace(Verifier::builder(Provider::GITHUB).secret_with_id("2026", "new").build()?)?;
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone)]
pub struct LiveKeys {
    current: Arc<ArcSwap<Verifier>>,
    /// Fixed for the handle's life: every replacement is for the same provider.
    provider: Provider,
}

impl fmt::Debug for LiveKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveKeys")
            .field("current", &**self.current.load())
            .finish()
    }
}

impl LiveKeys {
    /// A handle serving `verifier`'s keys until replaced.
    #[must_use]
    pub fn new(verifier: Verifier) -> Self {
        Self {
            provider: verifier.provider().clone(),
            current: Arc::new(ArcSwap::from_pointee(verifier)),
        }
    }

    /// The provider.
    #[must_use]
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// The verifier in force now.
    #[must_use]
    pub fn current(&self) -> Verifier {
        Verifier::clone(&self.current.load())
    }

    /// The verifier in force now, without a reference count (for the verify path).
    pub(crate) fn load(&self) -> Guard<Arc<Verifier>> {
        self.current.load()
    }

    /// Replaces the keys (and tolerance and clock) with `verifier`'s, for every clone of
    /// this handle at once; returns the verifier replaced. Deliveries being verified finish
    /// with the keys they started with.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `verifier` is for another provider; nothing is replaced.
    pub fn replace(&self, verifier: Verifier) -> Result<Verifier, Error> {
        if verifier.provider() != &self.provider {
            return Err(Error::config(format!(
                "these keys are for {}, not {}",
                self.provider.name(),
                verifier.provider().name()
            )));
        }
        let old = self.current.swap(Arc::new(verifier));
        tracing::info!(provider = %self.provider.name(), "webhook keys replaced");
        Ok(Arc::unwrap_or_clone(old))
    }

    /// Verifies `delivery` with the keys in force now (see [`Verifier::verify`]).
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify`].
    pub fn verify<B: Body>(&self, delivery: &Delivery<'_, B>) -> Result<Verified<B::Kept>, Error> {
        self.current.load().verify(delivery)
    }
}
