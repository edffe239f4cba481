//! The verifier: built once, shared, and asked to verify each delivery.
//!
//! - this file: [`Verifier`], the [`verify`](Verifier::verify) flow for template schemes,
//!   the [`SchemeContext`] handed to a provider's own scheme, and the free [`verify`] fn;
//! - `builder.rs`: [`VerifierBuilder`] and key setup (keys and header names derived once);
//! - `matching.rs`: finding the key that made a signature, constant-time tag comparison and
//!   the timestamp checks.

mod builder;
mod matching;

pub use builder::VerifierBuilder;

use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use arrayvec::ArrayVec;
use subtle::ConstantTimeEq;

use crate::delivery::{Body, MatchedKey, SigBytes};
use crate::headers::{HeaderKey, HeaderSet, HeaderText, HeaderView};
use crate::keys::{HmacSha256, Key};
use crate::provider::{IdSource, Message, Part, Spec, TimestampSource};

use crate::signature::{self, Parsed};
use crate::{Clock, Delivery, Error, Headers, Provider, Secret, Tolerance, Verified};
#[cfg(feature = "std")]
use crate::{IntoBody, IntoSecret};
use matching::{check_public_key_count, check_timestamp_boundary, find_key};
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
    /// The tolerance of the alternate scheme (it may sign a timestamp where the main scheme
    /// signs none): the one set on the builder, else the alternate's own.
    alt_tolerance: Tolerance,
    clock: Arc<dyn Clock>,
    /// The header names of the provider's scheme, parsed once.
    names: SpecKeys,
    /// The same for the alternate scheme, when there is one.
    alt_names: Option<SpecKeys>,
}

/// The header names one scheme reads, ready for lookups.
struct SpecKeys {
    /// Every name below, for one scan of a delivery's headers.
    set: HeaderSet,
    names: NameKeys,
    fallback: Option<NameKeys>,
    /// [`IdSource::Header`]'s name.
    id: Option<HeaderKey>,
    /// [`EventTypeSource::Header`](crate::provider::EventTypeSource::Header)'s
    /// name.
    event_type: Option<HeaderKey>,
    /// Whether the signature covers the id header ([`Spec::needs_id`](crate::provider::Spec::needs_id)).
    needs_id: bool,
    /// Whether the signature covers the URL ([`Spec::needs_url`](crate::provider::Spec::needs_url)).
    needs_url: bool,
}

/// [`Names`](crate::provider::Names) as [`HeaderKey`]s.
struct NameKeys {
    signature: HeaderKey,
    timestamp: Option<HeaderKey>,
    id: Option<HeaderKey>,
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
        VerifierBuilder::new(provider)
    }

    /// A verifier for `provider` with one secret and every default (the system clock: with
    /// the `std` feature; without it, use [`builder`](Self::builder) and give a clock).
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
    #[cfg(feature = "std")]
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
    ///
    /// The result holds the delivery's body as the delivery does: shared (`Bytes`, no copy)
    /// or borrowed (`&[u8]`, no copy).
    #[inline]
    pub fn verify<B: Body>(&self, delivery: &Delivery<'_, B>) -> Result<Verified<B::Kept>, Error> {
        let input = delivery.with_body(delivery.body());
        Ok(self.check(&input)?.with_body(delivery.raw_body().keep()))
    }

    /// [`verify`](Self::verify) without the body: what verification found.
    pub(crate) fn check(&self, delivery: &Delivery<'_, &[u8]>) -> Result<Verified<()>, Error> {
        let inner = &*self.inner;
        // One clock reading: the tolerance check and `Verified::received_at`.
        let now = inner.clock.now_unix_millis();
        let headers = delivery.headers();
        let base = inner.provider.spec();
        // The alternate scheme is used when its signature header is present.
        let (spec, keys, lookups) = match (base.alternate, &inner.alt_names) {
            (Some(alt), Some(alt_names))
                if crate::headers::present(headers, &alt_names.names.signature) =>
            {
                (alt, &inner.alt_keys, alt_names)
            }
            _ => (base, &inner.keys, &inner.names),
        };
        // The scheme's headers, found once.
        let view = HeaderView::new(headers, &lookups.set);
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
                    view,
                    now,
                });
            }
        };

        // 1. Headers: pick the header set the sender used, parse the signature header.
        let (names, sig_value) = select_names(lookups, &view)?;
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
                Some(view.required(key)?)
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
            (Some(key), _, _) if lookups.needs_id => (Some(view.required(key)?), true),
            (_, IdSource::Header { signed, .. }, Some(key)) => (view.unique(key)?, *signed),
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
        if !spec.timestamp_format.is_text() {
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
            (Some(raw), Some(key)) => Some(HeaderText::new(
                core::str::from_utf8(raw)
                    .map_err(|_| Error::malformed(key.name.clone(), "not valid UTF-8"))?,
            )),
            _ => None,
        };
        self.verified(
            spec, keys, lookups, index, timestamp, header_id, id_signed, &view, signature, now,
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
        timestamp: Option<i64>,
        header_id: Option<HeaderText>,
        id_signed: bool,
        headers: &HeaderView<'_>,
        signature: SigBytes,
        now: i64,
    ) -> Result<Verified<()>, Error> {
        let header_event_type = match &lookups.event_type {
            Some(key) => headers
                .unique(key)?
                .map(|v| HeaderText::new(&String::from_utf8_lossy(v))),
            None => None,
        };
        Ok(Verified {
            provider: self.inner.provider.clone(),
            spec_is_alternate: !core::ptr::eq(spec, self.inner.provider.spec()),
            header_id,
            id_signed,
            timestamp,
            header_event_type,
            key: MatchedKey {
                index: keys[index].index,
                id: keys[index].id.clone(),
            },
            body: (),
            received_at: now,
            signature,
            json: crate::delivery::JsonCell::new(),
            unverified: None,
            tenant: None,
        })
    }
}

