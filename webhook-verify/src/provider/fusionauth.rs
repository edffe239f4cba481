//! FusionAuth: `X-FusionAuth-Signature-JWT`, a JWT signed with the webhook's signing key
//! whose `request_body_sha256` claim is the base64 SHA-256 of the body.
//!
//! HMAC keys (`HS256`, `HS384`, `HS512`) and EC P-256 keys (`ES256`) are supported. For an
//! HMAC key the secret is the key's secret as Key Master shows it (its UTF-8 bytes are the
//! key); for an EC key, its public key (PEM, or base64 DER). A public key is never used as
//! an HMAC key, whatever the JWT's `alg` says (anyone holds it). The JWT's `alg` must be one
//! of these four (`none` and anything else are refused), its signature must verify, and the
//! claim must equal the body's digest (compared in constant time). An `exp` claim, when
//! present, must not have passed. FusionAuth's deliveries carry no id: the replay key is a
//! digest of the body (the JWT signs its digest).
//!
//! Source: FusionAuth's docs, <https://fusionauth.io/docs/extend/events-and-webhooks/signing>
//! ("Signature Verification"), and RFC 7515/7519 for the JWT itself.

use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat,
    SignInput, Signing, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

const HEADER: &str = "x-fusionauth-signature-jwt";
/// The longest JWT read: FusionAuth's carry one short claim.
const MAX_JWT_LEN: usize = 4096;

pub(super) static FUSIONAUTH: Spec = Spec {
    name: name("fusionauth"),
    names: Names {
        signature: name(HEADER),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Base64,
    },
    message: Message::Scheme(&SCHEME),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    id: IdSource::None,
    event_type: EventTypeSource::Json("/event/type"),
};

/// A JWT over the body's digest.
static SCHEME: Scheme = Scheme {
    verify,
    sign: Some(sign),
    needs_url: false,
    replay_label: None,
    mismatch_hint: Some(
        "FusionAuth signs with the webhook's signing key: give the HMAC key's secret as Key \
         Master shows it",
    ),
};

/// The JWT algorithms read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    Hs256,
    Hs384,
    Hs512,
    Es256,
}

impl Alg {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "HS256" => Some(Self::Hs256),
            "HS384" => Some(Self::Hs384),
            "HS512" => Some(Self::Hs512),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }

    /// Whether `signature` was made over `message` with `secret`: an ES256 signature by the
    /// P-256 public key `secret` is, or an HMAC by the HMAC key `secret`. A secret that is a
    /// public key never keys an HMAC.
    fn verify(self, secret: &[u8], message: &[u8], signature: &[u8]) -> bool {
        match (self, p256_public_key(secret)) {
            (Self::Es256, Some(key)) => {
                use p256::ecdsa::signature::Verifier as _;
                p256::ecdsa::Signature::from_slice(signature)
                    .is_ok_and(|sig| key.verify(message, &sig).is_ok())
            }
            (Self::Es256, None) | (_, Some(_)) => false,
            (hmac, None) => hmac.verify_mac(secret, message, signature),
        }
    }

    /// Whether `tag` is the MAC of `message` under `key` (compared in constant time).
    fn verify_mac(self, key: &[u8], message: &[u8], tag: &[u8]) -> bool {
        fn check<M: Mac + KeyInit>(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
            let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
                return false;
            };
            mac.update(message);
            mac.verify_slice(tag).is_ok()
        }
        match self {
            Self::Hs256 => check::<Hmac<Sha256>>(key, message, tag),
            Self::Hs384 => check::<Hmac<Sha384>>(key, message, tag),
            Self::Hs512 => check::<Hmac<Sha512>>(key, message, tag),
            Self::Es256 => false,
        }
    }
}

/// The P-256 public key a secret holds (PEM `PUBLIC KEY`, or base64 DER
/// SubjectPublicKeyInfo), or `None` when it is not one.
fn p256_public_key(secret: &[u8]) -> Option<p256::ecdsa::VerifyingKey> {
    use p256::pkcs8::DecodePublicKey;
    let text = core::str::from_utf8(secret).ok()?.trim();
    let b64: String = match text.strip_prefix("-----BEGIN PUBLIC KEY-----") {
        Some(rest) => rest
            .strip_suffix("-----END PUBLIC KEY-----")?
            .split_ascii_whitespace()
            .collect(),
        None => text.into(),
    };
    let der = STANDARD.decode(b64).ok()?;
    p256::ecdsa::VerifyingKey::from_public_key_der(&der).ok()
}

/// A JWT split and decoded.
struct Jwt<'a> {
    alg: Alg,
    /// `header.payload`, the signed bytes.
    signing_input: &'a [u8],
    claims: Value,
    signature: Vec<u8>,
}

