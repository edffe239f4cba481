//! Frame.io: `X-Frameio-Signature: v0=<hex HMAC-SHA256>` over
//! `v0:{X-Frameio-Request-Timestamp}:{body}` (Slack's `v0` scheme under Frame.io's
//! headers), keyed by the webhook's signing secret; ±300 s.
//!
//! Source: Frame.io's V4 webhook guide, `AdobeDocs/frameio-api`
//! `src/pages/guides/Webhooks/index.md` ("Verifying Webhook Signatures": the two headers,
//! the message `v0:timestamp:body`, HMAC SHA256 with the signing secret, the `v0=` prefix,
//! and a timestamp "within 5 minutes of local time").
//!
//! The guide's Python sample accepts a request less than 500 s old and any future time,
//! while its text recommends 5 minutes either way; the default here follows the text. The
//! payload carries no event id (only `type` and resource ids), so the replay key is made of
//! the signed body without the timestamp. The guide's header examples come without their body and
//! secret, so there is no fixed answer to copy; the vector is derived.

use super::{IdSource, Spec};

pub(super) static FRAMEIO: Spec = super::slack::v0_scheme(
    "frameio",
    "x-frameio-signature",
    "x-frameio-request-timestamp",
    IdSource::None,
    "/type",
);
