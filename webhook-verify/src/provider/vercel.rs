//! Vercel: `x-vercel-signature: <hex HMAC-SHA1>` over the body, keyed with the account
//! webhook's secret (or, for an integration's webhooks, the integration's client secret).
//!
//! Source: Vercel's docs, <https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks>
//! (the `x-vercel-signature` check with `crypto.createHmac('sha1', secret)`).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static VERCEL: Spec = simple(
    "vercel",
    "x-vercel-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha1,
    BODY,
    IdSource::Json("/id"),
    EventTypeSource::Json("/type"),
);
