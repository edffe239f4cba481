//! The verifier: built once, shared, and asked to verify each delivery.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arrayvec::ArrayVec;
use ed25519_dalek::Signature;
use ed25519_dalek::ed25519::signature::MultipartVerifier;
use hmac::Mac;
use subtle::ConstantTimeEq;

use crate::delivery::{IntoBody, MatchedKey, SigBytes};
use crate::headers::{HeaderKey, HeaderText, present, required_key, unique_key};
use crate::keys::{HmacSha256, Key, hmac_sha256_key, verification_key};
use crate::provider::{
    EventTypeSource, IdSource, Message, Names, Part, Spec, TimestampSource, TsFormat,
};
use crate::signature::{self, Parsed, SigKind};
use crate::tolerance::parse_unix;
use crate::{
    Clock, Delivery, Error, Headers, IntoSecret, Provider, Secret, SystemClock, Tolerance, Verified,
};
use sha2::{Digest, Sha256};

/// Verifies deliveries from one provider against one or more keys.
///
/// Build it once at start-up and share it: it is `Send + Sync` and cloning it is cheap.
/// Any configured key may match (key rotation); [`Verified::key`] says which one did.
///
/// ```
/// use webhook_verify::{Delivery, FixedClock, Provider, Verifier};
///
/// let verifier = Verifier::builder(Provider::STANDARD_WEBHOOKS)
///     .secret_with_id("old", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
///     .secret_with_id("new", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
///     .clock(FixedClock::from_unix(1614265330))
///     .build()?;
///
/// let headers: &[(&str, &str)] = &[
///     ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
///     ("webhook-timestamp", "1614265330"),
///     ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
/// ];
/// let verified = verifier.verify(&Delivery::new(&headers, &br#"{"test": 2432232314}"#[..]))?;
/// assert_eq!(verified.id(), Some("msg_p5jXN8AQM9LWM0D4loKWxJek"));
/// assert_eq!(verified.key().id(), Some("new"));
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    provider: Provider,
    keys: Vec<KeyEntry>,
    /// Keys for the provider's alternate scheme, where a secret can be used with it.
    alt_keys: Vec<KeyEntry>,
    secrets: Vec<Secret>,
    tolerance: Tolerance,
    /// The tolerance of the alternate scheme (GitLab's signing token has a timestamp where
    /// its token scheme has none): the one set on the builder, else the alternate's own.
    alt_tolerance: Tolerance,
    clock: Arc<dyn Clock>,
    /// The header names of the provider's scheme, parsed once.
    names: SpecKeys,
    /// The same for the alternate scheme, when there is one.
    alt_names: Option<SpecKeys>,
}

/// The header names one scheme reads, ready for lookups.
struct SpecKeys {
    names: NameKeys,
    fallback: Option<NameKeys>,
    /// [`IdSource::Header`]'s name.
    id: Option<HeaderKey>,
    /// [`EventTypeSource::Header`]'s name.
    event_type: Option<HeaderKey>,
    /// Whether the signature covers the id header ([`Spec::needs_id`](crate::provider::Spec::needs_id)).
    needs_id: bool,
    /// Whether the signature covers the URL ([`Spec::needs_url`](crate::provider::Spec::needs_url)).
    needs_url: bool,
}

/// [`Names`] as [`HeaderKey`]s.
struct NameKeys {
    signature: HeaderKey,
    timestamp: Option<HeaderKey>,
    id: Option<HeaderKey>,
}

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
        Self {
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

struct KeyEntry {
    key: Key,
    /// For [`Key::Sha256`], the same key as an unbuffered HMAC core for verification.
    sha256: Option<HmacSha256>,
    id: Option<Arc<str>>,
    /// The position the key was added at.
    index: usize,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("provider", &self.inner.provider.name())
            .field("keys", &self.inner.keys.len())
            .field("tolerance", &self.inner.tolerance)
            .field("clock", &self.inner.clock)
            .finish()
    }
}

