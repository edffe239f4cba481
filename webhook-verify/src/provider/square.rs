//! Square: `x-square-hmacsha256-signature: <base64 HMAC-SHA256>` over the notification URL
//! (exactly as configured in the subscription) followed by the body.
//!
//! Source: Square's Node SDK, `square/square-nodejs-sdk` `src/wrapper/WebhooksHelper.ts`
//! and its integration tests.

use super::hmac::simple;
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Part, Spec};

pub(super) static SQUARE: Spec = simple(
    "square",
    "x-square-hmacsha256-signature",
    "",
    Encoding::Base64,
    Algorithm::HmacSha256,
    &[Part::Url, Part::Body],
    IdSource::Json("/event_id"),
    EventTypeSource::Json("/type"),
);
