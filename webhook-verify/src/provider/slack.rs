//! Slack request signing: `X-Slack-Signature: v0=<hex>` over `v0:{timestamp}:{body}`; the
//! same `v0` scheme serves Zoom.
//!
//! Source: Slack's SDKs, `slackapi/python-slack-sdk` `slack_sdk/signature/__init__.py` and
//! `slackapi/bolt-js`.

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part,
    SigFormat, Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

const V0_SIGNED: &[Part] = &[lit("v0:"), Part::Timestamp, lit(":"), Part::Body];

/// `{signature}: v0=<hex HMAC-SHA256>` over `v0:{timestamp}:{body}`, the timestamp in its
/// own header (Unix seconds), ±300 s; the id and the event type are JSON fields.
pub(super) const fn v0_scheme(
    provider: &'static str,
    signature: &'static str,
    timestamp: &'static str,
    id: IdSource,
    event_type: &'static str,
) -> Spec {
    Spec {
        name: name(provider),
        names: Names {
            signature: name(signature),
            timestamp: Some(name(timestamp)),
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
        message: Message::Template(Cow::Borrowed(V0_SIGNED)),
        timestamp: TimestampSource::Header,
        timestamp_format: TsFormat::UnixSeconds,
        tolerance: Tolerance::both(FIVE_MINUTES),
        id,
        event_type: EventTypeSource::Json(event_type),
    }
}

pub(super) static SLACK: Spec = v0_scheme(
    "slack",
    "x-slack-signature",
    "x-slack-request-timestamp",
    // Events API deliveries carry a unique `event_id` in the signed body, the same on every
    // retry (Slack re-signs retries with a new timestamp); commands and interactions have
    // none and fall back to the signed body.
    IdSource::Json("/event_id"),
    "/type",
);
