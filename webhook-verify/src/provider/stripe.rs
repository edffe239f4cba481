//! Stripe: `Stripe-Signature: t=…,v1=…[,v1=…][,v0=…]` over `{t}.{body}`; the same
//! `t=…,v1=…` scheme serves Calendly.
//!
//! Source: Stripe's libraries, `stripe/stripe-node` `src/Webhooks.ts` and `stripe/stripe-python`.

use alloc::borrow::Cow;

use super::{
    Algorithm, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part, SigFormat,
    Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

const T_V1_SIGNED: &[Part] = &[Part::Timestamp, lit("."), Part::Body];

/// `{header}: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]` over `{t}.{body}`, the key
/// being the secret text; other elements (`v0`) are ignored.
pub(super) const fn t_v1_scheme(
    provider: &'static str,
    header: &'static str,
    tolerance: Tolerance,
    id: IdSource,
    event_type: &'static str,
) -> Spec {
    Spec {
        name: name(provider),
        names: Names {
            signature: name(header),
            timestamp: None,
            id: None,
        },
        fallback: None,
        alternate: None,
        // Stripe: the whole `whsec_…` text is the key; it is not base64-decoded.
        key: KeyForm::Utf8,
        algorithm: Algorithm::HmacSha256,
        signature: SigFormat::KeyValue {
            separator: b',',
            timestamp_key: "t",
            signature_key: "v1",
        },
        message: Message::Template(Cow::Borrowed(T_V1_SIGNED)),
        timestamp: TimestampSource::SignatureHeader,
        timestamp_format: TsFormat::UnixSeconds,
        tolerance,
        id,
        event_type: EventTypeSource::Json(event_type),
    }
}

pub(super) static STRIPE: Spec = t_v1_scheme(
    "stripe",
    "stripe-signature",
    Tolerance::past_only(FIVE_MINUTES),
    IdSource::Json("/id"),
    "/type",
);
