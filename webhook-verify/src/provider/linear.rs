//! Linear: `Linear-Signature: <hex HMAC-SHA256>` over the body; the freshness check reads
//! the signed body's `webhookTimestamp` (milliseconds).
//!
//! Source: Linear's SDK, `linear/linear` `packages/sdk/src/webhooks/client.ts` and its tests.

use alloc::borrow::Cow;
use core::time::Duration;

use super::hmac::BODY;
use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

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
