//! Turning secrets into keys: pre-keyed MAC states and public keys.

use alloc::boxed::Box;
use alloc::vec::Vec;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ed25519_dalek::{SigningKey, VerifyingKey};
use hmac::block_api::HmacCore;
use hmac::digest::Output;
use hmac::digest::block_api::{Buffer, FixedOutputCore, UpdateCore};
use hmac::{Hmac, KeyInit};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::certificate::{self, RsaKey};
use crate::provider::{Algorithm, KeyForm, Spec};
use crate::{Error, Secret};

/// Base64 that accepts the secret with or without padding (Standard Webhooks' reference
/// libraries disagree on this), but still rejects non-zero trailing bits.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A key ready for verification. HMAC keys are stored as MAC states already keyed, so each
/// verification only clones the state.
#[derive(Clone)]
pub(crate) enum Key {
    Sha256(Hmac<Sha256>),
    Sha1(Hmac<Sha1>),
    Ed25519(VerifyingKey),
    P256(Box<p256::ecdsa::VerifyingKey>),
    /// SHA-256 of a shared token: compared with the SHA-256 of what was sent, so the
    /// comparison is constant-time whatever the lengths.
    Token([u8; 32]),
    /// An RSA public key from an X.509 certificate (AWS SNS, PayPal).
    Rsa(Box<RsaKey>),
}

/// A key ready for signing.
pub(crate) enum SigningMaterial {
    Mac(Key),
    Ed25519(Box<SigningKey>),
    /// A shared token sent as it is (GitLab), line breaks removed.
    Token(Zeroizing<Vec<u8>>),
}

/// Derives the verification key for `spec` from `secret`.
pub(crate) fn verification_key(spec: &Spec, secret: &Secret) -> Result<Key, Error> {
    match ed25519_prefix(spec, secret) {
        Some(Ed25519Text::Public) => ed25519_public(spec, secret).map(Key::Ed25519),
        Some(Ed25519Text::Secret) => Err(Error::secret(
            "this is a signing key (whsk_); verify with the public key (whpk_)",
        )),
        None => match spec.key {
            KeyForm::P256Base64Der => p256_public(secret).map(|k| Key::P256(Box::new(k))),
            KeyForm::Token => Ok(Key::Token(token_digest(secret))),
            KeyForm::X509Pem => certificate::boxed(secret.expose_bytes()).map(Key::Rsa),
            _ => mac_key(spec, &mac_bytes(spec, secret)?),
        },
    }
}

/// The digest a token is compared by; line breaks are removed, as GitLab does when sending.
fn token_digest(secret: &Secret) -> [u8; 32] {
    let token: Zeroizing<Vec<u8>> = Zeroizing::new(
        secret
            .expose_bytes()
            .iter()
            .copied()
            .filter(|b| !matches!(b, b'\r' | b'\n'))
            .collect(),
    );
    Sha256::digest(&*token).into()
}

fn p256_public(secret: &Secret) -> Result<p256::ecdsa::VerifyingKey, Error> {
    use p256::pkcs8::DecodePublicKey;
    let der = match secret.text() {
        Some(t) => Zeroizing::new(
            STANDARD
                .decode(t.trim())
                .map_err(|_| Error::secret("the public key is not valid base64"))?,
        ),
        None => Zeroizing::new(secret.expose_bytes().to_vec()),
    };
    p256::ecdsa::VerifyingKey::from_public_key_der(&der)
        .map_err(|_| Error::secret("not a P-256 public key in DER SubjectPublicKeyInfo form"))
}

/// Derives the signing key for `spec` from `secret`: the same as the verification key for
/// HMAC schemes; for Ed25519 a `whsk_` secret (Standard Webhooks) or a 32-byte seed in hex
/// (Discord).
pub(crate) fn signing_key(spec: &Spec, secret: &Secret) -> Result<SigningMaterial, Error> {
    match ed25519_prefix(spec, secret) {
        Some(Ed25519Text::Secret) => ed25519_secret(spec, secret),
        Some(Ed25519Text::Public)
            if matches!(spec.key, KeyForm::Ed25519Hex | KeyForm::Ed25519Base64) =>
        {
            // Discord, Telnyx: a seed looks like a public key; signing takes the seed.
            ed25519_secret(spec, secret)
        }
        Some(Ed25519Text::Public) => Err(Error::secret(
            "a public key (whpk_) cannot sign; give the signing key (whsk_)",
        )),
        None if spec.key == KeyForm::Token => Ok(SigningMaterial::Token(Zeroizing::new(
            secret
                .expose_bytes()
                .iter()
                .copied()
                .filter(|b| !matches!(b, b'\r' | b'\n'))
                .collect(),
        ))),
        None if spec.key == KeyForm::P256Base64Der => Err(Error::secret(
            "SendGrid signs with its private key; deliveries cannot be signed here",
        )),
        None if spec.key == KeyForm::X509Pem => Err(Error::secret(
            "this sender signs with the private key of its certificate; deliveries cannot be \
             signed here",
        )),
        None => Ok(SigningMaterial::Mac(mac_key(
            spec,
            &mac_bytes(spec, secret)?,
        )?)),
    }
}

