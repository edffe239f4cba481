//! A parsed event, drift-tolerant enums, and what went wrong when a payload did not parse.

use std::fmt;

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::envelope::Meta;
use crate::{Body, Verified};

/// A verified delivery parsed through its [`Envelope`](crate::Envelope): the event type,
/// action and id, the data as a `T`, and the [`Verified`] delivery it came from (raw body,
/// provider, timestamp, matched key).
///
/// `T` defaults to `serde_json::Value`, which accepts any data: that is what unknown
/// event types are delivered as.
#[derive(Clone)]
pub struct Event<T = serde_json::Value, B = Bytes> {
    /// `type.action` when there is an action (else the name is the type).
    pub(crate) name: Option<String>,
    pub(crate) event_type: String,
    pub(crate) action: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) data: T,
    pub(crate) verified: Verified<B>,
}

impl<T, B: Body> Event<T, B> {
    /// The event's name, which routes match: the type, followed by `.` and the action when
    /// there is one (`invoice.paid`, `issues.opened`, `orders/create`).
    #[must_use]
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.event_type)
    }

    /// The event type (`invoice.paid`, `issues`, `app_mention`).
    #[must_use]
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The action, for shapes that have one (GitHub's `action`, Slack's `event.subtype`).
    #[must_use]
    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// The event id (Stripe's `evt_…`, Standard Webhooks' `webhook-id`, GitHub's delivery
    /// GUID), when the payload has one.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The data.
    #[must_use]
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The data, mutable.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The data, owned.
    #[must_use]
    pub fn into_data(self) -> T {
        self.data
    }

    /// The verified delivery: provider, signed timestamp, matched key, raw body.
    #[must_use]
    pub fn verified(&self) -> &Verified<B> {
        &self.verified
    }

    /// The raw body, exactly as received and verified.
    #[must_use]
    pub fn raw_body(&self) -> &B {
        &self.verified.body
    }

    /// Splits into the data and the verified delivery.
    #[must_use]
    pub fn into_parts(self) -> (T, Verified<B>) {
        (self.data, self.verified)
    }
}

impl<T: fmt::Debug, B: Body> fmt::Debug for Event<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("name", &self.name())
            .field("id", &self.id)
            .field("provider", &self.verified.provider().name())
            .field("data", &self.data)
            .finish()
    }
}

/// A value that is one of the known `T`s, or any other string: for enums of actions,
/// statuses or types that the provider may extend, so a new value does not fail the
/// delivery.
///
/// ```
/// use serde::Deserialize;
/// use webhook_verify::OrOther;
///
/// #[derive(Debug, Deserialize, PartialEq)]
/// #[serde(rename_all = "snake_case")]
/// enum IssueAction { Opened, Closed }
///
/// #[derive(Deserialize)]
/// struct Issues { action: OrOther<IssueAction> }
///
/// let known: Issues = serde_json::from_str(r#"{"action":"opened"}"#)?;
/// assert_eq!(known.action, OrOther::Known(IssueAction::Opened));
/// let new: Issues = serde_json::from_str(r#"{"action":"pinned"}"#)?;
/// assert_eq!(new.action, OrOther::Other("pinned".into()));
/// assert_eq!(new.action.known(), None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrOther<T> {
    /// A value `T` knows.
    Known(T),
    /// Any other string.
    Other(String),
}

impl<T> OrOther<T> {
    /// The known value, if it is one.
    #[must_use]
    pub fn known(&self) -> Option<&T> {
        match self {
            Self::Known(t) => Some(t),
            Self::Other(_) => None,
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for OrOther<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::IntoDeserializer;
        let text = String::deserialize(deserializer)?;
        let as_known: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            text.as_str().into_deserializer();
        Ok(match T::deserialize(as_known) {
            Ok(known) => Self::Known(known),
            Err(_) => Self::Other(text),
        })
    }
}

impl<T: Serialize> Serialize for OrOther<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Known(t) => t.serialize(serializer),
            Self::Other(s) => serializer.serialize_str(s),
        }
    }
}

