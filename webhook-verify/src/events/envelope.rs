//! Where each payload shape keeps its event type, action, id and data.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::{Event, PayloadError};
use crate::json::{self, Pointer};
use crate::{Body, Error, Provider, Verified};

/// Where a payload shape keeps the event type, the action, the event id and the data.
///
/// Each built-in shape has a constructor, and [`Envelope::for_provider`] picks the one a
/// provider sends; [`Envelope::json_pointer`] describes any other JSON shape.
///
/// | shape | event type | action | id | data |
/// |---|---|---|---|---|
/// | [`standard_webhooks`](Self::standard_webhooks) (Svix, Clerk, Resend) | `type` | | `webhook-id` header | `data` |
/// | [`stripe`](Self::stripe) | `type` | | `id` | `data.object` |
/// | [`github`](Self::github) | `X-GitHub-Event` header | `action` | `X-GitHub-Delivery` header | the whole body |
/// | [`slack`](Self::slack) | `event.type` (or `type` outside `event_callback`) | `event.subtype` | `event_id` | `event` (or the whole body) |
/// | [`shopify`](Self::shopify) | `X-Shopify-Topic` header | | `X-Shopify-Webhook-Id` header | the whole body |
/// | [`paddle`](Self::paddle) | `event_type` | | `event_id` | `data` |
/// | [`json_pointer`](Self::json_pointer) | the pointer given | optional | optional | optional |
///
/// An event's [name](Event::name) is its type, followed by `.` and the action when there is
/// one (`issues.opened`); routes match names.
///
/// ```
/// use webhook_verify::{Envelope, Provider};
///
/// let envelope = Envelope::for_provider(&Provider::STRIPE);
/// assert_eq!(envelope, Envelope::stripe());
///
/// // Discord's webhook events keep their type and data under `event`.
/// let discord = Envelope::json_pointer("/event/type")?.with_data_at("/event/data")?;
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    shape: &'static str,
    event_type: TypeSource,
    action: Option<Pointer>,
    id: IdSource,
    data: Pointer,
    slack: bool,
}

#[derive(Clone, PartialEq, Eq)]
enum TypeSource {
    /// Wherever the provider's scheme says (a header such as `X-GitHub-Event`), as
    /// [`Verified::event_type`] reads it.
    Provider,
    Json(Pointer),
}

#[derive(Clone, PartialEq, Eq)]
enum IdSource {
    /// [`Verified::id`].
    Provider,
    Json(Pointer),
}

fn pointer(text: &str) -> Pointer {
    Pointer::parse(text).expect("built-in pointers are valid")
}

impl Envelope {
    /// Standard Webhooks, Svix, Clerk and Resend: `{"type", "timestamp", "data"}`; the id
    /// is the signed `webhook-id` header.
    #[must_use]
    pub fn standard_webhooks() -> Self {
        Self {
            shape: "standard-webhooks",
            event_type: TypeSource::Json(pointer("/type")),
            action: None,
            id: IdSource::Provider,
            data: pointer("/data"),
            slack: false,
        }
    }

    /// Stripe events: `{"id", "type", "created", "data": {"object"}}`; the data is
    /// `data.object` (the invoice, the payment intent, ...).
    #[must_use]
    pub fn stripe() -> Self {
        Self {
            shape: "stripe",
            event_type: TypeSource::Json(pointer("/type")),
            action: None,
            id: IdSource::Json(pointer("/id")),
            data: pointer("/data/object"),
            slack: false,
        }
    }

    /// GitHub: the type from `X-GitHub-Event`, the action from the body's `action`, the
    /// whole body as data.
    #[must_use]
    pub fn github() -> Self {
        Self {
            shape: "github",
            event_type: TypeSource::Provider,
            action: Some(pointer("/action")),
            id: IdSource::Provider,
            data: pointer(""),
            slack: false,
        }
    }

