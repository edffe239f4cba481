//! Asana: `X-Hook-Signature: <hex HMAC-SHA256>` over the body, keyed by the `X-Hook-Secret`
//! Asana sent when the webhook was established (its text is the key); no timestamp.
//!
//! Sources: Asana's example server, `Asana/devrel-examples` `python/webhooks_v5/server.py`
//! (`hmac.new(key=stored_secret.encode(), msg=request.data, digestmod=hashlib.sha256).hexdigest()`
//! compared with `X-Hook-Signature`, `401` on a mismatch), and Asana's API reference,
//! <https://developers.asana.com/reference/createwebhook> (the handshake: a POST carrying
//! `X-Hook-Secret`, to be echoed with `200` or `204` and stored to verify later event
//! signatures).
//!
//! The handshake itself (echoing `X-Hook-Secret` once) is not a signed delivery and is not
//! verified here. Neither source gives a signature with a fixed answer to copy; the vector
//! is derived.

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
