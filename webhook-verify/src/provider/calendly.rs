//! Calendly: `Calendly-Webhook-Signature: t=…,v1=<hex>` over `{t}.{body}`, Stripe's
//! `t`/`v1` scheme under Calendly's header.
//!
//! Source: Calendly's developer docs, developer.calendly.com webhook signatures.

use core::time::Duration;

use super::{IdSource, Spec};
use crate::Tolerance;

// Calendly's public docs give no window; three minutes is the commonly documented
// example. Change it with `VerifierBuilder::tolerance`.
pub(super) static CALENDLY: Spec = super::stripe::t_v1_scheme(
    "calendly",
    "calendly-webhook-signature",
    Tolerance::past_only(Duration::from_secs(180)),
    IdSource::None,
    "/event",
);