    /// Slack's Events API: for `event_callback` the inner `event.type` (`app_mention`)
    /// with `event.subtype` as the action and `event` as data; otherwise the outer `type`
    /// (`url_verification`, `app_rate_limited`) and the whole body. The receive path (and
    /// the router) answer `url_verification` challenges before any envelope is read.
    #[must_use]
    pub fn slack() -> Self {
        Self {
            shape: "slack",
            event_type: TypeSource::Json(pointer("/type")),
            action: None,
            id: IdSource::Json(pointer("/event_id")),
            data: pointer(""),
            slack: true,
        }
    }

    /// Shopify: the topic from `X-Shopify-Topic` (`orders/create`), the whole body as data.
    #[must_use]
    pub fn shopify() -> Self {
        Self {
            shape: "shopify",
            event_type: TypeSource::Provider,
            action: None,
            id: IdSource::Provider,
            data: pointer(""),
            slack: false,
        }
    }

    /// Paddle Billing: `{"event_id", "event_type", "occurred_at", "data"}`.
    #[must_use]
    pub fn paddle() -> Self {
        Self {
            shape: "paddle",
            event_type: TypeSource::Json(pointer("/event_type")),
            action: None,
            id: IdSource::Json(pointer("/event_id")),
            data: pointer("/data"),
            slack: false,
        }
    }

    /// Any JSON payload whose event type is the string (or number) at `type_pointer`, an
    /// RFC 6901 JSON pointer such as `/event/type`. The data is the whole body and the id
    /// is [`Verified::id`] until set otherwise.
    ///
    /// # Errors
    ///
    /// [`Error`] (a configuration error) when the pointer is not valid.
    pub fn json_pointer(type_pointer: &str) -> Result<Self, Error> {
        Ok(Self {
            shape: "json-pointer",
            event_type: TypeSource::Json(parse(type_pointer)?),
            action: None,
            id: IdSource::Provider,
            data: pointer(""),
            slack: false,
        })
    }

    /// The shape a provider sends: Standard Webhooks for `standard`, `svix`, `clerk` and
    /// `resend`; Stripe, GitHub, Slack, Shopify and Paddle their own; for every other
    /// provider, the event type where the provider's scheme says
    /// ([`Verified::event_type`]) and the whole body as data.
    #[must_use]
    pub fn for_provider(provider: &Provider) -> Self {
        match provider.name() {
            "standard" | "svix" | "clerk" | "resend" => Self::standard_webhooks(),
            "stripe" => Self::stripe(),
            "github" | "github-sha1" => Self::github(),
            "slack" => Self::slack(),
            "shopify" => Self::shopify(),
            "paddle" => Self::paddle(),
            _ => Self {
                shape: "provider",
                event_type: TypeSource::Provider,
                action: None,
                id: IdSource::Provider,
                data: pointer(""),
                slack: false,
            },
        }
    }

    /// Reads the data from this JSON pointer instead (empty: the whole body).
    ///
    /// # Errors
    ///
    /// [`Error`] when the pointer is not valid.
    pub fn with_data_at(mut self, data_pointer: &str) -> Result<Self, Error> {
        self.data = parse(data_pointer)?;
        Ok(self)
    }

    /// Reads an action (a string) from this JSON pointer; the event's name becomes
    /// `type.action`.
    ///
    /// # Errors
    ///
    /// [`Error`] when the pointer is not valid.
    pub fn with_action_at(mut self, action_pointer: &str) -> Result<Self, Error> {
        self.action = Some(parse(action_pointer)?);
        Ok(self)
    }

    /// Reads the event id from this JSON pointer instead of [`Verified::id`].
    ///
    /// # Errors
    ///
    /// [`Error`] when the pointer is not valid.
    pub fn with_id_at(mut self, id_pointer: &str) -> Result<Self, Error> {
        self.id = IdSource::Json(parse(id_pointer)?);
        Ok(self)
    }

