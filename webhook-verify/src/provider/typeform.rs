//! Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256>` over the body (base64, not
//! hex).
//!
//! Source: Typeform's developer docs (secure your webhooks).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static TYPEFORM: Spec = simple(
    "typeform",
    "typeform-signature",
    "sha256=",
    Encoding::Base64,
    Algorithm::HmacSha256,
    BODY,
    IdSource::Json("/event_id"),
    EventTypeSource::Json("/event_type"),
);
