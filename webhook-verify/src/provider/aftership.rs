//! AfterShip Tracking: `aftership-hmac-sha256: <base64 HMAC-SHA256>` over the body, keyed by
//! the account's webhook secret (its text is the key); no timestamp.
//!
//! Sources: AfterShip's docs, <https://www.aftership.com/docs/tracking/webhook/webhook-signature>
//! (the `aftership-hmac-sha256` header, "a base64-encoded HMAC generated using sha256
//! algorithm with webhook request body and webhook secret"), its help-centre article
//! <https://support.aftership.com/en/articles/15441918-learn-more-about-aftership-tracking-webhooks>
//! (the Node.js sample: `createHmac('sha256', WEBHOOK_SECRET)`, `.digest('base64')`), and
//! <https://www.aftership.com/docs/tracking/2025-01/webhook/webhook-specifications>
//! (`event`, the event code; `event_id`, a UUID identifying the webhook event; `ts`).
//!
//! This is the Tracking product's scheme only: AfterShip's Returns and Warranty webhooks
//! sign under `as-signature-hmac-sha256` (and Returns organisations created before
//! 25 October 2022 under `am-webhook-signature: hmac-sha256=…`), per AfterShip's docs for
//! those products; they are not read here.
//!
//! The docs give no signature with a fixed answer to copy; the vector is derived.

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static AFTERSHIP: Spec = simple(
    "aftership",
    "aftership-hmac-sha256",
    "",
    Encoding::Base64,
    Algorithm::HmacSha256,
    BODY,
    IdSource::Json("/event_id"),
    EventTypeSource::Json("/event"),
);