    /// Parses a verified delivery as an event whose data is a `T`.
    ///
    /// Unknown fields are ignored (unless `T` says otherwise), so a provider adding fields
    /// breaks nothing. Parse as `Event<serde_json::Value>` to accept any data.
    ///
    /// ```
    /// use serde::Deserialize;
    /// use webhook_verify::{Envelope, Provider, Signer, SignOptions, Verifier, Delivery, FixedClock};
    ///
    /// #[derive(Deserialize)]
    /// struct Invoice { id: String, amount_paid: u64 }
    ///
    /// let body = r#"{"id":"evt_1","type":"invoice.paid","data":{"object":{"id":"in_1","amount_paid":500,"new_field":true}}}"#;
    /// # let signer = Signer::new(&Provider::STRIPE, "whsec_test")?;
    /// # let headers = signer.sign(body.as_bytes(), &SignOptions::new().timestamp(1_700_000_000))?;
    /// # let verifier = Verifier::builder(Provider::STRIPE).secret("whsec_test").clock(FixedClock::from_unix(1_700_000_000)).build()?;
    /// # let verified = verifier.verify(&Delivery::new(&headers, body))?;
    /// let event = Envelope::stripe().parse::<Invoice>(&verified)?;
    /// assert_eq!(event.name(), "invoice.paid");
    /// assert_eq!(event.id(), Some("evt_1"));
    /// assert_eq!(event.data().amount_paid, 500);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`PayloadError`] when the body is not JSON, has no event type, or its data does not
    /// match `T` (with the path of the field that did not).
    ///
    /// The body is read once: the envelope's fields are picked up while `T` is parsed from
    /// its place (unless a field lies inside the data, as Slack's event type does, or the
    /// data is the whole body and the type is in it: then the fields are found first).
    ///
    /// The event owns the body: a delivery verified from a borrowed body is copied once
    /// here; [`parse_borrowed`](Self::parse_borrowed) borrows it instead.
    pub fn parse<T: DeserializeOwned>(
        &self,
        verified: &Verified<impl Body>,
    ) -> Result<Event<T>, PayloadError> {
        self.parse_any(verified, |v| v.clone().into_owned())
    }

