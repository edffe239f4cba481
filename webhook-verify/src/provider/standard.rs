//! Standard Webhooks (`webhook-*` headers) and Svix (`svix-*`, falling back to `webhook-*`),
//! with Svix's users Clerk and Resend.

use std::borrow::Cow;

use super::{
    Algorithm, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part, SigFormat,
    Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

const SIGNED: &[Part] = &[Part::Id, lit("."), Part::Timestamp, lit("."), Part::Body];

const WEBHOOK_NAMES: Names = Names {
    signature: name("webhook-signature"),
    timestamp: Some(name("webhook-timestamp")),
    id: Some(name("webhook-id")),
};

const fn scheme(provider: &'static str, prefix: &'static str) -> Spec {
    let svix = prefix.len() == 4; // "svix"
    Spec {
        name: Cow::Borrowed(provider),
        names: if svix {
            Names {
                signature: name("svix-signature"),
                timestamp: Some(name("svix-timestamp")),
                id: Some(name("svix-id")),
            }
        } else {
            WEBHOOK_NAMES
        },
        fallback: if svix { Some(WEBHOOK_NAMES) } else { None },
        alternate: None,
        key: KeyForm::StandardWebhooks,
        algorithm: Algorithm::HmacSha256,
        signature: SigFormat::VersionedList,
        message: Message::Template(Cow::Borrowed(SIGNED)),
        timestamp: TimestampSource::Header,
        timestamp_format: TsFormat::UnixSeconds,
        tolerance: Tolerance::both(FIVE_MINUTES),
        id: IdSource::Header {
            name: if svix {
                name("svix-id")
            } else {
                name("webhook-id")
            },
            signed: true,
        },
        event_type: EventTypeSource::Json("/type"),
    }
}

pub(super) static STANDARD: Spec = scheme("standard", "webhook");
pub(super) static SVIX: Spec = scheme("svix", "svix");
pub(super) static CLERK: Spec = scheme("clerk", "svix");
pub(super) static RESEND: Spec = scheme("resend", "svix");
