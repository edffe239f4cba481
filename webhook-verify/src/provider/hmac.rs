//! The shared builder of one-header HMAC schemes without a timestamp (GitHub, Shopify,
//! Square, Intercom, Typeform, Razorpay, Lemon Squeezy): each provider's file calls
//! [`simple`] with its header, prefix, encoding and algorithm.

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) const BODY: &[Part] = &[Part::Body];

/// A one-header HMAC scheme without timestamp; the key is the secret text.
#[allow(clippy::too_many_arguments, reason = "one argument per scheme field")]
pub(super) const fn simple(
    provider: &'static str,
    header: &'static str,
    prefix: &'static str,
    encoding: Encoding,
    algorithm: Algorithm,
    signed: &'static [Part],
    id: IdSource,
    event_type: EventTypeSource,
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
        key: KeyForm::Utf8,
        algorithm,
        signature: SigFormat::Single {
            prefix: name(prefix),
            encoding,
        },
        message: Message::Template(Cow::Borrowed(signed)),
        timestamp: TimestampSource::None,
        timestamp_format: TsFormat::UnixSeconds,
        tolerance: Tolerance::NONE,
        id,
        event_type,
    }
}