    /// [`parse`](Self::parse) for a delivery verified from a borrowed body: the event
    /// borrows the body too, nothing is copied.
    ///
    /// ```
    /// use serde::Deserialize;
    /// use webhook_verify::{verify, Envelope, Provider};
    ///
    /// #[derive(Deserialize)]
    /// struct Issue { number: u64 }
    ///
    /// let body: &[u8] = br#"{"action":"opened","issue":{"number":7}}"#;
    /// # let headers = webhook_verify::Signer::new(&Provider::GITHUB, "s")?.sign(body, &Default::default())?;
    /// # let mut headers = headers; headers.push(("X-GitHub-Event".into(), "issues".into()));
    /// let verified = verify(&Provider::GITHUB, "s", &headers, body)?;
    /// let event = Envelope::github().with_data_at("/issue")?.parse_borrowed::<Issue>(&verified)?;
    /// assert_eq!((event.name(), event.data().number), ("issues.opened", 7));
    /// assert_eq!(event.raw_body(), &body);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse).
    pub fn parse_borrowed<'a, T: DeserializeOwned>(
        &self,
        verified: &Verified<&'a [u8]>,
    ) -> Result<Event<T, &'a [u8]>, PayloadError> {
        self.parse_any(verified, Verified::clone)
    }

    /// The event, with `keep(verified)` in it.
    fn parse_any<T: DeserializeOwned, B: Body, K>(
        &self,
        verified: &Verified<B>,
        keep: impl Fn(&Verified<B>) -> Verified<K> + Copy,
    ) -> Result<Event<T, K>, PayloadError> {
        if let Some(event) = self.parse_in_one_pass(verified, keep) {
            return event;
        }
        // The general path, which also explains every failure.
        let meta = self.read(verified)?;
        meta.to_event_with(verified, keep)
    }

    /// The event when it can be parsed in one pass and parses; `None` otherwise (the general
    /// path then parses again and says what is wrong).
    fn parse_in_one_pass<T: DeserializeOwned, B: Body, K>(
        &self,
        verified: &Verified<B>,
        keep: impl Fn(&Verified<B>) -> Verified<K> + Copy,
    ) -> Option<Result<Event<T, K>, PayloadError>> {
        if self.slack {
            return None;
        }
        let body = verified.body_bytes();
        let mut keys: arrayvec::ArrayVec<&str, 3> = arrayvec::ArrayVec::new();
        let captures = [
            match &self.event_type {
                TypeSource::Json(p) => Some(p),
                TypeSource::Provider => None,
            },
            match &self.id {
                IdSource::Json(p) => Some(p),
                IdSource::Provider => None,
            },
            self.action.as_ref(),
        ];
        for p in captures.iter().flatten() {
            // A field that is the whole body or lies inside the data needs the general path.
            let first = p.first()?;
            if Some(first) == self.data.first() {
                return None;
            }
            if !keys.contains(&first) {
                keys.push(first);
            }
        }
        let (top, data): ([Option<&RawValue>; 3], Option<T>) = match self.data.first() {
            Some(first) => {
                json::document_fields_and_data(body, &keys, first, self.data.rest()).ok()?
            }
            None if keys.is_empty() => ([None; 3], Some(serde_json::from_slice(body).ok()?)),
            None => return None,
        };
        let data = match data {
            Some(data) => data,
            None => serde_json::from_slice(b"null").ok()?,
        };
        let resolve = |p: &Pointer| json::resolve(&keys, &top, p.first(), p.rest()).ok();
        let event_type = match &self.event_type {
            TypeSource::Provider => verified.event_type().map(str::to_owned),
            TypeSource::Json(p) => resolve(p)?.and_then(json::scalar_text),
        }?;
        let action = match &self.action {
            Some(p) => resolve(p)?.and_then(json::string_text),
            None => None,
        };
        let id = match &self.id {
            IdSource::Provider => verified.id().map(str::to_owned),
            IdSource::Json(p) => resolve(p)?.and_then(json::scalar_text),
        };
        Some(Ok(Event {
            name: event_name(&event_type, action.as_deref()),
            event_type,
            action,
            id,
            data,
            verified: keep(verified),
        }))
    }

    /// Reads the envelope's fields without parsing the data: one pass over the top level
    /// of the body, then only into the values the pointers lead to.
    pub(crate) fn read<'a, B: Body>(
        &'a self,
        verified: &'a Verified<B>,
    ) -> Result<Meta<'a>, PayloadError> {
        let body = verified.body_bytes();
        let missing = |what: &str| PayloadError::envelope(verified, None, what.to_owned());
        let not_json = |e: serde_json::Error| PayloadError::not_json(verified, &e);

        let mut wanted: Vec<&Pointer> = Vec::with_capacity(4);
        if let TypeSource::Json(p) = &self.event_type {
            wanted.push(p);
        }
        if let IdSource::Json(p) = &self.id {
            wanted.push(p);
        }
        wanted.extend(self.action.as_ref());
        wanted.push(&self.data);
        let mut keys: Vec<&str> = Vec::with_capacity(wanted.len() + 2);
        for p in &wanted {
            if let Some(first) = p.first() {
                if !keys.contains(&first) {
                    keys.push(first);
                }
            }
        }
        if self.slack && !keys.contains(&"event") {
            keys.push("event");
        }
        let top = json::document_fields(body, &keys)
            .map_err(not_json)?
            .ok_or_else(|| missing("the body is not a JSON object"))?;
        let top_value = |key: &str| keys.iter().position(|k| *k == key).and_then(|i| top[i]);
        let resolve = |p: &Pointer| -> Result<Option<&'a RawValue>, PayloadError> {
            json::resolve(&keys, &top, p.first(), p.rest()).map_err(not_json)
        };

        let outer_type = match &self.event_type {
            TypeSource::Provider => verified.event_type().map(str::to_owned),
            TypeSource::Json(p) => resolve(p)?.and_then(json::scalar_text),
        };
        let Some(mut event_type) = outer_type else {
            return Err(missing(&match &self.event_type {
                TypeSource::Provider => "no event type header".to_owned(),
                TypeSource::Json(p) => format!("no event type at {}", p.as_str()),
            }));
        };
        let mut action = match &self.action {
            Some(p) => resolve(p)?.and_then(json::string_text),
            None => None,
        };
        // The whole body is parsed straight from the bytes; anything else from its value.
        let mut data = match self.data.first() {
            Some(first) => Data::At(top_value(first), self.data.rest()),
            None => Data::Body(body),
        };
        let mut data_path = self.data.dotted();
        if self.slack && event_type == "event_callback" {
            let event =
                top_value("event").ok_or_else(|| missing("an event_callback without `event`"))?;
            let inner = json::fields(event, &["type", "subtype"]).map_err(not_json)?;
            event_type = inner[0]
                .and_then(json::string_text)
                .ok_or_else(|| missing("no event type at /event/type"))?;
            action = inner[1].and_then(json::string_text);
            data = Data::At(Some(event), &[]);
            data_path = "event".to_owned();
        }
        let id = match &self.id {
            IdSource::Provider => verified.id().map(str::to_owned),
            IdSource::Json(p) => resolve(p)?.and_then(json::scalar_text),
        };
        Ok(Meta {
            event_type,
            action,
            id,
            data,
            data_path,
        })
    }
}

