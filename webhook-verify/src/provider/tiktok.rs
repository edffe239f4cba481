//! TikTok (TikTok for Developers webhooks): `TikTok-Signature: t=<unix seconds>,s=<hex
//! HMAC-SHA256>` over `{t}.{body}`, keyed by the app's client secret; 300 s, past only.
//!
//! Source: TikTok's docs, <https://developers.tiktok.com/doc/webhooks-verification>. TikTok
//! leaves the window to the receiver; five minutes is used, as for Stripe's identical scheme.

use alloc::borrow::Cow;

use super::{
    Algorithm, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part, SigFormat,
    Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static TIKTOK: Spec = Spec {
    name: name("tiktok"),
    names: Names {
        signature: name("tiktok-signature"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::KeyValue {
        separator: b',',
        timestamp_key: "t",
        signature_key: "s",
    },
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, lit("."), Part::Body])),
    timestamp: TimestampSource::SignatureHeader,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::past_only(FIVE_MINUTES),
    // TikTok's events carry no id: the replay key is the signed body.
    id: IdSource::None,
    event_type: EventTypeSource::Json("/event"),
};
