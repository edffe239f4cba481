//! Escape hatches that skip verification. Each name says what it skips.
//!
//! A [`Verified`] is a proof: normally only [`Verifier::verify`](crate::Verifier::verify)
//! and [`TokenKey::open`](crate::TokenKey::open) (which checks a seal made with your own
//! key) produce one. The functions here build one from a serialized token **without any
//! check**: whoever can write the token can make up a delivery, its provider, id, body and
//! replay key. Use them only for storage that nobody else can write (a queue inside your
//! own trust boundary), and prefer [`TokenKey`](crate::TokenKey) everywhere else.
//!
//! ```
//! use webhook_verify::{verify, Provider};
//! use webhook_verify::dangerous::verified_unchecked_from_json;
//!
//! let headers: &[(&str, &str)] = &[
//!     ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
//!     ("X-GitHub-Event", "ping"),
//! ];
//! let verified = verify(&Provider::GITHUB, "It's a Secret to Everybody", headers, b"Hello, World!")?;
//! let json = serde_json::to_vec(&verified)?;
//! // Trusts `json` completely.
//! let back = verified_unchecked_from_json(&json)?;
//! assert_eq!(back.event_type(), Some("ping"));
//! assert_eq!(back.replay_key(), verified.replay_key());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::de::{DeserializeSeed, Deserializer};

use crate::{Provider, Verified};

/// Reads a [`Verified`] of a built-in provider from its JSON token form **without checking
/// anything**: see the [module docs](self) for what that trusts.
///
/// # Errors
///
/// The `serde_json` error when `json` is not a token this version writes.
pub fn verified_unchecked_from_json(json: &[u8]) -> Result<Verified, serde_json::Error> {
    verified_unchecked_from_json_with(json, &[])
}

/// As [`verified_unchecked_from_json`], for a token whose provider may also be one of these
/// custom providers.
///
/// ```
/// use webhook_verify::{Delivery, Provider, SignOptions, Signer, Verifier};
/// use webhook_verify::dangerous::{verified_unchecked_from_json, verified_unchecked_from_json_with};
///
/// let acme = Provider::custom("acme").signature_header("X-Acme-Signature").build()?;
/// let headers = Signer::new(&acme, "s3cret")?.sign(b"{}", &SignOptions::new())?;
/// let verified = Verifier::new(acme.clone(), "s3cret")?.verify(&Delivery::new(&headers, "{}"))?;
/// let json = serde_json::to_vec(&verified)?;
///
/// assert!(verified_unchecked_from_json(&json).is_err(), "acme is not built in");
/// let back = verified_unchecked_from_json_with(&json, &[acme])?;
/// assert_eq!(back.provider().name(), "acme");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`verified_unchecked_from_json`].
pub fn verified_unchecked_from_json_with(
    json: &[u8],
    providers: &[Provider],
) -> Result<Verified, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let verified = UncheckedVerifiedSeed::new(providers).deserialize(&mut de)?;
    de.end()?;
    Ok(verified)
}

/// Deserializes a [`Verified`] from its token form with any serde format, **without
/// checking anything** (see the [module docs](self)); the provider may be a built-in one or
/// one of the given custom providers.
///
/// ```
/// use serde::de::DeserializeSeed;
/// use webhook_verify::dangerous::UncheckedVerifiedSeed;
/// # let headers: &[(&str, &str)] = &[("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")];
/// # let verified = webhook_verify::verify(&webhook_verify::Provider::GITHUB, "It's a Secret to Everybody", headers, b"Hello, World!")?;
/// let value = serde_json::to_value(&verified)?;
/// let back = UncheckedVerifiedSeed::new(&[]).deserialize(value)?;
/// assert_eq!(back.body(), verified.body());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct UncheckedVerifiedSeed<'p> {
    providers: &'p [Provider],
}

impl<'p> UncheckedVerifiedSeed<'p> {
    /// A seed that also knows these (custom) providers.
    #[must_use]
    pub fn new(providers: &'p [Provider]) -> Self {
        Self { providers }
    }
}

impl<'de> DeserializeSeed<'de> for UncheckedVerifiedSeed<'_> {
    type Value = Verified;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Verified, D::Error> {
        crate::token::deserialize_unchecked(deserializer, self.providers)
    }
}

/// A [`KeyUrlRule`](crate::fetch::KeyUrlRule) that allows `http` (and `https`) to a
/// loopback address (127.0.0.0/8, `::1`, `localhost`) on any port and path, and nothing
/// else: for tests against a key server on this machine. **Never** use it for real
/// deliveries: whoever sends one could then make the receiver fetch from its own loopback
/// services.
///
/// ```
/// use webhook_verify::dangerous::loopback_key_urls;
/// let rule = loopback_key_urls();
/// assert!(rule.check("http://127.0.0.1:8080/cert.pem").is_ok());
/// assert!(rule.check("https://sns.us-east-1.amazonaws.com/cert.pem").is_err());
/// ```
#[cfg(feature = "fetch")]
#[must_use]
pub fn loopback_key_urls() -> crate::fetch::KeyUrlRule {
    crate::fetch::KeyUrlRule::loopback()
}
