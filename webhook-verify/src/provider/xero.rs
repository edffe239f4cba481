//! Xero: `x-xero-signature: <base64 HMAC-SHA256>` over the body, keyed by the webhook key.
//!
//! Xero's "intent to receive" handshake is answered by verifying: Xero sends deliveries
//! signed correctly and incorrectly, and expects 200 for the first and 401 for the
//! second, which is what a verifier answers (a signature mismatch is 401).
//!
//! Source: Xero's developer docs, <https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/>
//! ("Intent to receive", "Signature": HMAC-SHA256 of the payload with the webhook key,
//! base64).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static XERO: Spec = simple(
    "xero",
    "x-xero-signature",
    "",
    Encoding::Base64,
    Algorithm::HmacSha256,
    BODY,
    // A delivery batches events and carries no id of its own: the replay key is the body.
    IdSource::None,
    EventTypeSource::Json("/events/0/eventType"),
);
