//! Discord: Ed25519 `X-Signature-Ed25519: <hex>` over `{X-Signature-Timestamp}{body}`.
//!
//! Source: Discord's library, `discord/discord-interactions-js` `src/index.ts` (`verifyKey`).

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) static DISCORD: Spec = Spec {
    name: name("discord"),
    names: Names {
        signature: name("x-signature-ed25519"),
        timestamp: Some(name("x-signature-timestamp")),
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Ed25519Hex,
    algorithm: Algorithm::Ed25519,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Hex,
    },
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, Part::Body])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixSeconds,
    // Discord's own library checks no age; set one on the builder if wanted.
    tolerance: Tolerance::NONE,
    id: IdSource::Json("/id"),
    event_type: EventTypeSource::Json("/type"),
};
