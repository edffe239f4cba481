//! Lemon Squeezy: `X-Signature: <hex HMAC-SHA256>` over the body; the event name in
//! `X-Event-Name`.
//!
//! Source: Lemon Squeezy's developer docs (signing requests).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec, name};

pub(super) static LEMON_SQUEEZY: Spec = simple(
    "lemonsqueezy",
    "x-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    IdSource::None,
    EventTypeSource::Header(name("x-event-name")),
);
