//! Where a [`Receiver`](crate::receive::Receiver)'s keys come from: a fixed set, a set
//! replaced while serving, or a resolver asked per tenant.
//!
//! | source | for | on the verify path |
//! |---|---|---|
//! | a [`Verifier`] | one static set of keys (rotation: several keys, any may match) | nothing |
//! | [`LiveKeys`] | keys that change at run time (a secret manager, a file reloaded on `SIGHUP`) | one lock-free load |
//! | [`TenantKeys`] | one set of keys per tenant (Stripe Connect platforms, GitHub Apps of many customers) | a cache lookup; the resolver on a miss |
//!
//! Every source reports which key verified a delivery ([`Verified::key`]), so an old key
//! can be retired once nothing matches it any more.
//!
//! [`Verified::key`]: crate::Verified::key

mod live;
#[cfg(feature = "tokio")]
mod tenants;

pub use live::LiveKeys;
#[cfg(feature = "tokio")]
pub(crate) use tenants::TenantMiss;
#[cfg(feature = "tokio")]
pub use tenants::{
    BoxFuture, DEFAULT_MAX_RESOLVING, DEFAULT_RESOLVE_TIMEOUT, DEFAULT_TENANT_CACHE_ENTRIES,
    DEFAULT_TENANT_CACHE_TTL, ResolveError, ResolveKeys, TenantFrom, TenantKeys, TenantKeysBuilder,
    TenantSecrets,
};

use crate::{Provider, Tolerance, Verifier};

/// A receiver's source of keys: built from a [`Verifier`], [`LiveKeys`] or [`TenantKeys`]
/// (`From` each), and given to [`Receiver::builder`](crate::receive::Receiver::builder).
#[derive(Clone, Debug)]
pub enum KeySource {
    /// One fixed verifier.
    Fixed(Verifier),
    /// Keys replaced at run time.
    Live(LiveKeys),
    /// Keys resolved per tenant.
    #[cfg(feature = "tokio")]
    Tenants(TenantKeys),
}

impl KeySource {
    /// The provider every key of this source is for.
    #[must_use]
    pub fn provider(&self) -> &Provider {
        match self {
            Self::Fixed(verifier) => verifier.provider(),
            Self::Live(live) => live.provider(),
            #[cfg(feature = "tokio")]
            Self::Tenants(tenants) => tenants.provider(),
        }
    }

    /// The widest timestamp tolerance its verifiers use: replay protection remembers
    /// deliveries at least this long.
    #[must_use]
    pub fn tolerance(&self) -> Tolerance {
        match self {
            Self::Fixed(verifier) => verifier.tolerance(),
            Self::Live(live) => live.current().tolerance(),
            #[cfg(feature = "tokio")]
            Self::Tenants(tenants) => tenants.tolerance(),
        }
    }
}

impl From<Verifier> for KeySource {
    fn from(verifier: Verifier) -> Self {
        Self::Fixed(verifier)
    }
}

impl From<LiveKeys> for KeySource {
    fn from(live: LiveKeys) -> Self {
        Self::Live(live)
    }
}

#[cfg(feature = "tokio")]
impl From<TenantKeys> for KeySource {
    fn from(tenants: TenantKeys) -> Self {
        Self::Tenants(tenants)
    }
}
