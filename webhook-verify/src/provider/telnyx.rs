//! Telnyx (API v2 webhooks): Ed25519 `telnyx-signature-ed25519: <base64>` over
//! `{telnyx-timestamp}|{body}`; the secret is the account's public key in base64, as the
//! Mission Control portal shows it; ±300 s.
//!
//! Source: Telnyx's Node library, `team-telnyx/telnyx-node` `src/lib/webhooks.ts`
//! (`TelnyxWebhook.verify`) and `tests/webhooks.test.ts`.
//!
//! A signer takes the 32-byte Ed25519 seed in base64 (only Telnyx holds the real one).

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part,
    SigFormat, Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static TELNYX: Spec = Spec {
    name: name("telnyx"),
    names: Names {
        signature: name("telnyx-signature-ed25519"),
        timestamp: Some(name("telnyx-timestamp")),
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Ed25519Base64,
    algorithm: Algorithm::Ed25519,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Base64,
    },
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, lit("|"), Part::Body])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::both(FIVE_MINUTES),
    // The signed body's event id (`data.id`), the same on every retry.
    id: IdSource::Json("/data/id"),
    event_type: EventTypeSource::Json("/data/event_type"),
};
