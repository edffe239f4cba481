//! Matching: which key produced a signature (HMAC tags compared in constant time, Ed25519
//! and ECDSA checked strictly), and the timestamp checks around it.

use alloc::borrow::{Cow, ToOwned};

use ed25519_dalek::Signature;
use ed25519_dalek::ed25519::signature::MultipartVerifier;
use hmac::Mac;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::Error;
use crate::delivery::SigBytes;
use crate::keys::Key;
use crate::provider::{Part, TsFormat};
use crate::signature::{Parsed, SigKind};
use crate::tolerance::parse_unix;

use super::{KeyEntry, Verifier};

impl Verifier {
    /// Parses a timestamp as `spec` writes it and checks it against the tolerance;
    /// returns Unix seconds.
    #[allow(
        clippy::ptr_arg,
        reason = "static names are cloned into errors without allocating"
    )]
    #[inline]
    pub(super) fn check_timestamp(
        &self,
        spec: &crate::provider::Spec,
        raw: &[u8],
        name: &Cow<'static, str>,
        now: i64,
    ) -> Result<i64, Error> {
        let bad = |r| Error::malformed(name.clone(), r);
        let inner = &*self.inner;
        let tolerance = match inner.provider.spec().alternate {
            Some(alt) if core::ptr::eq(alt, spec) => inner.alt_tolerance,
            _ => inner.tolerance,
        };
        // One call per unit, so that `check` divides by a constant.
        let millis = match spec.timestamp_format {
            TsFormat::UnixSeconds => {
                let millis = parse_unix(raw).map_err(bad)?.saturating_mul(1000);
                tolerance.check(millis, now, 1000)?;
                millis
            }
            TsFormat::UnixMillis | TsFormat::Rfc3339 | TsFormat::Rfc3339OrUtc => {
                let millis = match spec.timestamp_format {
                    TsFormat::UnixMillis => parse_unix(raw).map_err(bad)?,
                    TsFormat::Rfc3339OrUtc => parse_rfc3339_or_utc(raw).map_err(bad)?,
                    _ => parse_rfc3339(raw).map_err(bad)?,
                };
                tolerance.check(millis, now, 1)?;
                millis
            }
        };
        Ok(millis.div_euclid(1000))
    }

    /// A timestamp inside the signed body, when present. Read with the same reader as
    /// [`Verified::id`](crate::Verified::id) and the envelopes (a duplicate of the field is
    /// refused), so the value checked is the value every other reader sees.
    pub(super) fn check_body_timestamp(
        &self,
        spec: &crate::provider::Spec,
        body: &[u8],
        pointer: &str,
        now: i64,
    ) -> Result<Option<i64>, Error> {
        use crate::json;
        let Ok(doc) = json::document(body) else {
            return Ok(None);
        };
        let segments = json::Pointer::parse(pointer).map_err(|_| Error::MalformedBody {
            reason: "the timestamp field cannot be read",
        })?;
        let value = json::lookup(doc, segments.segments()).map_err(|_| Error::MalformedBody {
            reason: "the timestamp field appears twice",
        })?;
        let Some(value) = value else {
            return Ok(None);
        };
        let raw = match value.get().as_bytes().first() {
            Some(b'"') => json::string_text(value),
            Some(b'0'..=b'9') => Some(value.get().to_owned()),
            _ => None,
        }
        .ok_or(Error::MalformedBody {
            reason: "the timestamp is not a number",
        })?;
        let field = Cow::Owned(pointer.trim_start_matches('/').to_owned());
        self.check_timestamp(spec, raw.as_bytes(), &field, now)
            .map(Some)
    }
}

/// The index (into `keys`) of the first key that produced one of the signatures over one
/// of the candidate messages (each a list of parts, hashed in order without copying).
///
/// For an HMAC key the tag that matched is written to `matched`: it is a function of the
/// key and the signed bytes only, so it can serve as replay material. Public-key signatures
/// are not written: anyone can turn a valid ECDSA signature into another valid one (s into
/// n − s), so a replay key must never be made of them.
#[inline]
pub(super) fn find_key(
    keys: &[KeyEntry],
    parsed: &Parsed<'_>,
    messages: &[&[&[u8]]],
    matched: &mut SigBytes,
) -> Option<usize> {
    // Every key is tried, even after one matched, and the first match is selected without
    // a branch: the work, and so the time, is the same whichever key matched, so it does
    // not tell which key the sender used.
    let mut have = Choice::from(0);
    let mut first = 0u64;
    for (index, entry) in keys.iter().enumerate() {
        for message in messages {
            let found = match (&entry.key, &entry.sha256) {
                (_, Some(mac)) => keep_first(&mac.tag(message), parsed, have, matched),
                (Key::Sha256(mac), None) => {
                    keep_first(&mac_tag(mac.clone(), message), parsed, have, matched)
                }
                (Key::Sha1(mac), _) => {
                    keep_first(&mac_tag(mac.clone(), message), parsed, have, matched)
                }
                (Key::Ed25519(public), _) => Choice::from(u8::from(
                    parsed
                        .sigs
                        .iter()
                        .filter(|s| s.kind == SigKind::Ed25519)
                        .any(|s| ed25519_strict(public, message, s.bytes())),
                )),
                (Key::P256(public), _) => Choice::from(u8::from(
                    parsed
                        .sigs
                        .iter()
                        .filter(|s| s.kind == SigKind::Ecdsa)
                        .any(|s| {
                            p256::ecdsa::DerSignature::from_bytes(s.bytes())
                                .is_ok_and(|sig| public.multipart_verify(message, &sig).is_ok())
                        }),
                )),
                (Key::Token(_) | Key::Rsa(_), _) => Choice::from(0),
            };
            let take = found & !have;
            first.conditional_assign(&(index as u64), take);
            have |= take;
        }
    }
    bool::from(have).then_some(first as usize)
}