enum Ed25519Text {
    Public,
    Secret,
}

/// Whether `secret` is an Ed25519 key for this provider, and which half.
fn ed25519_prefix(spec: &Spec, secret: &Secret) -> Option<Ed25519Text> {
    match spec.key {
        KeyForm::Ed25519Hex | KeyForm::Ed25519Base64 => Some(Ed25519Text::Public),
        KeyForm::StandardWebhooks => match secret.text() {
            Some(t) if t.starts_with("whpk_") => Some(Ed25519Text::Public),
            Some(t) if t.starts_with("whsk_") => Some(Ed25519Text::Secret),
            _ => None,
        },
        _ => None,
    }
}

/// The HMAC key bytes.
fn mac_bytes(spec: &Spec, secret: &Secret) -> Result<Zeroizing<Vec<u8>>, Error> {
    let Some(text) = secret.text() else {
        return Ok(Zeroizing::new(secret.expose_bytes().to_vec()));
    };
    let bytes = match spec.key {
        KeyForm::Utf8 => text.as_bytes().to_vec(),
        KeyForm::Base64 { prefix } => decode_base64(text.strip_prefix(prefix).unwrap_or(text))?,
        KeyForm::StandardWebhooks => decode_base64(text.strip_prefix("whsec_").unwrap_or(text))?,
        KeyForm::Hex => {
            hex::decode(text).map_err(|_| Error::secret("the secret is not valid hex"))?
        }
        KeyForm::Ed25519Hex
        | KeyForm::Ed25519Base64
        | KeyForm::P256Base64Der
        | KeyForm::Token
        | KeyForm::X509Pem => {
            return Err(Error::secret("this provider does not use an HMAC key"));
        }
    };
    if bytes.is_empty() {
        return Err(Error::secret("the key is empty"));
    }
    Ok(Zeroizing::new(bytes))
}

fn decode_base64(s: &str) -> Result<Vec<u8>, Error> {
    LENIENT
        .decode(s)
        .map_err(|_| Error::secret("the secret is not valid base64 after its prefix"))
}

/// The HMAC-SHA256 verification state for `spec` and `secret`: the same key as
/// [`verification_key`]'s [`Key::Sha256`].
pub(crate) fn hmac_sha256_key(spec: &Spec, secret: &Secret) -> Result<HmacSha256, Error> {
    HmacCore::<Sha256>::new_from_slice(&mac_bytes(spec, secret)?)
        .map(HmacSha256)
        .map_err(|_| Error::secret("unusable HMAC key"))
}

/// HMAC-SHA256 keyed once, as the `hmac` crate's block-level core (the hash states after
/// the key's inner and outer pad blocks), without the buffered `Hmac` wrapper around it.
///
/// [`tag`](Self::tag) clones the core and feeds it the signed parts through one block
/// buffer on the stack: the same `hmac` and `sha2` code the `Mac` API runs, less the
/// wrapper's per-call copies. The states are zeroized on drop (the `zeroize` features of
/// `hmac` and `sha2`) and never printed.
#[derive(Clone)]
pub(crate) struct HmacSha256(HmacCore<Sha256>);

impl HmacSha256 {
    /// The tag of the concatenation of `parts`.
    #[inline]
    pub(crate) fn tag(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut core = self.0.clone();
        let mut buffer = Buffer::<HmacCore<Sha256>>::default();
        for part in parts {
            buffer.digest_blocks(part, |blocks| core.update_blocks(blocks));
        }
        let mut tag = Output::<HmacCore<Sha256>>::default();
        core.finalize_fixed_core(&mut buffer, &mut tag);
        tag.into()
    }
}

fn mac_key(spec: &Spec, bytes: &[u8]) -> Result<Key, Error> {
    // HMAC accepts keys of any length; these constructors cannot fail.
    let invalid = |_| Error::secret("unusable HMAC key");
    Ok(match spec.algorithm {
        Algorithm::HmacSha1 => Key::Sha1(Hmac::new_from_slice(bytes).map_err(invalid)?),
        _ => Key::Sha256(Hmac::new_from_slice(bytes).map_err(invalid)?),
    })
}

