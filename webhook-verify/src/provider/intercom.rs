//! Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1>` over the body, keyed with the app's
//! client secret.
//!
//! Source: Intercom's developer docs (webhook signatures).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static INTERCOM: Spec = simple(
    "intercom",
    "x-hub-signature",
    "sha1=",
    Encoding::Hex,
    Algorithm::HmacSha1,
    BODY,
    IdSource::Json("/id"),
    EventTypeSource::Json("/topic"),
);
