//! A delivery as received, and what verification proved about it.

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::provider::{EventTypeSource, IdSource, Spec};
use crate::{Headers, Provider};

/// One received webhook request: its headers, its raw body and, for providers that sign it,
/// the URL it was sent to.
///
/// ```
/// use webhook_verify::Delivery;
/// let headers: &[(&str, &str)] = &[("X-Twilio-Signature", "…")];
/// let delivery = Delivery::new(&headers, &b"Digits=1234"[..])
///     .with_url("https://example.com/twilio?x=1");
/// assert_eq!(delivery.body().as_ref(), b"Digits=1234");
/// ```
pub struct Delivery<'a> {
    headers: &'a dyn Headers,
    body: Bytes,
    url: Option<&'a str>,
}

impl<'a> Delivery<'a> {
    /// A delivery with these headers and raw body bytes (exactly as received; never
    /// re-serialized). `Bytes` and `Vec<u8>` are taken without a copy; a `&[u8]` is copied.
    pub fn new(headers: &'a dyn Headers, body: impl IntoBody) -> Self {
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
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The URL, when one was given.
    #[must_use]
    pub fn url(&self) -> Option<&'a str> {
        self.url
    }
}

impl fmt::Debug for Delivery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("body_len", &self.body.len())
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Conversion into the body of a [`Delivery`]: `Bytes`, `Vec<u8>`, `String` and
/// `&'static` data without a copy, other slices with one.
pub trait IntoBody {
    /// Converts into `Bytes`.
    fn into_body(self) -> Bytes;
}

impl IntoBody for Bytes {
    fn into_body(self) -> Bytes {
        self
    }
}

impl IntoBody for &Bytes {
    fn into_body(self) -> Bytes {
        self.clone()
    }
}

impl IntoBody for Vec<u8> {
    fn into_body(self) -> Bytes {
        Bytes::from(self)
    }
}

impl IntoBody for String {
    fn into_body(self) -> Bytes {
        Bytes::from(self)
    }
}

impl IntoBody for &[u8] {
    fn into_body(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}

impl<const N: usize> IntoBody for &[u8; N] {
    fn into_body(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}

impl IntoBody for &str {
    fn into_body(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
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
pub struct Verified {
    pub(crate) provider: Provider,
    /// Whether the provider's alternate scheme verified the delivery.
    pub(crate) spec_is_alternate: bool,
    pub(crate) header_id: Option<crate::headers::HeaderText>,
    pub(crate) id_signed: bool,
    pub(crate) timestamp: Option<i64>,
    pub(crate) header_event_type: Option<crate::headers::HeaderText>,
    pub(crate) key: MatchedKey,
    pub(crate) body: Bytes,
    /// When the delivery was verified, in Unix milliseconds by the verifier's clock.
    pub(crate) received_at: i64,
    /// Replay material that only the key's holder can produce: the HMAC tag that matched,
    /// or for Adyen's classic notifications a digest of the signed item fields; empty for
    /// public-key signatures (malleable: never used) and token schemes. See
    /// [`replay_key`](Self::replay_key).
    pub(crate) signature: SigBytes,
    pub(crate) json: OnceLock<JsonFields>,
}

/// A matched signature, kept inline.
pub(crate) type SigBytes = arrayvec::ArrayVec<u8, 72>;

#[derive(Debug, Clone, Default)]
pub(crate) struct JsonFields {
    id: Option<String>,
    event_type: Option<String>,
}

impl Verified {
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
    /// - for GitLab's token, which signs nothing, `provider:body:` and a hash of the body.
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
            h.update(&self.body);
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

    /// Deserializes the verified body as JSON.
    ///
    /// # Errors
    ///
    /// The `serde_json` error when the body is not JSON of type `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    fn spec(&self) -> &Spec {
        let spec = self.provider.spec();
        match spec.alternate {
            Some(alt) if self.spec_is_alternate => alt,
            _ => spec,
        }
    }

    fn json_fields(&self) -> &JsonFields {
        self.json.get_or_init(|| {
            let spec = self.spec();
            let wants_json = matches!(spec.id, IdSource::Json(_))
                || matches!(spec.event_type, EventTypeSource::Json(_));
            // The fields are found by scanning the body, without building it as a value.
            let doc = if wants_json {
                crate::json::document(&self.body).ok()
            } else {
                None
            };
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
        })
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("provider", &self.provider.name())
            .field("id", &self.id())
            .field("timestamp", &self.timestamp)
            .field("event_type", &self.event_type())
            .field("key", &self.key)
            .field("body_len", &self.body.len())
            .finish()
    }
}
