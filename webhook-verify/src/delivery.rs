//! A delivery as received, and what verification proved about it.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::provider::{EventTypeSource, IdSource, Spec};
use crate::{Headers, Provider};

/// One received webhook request: its headers, its raw body and, for providers that sign it,
/// the URL it was sent to.
///
/// The body is never copied: an owned body (`Bytes`, `Vec<u8>`, `String`) is kept as
/// [`Bytes`], and a borrowed one (`&[u8]`, `&str`, `&Vec<u8>`, `&[u8; N]`) stays borrowed,
/// so [`Verifier::verify`](crate::Verifier::verify) gives a [`Verified`] that borrows it too.
///
/// ```
/// use webhook_verify::Delivery;
/// let headers: &[(&str, &str)] = &[("X-Twilio-Signature", "…")];
/// let delivery = Delivery::new(&headers, &b"Digits=1234"[..])
///     .with_url("https://example.com/twilio?x=1");
/// assert_eq!(delivery.body(), b"Digits=1234");
/// ```
pub struct Delivery<'a, B = Bytes> {
    headers: &'a dyn Headers,
    body: B,
    url: Option<&'a str>,
}

impl<'a, B: Body> Delivery<'a, B> {
    /// A delivery with these headers and raw body bytes (exactly as received; never
    /// re-serialized). `Bytes`, `Vec<u8>` and `String` are kept as `Bytes` without a copy;
    /// borrowed bytes stay borrowed.
    pub fn new<T>(headers: &'a dyn Headers, body: T) -> Self
    where
        T: IntoBody<Body = B>,
    {
        Self {
            headers,
            body: body.into_body(),
            url: None,
        }
    }

    /// The full URL the sender requested (scheme, host, path and query), for providers that
    /// sign it (Twilio). Behind a proxy, this is the public URL, not the internal one.
    #[must_use]
    pub fn with_url(mut self, url: &'a str) -> Self {
        self.url = Some(url);
        self
    }

    /// The headers.
    #[must_use]
    pub fn headers(&self) -> &'a dyn Headers {
        self.headers
    }

    /// The raw body.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        self.body.as_ref()
    }

    /// The raw body as it was given (`Bytes`, or the borrowed slice).
    #[must_use]
    pub fn raw_body(&self) -> &B {
        &self.body
    }

    /// The URL, when one was given.
    #[must_use]
    pub fn url(&self) -> Option<&'a str> {
        self.url
    }

    /// The same delivery with another body, for checks that verify a changed copy.
    pub(crate) fn with_body<C: Body>(&self, body: C) -> Delivery<'a, C> {
        Delivery {
            headers: self.headers,
            body,
            url: self.url,
        }
    }
}

impl<B: Body> fmt::Debug for Delivery<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("body_len", &self.body.as_ref().len())
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for bytes::Bytes {}
    impl Sealed for &bytes::Bytes {}
    impl Sealed for &[u8] {}
}

/// The kinds of body a [`Delivery`] and a [`Verified`] hold: owned ([`Bytes`]), a
/// reference to shared `Bytes`, or borrowed (`&[u8]`). Sealed: other types convert into
/// one of them with [`IntoBody`].
pub trait Body: AsRef<[u8]> + Clone + sealed::Sealed {
    /// What a [`Verified`] keeps of this body: `Bytes` for shared bodies (one reference
    /// count more, no copy), the same `&[u8]` for borrowed ones.
    type Kept: Body<Kept = Self::Kept>;

    /// The body kept by a [`Verified`].
    fn keep(&self) -> Self::Kept;

    /// The body as owned `Bytes`: no copy for `Bytes`, a copy for a borrowed slice.
    fn into_bytes(self) -> Bytes;
}

impl Body for Bytes {
    type Kept = Bytes;
    #[inline]
    fn keep(&self) -> Bytes {
        self.clone()
    }
    #[inline]
    fn into_bytes(self) -> Bytes {
        self
    }
}

