//! [`VerifierBuilder`]: the secrets, tolerance and clock of a [`Verifier`], and the key
//! setup done once when it is built (keys derived for the scheme and its alternate, header
//! names parsed).

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::headers::{HeaderKey, HeaderSet};
use crate::keys::{Key, hmac_sha256_key, verification_key};
use crate::provider::{EventTypeSource, IdSource, Names};
use crate::{Clock, Error, IntoSecret, Provider, Secret, Tolerance};

use super::{Inner, KeyEntry, NameKeys, SpecKeys, Verifier};

impl NameKeys {
    fn new(names: &Names) -> Self {
        Self {
            signature: HeaderKey::new(&names.signature),
            timestamp: names.timestamp.as_ref().map(HeaderKey::new),
            id: names.id.as_ref().map(HeaderKey::new),
        }
    }
}

impl SpecKeys {
    fn new(spec: &crate::provider::Spec) -> Self {
        let mut keys = Self::unscanned(spec);
        // Every name the scheme may read, for one scan of a delivery's headers.
        let mut set = HeaderSet::default();
        for names in core::iter::once(&mut keys.names).chain(keys.fallback.as_mut()) {
            set.add(&mut names.signature);
            names.timestamp.iter_mut().for_each(|k| set.add(k));
            names.id.iter_mut().for_each(|k| set.add(k));
        }
        keys.id.iter_mut().for_each(|k| set.add(k));
        keys.event_type.iter_mut().for_each(|k| set.add(k));
        keys.set = set;
        keys
    }

    fn unscanned(spec: &crate::provider::Spec) -> Self {
        Self {
            set: HeaderSet::default(),
            names: NameKeys::new(&spec.names),
            fallback: spec.fallback.as_ref().map(NameKeys::new),
            id: match &spec.id {
                IdSource::Header { name, .. } => Some(HeaderKey::new(name)),
                _ => None,
            },
            event_type: match &spec.event_type {
                EventTypeSource::Header(name) => Some(HeaderKey::new(name)),
                _ => None,
            },
            needs_id: spec.needs_id(),
            needs_url: spec.needs_url(),
        }
    }
}

/// Configures a [`Verifier`]. Created by [`Verifier::builder`].
#[must_use]
pub struct VerifierBuilder {
    provider: Provider,
    secrets: Vec<(Option<Arc<str>>, Secret)>,
    tolerance: Option<Tolerance>,
    clock: Option<Arc<dyn Clock>>,
    error: Option<Error>,
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("provider", &self.provider.name())
            .field("keys", &self.secrets.len())
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

impl VerifierBuilder {
    /// A builder for `provider` with every default.
    pub(super) fn new(provider: Provider) -> Self {
        Self {
            provider,
            secrets: Vec::new(),
            tolerance: None,
            clock: None,
            error: None,
        }
    }

    /// Adds a key: the secret as the provider's dashboard shows it, or a [`Secret`].
    /// Add several to rotate; any of them may match. Errors surface from
    /// [`build`](Self::build). Defaults to no keys (and `build` fails without one).
    pub fn secret<S>(self, secret: S) -> Self
    where
        S: IntoSecret,
    {
        self.add(None, secret)
    }

    /// Adds a key with an id of the caller's choosing, reported by
    /// [`MatchedKey::id`](crate::MatchedKey::id) when this key verifies a delivery.
    pub fn secret_with_id<S>(self, id: impl Into<Arc<str>>, secret: S) -> Self
    where
        S: IntoSecret,
    {
        self.add(Some(id.into()), secret)
    }

    fn add<S>(mut self, id: Option<Arc<str>>, secret: S) -> Self
    where
        S: IntoSecret,
    {
        match secret.into_secret() {
            Ok(s) => self.secrets.push((id, s)),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// How far the signed timestamp may be from now, keeping the provider's direction
    /// (Stripe and Paddle check only the past). Ignored for providers without a timestamp.
    /// Defaults to the provider's [`default_tolerance`](Provider::default_tolerance).
    pub fn tolerance(mut self, window: Duration) -> Self {
        let base = self.tolerance.unwrap_or(self.provider.default_tolerance());
        self.tolerance = Some(base.with_window(window));
        self
    }

    /// Replaces the tolerance, both sides. Defaults to the provider's
    /// [`default_tolerance`](Provider::default_tolerance).
    pub fn tolerance_policy(mut self, tolerance: Tolerance) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// The source of the current time. Defaults to [`SystemClock`](crate::SystemClock);
    /// without the `std` feature there is no system clock and one must be given.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The same clock as another verifier's (diagnosis re-verifies with it).
    pub(crate) fn shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Derives every key and builds the verifier.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSecret`] when a secret is empty or cannot be decoded for this
    /// provider (the message says why, never what the secret is); [`Error::Config`] when no
    /// key was given, or without the `std` feature when no [`clock`](Self::clock) was given.
    pub fn build(self) -> Result<Verifier, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.secrets.is_empty() {
            return Err(Error::config("a verifier needs at least one secret"));
        }
        #[cfg(feature = "std")]
        let clock = self.clock.unwrap_or_else(|| Arc::new(crate::SystemClock));
        #[cfg(not(feature = "std"))]
        let Some(clock) = self.clock else {
            return Err(Error::config(
                "without the std feature a verifier needs a clock: give one with `clock`",
            ));
        };
        let spec = self.provider.spec();
        let keys = self
            .secrets
            .iter()
            .enumerate()
            .map(|(index, (id, s))| {
                let key = verification_key(spec, s)?;
                Ok(KeyEntry {
                    sha256: match key {
                        Key::Sha256(_) => Some(hmac_sha256_key(spec, s)?),
                        _ => None,
                    },
                    key,
                    id: id.clone(),
                    index,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        // A secret that does not fit the alternate scheme simply never matches it.
        let alt_keys = spec
            .alternate
            .map(|alt| {
                self.secrets
                    .iter()
                    .enumerate()
                    .filter_map(|(index, (id, s))| {
                        let key = verification_key(alt, s).ok()?;
                        Some(KeyEntry {
                            sha256: match key {
                                Key::Sha256(_) => Some(hmac_sha256_key(alt, s).ok()?),
                                _ => None,
                            },
                            key,
                            id: id.clone(),
                            index,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Verifier {
            inner: Arc::new(Inner {
                names: SpecKeys::new(spec),
                alt_names: spec.alternate.map(SpecKeys::new),
                tolerance: self.tolerance.unwrap_or(spec.tolerance),
                alt_tolerance: self
                    .tolerance
                    .or(spec.alternate.map(|alt| alt.tolerance))
                    .unwrap_or(spec.tolerance),
                provider: self.provider,
                keys,
                alt_keys,
                secrets: self.secrets.into_iter().map(|(_, s)| s).collect(),
                clock,
            }),
        })
    }
}
