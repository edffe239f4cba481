//! Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` (`v1,<base64>`
//! HMAC-SHA256 and `v1a,<base64>` Ed25519) over `{id}.{timestamp}.{body}`. The same scheme
//! under `svix-*` headers is Svix's (see `svix.rs`, and Svix's users `clerk.rs`,
//! `resend.rs`).
//!
//! Source: the Standard Webhooks specification v1.0.0 (standardwebhooks.com) and its
//! reference libraries.

use alloc::borrow::Cow;

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

pub(super) const fn scheme(provider: &'static str, prefix: &'static str) -> Spec {
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

/// A sender that signs with Standard Webhooks under the `webhook-*` headers, with its own
/// name, tolerance and event-type field (OpenAI, Replicate, Lithic, Brex).
pub(super) const fn sender(
    provider: &'static str,
    tolerance: Tolerance,
    event_type: EventTypeSource,
) -> Spec {
    Spec {
        name: Cow::Borrowed(provider),
        names: WEBHOOK_NAMES,
        fallback: None,
        alternate: None,
        key: KeyForm::StandardWebhooks,
        algorithm: Algorithm::HmacSha256,
        signature: SigFormat::VersionedList,
        message: Message::Template(Cow::Borrowed(SIGNED)),
        timestamp: TimestampSource::Header,
        timestamp_format: TsFormat::UnixSeconds,
        tolerance,
        id: IdSource::Header {
            name: name("webhook-id"),
            signed: true,
        },
        event_type,
    }
}
