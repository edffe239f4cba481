//! WorkOS: `WorkOS-Signature: t=<unix milliseconds>, v1=<hex HMAC-SHA256>` over
//! `{t}.{body}`, keyed with the endpoint's secret; 180 s, past only, as WorkOS's SDK checks.
//!
//! WorkOS writes a space after the comma; the elements are read as WorkOS writes them
//! (`t` first, then ` v1`), and the timestamp is in milliseconds.
//!
//! Source: WorkOS's Node SDK, `workos/workos-node` `src/common/crypto/signature-provider.ts`
//! (`verifyHeader`, `computeSignature`) and `signature-provider.spec.ts`.

use alloc::borrow::Cow;
use core::time::Duration;

use super::{
    Algorithm, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static WORKOS: Spec = Spec {
    name: name("workos"),
    names: Names {
        signature: name("workos-signature"),
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
        // WorkOS separates the elements with ", ".
        signature_key: " v1",
    },
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, lit("."), Part::Body])),
    timestamp: TimestampSource::SignatureHeader,
    timestamp_format: TsFormat::UnixMillis,
    tolerance: Tolerance::past_only(Duration::from_secs(180)),
    id: IdSource::Json("/id"),
    event_type: EventTypeSource::Json("/event"),
};
