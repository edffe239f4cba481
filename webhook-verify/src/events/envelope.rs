//! Where each payload shape keeps its event type, action, id and data.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::{Event, PayloadError};
use crate::json::{self, Pointer};
use crate::{Error, Provider, Verified};

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
    /// (`url_verification`, `app_rate_limited`) and the whole body. The router answers
    /// `url_verification` challenges itself.
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
    pub fn parse<T: DeserializeOwned>(
        &self,
        verified: &Verified,
    ) -> Result<Event<T>, PayloadError> {
        let meta = self.read(verified)?;
        meta.to_event(verified)
    }

    /// Reads the envelope's fields without parsing the data: one pass over the top level
    /// of the body, then only into the values the pointers lead to.
    pub(crate) fn read<'a>(&'a self, verified: &'a Verified) -> Result<Meta<'a>, PayloadError> {
        let body = verified.body().as_ref();
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
        if self.slack {
            for key in ["event", "challenge"] {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        let top = json::document_fields(body, &keys)
            .map_err(not_json)?
            .ok_or_else(|| missing("the body is not a JSON object"))?;
        let top_value = |key: &str| keys.iter().position(|k| *k == key).and_then(|i| top[i]);
        let resolve = |p: &Pointer| -> Result<Option<&'a RawValue>, PayloadError> {
            match p.first().and_then(&top_value) {
                Some(v) => json::lookup(v, p.rest()).map_err(not_json),
                None => Ok(None),
            }
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
        let mut challenge = None;
        if self.slack {
            if event_type == "event_callback" {
                let event = top_value("event")
                    .ok_or_else(|| missing("an event_callback without `event`"))?;
                let inner = json::fields(event, &["type", "subtype"]).map_err(not_json)?;
                event_type = inner[0]
                    .and_then(json::string_text)
                    .ok_or_else(|| missing("no event type at /event/type"))?;
                action = inner[1].and_then(json::string_text);
                data = Data::At(Some(event), &[]);
                data_path = "event".to_owned();
            } else if event_type == "url_verification" {
                challenge = top_value("challenge").and_then(json::string_text);
            }
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
            challenge,
        })
    }
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
    /// Slack's `url_verification` challenge.
    pub(crate) challenge: Option<String>,
}

impl Meta<'_> {
    /// The event's name: its type, and `.action` when there is one.
    pub(crate) fn name(&self) -> String {
        match &self.action {
            Some(a) => format!("{}.{a}", self.event_type),
            None => self.event_type.clone(),
        }
    }

    /// Parses the data as `T` into an [`Event`].
    pub(crate) fn to_event<T: DeserializeOwned>(
        &self,
        verified: &Verified,
    ) -> Result<Event<T>, PayloadError> {
        let parsed = match self.data {
            Data::Body(body) => json::parse_at::<T>(body, &[]),
            Data::At(Some(value), rest) => json::parse_at::<T>(value.get().as_bytes(), rest),
            Data::At(None, _) => json::parse_at::<T>(b"null", &[]),
        };
        let data: T = parsed.map_err(|e| {
            let path = e.path().to_string();
            let path = match (self.data_path.is_empty(), path.as_str()) {
                (true, _) => path,
                (false, ".") => self.data_path.clone(),
                (false, p) if p.starts_with('[') => format!("{}{p}", self.data_path),
                (false, p) => format!("{}.{p}", self.data_path),
            };
            PayloadError::data(verified, self, path, e.into_inner())
        })?;
        Ok(Event {
            name: self.name(),
            event_type: self.event_type.clone(),
            action: self.action.clone(),
            id: self.id.clone(),
            data,
            verified: verified.clone(),
        })
    }
}
