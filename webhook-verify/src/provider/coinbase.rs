//! Coinbase Commerce: `X-CC-Webhook-Signature: <hex HMAC-SHA256>` over the body, keyed with
//! the endpoint's shared secret.
//!
//! Source: Coinbase Commerce's Node library, `coinbase/coinbase-commerce-node`
//! `lib/Webhook.js` (`computeSignature`, `verifySigHeader`) and `test/testWebhook.spec.js`.

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static COINBASE: Spec = simple(
    "coinbase",
    "x-cc-webhook-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    // The delivery's `id` is per delivery; the event's id is the same on every retry.
    IdSource::Json("/event/id"),
    EventTypeSource::Json("/event/type"),
);
