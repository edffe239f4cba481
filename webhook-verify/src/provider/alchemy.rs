//! Alchemy Notify: `X-Alchemy-Signature: <hex HMAC-SHA256>` over the body, keyed by the
//! webhook's signing key; no timestamp.
//!
//! The signing key (`whsec_…`) is used as text, prefix included: it is not a Standard
//! Webhooks secret and is not base64-decoded.
//!
//! Sources: Alchemy's examples, `alchemyplatform/webhook-examples`
//! `node-express/src/webhooksUtil.ts` (`isValidSignatureForStringBody`:
//! `createHmac("sha256", signingKey)`, the raw body as UTF-8, `digest("hex")`; the event
//! fields `webhookId`, `id`, `createdAt`, `type`, `event`) and `rust-actix/src/notify.rs`
//! (`is_valid_signature_for_string_body`: the key's bytes, the raw body, the header
//! hex-decoded).
//!
//! The examples give no signature with a fixed answer to copy; the vector is derived.

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static ALCHEMY: Spec = simple(
    "alchemy",
    "x-alchemy-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    IdSource::Json("/id"),
    EventTypeSource::Json("/type"),
);
