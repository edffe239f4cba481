//! Razorpay: `X-Razorpay-Signature: <hex HMAC-SHA256>` over the body.
//!
//! Source: Razorpay's Node SDK, `razorpay/razorpay-node` `lib/utils/razorpay-utils.js`.

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec, name};

pub(super) static RAZORPAY: Spec = simple(
    "razorpay",
    "x-razorpay-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    IdSource::Header {
        name: name("x-razorpay-event-id"),
        signed: false,
    },
    EventTypeSource::Json("/event"),
);
