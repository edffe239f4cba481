//! Cursor (background agent webhooks): `X-Webhook-Signature: sha256=<hex HMAC-SHA256>`
//! over the body, keyed by the webhook secret; the delivery id in `X-Webhook-ID` and the
//! event type in `X-Webhook-Event`.
//!
//! Source: Cursor's docs, <https://docs.cursor.com/en/background-agent/api/webhooks>
//! ("Webhook verification").

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec, name};

pub(super) static CURSOR: Spec = simple(
    "cursor",
    "x-webhook-signature",
    "sha256=",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    IdSource::Header {
        name: name("x-webhook-id"),
        signed: false,
    },
    EventTypeSource::Header(name("x-webhook-event")),
);
