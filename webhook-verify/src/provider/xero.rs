//! Xero: `x-xero-signature: <base64 HMAC-SHA256>` over the body, keyed by the app's webhook
//! key; no timestamp.
//!
//! The webhook key is used as text, the way Xero's samples use it, although it looks like
//! base64: give it as the developer portal shows it.
//!
//! Xero's "intent to receive" handshake is answered by verifying: Xero sends deliveries
//! signed correctly and incorrectly, and expects `200` for the first and `401` for the
//! second, which is what a verifier answers (a signature mismatch is `401`). Xero also
//! expects no body and no cookies in the response, within 5 seconds.
//!
//! Sources:
//! - Xero's developer docs, <https://developer.xero.com/documentation/webhooks/configuring-your-server>
//!   ("Intent to receive": the payload hashed using HMACSHA256 with the webhook signing key
//!   and base64 encoded; `200` for correctly and `401` for incorrectly signed payloads);
//! - `XeroAPI/xero-php-webhook` `index.php`
//!   (`base64_encode(hash_hmac('sha256', $rawPayload, $webhookKey, true))`);
//! - `XeroAPI/XeroWebhooksReceiver` `XeroWebhooksReceiver/Helpers/SignatureVerifier.cs`
//!   (`HMACSHA256` keyed by the UTF-8 bytes of the key, `Convert.ToBase64String`).
//!
//! None of them gives a signature with a fixed answer to copy; the vector is derived.

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