/// What can be read from a delivery that failed verification, for a receiver in shadow
/// mode: the event type and id headers (unauthenticated), no key, no timestamp.
#[cfg(feature = "std")]
pub(crate) fn unverified(
    provider: &Provider,
    headers: &dyn Headers,
    received_at: i64,
    failure: crate::ErrorKind,
) -> Verified<()> {
    use crate::provider::EventTypeSource;
    let spec = provider.spec();
    let text = |name: Option<&Cow<'static, str>>| {
        name.and_then(|name| crate::headers::unique(headers, name).ok().flatten())
            .map(|v| HeaderText::new(&String::from_utf8_lossy(v)))
    };
    let id_name = match &spec.id {
        IdSource::Header { name, .. } => Some(name),
        _ => spec.names.id.as_ref(),
    };
    let event_name = match &spec.event_type {
        EventTypeSource::Header(name) => Some(name),
        _ => None,
    };
    Verified {
        provider: provider.clone(),
        spec_is_alternate: false,
        header_id: text(id_name),
        id_signed: false,
        timestamp: None,
        header_event_type: text(event_name),
        key: MatchedKey { index: 0, id: None },
        body: (),
        received_at,
        signature: SigBytes::new(),
        json: crate::delivery::JsonCell::new(),
        unverified: Some(failure),
        tenant: None,
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
    delivery: &'a Delivery<'a, &'a [u8]>,
    /// The delivery's headers, found once for the scheme.
    view: HeaderView<'a>,
    now: i64,
}

