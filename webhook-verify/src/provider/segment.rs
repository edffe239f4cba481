//! Segment (Webhooks destinations): `X-Signature: <hex HMAC-SHA1>` over the body, keyed by
//! the destination's shared secret (its text is the key); no timestamp.
//!
//! Sources:
//! - `segmentio/action-destinations`
//!   `packages/destination-actions/src/destinations/webhook/index.ts` (Webhooks (Actions):
//!   `extendRequest` sets `X-Signature` to
//!   `createHmac('sha1', sharedSecret).update(JSON.stringify(payload.data), 'utf8').digest('hex')`)
//!   and `send/index.ts` (the request body is that same `data`, sent as JSON);
//! - `segmentio/segment-docs` `src/connections/destinations/catalog/webhooks/index.md`
//!   ("Authentication", the classic Webhooks destination: a SHA1 HMAC of the JSON body with
//!   the shared secret, hex, in `X-Signature`).
//!
//! **Batched deliveries do not verify.** With batching on, Webhooks (Actions) sends a JSON
//! array but signs only its first element (`webhook/__test__/webhook.test.ts`, "supports
//! request signing with batched events", checks the signature against
//! `JSON.stringify(body[0])`), so the signature neither matches the body nor covers the
//! other events: turn batching off for a destination whose requests are verified.
//!
//! Segment's sources give no signature with a fixed answer to copy; the vector is derived.

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec};

pub(super) static SEGMENT: Spec = simple(
    "segment",
    "x-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha1,
    BODY,
    // Every Segment message carries a unique, signed `messageId` (when the mapped data is
    // the whole event, the default).
    IdSource::Json("/messageId"),
    EventTypeSource::Json("/type"),
);