impl Body for &Bytes {
    type Kept = Bytes;
    #[inline]
    fn keep(&self) -> Bytes {
        (*self).clone()
    }
    #[inline]
    fn into_bytes(self) -> Bytes {
        self.clone()
    }
}

impl Body for &[u8] {
    type Kept = Self;
    #[inline]
    fn keep(&self) -> Self {
        self
    }
    #[inline]
    fn into_bytes(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}

/// Conversion into the body of a [`Delivery`], without a copy: `Bytes`, `Vec<u8>` and
/// `String` become `Bytes`, `&Bytes` is kept by reference (a [`Verified`] shares it);
/// `&[u8]`, `&[u8; N]`, `&str`, `&Vec<u8>` and `&String` stay borrowed.
pub trait IntoBody {
    /// [`Bytes`] or `&[u8]`.
    type Body: Body;

    /// Converts into the body.
    fn into_body(self) -> Self::Body;
}

impl IntoBody for Bytes {
    type Body = Bytes;
    #[inline]
    fn into_body(self) -> Bytes {
        self
    }
}

impl<'b> IntoBody for &'b Bytes {
    type Body = &'b Bytes;
    #[inline]
    fn into_body(self) -> &'b Bytes {
        self
    }
}

impl IntoBody for Vec<u8> {
    type Body = Bytes;
    #[inline]
    fn into_body(self) -> Bytes {
        Bytes::from(self)
    }
}

impl IntoBody for String {
    type Body = Bytes;
    #[inline]
    fn into_body(self) -> Bytes {
        Bytes::from(self)
    }
}

impl<'b> IntoBody for &'b [u8] {
    type Body = &'b [u8];
    #[inline]
    fn into_body(self) -> &'b [u8] {
        self
    }
}

impl<'b, const N: usize> IntoBody for &'b [u8; N] {
    type Body = &'b [u8];
    #[inline]
    fn into_body(self) -> &'b [u8] {
        self
    }
}

impl<'b> IntoBody for &'b str {
    type Body = &'b [u8];
    #[inline]
    fn into_body(self) -> &'b [u8] {
        self.as_bytes()
    }
}

impl<'b> IntoBody for &'b Vec<u8> {
    type Body = &'b [u8];
    #[inline]
    fn into_body(self) -> &'b [u8] {
        self
    }
}

impl<'b> IntoBody for &'b String {
    type Body = &'b [u8];
    #[inline]
    fn into_body(self) -> &'b [u8] {
        self.as_bytes()
    }
}

/// Which configured key verified a delivery: its position in the order keys were added,
/// and the id given with [`VerifierBuilder::secret_with_id`](crate::VerifierBuilder::secret_with_id).
///
/// When every delivery is matched by the new key, the old one can be retired.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatchedKey {
    pub(crate) index: usize,
    pub(crate) id: Option<Arc<str>>,
}

impl MatchedKey {
    /// The key's position, from 0, in the order the keys were added to the builder.
    #[must_use]
    pub fn index(&self) -> usize {
        self.index
    }

