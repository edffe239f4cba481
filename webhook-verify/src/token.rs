//! Verified deliveries as tokens: serialize a [`Verified`] to enqueue it, and handle it
//! later without verifying again (the tolerance window may have passed by then).

use alloc::borrow::{Cow, ToOwned};
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use sha2::Sha256;

use crate::delivery::{Body, MatchedKey, SigBytes};
use crate::headers::HeaderText;
use crate::provider::IdSource;
use crate::{Error, IntoSecret, Provider, Verified};

const VERSION: u8 = 1;

/// The serialized form. `id` and `event_type` are written resolved (readable in a queue)
/// and, for providers that read them from the body, found there again on the way back.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Repr<'a> {
    v: u8,
    #[serde(borrow)]
    provider: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    alternate: bool,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    id: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    id_signed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timestamp: Option<i64>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    event_type: Option<Cow<'a, str>>,
    key_index: usize,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    key_id: Option<Cow<'a, str>>,
    received_at: i64,
    /// The replay material (`Verified::signature`), hex: part of the replay key when the
    /// id is not signed.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    signature: Option<Cow<'a, str>>,
    /// The body when it is UTF-8 ...
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    body: Option<Cow<'a, str>>,
    /// ... else base64.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    body_base64: Option<Cow<'a, str>>,
    /// Shadow mode: the delivery failed verification for this reason.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    unverified: Option<Cow<'a, str>>,
    /// The tenant whose keys verified it.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    tenant: Option<Cow<'a, str>>,
}

/// A `Verified` serializes as the provider's name, the id, the signed timestamp, the event
/// type, the matched key's index and id, the time it was received and the body (as text,
/// or base64 when it is not UTF-8), so it can be put in a queue and handled later.
///
/// `Verified` does not implement `Deserialize`: a `Verified` is a proof that a delivery
/// verified, and JSON anyone could have written is not. Read tokens back with
/// [`TokenKey::open`] (sealed with your key), or, for storage nobody else can write, with
/// [`dangerous::verified_unchecked_from_json`](crate::dangerous::verified_unchecked_from_json),
/// whose name says what it skips.
///
/// ```
/// use webhook_verify::{verify, Provider};
///
/// let headers: &[(&str, &str)] = &[
///     ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
///     ("X-GitHub-Event", "ping"),
/// ];
/// let verified = verify(&Provider::GITHUB, "It's a Secret to Everybody", headers, b"Hello, World!")?;
/// let json = serde_json::to_string(&verified)?;
/// let back = webhook_verify::dangerous::verified_unchecked_from_json(json.as_bytes())?;
/// assert_eq!(back.event_type(), Some("ping"));
/// assert_eq!(back.body().as_ref(), b"Hello, World!");
/// assert_eq!(back.replay_key(), verified.replay_key());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl<B: Body> Serialize for Verified<B> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let body = self.body_bytes();
        let (body, body_base64) = match core::str::from_utf8(body) {
            Ok(text) => (Some(Cow::Borrowed(text)), None),
            Err(_) => (None, Some(Cow::Owned(STANDARD.encode(body)))),
        };
        Repr {
            v: VERSION,
            provider: Cow::Borrowed(self.provider.name()),
            alternate: self.spec_is_alternate,
            id: self.id().map(Cow::Borrowed),
            id_signed: self.id_signed,
            timestamp: self.timestamp,
            event_type: self.event_type().map(Cow::Borrowed),
            key_index: self.key.index,
            key_id: self.key.id.as_deref().map(Cow::Borrowed),
            received_at: self.received_at,
            signature: (!self.signature.is_empty())
                .then(|| Cow::Owned(hex::encode(&self.signature))),
            body,
            body_base64,
            unverified: self.unverified.map(|kind| Cow::Borrowed(kind.as_str())),
            tenant: self.tenant.as_deref().map(Cow::Borrowed),
        }
        .serialize(serializer)
    }
}

/// Reads a token without any check; only [`TokenKey::open_with`] (after checking the seal)
/// and the [`dangerous`](crate::dangerous) module call this.
pub(crate) fn deserialize_unchecked<'de, D: Deserializer<'de>>(
    deserializer: D,
    providers: &[Provider],
) -> Result<Verified, D::Error> {
    let repr = Repr::deserialize(deserializer)?;
    from_repr(repr, providers).map_err(de::Error::custom)
}

fn from_repr(repr: Repr<'_>, providers: &[Provider]) -> Result<Verified, String> {
    if repr.v != VERSION {
        return Err(format!("unsupported token version {}", repr.v));
    }
    let provider = providers
        .iter()
        .find(|p| p.name() == repr.provider)
        .cloned()
        .or_else(|| Provider::from_name(&repr.provider).filter(|p| p.name() == repr.provider))
        .ok_or_else(|| format!("unknown provider {:?}", repr.provider))?;
    let spec = provider.spec();
    let spec = match spec.alternate {
        Some(alt) if repr.alternate => alt,
        _ if repr.alternate => return Err("this provider has no alternate scheme".to_owned()),
        _ => spec,
    };
    let body = match (repr.body, repr.body_base64) {
        (Some(text), None) => Bytes::from(text.into_owned()),
        (None, Some(b64)) => Bytes::from(
            STANDARD
                .decode(b64.as_bytes())
                .map_err(|_| "body_base64 is not valid base64".to_owned())?,
        ),
        _ => return Err("exactly one of body and body_base64 is required".to_owned()),
    };
    let signature = match repr.signature {
        None => SigBytes::new(),
        Some(hex_text) => {
            let bytes =
                hex::decode(hex_text.as_bytes()).map_err(|_| "signature is not hex".to_owned())?;
            SigBytes::try_from(bytes.as_slice()).map_err(|_| "signature is too long".to_owned())?
        }
    };
    let header_id = match spec.id {
        IdSource::Json(_) => None,
        _ => repr.id.map(|id| HeaderText::new(&id)),
    };
    let header_event_type = match spec.event_type {
        crate::provider::EventTypeSource::Header(_) => repr.event_type.map(|t| HeaderText::new(&t)),
        _ => None,
    };
    Ok(Verified {
        provider,
        spec_is_alternate: repr.alternate,
        header_id,
        id_signed: repr.id_signed,
        timestamp: repr.timestamp,
        header_event_type,
        key: MatchedKey {
            index: repr.key_index,
            id: repr.key_id.map(|k| Arc::from(&*k)),
        },
        body,
        received_at: repr.received_at,
        signature,
        json: crate::delivery::JsonCell::new(),
        unverified: match repr.unverified {
            None => None,
            Some(name) => Some(
                crate::ErrorKind::from_name(&name)
                    .ok_or_else(|| format!("unknown verification failure {name:?}"))?,
            ),
        },
        tenant: repr.tenant.map(|t| Arc::from(&*t)),
    })
}

