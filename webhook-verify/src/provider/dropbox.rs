//! Dropbox: `X-Dropbox-Signature: <hex>`, HMAC-SHA256 of the body with the app secret; no
//! timestamp. The receive path answers Dropbox's verification request
//! (`GET ?challenge=…`, echoed as `text/plain`; see [`crate::receive`]).
//!
//! Source: Dropbox's developer docs "Webhooks" (developers.dropbox.com/webhooks-documentation)
//! and Dropbox's sample `dropbox/mdwebhook` (`app.py`, `validate_request`: `X-Dropbox-Signature`
//! equals `hmac.new(APP_SECRET, message, sha256).hexdigest()` of the request body).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

// Dropbox's notifications only list the accounts that changed: no id, no event type. The
// replay key is the signed body.
pub(super) static DROPBOX: Spec = simple(
    "dropbox",
    "x-dropbox-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    IdSource::None,
    EventTypeSource::None,
);
