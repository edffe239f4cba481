//! Webflow: `x-webflow-signature: <hex HMAC-SHA256>` over `{x-webflow-timestamp}:{body}`,
//! the timestamp in milliseconds, keyed with the webhook's secret (or the OAuth app's client
//! secret); 300 s, past only, as Webflow's docs ask.
//!
//! Source: Webflow's JavaScript SDK, `webflow/js-webflow-api`
//! `src/wrapper/WebhooksClient.ts` (`verifySignature`), and Webflow's docs
//! <https://developers.webflow.com/data/docs/working-with-webhooks#validating-request-signatures>.

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part,
    SigFormat, Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static WEBFLOW: Spec = Spec {
    name: name("webflow"),
    names: Names {
        signature: name("x-webflow-signature"),
        timestamp: Some(name("x-webflow-timestamp")),
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Hex,
    },
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, lit(":"), Part::Body])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixMillis,
    tolerance: Tolerance::past_only(FIVE_MINUTES),
    // Webflow's payloads carry no delivery id: the replay key is the signed body.
    id: IdSource::None,
    event_type: EventTypeSource::Json("/triggerType"),
};
