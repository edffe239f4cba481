//! OpenAI: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
//! `v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}`), secret `whsec_…`; ±300 s as
//! OpenAI's SDK checks (too old and too new).
//!
//! Source: OpenAI's Node SDK, `openai/openai-node` `src/resources/webhooks/webhooks.ts`
//! and `src/lib/webhook-signature.ts`, and its test `tests/api-resources/webhooks.test.ts`.

use super::standard::sender;
use super::{EventTypeSource, FIVE_MINUTES, Spec};
use crate::Tolerance;

pub(super) static OPENAI: Spec = sender(
    "openai",
    Tolerance::both(FIVE_MINUTES),
    EventTypeSource::Json("/type"),
);