/// An event's name when it differs from its type: `type.action`.
fn event_name(event_type: &str, action: Option<&str>) -> Option<String> {
    action.map(|a| format!("{event_type}.{a}"))
}

fn parse(text: &str) -> Result<Pointer, Error> {
    Pointer::parse(text).map_err(Error::config)
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Envelope");
        d.field("shape", &self.shape);
        match &self.event_type {
            TypeSource::Provider => d.field("event_type", &"provider"),
            TypeSource::Json(p) => d.field("event_type", p),
        };
        d.field("action", &self.action);
        match &self.id {
            IdSource::Provider => d.field("id", &"provider"),
            IdSource::Json(p) => d.field("id", p),
        };
        d.field("data", &self.data).finish()
    }
}

/// Where an event's data is.
#[derive(Clone, Copy)]
pub(crate) enum Data<'a> {
    /// The whole body (checked to be a JSON object).
    Body(&'a [u8]),
    /// A top-level value (`None` when absent), and the rest of the pointer below it: the
    /// data is found while it is parsed; where the pointer leads nowhere it is `null`.
    At(Option<&'a RawValue>, &'a [String]),
}

/// An envelope's fields, read; the data still raw.
pub(crate) struct Meta<'a> {
    pub(crate) event_type: String,
    pub(crate) action: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) data: Data<'a>,
    /// The data's place in the body, dotted (`data.object`), for error paths.
    pub(crate) data_path: String,
}

