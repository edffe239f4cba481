//! Providers whose scheme is one HMAC header. Those signing the body (or URL and body)
//! without a timestamp are built with `simple`; the rest are spelled out.

use std::borrow::Cow;
use std::time::Duration;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) const BODY: &[Part] = &[Part::Body];

/// A one-header HMAC scheme without timestamp; the key is the secret text.
#[allow(clippy::too_many_arguments, reason = "one argument per scheme field")]
pub(super) const fn simple(
    provider: &'static str,
    header: &'static str,
    prefix: &'static str,
    encoding: Encoding,
    algorithm: Algorithm,
    signed: &'static [Part],
    id: IdSource,
    event_type: EventTypeSource,
) -> Spec {
    Spec {
        name: name(provider),
        names: Names {
            signature: name(header),
            timestamp: None,
            id: None,
        },
        fallback: None,
        alternate: None,
        key: KeyForm::Utf8,
        algorithm,
        signature: SigFormat::Single {
            prefix: name(prefix),
            encoding,
        },
        message: Message::Template(Cow::Borrowed(signed)),
        timestamp: TimestampSource::None,
        timestamp_format: TsFormat::UnixSeconds,
        tolerance: Tolerance::NONE,
        id,
        event_type,
    }
}

pub(super) static LINEAR: Spec = Spec {
    name: name("linear"),
    names: Names {
        signature: name("linear-signature"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Hex,
    },
    message: Message::Template(Cow::Borrowed(BODY)),
    // Inside the signed body, in milliseconds; checked after verification. Linear's SDK
    // prefers an unsigned `Linear-Timestamp` header when present; the signed field is used
    // here so that the freshness check cannot be defeated by editing a header.
    timestamp: TimestampSource::BodyJson("/webhookTimestamp"),
    timestamp_format: TsFormat::UnixMillis,
    tolerance: Tolerance::both(Duration::from_secs(60)),
    id: IdSource::Header {
        name: name("linear-delivery"),
        signed: false,
    },
    event_type: EventTypeSource::Json("/type"),
};

// Zoom documents no window; the same scheme as Slack's gets Slack's (±300 s). Zoom's
// payloads carry no event id (`event_ts` is a time, not unique): the replay key is the
// signed body without the timestamp.
pub(super) static ZOOM: Spec = super::slack::v0_scheme(
    "zoom",
    "x-zm-signature",
    "x-zm-request-timestamp",
    IdSource::None,
    "/event",
);

pub(super) static SQUARE: Spec = simple(
    "square",
    "x-square-hmacsha256-signature",
    "",
    Encoding::Base64,
    Algorithm::HmacSha256,
    &[Part::Url, Part::Body],
    IdSource::Json("/event_id"),
    EventTypeSource::Json("/type"),
);

pub(super) static INTERCOM: Spec = simple(
    "intercom",
    "x-hub-signature",
    "sha1=",
    Encoding::Hex,
    Algorithm::HmacSha1,
    BODY,
    IdSource::Json("/id"),
    EventTypeSource::Json("/topic"),
);

pub(super) static TYPEFORM: Spec = simple(
    "typeform",
    "typeform-signature",
    "sha256=",
    Encoding::Base64,
    Algorithm::HmacSha256,
    BODY,
    IdSource::Json("/event_id"),
    EventTypeSource::Json("/event_type"),
);

// Calendly's public docs give no window; three minutes is the commonly documented
// example. Change it with `VerifierBuilder::tolerance`.
pub(super) static CALENDLY: Spec = super::stripe::t_v1_scheme(
    "calendly",
    "calendly-webhook-signature",
    Tolerance::past_only(Duration::from_secs(180)),
    IdSource::None,
    "/event",
);

pub(super) static RAZORPAY: Spec = simple(
    "razorpay",
    "x-razorpay-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    IdSource::Header {
        name: name("x-razorpay-event-id"),
        signed: false,
    },
    EventTypeSource::Json("/event"),
);

pub(super) static LEMON_SQUEEZY: Spec = simple(
    "lemonsqueezy",
    "x-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    IdSource::None,
    EventTypeSource::Header(name("x-event-name")),
);
