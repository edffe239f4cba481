//! GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body (and the legacy SHA-1 header).

use std::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

const fn github(
    provider: &'static str,
    header: &'static str,
    prefix: &'static str,
    algorithm: Algorithm,
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
            encoding: Encoding::Hex,
        },
        message: Message::Template(Cow::Borrowed(&[Part::Body])),
        timestamp: TimestampSource::None,
        timestamp_format: TsFormat::UnixSeconds,
        tolerance: Tolerance::NONE,
        // The delivery GUID is not signed: replay keys must not rely on it alone.
        id: IdSource::Header {
            name: name("x-github-delivery"),
            signed: false,
        },
        event_type: EventTypeSource::Header(name("x-github-event")),
    }
}

pub(super) static GITHUB: Spec = github(
    "github",
    "x-hub-signature-256",
    "sha256=",
    Algorithm::HmacSha256,
);
pub(super) static GITHUB_SHA1: Spec = github(
    "github-sha1",
    "x-hub-signature",
    "sha1=",
    Algorithm::HmacSha1,
);