/// A verified delivery whose payload did not parse: not JSON, no event type, or data that
/// no longer matches the handler's type (the provider changed a field).
///
/// It keeps the raw body, the event type when it was read, and the parse error with the
/// path of the field that failed (`data.object.amount_paid`). The raw body is in the
/// value, not in its `Display`.
///
/// ```
/// use serde::Deserialize;
/// use webhook_verify::{Envelope, Provider, Signer, SignOptions, Verifier, Delivery, FixedClock};
///
/// #[derive(Debug, Deserialize)]
/// struct Invoice { amount_paid: u64 }
///
/// let body = r#"{"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":"500"}}}"#;
/// # let signer = Signer::new(&Provider::STRIPE, "whsec_test")?;
/// # let headers = signer.sign(body.as_bytes(), &SignOptions::new().timestamp(1_700_000_000))?;
/// # let verifier = Verifier::builder(Provider::STRIPE).secret("whsec_test").clock(FixedClock::from_unix(1_700_000_000)).build()?;
/// # let verified = verifier.verify(&Delivery::new(&headers, body))?;
/// let err = Envelope::stripe().parse::<Invoice>(&verified).unwrap_err();
/// assert_eq!(err.event_type(), Some("invoice.paid"));
/// assert_eq!(err.path(), Some("data.object.amount_paid"));
/// assert_eq!(err.raw_body().as_ref(), body.as_bytes());
/// assert!(err.to_string().starts_with("invoice.paid: data.object.amount_paid: invalid type"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PayloadError {
    inner: Box<PayloadErrorInner>,
}

#[derive(Clone)]
struct PayloadErrorInner {
    kind: PayloadErrorKind,
    event_name: Option<String>,
    event_type: Option<String>,
    id: Option<String>,
    path: Option<String>,
    message: String,
    body: Bytes,
}

/// What kind of [`PayloadError`] happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadErrorKind {
    /// The body is not JSON.
    NotJson,
    /// The body is JSON but the envelope's fields are missing (no event type).
    Envelope,
    /// The data does not match the handler's type.
    Data,
}

impl PayloadError {
    fn new(inner: PayloadErrorInner) -> Self {
        Self {
            inner: Box::new(inner),
        }
    }

    pub(crate) fn not_json<B: Body>(verified: &Verified<B>, error: &serde_json::Error) -> Self {
        Self::new(PayloadErrorInner {
            kind: PayloadErrorKind::NotJson,
            event_name: None,
            event_type: verified.event_type_from_header(),
            id: None,
            path: None,
            message: format!("body is not JSON: {error}"),
            body: verified.body.clone().into_bytes(),
        })
    }

    pub(crate) fn envelope<B: Body>(
        verified: &Verified<B>,
        event_type: Option<String>,
        what: String,
    ) -> Self {
        Self::new(PayloadErrorInner {
            kind: PayloadErrorKind::Envelope,
            event_name: None,
            event_type,
            id: None,
            path: None,
            message: what,
            body: verified.body.clone().into_bytes(),
        })
    }

    pub(crate) fn data<B: Body>(
        verified: &Verified<B>,
        meta: &Meta<'_>,
        path: String,
        error: serde_json::Error,
    ) -> Self {
        Self::new(PayloadErrorInner {
            kind: PayloadErrorKind::Data,
            event_name: Some(meta.name()),
            event_type: Some(meta.event_type.clone()),
            id: meta.id.clone(),
            message: error.to_string(),
            path: Some(path),
            body: verified.body.clone().into_bytes(),
        })
    }

    /// What kind of error this is.
    #[must_use]
    pub fn kind(&self) -> PayloadErrorKind {
        self.inner.kind
    }

    /// The event type, when it could be read.
    #[must_use]
    pub fn event_type(&self) -> Option<&str> {
        self.inner.event_type.as_deref()
    }

    /// The event's name (type and action), when the envelope could be read.
    #[must_use]
    pub fn event_name(&self) -> Option<&str> {
        self.inner.event_name.as_deref()
    }

    /// The event id, when the envelope could be read.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }

    /// The path of the field that did not match, from the top of the body
    /// (`data.object.lines.data[0].amount`), for data errors.
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        self.inner.path.as_deref()
    }

    /// The parser's message, without the path.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The raw, verified body.
    #[must_use]
    pub fn raw_body(&self) -> &Bytes {
        &self.inner.body
    }

    /// The HTTP status for this error: 400 (`invalid payload`).
    #[must_use]
    pub const fn status(&self) -> u16 {
        400
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = self
            .inner
            .event_name
            .as_deref()
            .or(self.inner.event_type.as_deref())
        {
            write!(f, "{name}: ")?;
        }
        if let Some(path) = &self.inner.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayloadError")
            .field("kind", &self.inner.kind)
            .field("event_name", &self.inner.event_name)
            .field("path", &self.inner.path)
            .field("message", &self.inner.message)
            .field("body_len", &self.inner.body.len())
            .finish()
    }
}

impl std::error::Error for PayloadError {}
