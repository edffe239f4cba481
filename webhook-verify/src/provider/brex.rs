//! Brex: Standard Webhooks signatures under `Webhook-Id`, `Webhook-Timestamp` and
//! `Webhook-Signature` (space-separated `v1,<base64 HMAC-SHA256>` over
//! `{id}.{timestamp}.{body}`, one per active secret while a secret rotates). The secret,
//! from `GET /v1/webhooks/secrets`, is base64 (a `whsec_` prefix, if present, is removed);
//! that endpoint lists two secrets during a rotation, give both. Brex's guide asks for a
//! timestamp check and leaves the window to the receiver: the Standard Webhooks ±300 s.
//!
//! Source: Brex's developer docs, "Webhooks" (verifying the signature and the timestamp),
//! <https://developer.brex.com/docs/webhooks/>.

use super::standard::sender;
use super::{EventTypeSource, FIVE_MINUTES, Spec};
use crate::Tolerance;

pub(super) static BREX: Spec = sender(
    "brex",
    Tolerance::both(FIVE_MINUTES),
    EventTypeSource::Json("/event_type"),
);
