//! Producing signed headers, so users can test their own endpoints.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signer as _;
use hmac::Mac;
use sha2::{Digest, Sha256};

use crate::keys::{Key, SigningMaterial, signing_key};
use crate::provider::{
    Encoding, Message, Part, SigFormat, SignInput, Signing, TimestampSource, TsFormat,
};
#[cfg(feature = "std")]
use crate::{Clock, SystemClock};
use crate::{Error, IntoSecret, Provider};

/// What to put in a signed delivery besides the body.
///
/// ```
/// use webhook_verify::SignOptions;
/// let opts = SignOptions::new().timestamp(1_700_000_000).id("msg_1").url("https://example.com/hook");
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SignOptions {
    timestamp: Option<i64>,
    id: Option<String>,
    url: Option<String>,
}

impl SignOptions {
    /// Options with every default.
    pub fn new() -> Self {
        Self::default()
    }

    /// The Unix timestamp (seconds) to sign. Defaults to now (by the system clock; without
    /// the `std` feature there is none and the timestamp is required).
    pub fn timestamp(mut self, secs: i64) -> Self {
        self.timestamp = Some(secs);
        self
    }

    /// The message id, for providers that sign one. Defaults to `msg_` followed by a hash
    /// of the timestamp and body.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The URL the delivery will be sent to, for providers that sign it (Twilio).
    /// Required for those; ignored by the others.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }
}

