//! AWS SNS: the message is a JSON object whose `Signature` (base64 RSA PKCS#1 v1.5,
//! SHA1withRSA for `SignatureVersion` 1, SHA256withRSA for 2) covers `name\nvalue\n` for
//! the fields AWS signs for the message's `Type`, in this order:
//!
//! - `Notification`: `Message`, `MessageId`, `Subject` (when present), `Timestamp`,
//!   `TopicArn`, `Type`;
//! - `SubscriptionConfirmation` and `UnsubscribeConfirmation`: `Message`, `MessageId`,
//!   `SubscribeURL`, `Timestamp`, `Token`, `TopicArn`, `Type`.
//!
//! The key is the certificate at `SigningCertURL`, whose host must be
//! `sns.<region>.amazonaws.com` (or `.amazonaws.com.cn`) over https with a path ending in
//! `.pem` (checked by the `fetch` module before anything is fetched).
//!
//! Sources: AWS's validators `aws/aws-php-sns-message-validator` `src/MessageValidator.php`
//! (`getStringToSign`, `validateUrl`, and the signed messages of
//! `tests/FunctionalValidationsTest.php`, copied to the vectors) and
//! `aws/aws-js-sns-message-validator` `index.js`; AWS's guide "Verifying the signatures of
//! Amazon SNS messages".
//!
//! The body is read as JSON before the signature is checked (the signed string is made of
//! its fields): a key that appears twice is refused, and every signed field must be a
//! string. Fields AWS does not sign for the message's type are ignored, as unsigned.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat,
    Spec, TimestampSource, TsFormat, name,
};
use crate::certificate::{MAX_SIGNATURE_LEN, RsaHash};
use crate::delivery::SigBytes;
use crate::headers::HeaderText;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

/// How old a message's `Timestamp` may be: SNS retries an HTTP/S delivery for at most an
/// hour, and keeps the message (and its timestamp) across retries.
pub(crate) const PAST: Duration = Duration::from_secs(3600);

/// How far ahead of the receiver's clock a `Timestamp` may be (clock skew).
pub(crate) const FUTURE: Duration = Duration::from_secs(300);

pub(super) static AWS_SNS: Spec = Spec {
    name: name("aws-sns"),
    names: Names {
        // Fields of the JSON body (`Signature`, `Timestamp`), not headers: named here, in
        // lowercase as header names are, for listings.
        signature: name("signature"),
        timestamp: Some(name("timestamp")),
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
    timestamp: TimestampSource::BodyJson("/Timestamp"),
    timestamp_format: TsFormat::Rfc3339,
    tolerance: Tolerance::new(Some(PAST), Some(FUTURE)),
    id: IdSource::Json("/MessageId"),
    event_type: EventTypeSource::Json("/Type"),
};

/// The string to sign, made of the body's fields.
static SCHEME: Scheme = Scheme {
    verify,
    sign: None,
    needs_url: false,
    replay_label: None,
    mismatch_hint: Some(
        "SNS signs the message with the certificate at its SigningCertURL: check that the \
         configured certificate is that one",
    ),
};

/// The fields signed for a `Notification`; `Subject` only when the message has one.
const NOTIFICATION: &[&str] = &[
    "Message",
    "MessageId",
    "Subject",
    "Timestamp",
    "TopicArn",
    "Type",
];

/// The fields signed for a `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
const CONFIRMATION: &[&str] = &[
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
];

fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let message = SnsMessage::parse(ctx.body())?;
    let ts_name = Cow::Borrowed("Timestamp");
    let timestamp = ctx.check_timestamp(message.field("Timestamp")?.as_bytes(), &ts_name)?;
    let signature = message.signature()?;
    let to_sign = message.string_to_sign()?;
    let index = ctx
        .find_rsa_key(message.hash()?, &[to_sign.as_bytes()], &signature)
        .ok_or(Error::SignatureMismatch)?;
    let id = HeaderText::new(message.field("MessageId")?);
    // RSA signatures are not replay material: the signed `MessageId` is the replay key.
    ctx.verified(index, Some(timestamp), Some(id), true, SigBytes::new())
}

/// An SNS message's fields, read from the body.
pub(crate) struct SnsMessage {
    fields: serde_json::Map<String, Value>,
}