impl Verifier {
    /// Starts a verifier for `provider`.
    pub fn builder(provider: Provider) -> VerifierBuilder {
        VerifierBuilder {
            provider,
            secrets: Vec::new(),
            tolerance: None,
            clock: None,
            error: None,
        }
    }

    /// A verifier for `provider` with one secret and every default.
    ///
    /// ```
    /// use webhook_verify::{Provider, Verifier};
    /// let verifier = Verifier::new(Provider::STRIPE, "whsec_test_secret")?;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSecret`] when the secret cannot be used with this provider.
    pub fn new<S>(provider: Provider, secret: S) -> Result<Self, Error>
    where
        S: IntoSecret,
    {
        Self::builder(provider).secret(secret).build()
    }

    /// The provider this verifier checks.
    #[must_use]
    pub fn provider(&self) -> &Provider {
        &self.inner.provider
    }

    /// The tolerance in force.
    #[must_use]
    pub fn tolerance(&self) -> Tolerance {
        self.inner.tolerance
    }

    /// The clock in use.
    #[must_use]
    pub fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    pub(crate) fn shared_clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.inner.clock)
    }

    pub(crate) fn secrets(&self) -> &[Secret] {
        &self.inner.secrets
    }

    /// Verifies a delivery: parses the provider's headers, checks the timestamp against the
    /// clock and tolerance, then computes the expected signature over the raw body with each
    /// key and compares in constant time.
    ///
    /// # Errors
    ///
    /// - [`Error::MissingHeader`], [`Error::DuplicateHeader`], [`Error::MalformedHeader`]
    ///   (status 400) when the headers cannot be read;
    /// - [`Error::TimestampTooOld`], [`Error::TimestampInFuture`] and
    ///   [`Error::SignatureMismatch`] (401);
    /// - [`Error::MissingUrl`] (500) for URL-signing providers without
    ///   [`Delivery::with_url`].
    pub fn verify(&self, delivery: &Delivery<'_>) -> Result<Verified, Error> {
        let inner = &*self.inner;
        // One clock reading: the tolerance check and `Verified::received_at`.
        let now = inner.clock.now_unix_millis();
        let headers = delivery.headers();
        let base = inner.provider.spec();
        // The alternate scheme is used when its signature header is present.
        let (spec, keys, lookups) = match (base.alternate, &inner.alt_names) {
            (Some(alt), Some(alt_names)) if present(headers, &alt_names.names.signature) => {
                (alt, &inner.alt_keys, alt_names)
            }
            _ => (base, &inner.keys, &inner.names),
        };
        let parts = match &spec.message {
            Message::Template(parts) => parts,
            // The provider's own message building (see `provider::Scheme`).
            Message::Scheme(scheme) => {
                return (scheme.verify)(&SchemeContext {
                    verifier: self,
                    spec,
                    keys,
                    lookups,
                    delivery,
                    now,
                });
            }
        };

        // 1. Headers: pick the header set the sender used, parse the signature header.
        let (names, sig_value) = select_names(lookups, headers)?;
        let mut parsed = Parsed::new();
        signature::parse_into(spec, &names.signature.name, sig_value, &mut parsed)?;

        // Public-key checks cost a pass over the body each: bound them per request.
        check_public_key_count(keys, &parsed, &names.signature.name)?;

        // 2. Timestamp.
        let ts_raw: Option<&[u8]> = match spec.timestamp {
            TimestampSource::None | TimestampSource::BodyJson(_) => None,
            TimestampSource::SignatureHeader => parsed.timestamp,
            TimestampSource::Header => {
                let key = names.timestamp.as_ref().expect("timestamp header declared");
                Some(required_key(headers, key)?)
            }
        };
        let timestamp = match ts_raw {
            None => None,
            Some(raw) => {
                let key = names.timestamp.as_ref().unwrap_or(&names.signature);
                Some(self.check_timestamp(spec, raw, &key.name, now)?)
            }
        };

        // 3. Message id and URL, when signed or reported.
        let (id_raw, id_signed) = match (&names.id, &spec.id, &lookups.id) {
            (Some(key), _, _) if lookups.needs_id => (Some(required_key(headers, key)?), true),
            (_, IdSource::Header { signed, .. }, Some(key)) => (unique_key(headers, key)?, *signed),
            _ => (None, false),
        };
        let url = if lookups.needs_url {
            Some(delivery.url().ok_or_else(|| Error::MissingUrl {
                provider: Cow::Owned(inner.provider.name().to_owned()),
            })?)
        } else {
            None
        };

        // 4. Signatures.
        let body = delivery.body();
        let mut signature = SigBytes::new();
        let mut message: ArrayVec<&[u8], 16> = ArrayVec::new();
        for part in parts.iter() {
            message.push(match part {
                Part::Literal(s) => s.as_bytes(),
                Part::Timestamp => ts_raw.unwrap_or_default(),
                Part::Id => id_raw.unwrap_or_default(),
                Part::Body => body,
                Part::Url => url.unwrap_or_default().as_bytes(),
            });
        }
        if spec.timestamp_format != TsFormat::Rfc3339 {
            check_timestamp_boundary(parts, &message)?;
        }
        let index =
            find_key(keys, &parsed, &[&message], &mut signature).ok_or(Error::SignatureMismatch)?;

        // 5. A timestamp inside the signed body is checked once the body is authentic.
        let timestamp = match spec.timestamp {
            TimestampSource::BodyJson(pointer) => {
                self.check_body_timestamp(spec, body, pointer, now)?
            }
            _ => timestamp,
        };

        // 6. Report.
        let id_name = names.id.as_ref().or(lookups.id.as_ref());
        let header_id = match (id_raw, id_name) {
            (Some(raw), Some(key)) => {
                Some(HeaderText::new(std::str::from_utf8(raw).map_err(|_| {
                    Error::malformed(key.name.clone(), "not valid UTF-8")
                })?))
            }
            _ => None,
        };
        self.verified(
            spec, keys, lookups, index, body, timestamp, header_id, id_signed, headers, signature,
            now,
        )
    }

    /// Builds the result once a key matched.
    #[allow(clippy::too_many_arguments)]
    fn verified(
        &self,
        spec: &crate::provider::Spec,
        keys: &[KeyEntry],
        lookups: &SpecKeys,
        index: usize,
        body: &bytes::Bytes,
        timestamp: Option<i64>,
        header_id: Option<HeaderText>,
        id_signed: bool,
        headers: &dyn Headers,
        signature: SigBytes,
        now: i64,
    ) -> Result<Verified, Error> {
        let header_event_type = match &lookups.event_type {
            Some(key) => {
                unique_key(headers, key)?.map(|v| HeaderText::new(&String::from_utf8_lossy(v)))
            }
            None => None,
        };
        Ok(Verified {
            provider: self.inner.provider.clone(),
            spec_is_alternate: !std::ptr::eq(spec, self.inner.provider.spec()),
            header_id,
            id_signed,
            timestamp,
            header_event_type,
            key: MatchedKey {
                index: keys[index].index,
                id: keys[index].id.clone(),
            },
            body: body.clone(),
            received_at: now,
            signature,
            json: OnceLock::new(),
        })
    }

    /// Parses a timestamp as `spec` writes it and checks it against the tolerance;
    /// returns Unix seconds.
    #[allow(
        clippy::ptr_arg,
        reason = "static names are cloned into errors without allocating"
    )]
    fn check_timestamp(
        &self,
        spec: &crate::provider::Spec,
        raw: &[u8],
        name: &Cow<'static, str>,
        now: i64,
    ) -> Result<i64, Error> {
        let bad = |r| Error::malformed(name.clone(), r);
        let inner = &*self.inner;
        let tolerance = match inner.provider.spec().alternate {
            Some(alt) if std::ptr::eq(alt, spec) => inner.alt_tolerance,
            _ => inner.tolerance,
        };
        // One call per unit, so that `check` divides by a constant.
        let millis = match spec.timestamp_format {
            TsFormat::UnixSeconds => {
                let millis = parse_unix(raw).map_err(bad)?.saturating_mul(1000);
                tolerance.check(millis, now, 1000)?;
                millis
            }
            TsFormat::UnixMillis | TsFormat::Rfc3339 => {
                let millis = match spec.timestamp_format {
                    TsFormat::UnixMillis => parse_unix(raw).map_err(bad)?,
                    _ => parse_rfc3339(raw).map_err(bad)?,
                };
                tolerance.check(millis, now, 1)?;
                millis
            }
        };
        Ok(millis.div_euclid(1000))
    }

    /// Linear: the signed body's millisecond timestamp, when present. Read with the same
    /// reader as [`Verified::id`] and the envelopes (a duplicate of the field is refused),
    /// so the value checked is the value every other reader sees.
    fn check_body_timestamp(
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

/// What a provider's own [`Scheme`](crate::provider::Scheme) is given to verify a delivery:
/// the delivery, the keys of the scheme in use, and the steps every scheme shares. It names
/// no provider; the provider's file decides what is signed.
pub(crate) struct SchemeContext<'a> {
    verifier: &'a Verifier,
    spec: &'a Spec,
    keys: &'a [KeyEntry],
    lookups: &'a SpecKeys,
    delivery: &'a Delivery<'a>,
    now: i64,
}