/// Signs bodies the way a provider does: every HMAC provider, Standard Webhooks `v1a`
/// (with a `whsk_` signing key) and Discord (with the hex Ed25519 seed).
///
/// ```
/// use webhook_verify::{verify, Provider, Signer, SignOptions};
///
/// let signer = Signer::new(&Provider::STRIPE, "whsec_test_secret")?;
/// let headers = signer.sign(b"{}", &SignOptions::new())?;
/// assert_eq!(headers[0].0, "stripe-signature");
/// let verified = verify(&Provider::STRIPE, "whsec_test_secret", &headers, &b"{}"[..])?;
/// # Ok::<(), webhook_verify::Error>(())
/// ```
pub struct Signer {
    provider: Provider,
    key: SigningMaterial,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("provider", &self.provider.name())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for `provider` with this secret (the same text the verifier takes, except
    /// for Ed25519 schemes, which sign with the private key).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSecret`] when the secret cannot be used to sign for this provider.
    pub fn new<S>(provider: &Provider, secret: S) -> Result<Self, Error>
    where
        S: IntoSecret,
    {
        let secret = secret.into_secret()?;
        Ok(Self {
            key: signing_key(provider.spec(), &secret)?,
            provider: provider.clone(),
        })
    }

    /// The headers (lowercase name, value) a sender would attach to `body`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a negative timestamp, or when the provider signs the URL and
    /// none was given.
    pub fn sign(&self, body: &[u8], options: &SignOptions) -> Result<Vec<(String, String)>, Error> {
        let spec = self.provider.spec();
        // Schemes that carry the signature in the body sign through their header-based
        // alternate, when there is one.
        let spec = match (spec.message.scheme(), spec.alternate) {
            (Some(scheme), Some(alt)) if scheme.in_body() => alt,
            _ => spec,
        };
        let timestamp = match options.timestamp {
            Some(t) if t < 0 => return Err(Error::config("the timestamp must not be negative")),
            Some(t) => t,
            #[cfg(feature = "std")]
            None => SystemClock.now_unix_millis().div_euclid(1000),
            #[cfg(not(feature = "std"))]
            None => {
                return Err(Error::config(
                    "without the std feature there is no clock: give the timestamp",
                ));
            }
        };
        let ts = match spec.timestamp_format {
            TsFormat::UnixSeconds => timestamp.to_string(),
            TsFormat::UnixMillis => timestamp.saturating_mul(1000).to_string(),
            TsFormat::Rfc3339 | TsFormat::Rfc3339OrUtc => {
                time::OffsetDateTime::from_unix_timestamp(timestamp)
                    .ok()
                    .and_then(rfc3339)
                    .ok_or_else(|| Error::config("the timestamp is out of range"))?
            }
        };
        let id = options.id.clone().unwrap_or_else(|| {
            let mut h = Sha256::new();
            h.update(ts.as_bytes());
            h.update(body);
            format!("msg_{}", &hex::encode(h.finalize())[..24])
        });
        let url = options.url.as_deref();
        if spec.needs_url() && url.is_none() {
            return Err(Error::config(format!(
                "provider {} signs the URL: give one",
                self.provider.name()
            )));
        }
        let message: Vec<u8> = match &spec.message {
            // The provider's own message building (see `provider::Scheme`).
            Message::Scheme(scheme) => {
                let Some(sign) = scheme.sign else {
                    return Err(Error::config(format!(
                        "provider {} carries its signature in the body; headers cannot sign it",
                        self.provider.name()
                    )));
                };
                let token = match &self.key {
                    SigningMaterial::Token(token) => Some(&token[..]),
                    _ => None,
                };
                let mac = |message: &[u8]| match &self.key {
                    SigningMaterial::Mac(Key::Sha256(mac)) => Some(mac_tag(mac.clone(), message)),
                    SigningMaterial::Mac(Key::Sha1(mac)) => Some(mac_tag(mac.clone(), message)),
                    _ => None,
                };
                let input = SignInput {
                    spec,
                    body,
                    url,
                    token,
                    timestamp,
                    mac: &mac,
                };
                match sign(&input)? {
                    Signing::Message(message) => message,
                    Signing::Headers(headers) => return Ok(headers),
                }
            }
            Message::Template(parts) => {
                let mut m = Vec::with_capacity(body.len() + 64);
                for part in parts.iter() {
                    m.extend_from_slice(match part {
                        Part::Literal(s) => s.as_bytes(),
                        Part::Timestamp => ts.as_bytes(),
                        Part::Id => id.as_bytes(),
                        Part::Body => body,
                        Part::Url => url.unwrap_or_default().as_bytes(),
                    });
                }
                m
            }
        };
        let (tag, version) = match &self.key {
            SigningMaterial::Mac(Key::Sha256(mac)) => (mac_tag(mac.clone(), &message), "v1"),
            SigningMaterial::Mac(Key::Sha1(mac)) => (mac_tag(mac.clone(), &message), "v1"),
            SigningMaterial::Mac(Key::Ed25519(_) | Key::P256(_) | Key::Token(_) | Key::Rsa(_))
            | SigningMaterial::Token(_) => {
                return Err(Error::secret("a public key cannot sign"));
            }
            SigningMaterial::Ed25519(key) => (key.sign(&message).to_bytes().to_vec(), "v1a"),
        };
        let signature = match &spec.signature {
            SigFormat::Single { prefix, encoding } => {
                format!("{prefix}{}", encode(*encoding, &tag))
            }
            SigFormat::VersionedList => format!("{version},{}", STANDARD.encode(&tag)),
            SigFormat::KeyValue {
                separator,
                timestamp_key,
                signature_key,
            } => format!(
                "{timestamp_key}={ts}{}{signature_key}={}",
                char::from(*separator),
                hex::encode(&tag)
            ),
            SigFormat::List {
                prefix, encoding, ..
            } => format!("{prefix}{}", encode(*encoding, &tag)),
        };
        let mut headers = Vec::with_capacity(3);
        if spec.needs_id() {
            if let Some(name) = &spec.names.id {
                headers.push((name.to_string(), id));
            }
        }
        if spec.timestamp == TimestampSource::Header {
            if let Some(name) = &spec.names.timestamp {
                headers.push((name.to_string(), ts));
            }
        }
        headers.insert(0, (spec.names.signature.to_string(), signature));
        Ok(headers)
    }
}

/// `t` (UTC, whole seconds) as RFC 3339.
#[cfg(feature = "std")]
pub(crate) fn rfc3339(t: time::OffsetDateTime) -> Option<String> {
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// `t` (UTC, whole seconds) as RFC 3339, written out: `time` formats only with std. The
/// same text as with std for every timestamp `from_unix_timestamp` accepts (years 1970 to
/// 9999 here, the timestamp being non-negative).
#[cfg(not(feature = "std"))]
pub(crate) fn rfc3339(t: time::OffsetDateTime) -> Option<String> {
    Some(rfc3339_written(t))
}

#[cfg(any(not(feature = "std"), test))]
fn rfc3339_written(t: time::OffsetDateTime) -> String {
    alloc::format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn mac_tag<M: Mac>(mut mac: M, message: &[u8]) -> Vec<u8> {
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn encode(encoding: Encoding, tag: &[u8]) -> String {
    match encoding {
        Encoding::Hex => hex::encode(tag),
        Encoding::Base64 => STANDARD.encode(tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_written_out_as_time_formats_it() {
        let last = 253_402_300_799; // 9999-12-31T23:59:59Z
        for secs in [
            0,
            1,
            59,
            86_399,
            951_782_400,
            1_700_000_000,
            4_102_444_800,
            last,
        ] {
            let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
            assert_eq!(Some(rfc3339_written(t)), rfc3339(t), "{secs}");
        }
    }
}