impl SnsMessage {
    /// Reads the body as a JSON object, refusing a key that appears twice.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, Error> {
        match crate::json::strict_value(body) {
            Ok(Value::Object(fields)) => Ok(Self { fields }),
            _ => Err(Error::MalformedBody {
                reason: "not a JSON object, or a key appears twice",
            }),
        }
    }

    /// A string field that must be present.
    pub(crate) fn field(&self, key: &'static str) -> Result<&str, Error> {
        match self.fields.get(key) {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(Error::MalformedBody {
                reason: "an SNS message field is not a string",
            }),
            None => Err(Error::MalformedBody {
                reason: "an SNS message field is missing",
            }),
        }
    }

    /// The message's `Type`, which decides the signed fields.
    fn signed_fields(&self) -> Result<&'static [&'static str], Error> {
        match self.field("Type")? {
            "Notification" => Ok(NOTIFICATION),
            "SubscriptionConfirmation" | "UnsubscribeConfirmation" => Ok(CONFIRMATION),
            _ => Err(Error::MalformedBody {
                reason: "unknown SNS message Type",
            }),
        }
    }

    /// `name\nvalue\n` for each signed field, in AWS's order.
    pub(crate) fn string_to_sign(&self) -> Result<String, Error> {
        let mut out = String::new();
        for &key in self.signed_fields()? {
            // Only a notification's `Subject` is optional (and may be null).
            if key == "Subject" && matches!(self.fields.get(key), None | Some(Value::Null)) {
                continue;
            }
            out.push_str(key);
            out.push('\n');
            out.push_str(self.field(key)?);
            out.push('\n');
        }
        Ok(out)
    }

    /// SHA-1 for `SignatureVersion` 1, SHA-256 for 2.
    fn hash(&self) -> Result<RsaHash, Error> {
        match self.field("SignatureVersion")? {
            "1" => Ok(RsaHash::Sha1),
            "2" => Ok(RsaHash::Sha256),
            _ => Err(Error::MalformedBody {
                reason: "SignatureVersion is not 1 or 2",
            }),
        }
    }

    /// The decoded `Signature`: canonical padded base64 of at most 512 bytes.
    fn signature(&self) -> Result<Vec<u8>, Error> {
        let text = self.field("Signature")?;
        let bad = Error::MalformedBody {
            reason: "Signature is not canonical base64 of at most 512 bytes",
        };
        if text.len() > MAX_SIGNATURE_LEN.div_ceil(3) * 4 {
            return Err(bad);
        }
        STANDARD.decode(text).map_err(|_| bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(json: &str) -> SnsMessage {
        SnsMessage::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn string_to_sign_per_type() {
        let n = message(
            r#"{"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"hi",
                "Timestamp":"2022-07-28T21:23:58.317Z","Token":"ignored","SubscribeURL":"x"}"#,
        );
        assert_eq!(
            n.string_to_sign().unwrap(),
            "Message\nhi\nMessageId\nm\nTimestamp\n2022-07-28T21:23:58.317Z\nTopicArn\nt\nType\nNotification\n"
        );
        let with_subject = message(
            r#"{"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"hi","Subject":"s","Timestamp":"T"}"#,
        );
        assert!(
            with_subject
                .string_to_sign()
                .unwrap()
                .contains("MessageId\nm\nSubject\ns\nTimestamp\n")
        );
        let null_subject = message(
            r#"{"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"hi","Subject":null,"Timestamp":"T"}"#,
        );
        assert!(!null_subject.string_to_sign().unwrap().contains("Subject"));
        let c = message(
            r#"{"Type":"SubscriptionConfirmation","MessageId":"m","TopicArn":"t","Message":"hi",
                "Timestamp":"T","Token":"k","SubscribeURL":"u","Subject":"ignored"}"#,
        );
        assert_eq!(
            c.string_to_sign().unwrap(),
            "Message\nhi\nMessageId\nm\nSubscribeURL\nu\nTimestamp\nT\nToken\nk\nTopicArn\nt\nType\nSubscriptionConfirmation\n"
        );
    }

    #[test]
    fn malformed_messages_are_refused() {
        for bad in [
            "",
            "[]",
            "null",
            r#"{"Type":"Notification","Type":"Notification"}"#,
            r#"{"Type":"Other"}"#,
        ] {
            let err = SnsMessage::parse(bad.as_bytes()).and_then(|m| m.string_to_sign());
            assert!(err.is_err(), "{bad:?}");
        }
        // A signed field that is not a string, or missing.
        let m = message(
            r#"{"Type":"Notification","MessageId":1,"TopicArn":"t","Message":"hi","Timestamp":"T"}"#,
        );
        assert!(m.string_to_sign().is_err());
        let m = message(
            r#"{"Type":"SubscriptionConfirmation","MessageId":"m","TopicArn":"t","Message":"hi","Timestamp":"T"}"#,
        );
        assert!(m.string_to_sign().is_err());
        let m = message(r#"{"SignatureVersion":"3","Signature":"AAAA"}"#);
        assert!(m.hash().is_err());
        let long = format!(r#"{{"Signature":"{}"}}"#, "A".repeat(4096));
        assert!(message(&long).signature().is_err());
        assert!(message(r#"{"Signature":"AAB="}"#).signature().is_err()); // non-zero trailing bits
        assert!(
            message(r#"{"Signature":"not base64!"}"#)
                .signature()
                .is_err()
        );
    }
}