/// Seals [`Verified`] tokens with HMAC-SHA256 under a key of your own, so a token read back
/// from a queue or a database that others can write to is known to be one you made.
///
/// A sealed token is `base64url(JSON) "." base64url(tag)`; [`open`](Self::open) checks the
/// tag in constant time before reading anything. Use a random key of at least
/// [`MIN_LEN`](Self::MIN_LEN) bytes, distinct from every provider's secret; rotate by trying
/// the new key, then the old.
///
/// The sealing key is not the secret itself but HMAC-SHA256(secret, `"webhook-verify token
/// key v1"`): a tag made with it is never a provider signature, even when the same secret
/// is (wrongly) also a provider's HMAC key, and no provider signature is a valid seal.
///
/// ```
/// use webhook_verify::{verify, Provider, TokenKey};
///
/// # let headers: &[(&str, &str)] = &[("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")];
/// let verified = verify(&Provider::GITHUB, "It's a Secret to Everybody", headers, b"Hello, World!")?;
/// let key = TokenKey::new("a-random-32-byte-key-from-your-vault")?;
/// let token = key.seal(&verified);
///
/// let back = key.open(&token)?;
/// assert_eq!(back.body(), verified.body());
///
/// let mut forged = token.clone();
/// forged.replace_range(0..1, if forged.starts_with('e') { "f" } else { "e" });
/// assert!(key.open(&forged).is_err());
/// assert!(TokenKey::new("another random key of 32 bytes or more")?.open(&token).is_err());
/// assert!(TokenKey::new("too short").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TokenKey {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey(REDACTED)")
    }
}

/// A sealed token that could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not `payload.tag` in base64url.
    #[error("malformed token")]
    Malformed,
    /// The tag does not match: another key made it, or it was changed.
    #[error("token seal does not match")]
    BadSeal,
    /// Sealed, but its contents are not a token this version reads.
    #[error("invalid token contents: {0}")]
    Invalid(String),
}

impl TokenKey {
    /// The shortest secret accepted: 32 bytes.
    pub const MIN_LEN: usize = 32;

    /// The label the sealing key is derived with, separating it from any other use of the
    /// same secret.
    const LABEL: &'static [u8] = b"webhook-verify token key v1";

    /// A key from secret text or bytes of at least [`MIN_LEN`](Self::MIN_LEN) bytes; the
    /// sealing key is derived from it with a fixed label (see the type's docs).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSecret`] for a secret shorter than [`MIN_LEN`](Self::MIN_LEN) bytes
    /// (the message gives the length required, never the secret).
    pub fn new(secret: impl IntoSecret) -> Result<Self, Error> {
        let secret = secret.into_secret()?;
        if secret.expose_bytes().len() < Self::MIN_LEN {
            return Err(Error::secret(
                "a token key needs at least 32 bytes: use a random key from your vault",
            ));
        }
        let mut derive = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose_bytes())
            .map_err(|_| Error::config("token key rejected"))?;
        derive.update(Self::LABEL);
        let derived = zeroize::Zeroizing::new(derive.finalize().into_bytes());
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&derived)
            .map_err(|_| Error::config("token key rejected"))?;
        Ok(Self { mac })
    }

    /// Seals a verified delivery into a token string.
    #[must_use]
    pub fn seal<B: Body>(&self, verified: &Verified<B>) -> String {
        let json = serde_json::to_vec(verified).unwrap_or_default();
        let mut mac = self.mac.clone();
        mac.update(&json);
        let tag = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&json),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Opens a token of a built-in provider.
    ///
    /// # Errors
    ///
    /// [`TokenError`] when the token is malformed, the seal does not match or the contents
    /// are invalid.
    pub fn open(&self, token: &str) -> Result<Verified, TokenError> {
        self.open_with(token, &[])
    }

    /// Opens a token whose provider may also be one of these custom providers.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open).
    pub fn open_with(&self, token: &str, providers: &[Provider]) -> Result<Verified, TokenError> {
        let (payload, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac.clone();
        mac.update(&json);
        mac.verify_slice(&tag).map_err(|_| TokenError::BadSeal)?;
        let mut de = serde_json::Deserializer::from_slice(&json);
        deserialize_unchecked(&mut de, providers)
            .and_then(|v| de.end().map(|()| v))
            .map_err(|e| TokenError::Invalid(e.to_string()))
    }
}