impl<'a> SchemeContext<'a> {
    /// The scheme in use (the provider's, or its alternate).
    pub(crate) fn spec(&self) -> &'a Spec {
        self.spec
    }

    /// The raw body.
    pub(crate) fn body(&self) -> &'a [u8] {
        self.delivery.raw_body()
    }

    /// The request URL; [`Error::MissingUrl`] when the delivery has none.
    pub(crate) fn url(&self) -> Result<&'a str, Error> {
        self.delivery.url().ok_or_else(|| Error::MissingUrl {
            provider: Cow::Owned(self.verifier.inner.provider.name().to_owned()),
        })
    }

    /// The delivery's headers, for a scheme that reads headers it cannot name in advance
    /// (DocuSign's numbered signature headers).
    pub(crate) fn headers(&self) -> &'a dyn Headers {
        self.delivery.headers()
    }

    /// The signature header's value, which must be present once.
    pub(crate) fn signature_header(&self) -> Result<&'a [u8], Error> {
        self.view.required(&self.lookups.names.signature)
    }

    /// The signature header (of the header set the sender used), parsed, with the number of
    /// public-key signatures bounded as for template schemes.
    pub(crate) fn header_signature(&self) -> Result<Parsed<'a>, Error> {
        let (names, value) = select_names(self.lookups, &self.view)?;
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

    /// The current time of the verifier's clock, Unix milliseconds (read once per delivery).
    pub(crate) fn now_unix_millis(&self) -> i64 {
        self.now
    }

    /// The one value of header `name` (lowercase), looked up on its own: for headers a
    /// scheme reads beyond its signature, timestamp and id (Box's algorithm, Contentful's
    /// signed headers).
    pub(crate) fn header(&self, name: &str) -> Result<Option<&'a [u8]>, Error> {
        crate::headers::unique(self.delivery.headers(), &Cow::Owned(name.to_owned()))
    }

    /// The secret key `index` was derived from, for schemes whose MAC the pre-keyed states
    /// do not compute (FusionAuth's HS384 and HS512 JWTs).
    pub(crate) fn secret(&self, index: usize) -> Option<&'a Secret> {
        let position = self.keys.get(index)?.index;
        self.verifier.inner.secrets.get(position)
    }

    /// The provider being verified (with its parameter, such as PayPal's webhook id).
    pub(crate) fn provider(&self) -> &'a Provider {
        &self.verifier.inner.provider
    }

    /// The first certificate key whose PKCS#1 v1.5 signature over `message` is `signature`,
    /// while its certificate is valid by the verifier's clock. RSA signatures are public:
    /// which key matched needs no hiding.
    pub(crate) fn find_rsa_key(
        &self,
        hash: crate::certificate::RsaHash,
        message: &[&[u8]],
        signature: &[u8],
    ) -> Option<usize> {
        let now = self.now.div_euclid(1000);
        self.keys.iter().position(
            |k| matches!(&k.key, Key::Rsa(key) if key.verifies(hash, message, signature, now)),
        )
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
        let key = core::slice::from_ref(&self.keys[index]);
        find_key(key, parsed, messages, &mut SigBytes::new()).is_some()
    }

    /// The key whose shared token equals `sent`, compared in constant time with every
    /// key (the time does not tell which one matched).
    pub(crate) fn find_token(&self, sent: &[u8]) -> Option<usize> {
        let sent: [u8; 32] = Sha256::digest(sent).into();
        let mut first = None;
        for (index, key) in self.keys.iter().enumerate() {
            let equal = matches!(&key.key, Key::Token(t) if bool::from(t.ct_eq(&sent)));
            if equal && first.is_none() {
                first = Some(index);
            }
        }
        first
    }

    /// The id header's value, when the scheme has one (not covered by the signature).
    pub(crate) fn header_id(&self) -> Result<Option<HeaderText>, Error> {
        Ok(match &self.lookups.id {
            Some(key) => self
                .view
                .unique(key)?
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
    ) -> Result<Verified<()>, Error> {
        self.verifier.verified(
            self.spec,
            self.keys,
            self.lookups,
            index,
            timestamp,
            id,
            id_signed,
            &self.view,
            signature,
            self.now,
        )
    }
}
/// The header set the sender used (Svix's `svix-*`, else `webhook-*`) and its signature.
fn select_names<'n, 'h>(
    lookups: &'n SpecKeys,
    headers: &HeaderView<'h>,
) -> Result<(&'n NameKeys, &'h [u8]), Error> {
    let primary = &lookups.names;
    if let Some(value) = headers.unique(&primary.signature)? {
        return Ok((primary, value));
    }
    if let Some(fb) = &lookups.fallback {
        if let Some(value) = headers.unique(&fb.signature)? {
            return Ok((fb, value));
        }
    }
    Err(Error::missing(primary.signature.name.clone()))
}
/// Verifies one delivery with one secret, using the system clock and the provider's
/// defaults. For a server, build a [`Verifier`] once instead. A borrowed body gives a
/// [`Verified`] that borrows it.
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
#[cfg(feature = "std")]
pub fn verify<S, H, T>(
    provider: &Provider,
    secret: S,
    headers: &H,
    body: T,
) -> Result<Verified<<T::Body as Body>::Kept>, Error>
where
    S: IntoSecret,
    H: Headers + ?Sized,
    T: IntoBody,
{
    let verifier = Verifier::new(provider.clone(), secret)?;
    let headers: &dyn Headers = &headers;
    verifier.verify(&Delivery::new(headers, body))
}
