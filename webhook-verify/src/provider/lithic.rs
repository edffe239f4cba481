//! Lithic: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
//! `v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}`), secret `whsec_…`; ±300 s, as
//! the `standardwebhooks` library Lithic's SDK verifies with.
//!
//! Source: Lithic's Node SDK, `lithic-com/lithic-node` `src/resources/webhooks.ts` and its
//! test `tests/api-resources/webhooks.test.ts`.

use super::standard::sender;
use super::{EventTypeSource, FIVE_MINUTES, Spec};
use crate::Tolerance;

pub(super) static LITHIC: Spec = sender(
    "lithic",
    Tolerance::both(FIVE_MINUTES),
    EventTypeSource::Json("/event_type"),
);