    /// The id the caller gave the key, if any.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// A delivery whose signature, timestamp and headers were verified.
///
/// It holds the body as the [`Delivery`] did: `Verified` (that is, `Verified<Bytes>`)
/// owns it, and `Verified<&[u8]>`, from a borrowed body, borrows it without a copy.
/// [`into_owned`](Self::into_owned) makes an owned one (for a queue, a
/// [token](crate::TokenKey) or the [event router](crate::EventRouter)).
///
/// ```
/// use webhook_verify::{verify, Provider};
///
/// let headers: &[(&str, &str)] = &[
///     ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
///     ("X-GitHub-Event", "ping"),
/// ];
/// let verified = verify(&Provider::GITHUB, "It's a Secret to Everybody", headers, b"Hello, World!")?;
/// assert_eq!(verified.provider(), &Provider::GITHUB);
/// assert_eq!(verified.event_type(), Some("ping"));
/// assert_eq!(verified.key().index(), 0);
/// assert_eq!(verified.body().as_ref(), b"Hello, World!");
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone)]
pub struct Verified<B = Bytes> {
    pub(crate) provider: Provider,
    /// Whether the provider's alternate scheme verified the delivery.
    pub(crate) spec_is_alternate: bool,
    pub(crate) header_id: Option<crate::headers::HeaderText>,
    pub(crate) id_signed: bool,
    pub(crate) timestamp: Option<i64>,
    pub(crate) header_event_type: Option<crate::headers::HeaderText>,
    pub(crate) key: MatchedKey,
    pub(crate) body: B,
    /// When the delivery was verified, in Unix milliseconds by the verifier's clock.
    pub(crate) received_at: i64,
    /// Replay material that only the key's holder can produce: the HMAC tag that matched,
    /// or for Adyen's classic notifications a digest of the signed item fields; empty for
    /// public-key signatures (malleable: never used) and token schemes. See
    /// [`replay_key`](Self::replay_key).
    pub(crate) signature: SigBytes,
    /// Shared by clones (an [`Event`](crate::Event) keeps one): found once per delivery.
    pub(crate) json: JsonCell,
    /// In shadow mode, why a delivery handed over anyway failed verification.
    pub(crate) unverified: Option<crate::ErrorKind>,
    /// The tenant whose keys verified it, when keys are resolved per tenant.
    pub(crate) tenant: Option<Arc<str>>,
}

/// Where a [`Verified`] keeps its JSON fields once found: a `OnceLock` with `std`; without
/// it a lock-free cell (two threads may both look, one answer is kept).
#[cfg(feature = "std")]
pub(crate) type JsonCell = std::sync::OnceLock<Arc<JsonFields>>;
#[cfg(not(feature = "std"))]
pub(crate) type JsonCell = once_cell::race::OnceBox<Arc<JsonFields>>;

/// A matched signature, kept inline.
pub(crate) type SigBytes = arrayvec::ArrayVec<u8, 72>;

#[derive(Debug, Clone, Default)]
pub(crate) struct JsonFields {
    id: Option<String>,
    event_type: Option<String>,
}

impl Verified<()> {
    /// The result with its body.
    #[inline]
    pub(crate) fn with_body<B>(self, body: B) -> Verified<B> {
        self.map_body(|()| body)
    }
}

impl<B> Verified<B> {
    /// The same result with `f(body)` for its body.
    #[inline]
    fn map_body<C>(self, f: impl FnOnce(B) -> C) -> Verified<C> {
        Verified {
            provider: self.provider,
            spec_is_alternate: self.spec_is_alternate,
            header_id: self.header_id,
            id_signed: self.id_signed,
            timestamp: self.timestamp,
            header_event_type: self.header_event_type,
            key: self.key,
            body: f(self.body),
            received_at: self.received_at,
            signature: self.signature,
            json: self.json,
            unverified: self.unverified,
            tenant: self.tenant,
        }
    }
}

impl Verified {
    /// The verified raw body.
    #[must_use]
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The verified raw body, owned.
    #[must_use]
    pub fn into_body(self) -> Bytes {
        self.body
    }
}

impl<'a> Verified<&'a [u8]> {
    /// The verified raw body, borrowed from the delivery.
    #[must_use]
    pub fn body(&self) -> &'a [u8] {
        self.body
    }
}