/// Whether `tag` is one of the MAC signatures; when it is and no earlier key matched
/// (`have`), `tag` is written to `matched`, selected byte by byte without a branch.
#[inline]
fn keep_first(tag: &[u8], parsed: &Parsed<'_>, have: Choice, matched: &mut SigBytes) -> Choice {
    let found = tag_matches(tag, parsed);
    if matched.len() != tag.len() {
        // The tag's length is the algorithm's, the same for every key of a verifier.
        matched.clear();
        let _ = matched.try_extend_from_slice(&[0; 64][..tag.len().min(64)]);
    }
    let take = found & !have;
    for (to, from) in matched.iter_mut().zip(tag) {
        to.conditional_assign(from, take);
    }
    found
}

/// Where a scheme signs the timestamp with another variable part right next to it (Discord
/// and SendGrid sign `{timestamp}{body}`), the boundary between them is only where the
/// digits end: a part that starts (or, before the timestamp, ends) with a digit would let
/// digits move between the timestamp and that part under the same signature. Such a
/// delivery is refused. (Custom templates cannot have two placeholders side by side; an
/// RFC 3339 timestamp, Twitch's, has a fixed shape and ends with its offset.)
#[inline]
pub(super) fn check_timestamp_boundary(parts: &[Part], message: &[&[u8]]) -> Result<(), Error> {
    let ambiguous = Error::MalformedBody {
        reason: "a digit next to the signed timestamp makes its end ambiguous",
    };
    for (i, part) in parts.iter().enumerate() {
        if *part != Part::Timestamp {
            continue;
        }
        let variable = |j: usize| parts.get(j).is_some_and(|p| !matches!(p, Part::Literal(_)));
        if variable(i + 1) && message[i + 1].first().is_some_and(u8::is_ascii_digit) {
            return Err(ambiguous);
        }
        if i > 0 && variable(i - 1) && message[i - 1].last().is_some_and(u8::is_ascii_digit) {
            return Err(ambiguous);
        }
    }
    Ok(())
}

/// Refuses a header listing more public-key signatures than the configured public keys can
/// have made, plus one (a sender that rotates its key before the receiver does lists the
/// new key's signature too).
///
/// Each Ed25519 or ECDSA check hashes the whole body and costs a scalar multiplication, and
/// every signature is tried with every public key; without this bound an unsigned request
/// with sixteen `v1a` entries costs sixteen times a valid one. With it, a refused request
/// costs at most what the slowest valid one does (`keys × (keys + 1)` checks, 2 with one
/// key). Signatures of a kind no configured key checks (`v1a` entries at a verifier with
/// only HMAC keys) cost nothing and are not counted. HMAC signatures need no bound of their
/// own: the tag is computed once per key and compared with each listed signature, so the
/// cost does not grow with the list (at most [`MAX_SIGNATURES`](crate::MAX_SIGNATURES)).
#[allow(
    clippy::ptr_arg,
    reason = "static names are cloned into errors without allocating"
)]
#[inline]
pub(super) fn check_public_key_count(
    keys: &[KeyEntry],
    parsed: &Parsed<'_>,
    header: &Cow<'static, str>,
) -> Result<(), Error> {
    if parsed.sigs.is_empty() {
        return Ok(());
    }
    let public = keys
        .iter()
        .filter(|k| matches!(k.key, Key::Ed25519(_) | Key::P256(_)))
        .count();
    if public > 0 && parsed.sigs.len() > public + 1 {
        return Err(Error::malformed(
            header.clone(),
            "more public-key signatures than the configured keys allow",
        ));
    }
    Ok(())
}

