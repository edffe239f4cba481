//! Meta (Facebook, Instagram, WhatsApp, Messenger): `X-Hub-Signature-256: sha256=<hex>`,
//! HMAC-SHA256 of the body with the app secret; no timestamp. The subscription handshake
//! (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`) is answered by the receive
//! path with the verify token set on the receiver (see [`crate::receive`]).
//!
//! Source: Meta's Graph API docs "Webhooks: Getting Started" (verification requests,
//! event notifications, "Validate payloads": `X-Hub-Signature-256`, `sha256=` and the hex
//! HMAC-SHA256 of the payload with the app secret) and Meta's sample
//! `fbsamples/graph-api-webhooks-samples` (`typescript-server/src/utils/validate-x-hub.ts`:
//! the hex HMAC of the raw body with `APP_SECRET`, after `<algorithm>=`).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

// Meta's notifications carry no delivery id: the replay key is the signed body. The event
// type is the top-level `object` (`page`, `instagram`, `whatsapp_business_account`, ...).
pub(super) static META: Spec = simple(
    "meta",
    "x-hub-signature-256",
    "sha256=",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    IdSource::None,
    EventTypeSource::Json("/object"),
);
