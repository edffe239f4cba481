//! Stripe: `Stripe-Signature: t=…,v1=…[,v1=…][,v0=…]` over `{t}.{body}`.

use std::borrow::Cow;

use super::{
    Algorithm, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part, SigFormat,
    Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static STRIPE: Spec = Spec {
    name: name("stripe"),
    names: Names {
        signature: name("stripe-signature"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    // The whole `whsec_…` text is the key: it is not base64-decoded.
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::KeyValue {
        separator: b',',
        timestamp_key: "t",
        signature_key: "v1",
    },
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, lit("."), Part::Body])),
    timestamp: TimestampSource::SignatureHeader,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::past_only(FIVE_MINUTES),
    id: IdSource::Json("/id"),
    event_type: EventTypeSource::Json("/type"),
};