fn parse(value: &[u8]) -> Result<Jwt<'_>, &'static str> {
    if value.len() > MAX_JWT_LEN {
        return Err("the JWT is too long");
    }
    let mut parts = value.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT (header.payload.signature)");
    };
    let decode = |part: &[u8]| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| "a JWT part is not base64url")
    };
    let header: Value = crate::json::strict_value(&decode(header)?)
        .map_err(|_| "the JWT header is not JSON, or a key appears twice")?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(Alg::from_name)
        .ok_or("the JWT algorithm is not HS256, HS384, HS512 or ES256")?;
    let claims = crate::json::strict_value(&decode(payload)?)
        .map_err(|_| "the JWT claims are not JSON, or a key appears twice")?;
    let signing_input = &value[..header_len(value)];
    Ok(Jwt {
        alg,
        signing_input,
        claims,
        signature: decode(signature)?,
    })
}

/// The length of `header.payload` in a value holding exactly two dots.
fn header_len(value: &[u8]) -> usize {
    value.iter().rposition(|&b| b == b'.').unwrap_or(0)
}

fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let value = ctx.signature_header()?;
    let jwt = parse(value).map_err(|reason| Error::malformed(name(HEADER), reason))?;
    // Every key is tried, whichever matched first.
    let mut index = None;
    for i in 0..ctx.key_count() {
        let matched = ctx.secret(i).is_some_and(|s| {
            jwt.alg
                .verify(s.expose_bytes(), jwt.signing_input, &jwt.signature)
        });
        if matched && index.is_none() {
            index = Some(i);
        }
    }
    let index = index.ok_or(Error::SignatureMismatch)?;
    // The signature is authentic: now its claims.
    let claimed = jwt
        .claims
        .get("request_body_sha256")
        .and_then(Value::as_str)
        .and_then(|c| STANDARD.decode(c).ok())
        .ok_or(Error::MalformedBody {
            reason: "the JWT has no base64 request_body_sha256 claim",
        })?;
    let digest = Sha256::digest(ctx.body());
    if !bool::from(claimed.as_slice().ct_eq(digest.as_slice())) {
        return Err(Error::SignatureMismatch);
    }
    if let Some(exp) = jwt.claims.get("exp") {
        let exp = exp.as_i64().ok_or(Error::MalformedBody {
            reason: "the JWT's exp claim is not a number",
        })?;
        let now = ctx.now_unix_millis().div_euclid(1000);
        if now > exp {
            return Err(Error::TimestampTooOld {
                age_secs: now.saturating_sub(exp),
                tolerance_secs: 0,
            });
        }
    }
    // No signature material: the replay key is the body's digest (an ES256 signature is
    // malleable, and FusionAuth may sign a retry again).
    ctx.verified(index, None, None, false, SigBytes::new())
}

/// An HS256 JWT carrying the body's digest, as FusionAuth sends it.
fn sign(input: &SignInput<'_>) -> Result<Signing, Error> {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = serde_json::json!({
        "request_body_sha256": STANDARD.encode(Sha256::digest(input.body)),
    });
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = alloc::format!("{header}.{claims}");
    let tag = (input.mac)(signing_input.as_bytes())
        .ok_or_else(|| Error::secret("FusionAuth signs with an HMAC key here"))?;
    Ok(Signing::Headers(alloc::vec![(
        HEADER.to_owned(),
        alloc::format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag)),
    )]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: &str, claims: &str, key: &[u8]) -> String {
        let input = alloc::format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(input.as_bytes());
        alloc::format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    #[test]
    fn only_hmac_jwts_are_read() {
        let ok = jwt(r#"{"alg":"HS256"}"#, "{}", b"k");
        let parsed = parse(ok.as_bytes()).unwrap();
        assert_eq!(parsed.alg, Alg::Hs256);
        assert!(
            parsed
                .alg
                .verify(b"k", parsed.signing_input, &parsed.signature)
        );
        assert!(
            !parsed
                .alg
                .verify(b"K", parsed.signing_input, &parsed.signature)
        );
        for bad in [
            jwt(r#"{"alg":"none"}"#, "{}", b"k"),
            jwt(r#"{"alg":"RS256"}"#, "{}", b"k"),
            jwt(r#"{"alg":"HS256","alg":"none"}"#, "{}", b"k"),
            jwt("{}", "{}", b"k"),
            jwt(r#"{"alg":"HS256"}"#, "not json", b"k"),
            alloc::format!("{ok}.x"),
            ok.replacen('.', "", 1),
            alloc::format!("{ok}="),
            "a".repeat(MAX_JWT_LEN + 1),
            String::new(),
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