impl<'a> SchemeContext<'a> {
    /// The scheme in use (the provider's, or its alternate).
    pub(crate) fn spec(&self) -> &'a Spec {
        self.spec
    }

    /// The raw body.
    pub(crate) fn body(&self) -> &'a bytes::Bytes {
        self.delivery.body()
    }

    /// The request URL; [`Error::MissingUrl`] when the delivery has none.
    pub(crate) fn url(&self) -> Result<&'a str, Error> {
        self.delivery.url().ok_or_else(|| Error::MissingUrl {
            provider: Cow::Owned(self.verifier.inner.provider.name().to_owned()),
        })
    }

    /// The signature header's value, which must be present once.
    pub(crate) fn signature_header(&self) -> Result<&'a [u8], Error> {
        required_key(self.delivery.headers(), &self.lookups.names.signature)
    }

    /// The signature header (of the header set the sender used), parsed, with the number of
    /// public-key signatures bounded as for template schemes.
    pub(crate) fn header_signature(&self) -> Result<Parsed<'a>, Error> {
        let (names, value) = select_names(self.lookups, self.delivery.headers())?;
        let parsed = signature::parse(self.spec, &names.signature.name, value)?;
        check_public_key_count(self.keys, &parsed, &names.signature.name)?;
        Ok(parsed)
    }

    /// A signature found elsewhere (in the body), parsed as the scheme writes signatures.
    pub(crate) fn parse_signature<'v>(&self, value: &'v [u8]) -> Result<Parsed<'v>, Error> {
        signature::parse(self.spec, &self.spec.names.signature, value)
    }

    /// Checks a signed timestamp (read from `name`) against the tolerance; Unix seconds.
    #[allow(
        clippy::ptr_arg,
        reason = "static names are cloned into errors without allocating"
    )]
    pub(crate) fn check_timestamp(
        &self,
        raw: &[u8],
        name: &Cow<'static, str>,
    ) -> Result<i64, Error> {
        self.verifier
            .check_timestamp(self.spec, raw, name, self.now)
    }

    /// The number of keys.
    pub(crate) fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The first key that produced one of the signatures over one of the candidate
    /// messages; see [`find_key`].
    pub(crate) fn find_key(
        &self,
        parsed: &Parsed<'_>,
        messages: &[&[&[u8]]],
        matched: &mut SigBytes,
    ) -> Option<usize> {
        find_key(self.keys, parsed, messages, matched)
    }

    /// Whether key `index` produced one of the signatures over one of the messages.
    pub(crate) fn key_matches(
        &self,
        index: usize,
        parsed: &Parsed<'_>,
        messages: &[&[&[u8]]],
    ) -> bool {
        let key = std::slice::from_ref(&self.keys[index]);
        find_key(key, parsed, messages, &mut SigBytes::new()).is_some()
    }

    /// The key whose shared token equals `sent`, compared in constant time.
    pub(crate) fn find_token(&self, sent: &[u8]) -> Option<usize> {
        let sent: [u8; 32] = Sha256::digest(sent).into();
        self.keys
            .iter()
            .position(|k| matches!(&k.key, Key::Token(t) if bool::from(t.ct_eq(&sent))))
    }

    /// The id header's value, when the scheme has one (not covered by the signature).
    pub(crate) fn header_id(&self) -> Result<Option<HeaderText>, Error> {
        Ok(match &self.lookups.id {
            Some(key) => unique_key(self.delivery.headers(), key)?
                .map(|v| HeaderText::new(&String::from_utf8_lossy(v))),
            None => None,
        })
    }

    /// The result, once key `index` matched.
    pub(crate) fn verified(
        &self,
        index: usize,
        timestamp: Option<i64>,
        id: Option<HeaderText>,
        id_signed: bool,
        signature: SigBytes,
    ) -> Result<Verified, Error> {
        self.verifier.verified(
            self.spec,
            self.keys,
            self.lookups,
            index,
            self.delivery.body(),
            timestamp,
            id,
            id_signed,
            self.delivery.headers(),
            signature,
            self.now,
        )
    }
}

