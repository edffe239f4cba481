//! Alchemy Notify: `X-Alchemy-Signature: <hex HMAC-SHA256>` over the body, keyed by the
//! webhook's signing key.
//!
//! Source: Alchemy's examples, `alchemyplatform/webhook-examples`
//! `node-express/src/webhooksUtil.ts` (`isValidSignatureForStringBody`), and
//! <https://docs.alchemy.com/reference/notify-api-quickstart> ("Webhook signature").

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
