//! Paddle Billing: `Paddle-Signature: ts=…;h1=…[;h1=…]` over `{ts}:{body}`.
//!
//! Source: Paddle's Node SDK, `PaddleHQ/paddle-node-sdk`
//! `src/notifications/helpers/webhooks-validator.ts`.

use alloc::borrow::Cow;
use core::time::Duration;

use super::{
    Algorithm, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static PADDLE: Spec = Spec {
    name: name("paddle"),
    names: Names {
        signature: name("paddle-signature"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::KeyValue {
        separator: b';',
        timestamp_key: "ts",
        signature_key: "h1",
    },
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, lit(":"), Part::Body])),
    timestamp: TimestampSource::SignatureHeader,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::past_only(Duration::from_secs(5)),
    id: IdSource::Json("/event_id"),
    event_type: EventTypeSource::Json("/event_type"),
};
