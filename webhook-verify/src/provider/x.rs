//! X (Twitter) Account Activity API: `x-twitter-webhooks-signature: sha256=<base64>`,
//! HMAC-SHA256 of the body with the app's consumer secret; no timestamp. The receive path
//! answers X's challenge-response check (`GET ?crc_token=…`) with the same key (see
//! [`crate::receive`]).
//!
//! Source: X's developer docs "Securing webhooks" (Account Activity API) and "Webhooks
//! quickstart" (docs.x.com), and X's sample `xdevplatform/account-activity-dashboard`
//! (`helpers/security.js`: base64 HMAC-SHA256 with the consumer secret).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

// X's activity payloads carry no delivery id and name their event by a top-level key
// (`tweet_create_events`, `favorite_events`, ...): the replay key is the signed body.
pub(super) static X: Spec = simple(
    "x",
    "x-twitter-webhooks-signature",
    "sha256=",
    Encoding::Base64,
    Algorithm::HmacSha256,
    BODY,
    IdSource::None,
    EventTypeSource::None,
);