fn ed25519_public(spec: &Spec, secret: &Secret) -> Result<VerifyingKey, Error> {
    let bytes: Zeroizing<Vec<u8>> = match (secret.text(), spec.key) {
        (None, _) => Zeroizing::new(secret.expose_bytes().to_vec()),
        (Some(t), KeyForm::StandardWebhooks) => {
            Zeroizing::new(decode_base64(t.trim_start_matches("whpk_"))?)
        }
        (Some(t), KeyForm::Ed25519Base64) => Zeroizing::new(
            STANDARD
                .decode(t.trim())
                .map_err(|_| Error::secret("the public key is not valid base64"))?,
        ),
        (Some(t), _) => Zeroizing::new(
            hex::decode(t).map_err(|_| Error::secret("the public key is not valid hex"))?,
        ),
    };
    let array: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| Error::secret("an Ed25519 public key has 32 bytes"))?;
    let key = VerifyingKey::from_bytes(&array)
        .map_err(|_| Error::secret("not a valid Ed25519 public key"))?;
    refuse_weak(&key)?;
    Ok(key)
}

/// Refuses a small-order ("weak") Ed25519 public key: the identity, the all-zero key and
/// the other points of order 1, 2, 4 or 8. With such a key a trivial signature verifies
/// almost any message, so a verifier built with one would accept forgeries.
fn refuse_weak(key: &VerifyingKey) -> Result<(), Error> {
    if key.is_weak() {
        return Err(Error::secret(
            "a weak (small-order) Ed25519 public key: it would verify forged signatures",
        ));
    }
    Ok(())
}

fn ed25519_secret(spec: &Spec, secret: &Secret) -> Result<SigningMaterial, Error> {
    let bytes: Zeroizing<Vec<u8>> = match (secret.text(), spec.key) {
        (None, _) => Zeroizing::new(secret.expose_bytes().to_vec()),
        (Some(t), KeyForm::StandardWebhooks) => {
            let b64 = t.trim_start_matches("whsk_");
            Zeroizing::new(
                STANDARD
                    .decode(b64)
                    .or_else(|_| STANDARD_NO_PAD.decode(b64))
                    .map_err(|_| Error::secret("the signing key is not valid base64"))?,
            )
        }
        (Some(t), KeyForm::Ed25519Base64) => Zeroizing::new(
            STANDARD
                .decode(t.trim())
                .map_err(|_| Error::secret("the signing seed is not valid base64"))?,
        ),
        (Some(t), _) => Zeroizing::new(
            hex::decode(t).map_err(|_| Error::secret("the signing seed is not valid hex"))?,
        ),
    };
    // whsk_ keys are seed ‖ public key; a bare 32-byte seed is accepted too.
    let seed: [u8; 32] = match bytes.len() {
        32 | 64 => bytes[..32].try_into().expect("length checked"),
        _ => return Err(Error::secret("an Ed25519 signing key has a 32-byte seed")),
    };
    let key = SigningKey::from_bytes(&seed);
    if bytes.len() == 64 && key.verifying_key().as_bytes() != &bytes[32..] {
        return Err(Error::secret(
            "the signing key's public half does not match its seed",
        ));
    }
    refuse_weak(&key.verifying_key())?;
    Ok(SigningMaterial::Ed25519(Box::new(key)))
}

#[cfg(test)]
mod tests {
    use hmac::Mac;

    use super::*;

    fn reference(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn unbuffered_tags_match_the_mac_api_at_every_block_edge() {
        for key_len in [1, 63, 64, 65, 200] {
            let key = vec![0x0b; key_len];
            let mac = HmacSha256(HmacCore::<Sha256>::new_from_slice(&key).unwrap());
            for len in [0, 1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
                let body: Vec<u8> = (0..len).map(|i| i as u8).collect();
                assert_eq!(
                    mac.tag(&[&body]),
                    reference(&key, &[&body]),
                    "{key_len} {len}"
                );
                let (a, b) = body.split_at(len / 3);
                assert_eq!(mac.tag(&[a, b"", b]), reference(&key, &[&body]));
                assert_eq!(mac.tag(&[b"v1.", a, b]), reference(&key, &[b"v1.", a, b]));
            }
        }
        // RFC 4231 test case 2.
        let mac = HmacSha256(HmacCore::<Sha256>::new_from_slice(b"Jefe").unwrap());
        assert_eq!(
            hex::encode(mac.tag(&[b"what do ya want ", b"for nothing?"])),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
