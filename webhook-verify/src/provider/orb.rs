//! Orb: `X-Orb-Signature: v1=<hex HMAC-SHA256>[ v1=…]` over `v1:{X-Orb-Timestamp}:{body}`,
//! keyed by the webhook secret's UTF-8 bytes; the timestamp is ISO 8601 in UTC, without an
//! offset (`2024-03-27T15:42:29.551`); ±300 s.
//!
//! Source: Orb's Node library, `orbcorp/orb-node` `src/resources/webhooks.ts`
//! (`verifySignature`) and its test vector in `tests/api-resources/webhooks.test.ts`.

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part,
    SigFormat, Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static ORB: Spec = Spec {
    name: name("orb"),
    names: Names {
        signature: name("x-orb-signature"),
        timestamp: Some(name("x-orb-timestamp")),
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    // Space-separated, as the library splits them; other versions are skipped.
    signature: SigFormat::List {
        separator: b' ',
        prefix: "v1=",
        encoding: Encoding::Hex,
    },
    message: Message::Template(Cow::Borrowed(&[
        lit("v1:"),
        Part::Timestamp,
        lit(":"),
        Part::Body,
    ])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::Rfc3339OrUtc,
    tolerance: Tolerance::both(FIVE_MINUTES),
    id: IdSource::Json("/id"),
    event_type: EventTypeSource::Json("/type"),
};