/// Ed25519 verification with the checks of `VerifyingKey::verify_strict` (which takes the
/// message in one slice) over a message in parts: the signature's `s` is canonical
/// (checked by the verification itself), its `R` and the public key are not of small
/// order (weak keys are refused when the verifier is built; checked again here), and the
/// cofactorless equation holds for the `R` as encoded.
fn ed25519_strict(public: &ed25519_dalek::VerifyingKey, message: &[&[u8]], sig: &[u8]) -> bool {
    let Ok(sig) = Signature::from_slice(sig) else {
        return false;
    };
    let r_ok = ed25519_dalek::VerifyingKey::from_bytes(sig.r_bytes()).is_ok_and(|r| !r.is_weak());
    r_ok && !public.is_weak() && public.multipart_verify(message, &sig).is_ok()
}

/// Parses an RFC 3339 timestamp (Twitch) into Unix milliseconds.
fn parse_rfc3339(raw: &[u8]) -> Result<i64, &'static str> {
    let text = core::str::from_utf8(raw).map_err(|_| "timestamp is not valid UTF-8")?;
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| "timestamp is not RFC 3339")?;
    i64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000))
        .map_err(|_| "timestamp out of range")
}

/// Parses an RFC 3339 timestamp into Unix milliseconds, reading one without an offset
/// (`2024-03-27T15:42:29.551`, Orb's) as UTC.
fn parse_rfc3339_or_utc(raw: &[u8]) -> Result<i64, &'static str> {
    // An offset follows the time: `Z`, or a sign after the `T`.
    let time = raw
        .iter()
        .position(|&b| b == b'T' || b == b't')
        .map_or(&raw[..0], |t| &raw[t..]);
    let has_offset = time.iter().any(|&b| matches!(b, b'Z' | b'z' | b'+' | b'-'));
    if has_offset || raw.len() > 64 {
        return parse_rfc3339(raw);
    }
    let mut utc = arrayvec::ArrayVec::<u8, 65>::new();
    utc.try_extend_from_slice(raw)
        .map_err(|_| "timestamp is too long")?;
    utc.push(b'Z');
    parse_rfc3339(&utc)
}

/// Hashes `message` with the pre-keyed `mac` and compares the tag with every MAC signature
/// in constant time; on a match, hands the tag (the signature that matched) to `keep`.
fn mac_tag<M: Mac>(mut mac: M, message: &[&[u8]]) -> hmac::digest::Output<M> {
    for part in message {
        mac.update(part);
    }
    mac.finalize().into_bytes()
}

/// Whether `tag` equals one of the MAC signatures, compared in constant time with each.
#[inline]
fn tag_matches(tag: &[u8], parsed: &Parsed<'_>) -> Choice {
    let mut found = Choice::from(0);
    for sig in parsed.macs() {
        found |= ct_eq(tag, sig);
    }
    found
}

/// Constant-time equality of two byte strings (their lengths are public): `subtle` compares
/// them eight bytes at a time (`u64::ct_eq`) and combines every result, so nothing depends
/// on where the strings differ.
#[inline]
fn ct_eq(a: &[u8], b: &[u8]) -> subtle::Choice {
    if a.len() != b.len() {
        return subtle::Choice::from(0);
    }
    let word = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        u64::from_ne_bytes(w)
    };
    let (a_words, b_words) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut equal = a_words.remainder().ct_eq(b_words.remainder());
    for (x, y) in a_words.zip(b_words) {
        equal &= word(x).ct_eq(&word(y));
    }
    equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_without_offset_is_utc() {
        assert_eq!(
            parse_rfc3339_or_utc(b"2024-03-27T15:42:29.551"),
            Ok(1_711_554_149_551)
        );
        assert_eq!(
            parse_rfc3339_or_utc(b"2024-03-27T15:42:29.551Z"),
            Ok(1_711_554_149_551)
        );
        assert_eq!(
            parse_rfc3339_or_utc(b"2024-03-27T16:42:29.551+01:00"),
            Ok(1_711_554_149_551)
        );
        for bad in [
            &b""[..],
            b"2024-03-27",
            b"x",
            &[b'9'; 100],
            b"2024-03-27T15:42:29ZZ",
        ] {
            assert!(parse_rfc3339_or_utc(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ct_eq_compares_every_byte() {
        let a: Vec<u8> = (0u8..32).collect();
        for len in [0, 1, 7, 8, 9, 20, 32] {
            assert!(bool::from(ct_eq(&a[..len], &a[..len])), "{len}");
            for i in 0..len {
                let mut b = a[..len].to_vec();
                b[i] ^= 0x80;
                assert!(!bool::from(ct_eq(&a[..len], &b)), "{len} {i}");
            }
        }
        assert!(!bool::from(ct_eq(&a[..20], &a[..21])));
        assert!(!bool::from(ct_eq(&a[..0], &a[..1])));
    }
}
