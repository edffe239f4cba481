//! Frame.io: `X-Frameio-Signature: v0=<hex HMAC-SHA256>` over
//! `v0:{X-Frameio-Request-Timestamp}:{body}` (Slack's `v0` scheme under Frame.io's
//! headers), ±300 s.
//!
//! Source: Frame.io's developer docs, <https://developer.frame.io/docs/automations-webhooks/webhooks-overview>
//! ("Webhook signing").

use super::{IdSource, Spec};

pub(super) static FRAMEIO: Spec = super::slack::v0_scheme(
    "frameio",
    "x-frameio-signature",
    "x-frameio-request-timestamp",
    IdSource::None,
    "/type",
);