impl<B: Body> Verified<B> {
    /// The same result owning its body: no copy when it is owned already, one copy of a
    /// borrowed body.
    ///
    /// ```
    /// use webhook_verify::{verify, Provider, Verified};
    /// let headers: &[(&str, &str)] = &[(
    ///     "X-Hub-Signature-256",
    ///     "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    /// )];
    /// let body = b"Hello, World!".to_vec();
    /// let borrowed = verify(&Provider::GITHUB, "It's a Secret to Everybody", headers, &body)?;
    /// let owned: Verified = borrowed.into_owned();
    /// drop(body);
    /// assert_eq!(owned.body().as_ref(), b"Hello, World!");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> Verified {
        self.map_body(Body::into_bytes)
    }

    /// The verified raw body as a slice, whichever kind the body is.
    #[must_use]
    pub fn body_bytes(&self) -> &[u8] {
        self.body.as_ref()
    }

    /// The provider that signed the delivery.
    #[must_use]
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// The message id: from a header (Standard Webhooks `webhook-id`, GitHub
    /// `X-GitHub-Delivery`), from the signed JSON body (Stripe's event `id`), or a signed
    /// value (Mailgun's token).
    /// A body field is read on the first call.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        match &self.spec().id {
            IdSource::Json(_) => self.json_fields().id.as_deref(),
            _ => self.header_id.as_deref(),
        }
    }

    /// Whether the signature covers [`id`](Self::id): a header the signature includes, or a
    /// field of the signed body. An unsigned id (GitHub's delivery GUID) could have been
    /// changed by anyone who replays the request.
    #[must_use]
    pub fn id_is_signed(&self) -> bool {
        match &self.spec().id {
            IdSource::Json(_) => self.id().is_some(),
            _ => self.id_signed,
        }
    }

    /// The key under which replay protection remembers this delivery. It is made only of
    /// what the signature covers, so nobody can change it without the key:
    ///
    /// - `provider:id` when the signature covers the id (Standard Webhooks' `webhook-id`,
    ///   Stripe's event `id` and Slack's `event_id` in the signed body, Mailgun's token, …),
    ///   so a retry signed again with a new timestamp is still recognised;
    /// - for Adyen's classic notifications, `adyen:items:` and a hash of the signed fields
    ///   of every item (not the body, parts of which are not signed);
    /// - for other providers that sign a timestamp (Zoom, Calendly, SendGrid, Slack's
    ///   commands and interactions, …), `provider:body:` and a hash of the signed body
    ///   without the timestamp: a retry re-signed at a new time is a duplicate, and a
    ///   malleable signature (ECDSA's s and n − s) changes nothing;
    /// - for HMAC providers without a timestamp, `provider:sig:` and a hash of the tag the
    ///   key computed over the signed bytes (Twilio signs decoded form parameters, so the
    ///   body's bytes could change while the tag cannot);
    /// - for GitLab's token, which signs nothing, `provider:body:` and a hash of the body;
    /// - for a delivery that failed verification and was handed over in shadow mode,
    ///   `unverified:provider:` and a hash of the body, apart from every genuine key;
    /// - with keys per tenant, `tenant:{length}:{tenant}:` followed by the key above.
    ///
    /// An unsigned header such as GitHub's delivery GUID is never used: whoever replays the
    /// request could change it.
    ///
    /// ```
    /// use webhook_verify::{verify, Provider};
    /// let headers: &[(&str, &str)] = &[
    ///     ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
    ///     ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
    /// ];
    /// let v = verify(&Provider::GITHUB, "It's a Secret to Everybody", headers, b"Hello, World!")?;
    /// assert!(v.replay_key().starts_with("github:sig:"));
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn replay_key(&self) -> String {
        use sha2::{Digest, Sha256};
        let provider = self.provider.name();
        if self.unverified.is_some() {
            // Apart from every genuine key, which starts with the provider's name.
            let digest = Sha256::digest(self.body.as_ref());
            return format!("unverified:{provider}:{}", &hex::encode(digest)[..32]);
        }
        if let Some(tenant) = &self.tenant {
            // Tenants' senders choose their ids independently: one tenant's id must not
            // make another's delivery a duplicate. The length keeps the key unambiguous.
            return format!("tenant:{}:{tenant}:{}", tenant.len(), self.key_of_sender());
        }
        self.key_of_sender()
    }

    /// [`replay_key`](Self::replay_key) of a genuine delivery, without its tenant.
    fn key_of_sender(&self) -> String {
        use sha2::{Digest, Sha256};
        let provider = self.provider.name();
        // (A token written before the items' digest was kept has none: use its body.)
        let digest_label = self.spec().message.scheme().and_then(|s| s.replay_label);
        if let Some(label) = digest_label.filter(|_| !self.signature.is_empty()) {
            let mut h = Sha256::new();
            h.update(&self.signature);
            return format!("{provider}:{label}:{}", &hex::encode(h.finalize())[..32]);
        }
        if self.id_is_signed() {
            if let Some(id) = self.id() {
                return format!("{provider}:{id}");
            }
        }
        let mut h = Sha256::new();
        let kind = if self.signature.is_empty() || self.timestamp.is_some() {
            h.update(self.body.as_ref());
            "body"
        } else {
            h.update(&self.signature);
            "sig"
        };
        format!("{provider}:{kind}:{}", &hex::encode(h.finalize())[..32])
    }

    /// The signed timestamp, in Unix seconds, for providers that send one.
    #[must_use]
    pub fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }

    /// The event type: from a header (GitHub `X-GitHub-Event`, Shopify `X-Shopify-Topic`)
    /// or from the JSON body (`type`, `event_type`, …) read on the first call. Numbers are
    /// given in decimal (Discord's interaction `type`).
    #[must_use]
    pub fn event_type(&self) -> Option<&str> {
        match &self.spec().event_type {
            EventTypeSource::Json(_) => self.json_fields().event_type.as_deref(),
            _ => self.header_event_type.as_deref(),
        }
    }

    /// The event type when it comes from a header (no body parsing).
    #[cfg(feature = "std")]
    pub(crate) fn event_type_from_header(&self) -> Option<String> {
        match &self.spec().event_type {
            EventTypeSource::Header(_) => self.header_event_type.as_deref().map(str::to_owned),
            _ => None,
        }
    }

    /// When the delivery was verified, in Unix milliseconds by the verifier's
    /// [`Clock`](crate::Clock). Kept by [tokens](crate::TokenKey), so a delivery handled
    /// later from a queue still says when it arrived.
    #[must_use]
    pub fn received_at(&self) -> i64 {
        self.received_at
    }

    /// Which configured key matched.
    #[must_use]
    pub fn key(&self) -> &MatchedKey {
        &self.key
    }

    /// Whether the delivery verified: always, except for a delivery a receiver in
    /// [shadow mode](crate::receive::ReceiverBuilder::shadow) handed over although it
    /// failed verification. Such a delivery was not claimed for replay protection, its
    /// [`key`](Self::key) is meaningless, and nothing in it is authenticated.
    ///
    /// ```
    /// use webhook_verify::{verify, Provider};
    /// let headers: &[(&str, &str)] = &[(
    ///     "X-Hub-Signature-256",
    ///     "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3",
    /// )];
    /// let verified = verify(&Provider::GITHUB, "mysecret", headers, br#"{"foo":"bar"}"#)?;
    /// assert!(verified.is_authentic());
    /// assert_eq!(verified.shadow_failure(), None);
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    #[must_use]
    pub fn is_authentic(&self) -> bool {
        self.unverified.is_none()
    }

    /// The tenant whose keys verified the delivery, when the receiver resolves keys per
    /// tenant ([`TenantKeys`](crate::key_source::TenantKeys)); it is part of the
    /// [`replay_key`](Self::replay_key), so tenants' ids never collide.
    #[must_use]
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// For a delivery handed over in shadow mode although it failed verification, why it
    /// failed; `None` for a delivery that verified.
    #[must_use]
    pub fn shadow_failure(&self) -> Option<crate::ErrorKind> {
        self.unverified
    }

    /// Deserializes the verified body as JSON.
    ///
    /// # Errors
    ///
    /// The `serde_json` error when the body is not JSON of type `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(self.body.as_ref())
    }

    fn spec(&self) -> &Spec {
        let spec = self.provider.spec();
        match spec.alternate {
            Some(alt) if self.spec_is_alternate => alt,
            _ => spec,
        }
    }

    fn json_fields(&self) -> &JsonFields {
        let find = || {
            let spec = self.spec();
            let wants_json = matches!(spec.id, IdSource::Json(_))
                || matches!(spec.event_type, EventTypeSource::Json(_));
            if !wants_json {
                return Arc::new(JsonFields::default());
            }
            Arc::new(
                self.json_fields_in_one_pass(spec)
                    .unwrap_or_else(|| self.json_fields_one_by_one(spec)),
            )
        };
        #[cfg(feature = "std")]
        return self.json.get_or_init(find);
        #[cfg(not(feature = "std"))]
        return self.json.get_or_init(|| alloc::boxed::Box::new(find()));
    }
}