/// The index (into `keys`) of the first key that produced one of the signatures over one
/// of the candidate messages (each a list of parts, hashed in order without copying).
///
/// For an HMAC key the tag that matched is written to `matched`: it is a function of the
/// key and the signed bytes only, so it can serve as replay material. Public-key signatures
/// are not written: anyone can turn a valid ECDSA signature into another valid one (s into
/// n − s), so a replay key must never be made of them.
fn find_key(
    keys: &[KeyEntry],
    parsed: &Parsed<'_>,
    messages: &[&[&[u8]]],
    matched: &mut SigBytes,
) -> Option<usize> {
    let mut keep = |bytes: &[u8]| {
        matched.clear();
        // Signatures are parsed into buffers of the same size: this always fits.
        let _ = matched.try_extend_from_slice(bytes);
    };
    for (index, entry) in keys.iter().enumerate() {
        for message in messages {
            let found = match (&entry.key, &entry.sha256) {
                (_, Some(mac)) => {
                    let tag = mac.tag(message);
                    tag_matches(&tag, parsed).then(|| keep(&tag)).is_some()
                }
                (Key::Sha256(mac), None) => mac_matches(mac.clone(), message, parsed, &mut keep),
                (Key::Sha1(mac), _) => mac_matches(mac.clone(), message, parsed, &mut keep),
                (Key::Ed25519(public), _) => parsed
                    .sigs
                    .iter()
                    .filter(|s| s.kind == SigKind::Ed25519)
                    .any(|s| ed25519_strict(public, message, s.bytes())),
                (Key::P256(public), _) => parsed
                    .sigs
                    .iter()
                    .filter(|s| s.kind == SigKind::Ecdsa)
                    .any(|s| {
                        p256::ecdsa::DerSignature::from_bytes(s.bytes())
                            .is_ok_and(|sig| public.multipart_verify(message, &sig).is_ok())
                    }),
                (Key::Token(_), _) => false,
            };
            if found {
                return Some(index);
            }
        }
    }
    None
}

