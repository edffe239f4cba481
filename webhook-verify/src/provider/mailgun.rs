//! Mailgun: HMAC-SHA256 over `{timestamp}{token}`, both carried in the body with the
//! signature (JSON `signature` object, or legacy form fields). The body is not signed.

use std::borrow::Cow;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::{Error, Tolerance};

pub(super) static MAILGUN: Spec = Spec {
    name: name("mailgun"),
    names: Names {
        // Body fields, not headers: named here for errors and listings.
        signature: name("signature"),
        timestamp: Some(name("timestamp")),
        id: Some(name("token")),
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: Cow::Borrowed(""),
        encoding: Encoding::Hex,
    },
    message: Message::Mailgun,
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    id: IdSource::Signed,
    event_type: EventTypeSource::Json("/event-data/event"),
};

/// The signed fields of a Mailgun delivery.
pub(crate) struct MailgunFields {
    pub(crate) timestamp: String,
    pub(crate) token: String,
    pub(crate) signature: String,
}

/// Reads `timestamp`, `token` and `signature` from a JSON body's `signature` object, or
/// from form fields.
pub(crate) fn mailgun_fields(body: &[u8]) -> Result<MailgunFields, Error> {
    let missing = |f: &'static str| Error::MalformedBody {
        reason: match f {
            "timestamp" => "no signature timestamp field",
            "token" => "no signature token field",
            _ => "no signature field",
        },
    };
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body) {
        let sig = map.get("signature").and_then(|s| s.as_object());
        let field = |f: &'static str| -> Result<String, Error> {
            match sig.and_then(|s| s.get(f)) {
                Some(serde_json::Value::String(v)) => Ok(v.clone()),
                Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
                _ => Err(missing(f)),
            }
        };
        return Ok(MailgunFields {
            timestamp: field("timestamp")?,
            token: field("token")?,
            signature: field("signature")?,
        });
    }
    let mut fields = (None, None, None);
    for (k, v) in form_urlencoded::parse(body) {
        let slot = match &*k {
            "timestamp" => &mut fields.0,
            "token" => &mut fields.1,
            "signature" => &mut fields.2,
            _ => continue,
        };
        if slot.replace(v.into_owned()).is_some() {
            return Err(Error::MalformedBody {
                reason: "a signature field appears twice",
            });
        }
    }
    Ok(MailgunFields {
        timestamp: fields.0.ok_or_else(|| missing("timestamp"))?,
        token: fields.1.ok_or_else(|| missing("token"))?,
        signature: fields.2.ok_or_else(|| missing("signature"))?,
    })
}
