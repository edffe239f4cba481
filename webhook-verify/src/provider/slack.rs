//! Slack request signing: `X-Slack-Signature: v0=<hex>` over `v0:{timestamp}:{body}`.

use std::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part,
    SigFormat, Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static SLACK: Spec = Spec {
    name: name("slack"),
    names: Names {
        signature: name("x-slack-signature"),
        timestamp: Some(name("x-slack-request-timestamp")),
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name("v0="),
        encoding: Encoding::Hex,
    },
    message: Message::Template(Cow::Borrowed(&[
        lit("v0:"),
        Part::Timestamp,
        lit(":"),
        Part::Body,
    ])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::both(FIVE_MINUTES),
    id: IdSource::None,
    event_type: EventTypeSource::Json("/type"),
};
