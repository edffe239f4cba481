//! Shopify: `X-Shopify-Hmac-Sha256: <base64>` over the body.

use std::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) static SHOPIFY: Spec = Spec {
    name: name("shopify"),
    names: Names {
        signature: name("x-shopify-hmac-sha256"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Base64,
    },
    message: Message::Template(Cow::Borrowed(&[Part::Body])),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    id: IdSource::Header {
        name: name("x-shopify-webhook-id"),
        signed: false,
    },
    event_type: EventTypeSource::Header(name("x-shopify-topic")),
};
