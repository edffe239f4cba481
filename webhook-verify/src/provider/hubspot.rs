//! HubSpot (signature v3): `X-HubSpot-Signature-v3: <base64 HMAC-SHA256>` over
//! `POST{url}{body}{X-HubSpot-Request-Timestamp}`, keyed with the app's client secret; the
//! timestamp is in milliseconds, 300 s, past only, as HubSpot's SDK checks.
//!
//! The URL is the one HubSpot called, exactly as configured (scheme, host, path and
//! query); give it with [`Delivery::with_url`](crate::Delivery::with_url). Webhook
//! subscriptions are delivered with `POST`, the method signed here. The body ends just
//! before the timestamp's digits: a body that ends with a digit is refused as ambiguous
//! (HubSpot's bodies are JSON arrays).
//!
//! The URL is used as it is given, as HubSpot's SDK does. HubSpot's docs decode a few
//! percent-encoded characters of the URL (`%3A`, `%2F`, `%3F`, `%40`, `%21`, `%24`, `%27`,
//! `%28`, `%29`, `%2A`, `%2C`, `%3B`) before signing: if your webhook URL's query holds any,
//! give the URL with them decoded.
//!
//! The older v1 and v2 signatures (`X-HubSpot-Signature`, a plain SHA-256 of the secret
//! followed by the request, not an HMAC) are not read; HubSpot recommends v3.
//!
//! Source: HubSpot's Node client, `HubSpot/hubspot-api-nodejs` `src/utils/signature.ts`
//! (`Signature.getSignature` for `v3`, `MAX_ALLOWED_TIMESTAMP`) and
//! `test/unit/signature.spec.ts`.

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part,
    SigFormat, Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static HUBSPOT: Spec = Spec {
    name: name("hubspot"),
    names: Names {
        signature: name("x-hubspot-signature-v3"),
        timestamp: Some(name("x-hubspot-request-timestamp")),
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
    message: Message::Template(Cow::Borrowed(&[
        lit("POST"),
        Part::Url,
        Part::Body,
        Part::Timestamp,
    ])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixMillis,
    tolerance: Tolerance::past_only(FIVE_MINUTES),
    // A delivery is an array of events, each with its own `eventId`: the replay key is the
    // signed body.
    id: IdSource::None,
    event_type: EventTypeSource::None,
};