impl<B: Body> Verified<B> {
    /// The body's id and event type, each pointer followed on its own.
    fn json_fields_one_by_one(&self, spec: &Spec) -> JsonFields {
        // The fields are found by scanning the body, without building it as a value.
        let doc = crate::json::document(self.body.as_ref()).ok();
        let wanted = |pointer: &str| -> Option<String> {
            let pointer = crate::json::Pointer::parse(pointer).ok()?;
            let value = crate::json::lookup(doc?, pointer.segments()).ok()??;
            crate::json::scalar_text(value)
        };
        JsonFields {
            id: match spec.id {
                IdSource::Json(f) => wanted(f),
                _ => None,
            },
            event_type: match spec.event_type {
                EventTypeSource::Json(f) => wanted(f),
                _ => None,
            },
        }
    }

    /// The body's id and event type found in one pass over the body (the top-level keys
    /// their pointers start with, then the rest of each pointer inside those values).
    /// `None` when that pass cannot decide (a pointer to the whole body, a duplicate key,
    /// a body that is not an object): the field-by-field reading then decides.
    fn json_fields_in_one_pass(&self, spec: &Spec) -> Option<JsonFields> {
        use crate::json::{self, Pointer};
        /// A pointer to a top-level key (`/id`: the common case, read without parsing the
        /// pointer) or any other, parsed.
        enum Path {
            Top(&'static str),
            Parsed(Pointer),
        }
        impl Path {
            fn new(p: &'static str) -> Option<Self> {
                match p.strip_prefix('/') {
                    Some(key) if !key.contains(['/', '~']) => Some(Self::Top(key)),
                    _ => Pointer::parse(p).ok().map(Self::Parsed),
                }
            }
            fn first(&self) -> Option<&str> {
                match self {
                    Self::Top(key) => Some(key),
                    Self::Parsed(p) => p.first(),
                }
            }
            fn rest(&self) -> &[String] {
                match self {
                    Self::Top(_) => &[],
                    Self::Parsed(p) => p.rest(),
                }
            }
        }
        let path = |p: Option<&'static str>| -> Option<Option<Path>> {
            match p {
                Some(p) => Path::new(p).map(Some),
                None => Some(None),
            }
        };
        let id = path(match spec.id {
            IdSource::Json(f) => Some(f),
            _ => None,
        })?;
        let event_type = path(match spec.event_type {
            EventTypeSource::Json(f) => Some(f),
            _ => None,
        })?;
        let mut keys: arrayvec::ArrayVec<&str, 2> = arrayvec::ArrayVec::new();
        for p in [&id, &event_type].into_iter().flatten() {
            let first = p.first()?;
            if !keys.contains(&first) {
                keys.push(first);
            }
        }
        let top = json::document_fields(self.body.as_ref(), &keys).ok()??;
        let wanted = |p: &Option<Path>| -> Option<Option<String>> {
            let Some(p) = p else { return Some(None) };
            let value = json::resolve(&keys, &top, p.first(), p.rest()).ok()?;
            Some(value.and_then(json::scalar_text))
        };
        Some(JsonFields {
            id: wanted(&id)?,
            event_type: wanted(&event_type)?,
        })
    }
}

