//! Asana: `X-Hook-Signature: <hex HMAC-SHA256>` over the body, keyed by the `X-Hook-Secret`
//! Asana sent when the webhook was established.
//!
//! Source: Asana's docs, <https://developers.asana.com/docs/webhooks-guide> ("Security":
//! the `X-Hook-Signature` header). The handshake itself (echoing `X-Hook-Secret` once) is
//! not a signed delivery and is not verified here.

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static ASANA: Spec = simple(
    "asana",
    "x-hook-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    // A delivery batches events and carries no id of its own: the replay key is the body.
    IdSource::None,
    EventTypeSource::Json("/events/0/action"),
);
