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

use crate::delivery::{IntoBody, MatchedKey};
use crate::headers::{required, unique};
use crate::keys::{Key, verification_key};
use crate::provider::{EventTypeSource, IdSource, Message, Names, Part, TimestampSource};
use crate::signature::{self, Parsed, SigKind};
use crate::tolerance::parse_unix;
use crate::{
    Clock, Delivery, Error, Headers, IntoSecret, Provider, Secret, SystemClock, Tolerance, Verified,
};

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
    secrets: Vec<Secret>,
    tolerance: Tolerance,
    clock: Arc<dyn Clock>,
}

struct KeyEntry {
    key: Key,
    id: Option<Arc<str>>,
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
        let spec = inner.provider.spec();
        let headers = delivery.headers();

        // 1. Headers: pick the header set the sender used, parse the signature header.
        let (names, sig_value) = select_names(spec.names_and_fallback(), headers)?;
        let parsed: Parsed<'_> = signature::parse(spec, &names.signature, sig_value)?;

        // 2. Timestamp.
        let ts_raw: Option<&[u8]> = match spec.timestamp {
            TimestampSource::None => None,
            TimestampSource::SignatureHeader => parsed.timestamp,
            TimestampSource::Header => {
                let name = names.timestamp.as_ref().expect("timestamp header declared");
                Some(required(headers, name)?)
            }
        };
        let timestamp = match ts_raw {
            None => None,
            Some(raw) => {
                let ts_name = names.timestamp.as_ref().unwrap_or(&names.signature);
                let secs = parse_unix(raw).map_err(|r| Error::malformed(ts_name.clone(), r))?;
                inner.tolerance.check(
                    secs.saturating_mul(1000),
                    inner.clock.now_unix_millis(),
                    1000,
                )?;
                Some(secs)
            }
        };

        // 3. Message id and URL, when signed or reported.
        let (id_raw, id_signed) = match (&names.id, &spec.id) {
            (Some(name), _) if spec.needs_id() => (Some(required(headers, name)?), true),
            (_, IdSource::Header { name, signed }) => (unique(headers, name)?, *signed),
            _ => (None, false),
        };
        let url = if spec.needs_url() {
            Some(delivery.url().ok_or_else(|| Error::MissingUrl {
                provider: Cow::Owned(inner.provider.name().to_owned()),
            })?)
        } else {
            None
        };

        // 4. Signatures.
        let body = delivery.body();
        let matched = match &spec.message {
            Message::Template(parts) => {
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
                self.find_key(&parsed, &[&message])
            }
            Message::Twilio => {
                let candidates =
                    crate::provider::twilio_messages(url.unwrap_or_default(), body, false)?;
                let slices: Vec<[&[u8]; 1]> = candidates.iter().map(|m| [m.as_slice()]).collect();
                let refs: Vec<&[&[u8]]> = slices.iter().map(|s| &s[..]).collect();
                self.find_key(&parsed, &refs)
            }
        };
        let index = matched.ok_or(Error::SignatureMismatch)?;

        // 5. Report.
        let id_name = names.id.as_ref().or(match &spec.id {
            IdSource::Header { name, .. } => Some(name),
            _ => None,
        });
        let header_id = match (id_raw, id_name) {
            (Some(raw), Some(name)) => Some(
                std::str::from_utf8(raw)
                    .map_err(|_| Error::malformed(name.clone(), "not valid UTF-8"))?
                    .to_owned(),
            ),
            _ => None,
        };
        let header_event_type = match &spec.event_type {
            EventTypeSource::Header(name) => {
                unique(headers, name)?.map(|v| String::from_utf8_lossy(v).into_owned())
            }
            _ => None,
        };
        Ok(Verified {
            provider: inner.provider.clone(),
            header_id,
            id_signed,
            timestamp,
            header_event_type,
            key: MatchedKey {
                index,
                id: inner.keys[index].id.clone(),
            },
            body: body.clone(),
            json: OnceLock::new(),
        })
    }

    /// The index of the first key that produced one of the signatures over one of the
    /// candidate messages (each a list of parts, hashed in order without copying).
    fn find_key(&self, parsed: &Parsed<'_>, messages: &[&[&[u8]]]) -> Option<usize> {
        for (index, entry) in self.inner.keys.iter().enumerate() {
            for message in messages {
                let ok = match &entry.key {
                    Key::Sha256(mac) => mac_matches(mac.clone(), message, parsed),
                    Key::Sha1(mac) => mac_matches(mac.clone(), message, parsed),
                    Key::Ed25519(public) => parsed
                        .sigs
                        .iter()
                        .filter(|s| s.kind == SigKind::Ed25519)
                        .any(|s| {
                            Signature::from_slice(s.bytes())
                                .is_ok_and(|sig| public.multipart_verify(message, &sig).is_ok())
                        }),
                };
                if ok {
                    return Some(index);
                }
            }
        }
        None
    }
}

/// Hashes `message` with the pre-keyed `mac` and compares the tag with every MAC signature
/// in constant time.
fn mac_matches<M: Mac>(mut mac: M, message: &[&[u8]], parsed: &Parsed<'_>) -> bool {
    for part in message {
        mac.update(part);
    }
    let tag = mac.finalize().into_bytes();
    let mut found = subtle::Choice::from(0);
    for sig in parsed.sigs.iter().filter(|s| s.kind == SigKind::Mac) {
        found |= tag.as_slice().ct_eq(sig.bytes());
    }
    found.into()
}

/// The header set the sender used (Svix's `svix-*`, else `webhook-*`) and its signature.
fn select_names<'n, 'h>(
    (primary, fallback): (&'n Names, Option<&'n Names>),
    headers: &'h dyn Headers,
) -> Result<(&'n Names, &'h [u8]), Error> {
    if let Some(value) = unique(headers, &primary.signature)? {
        return Ok((primary, value));
    }
    if let Some(fb) = fallback {
        if let Some(value) = unique(headers, &fb.signature)? {
            return Ok((fb, value));
        }
    }
    Err(Error::missing(primary.signature.clone()))
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
            .map(|(id, s)| {
                Ok(KeyEntry {
                    key: verification_key(spec, s)?,
                    id: id.clone(),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Verifier {
            inner: Arc::new(Inner {
                tolerance: self.tolerance.unwrap_or(spec.tolerance),
                provider: self.provider,
                keys,
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
