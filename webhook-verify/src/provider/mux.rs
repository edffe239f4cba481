//! Mux: `Mux-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]` over `{t}.{body}`
//! (Stripe's scheme under Mux's header), keyed with the webhook's signing secret; 300 s,
//! past only, as Mux's SDK checks.
//!
//! Source: Mux's Node SDK, `muxinc/mux-node-sdk` `src/resources/webhooks/webhooks.ts`
//! (`verifySignature`), and the header "generated from Mux's backend" in its former test
//! `test/unit/webhooks/resources/verify_header.spec.cjs`.

use super::stripe::t_v1_scheme;
use super::{FIVE_MINUTES, IdSource, Spec};
use crate::Tolerance;

pub(super) static MUX: Spec = t_v1_scheme(
    "mux",
    "mux-signature",
    Tolerance::past_only(FIVE_MINUTES),
    IdSource::Json("/id"),
    "/type",
);