/// Where a scheme signs the timestamp with another variable part right next to it (Discord
/// and SendGrid sign `{timestamp}{body}`), the boundary between them is only where the
/// digits end: a part that starts (or, before the timestamp, ends) with a digit would let
/// digits move between the timestamp and that part under the same signature. Such a
/// delivery is refused. (Custom templates cannot have two placeholders side by side; an
/// RFC 3339 timestamp, Twitch's, has a fixed shape and ends with its offset.)
fn check_timestamp_boundary(parts: &[Part], message: &[&[u8]]) -> Result<(), Error> {
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
fn check_public_key_count(
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
    let text = std::str::from_utf8(raw).map_err(|_| "timestamp is not valid UTF-8")?;
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| "timestamp is not RFC 3339")?;
    i64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000))
        .map_err(|_| "timestamp out of range")
}

/// Hashes `message` with the pre-keyed `mac` and compares the tag with every MAC signature
/// in constant time; on a match, hands the tag (the signature that matched) to `keep`.
fn mac_matches<M: Mac>(
    mut mac: M,
    message: &[&[u8]],
    parsed: &Parsed<'_>,
    keep: &mut dyn FnMut(&[u8]),
) -> bool {
    for part in message {
        mac.update(part);
    }
    let tag = mac.finalize().into_bytes();
    let found = tag_matches(&tag, parsed);
    if found {
        keep(&tag);
    }
    found
}