impl<B: Body> fmt::Debug for Verified<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("provider", &self.provider.name())
            .field("id", &self.id())
            .field("timestamp", &self.timestamp)
            .field("event_type", &self.event_type())
            .field("key", &self.key)
            .field("body_len", &self.body.as_ref().len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SignOptions, Signer, Verifier};

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// The one-pass reading of a body's id and type finds what following each pointer on
        /// its own finds, or defers to it.
        #[test]
        fn one_pass_fields_agree_with_one_by_one(
            fields in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["id", "type", "event_id", "event_type", "event", "x"]),
                    proptest::sample::select(vec![
                        r#""a""#, "7", "null", "[1]", r#"{"type":"t","id":"i"}"#,
                        r#"{"type":"t","type":"u"}"#, r#""\u00e9""#, "-1.5",
                    ]),
                ),
                0..6,
            )
        ) {
            let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let body = format!("{{{}}}", body.join(","));
            for provider in [Provider::STRIPE, Provider::SLACK, Provider::PADDLE, Provider::STANDARD_WEBHOOKS] {
                let spec = provider.spec();
                let v = Verified {
                    provider: provider.clone(),
                    spec_is_alternate: false,
                    header_id: None,
                    id_signed: false,
                    timestamp: None,
                    header_event_type: None,
                    key: MatchedKey { index: 0, id: None },
                    body: body.as_bytes(),
                    received_at: 0,
                    signature: SigBytes::new(),
                    json: JsonCell::new(),
                    unverified: None,
                    tenant: None,
                };
                let slow = v.json_fields_one_by_one(spec);
                if let Some(fast) = v.json_fields_in_one_pass(spec) {
                    proptest::prop_assert_eq!(fast.id, slow.id);
                    proptest::prop_assert_eq!(fast.event_type, slow.event_type);
                }
            }
        }
    }

    /// Verification keeps the body it was given: a borrowed body is not copied (the
    /// result points at the caller's bytes) and an owned one is shared, not copied.
    #[test]
    fn bodies_are_never_copied() {
        let provider = Provider::STANDARD_WEBHOOKS;
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let text = String::from(r#"{"type":"a.b","data":{}}"#);
        let headers = Signer::new(&provider, secret)
            .unwrap()
            .sign(text.as_bytes(), &SignOptions::new().id("msg_1"))
            .unwrap();
        let verifier = Verifier::new(provider, secret).unwrap();

        let from_str: Verified<&[u8]> = verifier.verify(&Delivery::new(&headers, &*text)).unwrap();
        assert!(core::ptr::eq(from_str.body(), text.as_bytes()));
        let bytes = text.as_bytes().to_vec();
        let from_vec_ref = verifier.verify(&Delivery::new(&headers, &bytes)).unwrap();
        assert!(core::ptr::eq(from_vec_ref.body(), &bytes[..]));
        assert_eq!(from_vec_ref.id(), Some("msg_1"));
        assert_eq!(from_vec_ref.event_type(), Some("a.b"));

        let shared = Bytes::from(bytes.clone());
        let owned: Verified = verifier.verify(&Delivery::new(&headers, &shared)).unwrap();
        assert_eq!(owned.body().as_ptr(), shared.as_ptr());
        let from_vec: Verified = verifier.verify(&Delivery::new(&headers, bytes)).unwrap();
        assert_eq!(from_vec.body().as_ref(), text.as_bytes());

        // Owning a borrowed result copies once; owning an owned one does not.
        let copied = from_str.clone().into_owned();
        assert_eq!(copied.body().as_ref(), text.as_bytes());
        assert_eq!(copied.replay_key(), from_str.replay_key());
        assert_eq!(owned.clone().into_owned().body().as_ptr(), shared.as_ptr());
        // A tampered borrowed body fails like an owned one.
        let tampered = text.replace("a.b", "a.c");
        assert!(
            verifier
                .verify(&Delivery::new(&headers, &*tampered))
                .is_err()
        );
        assert!(verifier.verify(&Delivery::new(&headers, tampered)).is_err());
    }
}
