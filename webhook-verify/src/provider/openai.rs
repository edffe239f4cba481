//! OpenAI: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
//! `v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}`), secret `whsec_…`; ±300 s as
//! OpenAI's SDK checks (too old and too new). A secret without the `whsec_` prefix is read
//! as base64, as Standard Webhooks reads it (OpenAI's SDK would use such text as it is;
//! the secrets OpenAI shows always carry the prefix).
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