/// Whether `tag` equals one of the MAC signatures, compared in constant time with each.
#[inline]
fn tag_matches(tag: &[u8], parsed: &Parsed<'_>) -> bool {
    let mut found = subtle::Choice::from(0);
    for sig in parsed.macs() {
        found |= ct_eq(tag, sig);
    }
    bool::from(found)
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

/// The header set the sender used (Svix's `svix-*`, else `webhook-*`) and its signature.
fn select_names<'n, 'h>(
    lookups: &'n SpecKeys,
    headers: &'h dyn Headers,
) -> Result<(&'n NameKeys, &'h [u8]), Error> {
    let primary = &lookups.names;
    if let Some(value) = unique_key(headers, &primary.signature)? {
        return Ok((primary, value));
    }
    if let Some(fb) = &lookups.fallback {
        if let Some(value) = unique_key(headers, &fb.signature)? {
            return Ok((fb, value));
        }
    }
    Err(Error::missing(primary.signature.name.clone()))
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
    /// Adds a key: the secret as the provider's dashboard shows it, or a [`Secret`].
    /// Add several to rotate; any of them may match. Errors surface from
    /// [`build`](Self::build). Defaults to no keys (and `build` fails without one).
    pub fn secret<S>(self, secret: S) -> Self
    where
        S: IntoSecret,
    {
        self.add(None, secret)
    }

    /// Adds a key with an id of the caller's choosing, reported by [`MatchedKey::id`] when
    /// this key verifies a delivery.
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

    /// The source of the current time. Defaults to [`SystemClock`].
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
    /// key was given.
    pub fn build(self) -> Result<Verifier, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.secrets.is_empty() {
            return Err(Error::config("a verifier needs at least one secret"));
        }
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
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            }),
        })
    }
}

/// Verifies one delivery with one secret, using the system clock and the provider's
/// defaults. For a server, build a [`Verifier`] once instead.
///
/// ```
/// use webhook_verify::{verify, Provider};
/// let headers: &[(&str, &str)] = &[(
///     "X-Hub-Signature-256",
///     "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3",
/// )];
/// let verified = verify(&Provider::GITHUB, "mysecret", headers, br#"{"foo":"bar"}"#)?;
/// assert_eq!(verified.json::<serde_json::Value>().unwrap()["foo"], "bar");
/// # Ok::<(), webhook_verify::Error>(())
/// ```
///
/// # Errors
///
/// As [`Verifier::verify`], and [`Error::InvalidSecret`] for an unusable secret.
pub fn verify<S, H>(
    provider: &Provider,
    secret: S,
    headers: &H,
    body: impl IntoBody,
) -> Result<Verified, Error>
where
    S: IntoSecret,
    H: Headers + ?Sized,
{
    let verifier = Verifier::new(provider.clone(), secret)?;
    let headers: &dyn Headers = &headers;
    verifier.verify(&Delivery::new(headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;

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