impl Meta<'_> {
    /// The event's name: its type, and `.action` when there is one.
    pub(crate) fn name(&self) -> String {
        event_name(&self.event_type, self.action.as_deref())
            .unwrap_or_else(|| self.event_type.clone())
    }

    /// Parses the data as `T` into an [`Event`].
    pub(crate) fn to_event<T: DeserializeOwned, B: Body>(
        &self,
        verified: &Verified<B>,
    ) -> Result<Event<T, B>, PayloadError> {
        self.to_event_with(verified, Verified::clone)
    }

    /// [`to_event`](Self::to_event) with `keep(verified)` in the event.
    pub(crate) fn to_event_with<T: DeserializeOwned, B: Body, K>(
        &self,
        verified: &Verified<B>,
        keep: impl Fn(&Verified<B>) -> Verified<K> + Copy,
    ) -> Result<Event<T, K>, PayloadError> {
        // Without tracking the path first (tracking slows serde down); again with it, to
        // say where, when the data does not parse.
        let fast = match self.data {
            Data::Body(body) => serde_json::from_slice::<T>(body).ok(),
            Data::At(Some(value), rest) => json::parse_untracked::<T>(value.get().as_bytes(), rest),
            Data::At(None, _) => serde_json::from_slice::<T>(b"null").ok(),
        };
        let data = match fast {
            Some(data) => data,
            None => self.parse_tracked(verified)?,
        };
        Ok(Event {
            name: event_name(&self.event_type, self.action.as_deref()),
            event_type: self.event_type.clone(),
            action: self.action.clone(),
            id: self.id.clone(),
            data,
            verified: keep(verified),
        })
    }

    /// The data parsed again, tracking the path, to say where it does not match `T`.
    fn parse_tracked<T: DeserializeOwned, B: Body>(
        &self,
        verified: &Verified<B>,
    ) -> Result<T, PayloadError> {
        let parsed = match self.data {
            Data::Body(body) => json::parse_at::<T>(body, &[]),
            Data::At(Some(value), rest) => json::parse_at::<T>(value.get().as_bytes(), rest),
            Data::At(None, _) => json::parse_at::<T>(b"null", &[]),
        };
        parsed.map_err(|e| {
            let path = e.path().to_string();
            let path = match (self.data_path.is_empty(), path.as_str()) {
                (true, _) => path,
                (false, ".") => self.data_path.clone(),
                (false, p) if p.starts_with('[') => format!("{}{p}", self.data_path),
                (false, p) => format!("{}.{p}", self.data_path),
            };
            PayloadError::data(verified, self, path, e.into_inner())
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::{Delivery, FixedClock, SignOptions, Signer, Verifier};

    fn verified(provider: Provider, body: &[u8]) -> Verified {
        let headers = Signer::new(&provider, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap()
            .sign(
                body,
                &SignOptions::new().timestamp(1_700_000_000).id("msg_1"),
            )
            .unwrap();
        Verifier::builder(provider)
            .secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .clock(FixedClock::from_unix(1_700_000_000))
            .build()
            .unwrap()
            .verify(&Delivery::new(&headers, body.to_vec()))
            .unwrap()
    }

    /// What the general path (fields first, then the data) makes of a body.
    fn general<T: DeserializeOwned>(envelope: &Envelope, v: &Verified) -> Option<Event<T>> {
        envelope.read(v).ok()?.to_event(v).ok()
    }

    fn summary<T: serde::Serialize>(e: &Event<T>) -> (String, String, Option<String>, String) {
        (
            e.name().to_owned(),
            e.event_type.clone(),
            e.id.clone(),
            serde_json::to_string(&e.data).unwrap(),
        )
    }

    /// Values the envelopes' fields may hold, of every JSON kind.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(r#""evt_1""#.to_owned()),
            Just(r#""a.b""#.to_owned()),
            Just("12".to_owned()),
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just(r#"{"object":{"id":"x","n":1}}"#.to_owned()),
            Just(r#"{"object":{"id":"x","n":"1"}}"#.to_owned()),
            Just(r#"{"object":[1,2]}"#.to_owned()),
            Just(r#"{"object":{"id":"x","n":1},"object":{"id":"y","n":2}}"#.to_owned()),
            Just(r#"[{"object":1}]"#.to_owned()),
            Just(r#""\u00e9\"""#.to_owned()),
        ]
    }

    fn object() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("id"),
            Just("type"),
            Just("data"),
            Just("event_type"),
            Just("event_id"),
            Just("action"),
            Just("other"),
        ];
        prop::collection::vec((key, value()), 0..6).prop_map(|fields| {
            let fields: Vec<String> = fields
                .into_iter()
                .map(|(k, v)| format!("\"{k}\":{v}"))
                .collect();
            format!("{{{}}}", fields.join(","))
        })
    }

    #[derive(Debug, serde::Deserialize, serde::Serialize, PartialEq)]
    struct Object {
        id: String,
        n: u32,
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The one-pass parse gives exactly what the general path gives, and nothing where
        /// the general path refuses the body.
        #[test]
        fn one_pass_parse_agrees_with_the_general_path(body in object()) {
            let cases = [
                (Provider::STRIPE, Envelope::stripe()),
                (Provider::STANDARD_WEBHOOKS, Envelope::standard_webhooks()),
                (Provider::PADDLE, Envelope::paddle()),
                (Provider::STANDARD_WEBHOOKS, Envelope::json_pointer("/type").unwrap()),
                (
                    Provider::STANDARD_WEBHOOKS,
                    Envelope::standard_webhooks().with_action_at("/action").unwrap(),
                ),
            ];
            for (provider, envelope) in cases {
                let v = verified(provider, body.as_bytes());
                let fast = envelope.parse_in_one_pass::<Value, _, _>(&v, Verified::clone).and_then(Result::ok);
                let slow = general::<Value>(&envelope, &v);
                if let Some(fast) = &fast {
                    let slow = slow.as_ref().expect("the general path accepts it too");
                    prop_assert_eq!(summary(fast), summary(slow));
                }
                let fast = envelope.parse_in_one_pass::<Option<Object>, _, _>(&v, Verified::clone).and_then(Result::ok);
                let slow = general::<Option<Object>>(&envelope, &v);
                if let Some(fast) = &fast {
                    let slow = slow.as_ref().expect("the general path accepts it too");
                    prop_assert_eq!(summary(fast), summary(slow));
                }
                // Whatever path is taken, `parse` answers as the general path does.
                let parsed = envelope.parse::<Value>(&v).map(|e| summary(&e)).ok();
                prop_assert_eq!(parsed, general::<Value>(&envelope, &v).map(|e| summary(&e)));
            }
        }
    }

    #[test]
    fn stripe_events_take_the_one_pass_path_and_borrowed_ones_stay_borrowed() {
        let body =
            br#"{"id":"evt_1","data":{"object":{"id":"cus_1","n":3}},"type":"customer.created"}"#;
        let v = verified(Provider::STRIPE, body);
        let event = Envelope::stripe()
            .parse_in_one_pass::<Object, _, _>(&v, Verified::clone)
            .expect("one pass")
            .expect("parsed");
        assert_eq!(
            (event.name(), event.id(), event.data()),
            (
                "customer.created",
                Some("evt_1"),
                &Object {
                    id: "cus_1".into(),
                    n: 3
                }
            )
        );
        let headers = Signer::new(&Provider::STRIPE, "whsec_x")
            .unwrap()
            .sign(body, &SignOptions::new().timestamp(1_700_000_000))
            .unwrap();
        let borrowed = Verifier::builder(Provider::STRIPE)
            .secret("whsec_x")
            .clock(FixedClock::from_unix(1_700_000_000))
            .build()
            .unwrap()
            .verify(&Delivery::new(&headers, &body[..]))
            .unwrap();
        let event = Envelope::stripe()
            .parse_borrowed::<Object>(&borrowed)
            .unwrap();
        assert!(std::ptr::eq(*event.raw_body(), &body[..]));
        // A data error still names the field, from the general path.
        let bad = verified(
            Provider::STRIPE,
            br#"{"id":"evt_1","type":"t","data":{"object":{"id":"c","n":"3"}}}"#,
        );
        let err = Envelope::stripe().parse::<Object>(&bad).unwrap_err();
        assert_eq!(err.path(), Some("data.object.n"));
    }
}
