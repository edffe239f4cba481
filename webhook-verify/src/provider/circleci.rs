//! CircleCI outbound webhooks: `circleci-signature: v1=<hex HMAC-SHA256>` over the body,
//! keyed by the webhook's secret; the header is a comma-separated list of versioned
//! signatures, of which `v1` is the only version today.
//!
//! Source: CircleCI's docs, <https://circleci.com/docs/webhooks/> ("Validate webhooks"),
//! and the CircleCI team's answer on <https://discuss.circleci.com/t/40979>.

use alloc::borrow::Cow;

use super::hmac::BODY;
use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) static CIRCLECI: Spec = Spec {
    name: name("circleci"),
    names: Names {
        signature: name("circleci-signature"),
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
    // The body's `happened_at` is not checked: CircleCI documents no window.
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    // The signed body's event id, the same on every retry.
    id: IdSource::Json("/id"),
    event_type: EventTypeSource::Header(name("circleci-event-type")),
};
