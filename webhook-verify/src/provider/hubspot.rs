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

#[cfg(test)]
mod tests {
    use crate::{Delivery, ErrorKind, FixedClock, Provider, SignOptions, Signer, Verifier};

    #[test]
    fn the_url_and_the_millisecond_timestamp_are_signed() {
        let secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
        let url = "https://www.example.com/webhook_uri";
        let body = br#"[{"eventId":1,"subscriptionType":"contact.creation"}]"#;
        let headers = Signer::new(&Provider::HUBSPOT, secret)
            .unwrap()
            .sign(body, &SignOptions::new().timestamp(1_700_000_000).url(url))
            .unwrap();
        assert_eq!(
            headers[1],
            ("x-hubspot-request-timestamp".into(), "1700000000000".into())
        );
        let verifier = Verifier::builder(Provider::HUBSPOT)
            .secret(secret)
            .clock(FixedClock::from_unix(1_700_000_000))
            .build()
            .unwrap();
        assert!(
            verifier
                .verify(&Delivery::new(&headers, &body[..]).with_url(url))
                .is_ok()
        );
        let other = Delivery::new(&headers, &body[..]).with_url("https://www.example.com/other");
        assert_eq!(
            verifier.verify(&other).unwrap_err(),
            crate::Error::SignatureMismatch
        );
        let no_url = Delivery::new(&headers, &body[..]);
        assert_eq!(
            verifier.verify(&no_url).unwrap_err().kind(),
            ErrorKind::MissingUrl
        );
        // A body ending in a digit would run into the timestamp: refused.
        let err = verifier
            .verify(&Delivery::new(&headers, &b"[1]2"[..]).with_url(url))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MalformedBody);
    }
}
