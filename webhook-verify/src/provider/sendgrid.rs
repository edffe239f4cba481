//! SendGrid signed event webhook: ECDSA P-256 over timestamp ‖ body.
//!
//! Source: SendGrid's Node library, `sendgrid/sendgrid-nodejs`
//! `packages/eventwebhook/src/eventwebhook.js`.

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) static SENDGRID: Spec = Spec {
    name: name("sendgrid"),
    names: Names {
        signature: name("x-twilio-email-event-webhook-signature"),
        timestamp: Some(name("x-twilio-email-event-webhook-timestamp")),
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::P256Base64Der,
    algorithm: Algorithm::EcdsaP256Sha256,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Base64,
    },
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, Part::Body])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixSeconds,
    // SendGrid's library checks no age; set one on the builder if wanted.
    tolerance: Tolerance::NONE,
    id: IdSource::None,
    event_type: EventTypeSource::Json("/0/event"),
};
