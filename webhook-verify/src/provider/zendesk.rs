//! Zendesk: `X-Zendesk-Webhook-Signature: <base64 HMAC-SHA256>` over
//! `{X-Zendesk-Webhook-Signature-Timestamp}{body}` (no separator), the timestamp in
//! RFC 3339 (`2021-03-25T05:09:27Z`), keyed with the webhook's signing secret as it is
//! shown (the text, not base64-decoded).
//!
//! Zendesk sets no window: ±300 s here, as for Standard Webhooks. Zendesk signs webhooks
//! sent with an empty body (GET, DELETE) over the timestamp alone.
//!
//! Source: Zendesk's developer docs, "Verifying webhook authenticity"
//! (<https://developer.zendesk.com/documentation/webhooks/verifying/>), and its NodeJS
//! example (`crypto.createHmac("sha256", secret).update(timestamp + body).digest("base64")`);
//! "Anatomy of a webhook request" for the headers
//! (<https://developer.zendesk.com/documentation/webhooks/anatomy-of-a-webhook-request/>).

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part,
    SigFormat, Spec, TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) static ZENDESK: Spec = Spec {
    name: name("zendesk"),
    names: Names {
        signature: name("x-zendesk-webhook-signature"),
        timestamp: Some(name("x-zendesk-webhook-signature-timestamp")),
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
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, Part::Body])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::Rfc3339,
    tolerance: Tolerance::both(FIVE_MINUTES),
    // One id per invocation, the same on retries, but not signed: replay keys must not
    // rely on it alone.
    id: IdSource::Header {
        name: name("x-zendesk-webhook-invocation-id"),
        signed: false,
    },
    event_type: EventTypeSource::Json("/type"),
};
