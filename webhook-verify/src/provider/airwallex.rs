//! Airwallex: `x-signature: <hex HMAC-SHA256>` over `{x-timestamp}{body}` (no separator),
//! the timestamp in milliseconds, keyed with the webhook's secret.
//!
//! Airwallex asks receivers to refuse old timestamps and sets no window: ±300 s here, as
//! for Standard Webhooks. The timestamp and the body are joined with no separator, so a
//! body that starts with a digit is refused (its boundary with the timestamp would be
//! ambiguous); Airwallex's bodies are JSON objects.
//!
//! Source: Airwallex's docs, "Listen for webhook events" (delivery headers and checking
//! signatures), <https://www.airwallex.com/docs/developer-tools__listen-for-webhook-events>.

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part,
    SigFormat, Spec, TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) static AIRWALLEX: Spec = Spec {
    name: name("airwallex"),
    names: Names {
        signature: name("x-signature"),
        timestamp: Some(name("x-timestamp")),
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
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, Part::Body])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixMillis,
    tolerance: Tolerance::both(FIVE_MINUTES),
    id: IdSource::Json("/id"),
    event_type: EventTypeSource::Json("/name"),
};
