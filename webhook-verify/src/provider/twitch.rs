//! Twitch EventSub: `sha256=<hex>` over message id ‖ timestamp ‖ body, RFC 3339 timestamps.
//!
//! Source: Twitch's EventSub docs and `twitchdev/twitch-cli`
//! `internal/events/trigger/forward_event.go`.

use alloc::borrow::Cow;
use core::time::Duration;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) static TWITCH: Spec = Spec {
    name: name("twitch"),
    names: Names {
        signature: name("twitch-eventsub-message-signature"),
        timestamp: Some(name("twitch-eventsub-message-timestamp")),
        id: Some(name("twitch-eventsub-message-id")),
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name("sha256="),
        encoding: Encoding::Hex,
    },
    message: Message::Template(Cow::Borrowed(&[Part::Id, Part::Timestamp, Part::Body])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::Rfc3339,
    // Twitch: "reject messages older than 10 minutes".
    tolerance: Tolerance::past_only(Duration::from_secs(600)),
    id: IdSource::Header {
        name: name("twitch-eventsub-message-id"),
        signed: true,
    },
    event_type: EventTypeSource::Header(name("twitch-eventsub-subscription-type")),
};
