//! PayPal: `PAYPAL-TRANSMISSION-SIG` (base64 RSA PKCS#1 v1.5, `PAYPAL-AUTH-ALGO`
//! `SHA256withRSA`) over `{PAYPAL-TRANSMISSION-ID}|{PAYPAL-TRANSMISSION-TIME}|{webhook id}|
//! {CRC32 of the body, unsigned decimal}`. The webhook id is the user's (PayPal's dashboard
//! shows it for each webhook); the key is the certificate at `PAYPAL-CERT-URL`, on PayPal's
//! API host (`api.paypal.com`, `api.sandbox.paypal.com`; checked by the `fetch` module
//! before anything is fetched).
//!
//! Source: PayPal's Java SDK, `paypal/PayPal-Java-SDK`
//! `rest-api-sdk/src/main/java/com/paypal/api/payments/Event.java` (`validateReceivedEvent`)
//! and `rest-api-sdk/src/main/java/com/paypal/base/SSLUtil.java` (`crc32`, `validateData`),
//! with the signed delivery and certificate of
//! `rest-api-sdk/src/test/java/com/paypal/base/ValidateCertTest.java` copied to the vectors.
//!
//! **The body is covered only through its CRC32**, which is not a cryptographic hash: from
//! one captured delivery, anyone can make another body with the same CRC32 that the same
//! headers verify. What keeps such a body out is the signed transmission id and time: the
//! id is the replay key, so once the real delivery was handled, a forged body under its
//! headers is a duplicate (replay protection is on by default), and the time must be within
//! the tolerance, here 3 days in the past (PayPal retries a delivery for up to 3 days) and
//! 5 minutes ahead, which replay protection covers. PayPal's own SDK checks no age. Keep
//! replay protection on for PayPal, in a store that does not forget within the tolerance.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use core::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat,
    Spec, TimestampSource, TsFormat, name,
};
use crate::certificate::{MAX_SIGNATURE_LEN, RsaHash};
use crate::delivery::SigBytes;
use crate::headers::HeaderText;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

const AUTH_ALGO: Cow<'static, str> = name("paypal-auth-algo");
const TRANSMISSION_ID: Cow<'static, str> = name("paypal-transmission-id");
const TRANSMISSION_TIME: Cow<'static, str> = name("paypal-transmission-time");

/// How old a transmission time may be: PayPal retries a delivery for up to 3 days.
const PAST: Duration = Duration::from_secs(3 * 24 * 3600);

/// How far ahead of the receiver's clock a transmission time may be (clock skew).
const FUTURE: Duration = Duration::from_secs(300);

pub(super) static PAYPAL: Spec = Spec {
    name: name("paypal"),
    names: Names {
        signature: name("paypal-transmission-sig"),
        timestamp: Some(TRANSMISSION_TIME),
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::X509Pem,
    algorithm: Algorithm::RsaPkcs1Sha256,
    signature: SigFormat::Single {
        prefix: Cow::Borrowed(""),
        encoding: Encoding::Base64,
    },
    message: Message::Scheme(&SCHEME),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::Rfc3339,
    tolerance: Tolerance::new(Some(PAST), Some(FUTURE)),
    id: IdSource::Header {
        name: TRANSMISSION_ID,
        signed: true,
    },
    event_type: EventTypeSource::Json("/event_type"),
};

/// The transmission id and time, the webhook id and the body's CRC32.
static SCHEME: Scheme = Scheme {
    verify,
    sign: None,
    needs_url: false,
    replay_label: None,
    mismatch_hint: Some(
        "PayPal signs the webhook id: check that the provider was made with \
         Provider::paypal(the id PayPal shows for this webhook)",
    ),
};

fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let webhook_id = ctx.provider().param().ok_or_else(|| {
        Error::config("PayPal needs its webhook id: use Provider::paypal(webhook_id)")
    })?;
    let required = |name: &Cow<'static, str>| -> Result<&str, Error> {
        let value = ctx
            .header(name)?
            .ok_or_else(|| Error::missing(name.clone()))?;
        core::str::from_utf8(value).map_err(|_| Error::malformed(name.clone(), "not valid UTF-8"))
    };
    // The only algorithm PayPal signs with, and the only one checked: when the header is
    // there, it must name it.
    if ctx
        .header(&AUTH_ALGO)?
        .is_some_and(|algo| algo != b"SHA256withRSA")
    {
        return Err(Error::malformed(AUTH_ALGO, "not SHA256withRSA"));
    }
    // The fields are joined with `|`: one inside the id would move the boundaries (the
    // time is RFC 3339, which has none).
    let id = required(&TRANSMISSION_ID)?;
    if id.is_empty() || id.contains('|') {
        return Err(Error::malformed(TRANSMISSION_ID, "empty, or contains |"));
    }
    let time = required(&TRANSMISSION_TIME)?;
    let timestamp = ctx.check_timestamp(time.as_bytes(), &TRANSMISSION_TIME)?;
    let signature = decode_signature(ctx.signature_header()?)
        .ok_or_else(|| Error::malformed(PAYPAL.names.signature.clone(), "not canonical base64"))?;
    let message = signed_string(id, time, webhook_id, ctx.body());
    let index = ctx
        .find_rsa_key(RsaHash::Sha256, &[message.as_bytes()], &signature)
        .ok_or(Error::SignatureMismatch)?;
    // RSA signatures are not replay material: the signed transmission id is the replay key.
    ctx.verified(
        index,
        Some(timestamp),
        Some(HeaderText::new(id)),
        true,
        SigBytes::new(),
    )
}

/// `{id}|{time}|{webhook id}|{crc32 of the body}`.
pub(crate) fn signed_string(id: &str, time: &str, webhook_id: &str, body: &[u8]) -> String {
    format!("{id}|{time}|{webhook_id}|{}", crc32fast::hash(body))
}

/// Canonical padded base64 of at most 512 bytes.
fn decode_signature(value: &[u8]) -> Option<alloc::vec::Vec<u8>> {
    if value.len() > MAX_SIGNATURE_LEN.div_ceil(3) * 4 {
        return None;
    }
    STANDARD.decode(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_unsigned_decimal() {
        // CRC-32/ISO-HDLC check value.
        assert_eq!(
            signed_string("a", "b", "c", b"123456789"),
            "a|b|c|3421780262"
        );
        assert_eq!(signed_string("a", "b", "c", b""), "a|b|c|0");
    }

    #[test]
    fn signature_decoding_is_bounded_and_canonical() {
        assert!(decode_signature(&[b'A'; 1024]).is_none());
        assert!(decode_signature(b"AAA").is_none());
        assert!(decode_signature(b"AB==").is_none()); // non-zero trailing bits
        assert_eq!(decode_signature(b"AA==").unwrap(), [0]);
    }
}
