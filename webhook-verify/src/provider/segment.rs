//! Segment (Webhooks destination): `X-Signature: <hex HMAC-SHA1>` over the body, keyed by
//! the destination's shared secret.
//!
//! Source: Segment's docs, <https://segment.com/docs/connections/destinations/catalog/webhooks/>
//! ("Authentication": the `X-Signature` header, an HMAC-SHA1 hex digest of the body).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static SEGMENT: Spec = simple(
    "segment",
    "x-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha1,
    BODY,
    // Every Segment message carries a unique, signed `messageId`.
    IdSource::Json("/messageId"),
    EventTypeSource::Json("/type"),
);
