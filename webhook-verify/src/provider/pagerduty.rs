//! PagerDuty (webhooks v3): `X-PagerDuty-Signature: v1=<hex HMAC-SHA256>[,v1=…]` over the
//! body, keyed by the subscription's secret; several `v1` signatures while a secret is
//! rotated, entries of other versions ignored.
//!
//! Source: PagerDuty's Go library, `PagerDuty/go-pagerduty` `webhookv3/webhookv3.go`
//! (`VerifySignature`) and its test vector, and
//! <https://developer.pagerduty.com/docs/webhooks/webhook-signatures/>.

use alloc::borrow::Cow;

use super::hmac::BODY;
use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) static PAGERDUTY: Spec = Spec {
    name: name("pagerduty"),
    names: Names {
        signature: name("x-pagerduty-signature"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::List {
        separator: b',',
        prefix: "v1=",
        encoding: Encoding::Hex,
    },
    message: Message::Template(Cow::Borrowed(BODY)),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    // The signed body's event id, the same on every retry.
    id: IdSource::Json("/event/id"),
    event_type: EventTypeSource::Json("/event/event_type"),
};
