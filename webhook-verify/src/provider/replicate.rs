//! Replicate: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
//! `v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}`), secret `whsec_…` (from
//! `GET /v1/webhooks/default/secret`).
//!
//! Replicate's library checks no timestamp age; the Standard Webhooks default of ±300 s
//! is kept here, so a captured delivery is refused once it is that old. The body is a
//! prediction, which names no event type.
//!
//! Source: Replicate's JavaScript client, `replicate/replicate-javascript` `lib/util.js`
//! (`validateWebhook`) and its test in `index.test.ts`.

use super::standard::sender;
use super::{EventTypeSource, FIVE_MINUTES, Spec};
use crate::Tolerance;

pub(super) static REPLICATE: Spec = sender(
    "replicate",
    Tolerance::both(FIVE_MINUTES),
    EventTypeSource::None,
);
