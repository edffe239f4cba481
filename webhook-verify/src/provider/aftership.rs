//! AfterShip: `aftership-hmac-sha256: <base64 HMAC-SHA256>` over the body, keyed by the
//! webhook secret.
//!
//! Source: AfterShip's docs, <https://www.aftership.com/docs/tracking/webhook/webhook-signature>.

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
