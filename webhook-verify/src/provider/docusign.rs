//! DocuSign Connect: `X-DocuSign-Signature-1`, `X-DocuSign-Signature-2`, … each a base64
//! HMAC-SHA256 over the body, one per HMAC key active on the Connect configuration; a
//! delivery verifies when any of them was made with any configured key.
//!
//! The headers are numbered from 1 without gaps; they are read up to the first number
//! missing, at most [`MAX_SIGNATURES`](crate::MAX_SIGNATURES) (more is refused as
//! malformed). Connect deliveries carry no signed timestamp: use replay protection.
//!
//! Source: DocuSign's code examples, `docusign/code-examples-node`
//! `lib/connect/examples/validateWebhookMessage.js` (`computeHash`: base64 HMAC-SHA256 of
//! the payload with the HMAC key) and `docusign/code-examples-php` `src/ConnectWebhookHMACValidation.php`;
//! DocuSign's guide "HMAC security" for Connect
//! (<https://developers.docusign.com/platform/webhooks/connect/hmac/>).

use alloc::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat,
    SignInput, Signing, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::signature::{MAX_SIGNATURES, Parsed, parse_into};
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

pub(super) static DOCUSIGN: Spec = Spec {
    name: name("docusign"),
    names: Names {
        signature: name("x-docusign-signature-1"),
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
    message: Message::Scheme(&SCHEME),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    id: IdSource::None,
    event_type: EventTypeSource::Json("/event"),
};

/// The body, signed under every numbered header.
static SCHEME: Scheme = Scheme {
    verify,
    sign: Some(sign),
    needs_url: false,
    replay_label: None,
    mismatch_hint: None,
};

/// The signature headers, in order; one more is read to refuse a longer list.
const HEADERS: [&str; MAX_SIGNATURES + 1] = [
    "x-docusign-signature-1",
    "x-docusign-signature-2",
    "x-docusign-signature-3",
    "x-docusign-signature-4",
    "x-docusign-signature-5",
    "x-docusign-signature-6",
    "x-docusign-signature-7",
    "x-docusign-signature-8",
    "x-docusign-signature-9",
    "x-docusign-signature-10",
    "x-docusign-signature-11",
    "x-docusign-signature-12",
    "x-docusign-signature-13",
    "x-docusign-signature-14",
    "x-docusign-signature-15",
    "x-docusign-signature-16",
    "x-docusign-signature-17",
];

/// Collects the numbered signatures and looks for a key that made one of them.
fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let spec = ctx.spec();
    let mut parsed = Parsed::new();
    for (i, header) in HEADERS.iter().enumerate() {
        let header = Cow::Borrowed(*header);
        let Some(value) = crate::headers::unique(ctx.headers(), &header)? else {
            if i == 0 {
                return Err(Error::missing(header));
            }
            break;
        };
        if i == MAX_SIGNATURES {
            return Err(Error::malformed(header, "too many signatures"));
        }
        parse_into(spec, &header, value, &mut parsed)?;
    }
    let mut signature = SigBytes::new();
    let body: [&[u8]; 1] = [ctx.body()];
    let index = ctx
        .find_key(&parsed, &[&body], &mut signature)
        .ok_or(Error::SignatureMismatch)?;
    ctx.verified(index, None, None, false, signature)
}

/// One signature, under `X-DocuSign-Signature-1`.
fn sign(input: &SignInput<'_>) -> Result<Signing, Error> {
    Ok(Signing::Message(input.body.to_vec()))
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::Sha256;

    use super::HEADERS;
    use crate::{Delivery, ErrorKind, Provider, Verifier};

    const BODY: &[u8] = br#"{"event":"envelope-sent","data":{"envelopeId":"1"}}"#;

    fn sig(key: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(BODY);
        STANDARD.encode(mac.finalize().into_bytes())
    }

    fn check(keys: &[&str], headers: &[(String, String)]) -> Result<usize, ErrorKind> {
        let mut builder = Verifier::builder(Provider::DOCUSIGN);
        for key in keys {
            builder = builder.secret(*key);
        }
        builder
            .build()
            .unwrap()
            .verify(&Delivery::new(&headers, BODY))
            .map(|v| v.key().index())
            .map_err(|e| e.kind())
    }

    fn numbered(values: &[String]) -> Vec<(String, String)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("X-DocuSign-Signature-{}", i + 1), v.clone()))
            .collect()
    }

    #[test]
    fn header_names_are_numbered_in_order() {
        for (i, name) in HEADERS.iter().enumerate() {
            assert_eq!(*name, format!("x-docusign-signature-{}", i + 1));
        }
    }

    #[test]
    fn any_header_may_match_any_key() {
        let headers = numbered(&[sig("k1"), sig("k2"), sig("k3")]);
        assert_eq!(check(&["k3"], &headers), Ok(0));
        assert_eq!(check(&["other", "k2"], &headers), Ok(1));
        assert_eq!(
            check(&["other"], &headers),
            Err(ErrorKind::SignatureMismatch)
        );
    }

    #[test]
    fn reading_stops_at_the_first_missing_number() {
        // -1 and -3, no -2: -3 is not read.
        let mut headers = numbered(&[sig("k1"), sig("k2"), sig("k3")]);
        headers.remove(1);
        assert_eq!(check(&["k3"], &headers), Err(ErrorKind::SignatureMismatch));
        assert_eq!(check(&["k1"], &headers), Ok(0));
        // Without -1 nothing is read.
        assert_eq!(
            check(&["k1"], &numbered(&[sig("k1")])[..0]),
            Err(ErrorKind::MissingHeader)
        );
        let only_second = [("X-DocuSign-Signature-2".into(), sig("k1"))];
        assert_eq!(check(&["k1"], &only_second), Err(ErrorKind::MissingHeader));
    }

    #[test]
    fn more_signatures_than_the_limit_are_refused() {
        let values: Vec<String> = (0..=crate::MAX_SIGNATURES)
            .map(|i| sig(&format!("k{i}")))
            .collect();
        assert_eq!(
            check(&["k0"], &numbered(&values)),
            Err(ErrorKind::MalformedHeader)
        );
        let values = &values[..crate::MAX_SIGNATURES];
        assert_eq!(check(&["k15"], &numbered(values)), Ok(0));
    }

    #[test]
    fn bad_and_conflicting_headers_are_refused() {
        let mut headers = numbered(&[sig("k1"), String::from("not base64!")]);
        assert_eq!(check(&["k1"], &headers), Err(ErrorKind::MalformedHeader));
        headers[1].1 = sig("k1");
        headers.push((String::from("x-docusign-signature-1"), sig("k2")));
        assert_eq!(check(&["k1"], &headers), Err(ErrorKind::DuplicateHeader));
    }
}
