//! Mailgun: HMAC-SHA256 over `{timestamp}{token}`, both carried in the body with the
//! signature (JSON `signature` object, or legacy form fields). The body is not signed.
//!
//! Source: Mailgun's PHP SDK, `mailgun/mailgun-php` `src/Api/Webhook.php` and its tests.

use alloc::borrow::Cow;
use alloc::string::String;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Scheme,
    SigFormat, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::headers::HeaderText;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

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
    message: Message::Scheme(&SCHEME),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixSeconds,
    // Mailgun's SDKs check no age; its docs ask receivers to check that the timestamp is
    // recent and that no token is used twice. Five minutes each way, as for Slack and
    // Standard Webhooks: a captured delivery is refused once it is that old, and within the
    // window its token is the replay key. Widen it with `VerifierBuilder::tolerance` if
    // your deliveries queue for longer.
    tolerance: Tolerance::both(FIVE_MINUTES),
    id: IdSource::Signed,
    event_type: EventTypeSource::Json("/event-data/event"),
};

/// `timestamp ‖ token` from the body's fields; the signature is in the body too.
static SCHEME: Scheme = Scheme {
    verify,
    sign: None,
    needs_url: false,
    replay_label: None,
    mismatch_hint: None,
};

/// HMAC over the timestamp and token found in the body; the token is the signed id.
fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let fields = mailgun_fields(ctx.body())?;
    let spec = ctx.spec();
    let ts_name = spec.names.timestamp.as_ref().expect("declared");
    let timestamp = ctx.check_timestamp(fields.timestamp.as_bytes(), ts_name)?;
    let parsed = ctx.parse_signature(fields.signature.as_bytes())?;
    let message: [&[u8]; 2] = [fields.timestamp.as_bytes(), fields.token.as_bytes()];
    let mut signature = SigBytes::new();
    let index = ctx
        .find_key(&parsed, &[&message], &mut signature)
        .ok_or(Error::SignatureMismatch)?;
    ctx.verified(
        index,
        Some(timestamp),
        Some(HeaderText::from(fields.token)),
        true,
        signature,
    )
}

/// The length of a Mailgun token: 50 characters.
const TOKEN_LEN: usize = 50;

/// The signed fields of a Mailgun delivery, in their exact forms.
struct MailgunFields {
    timestamp: String,
    token: String,
    signature: String,
}

/// Reads `timestamp`, `token` and `signature` from a JSON body's `signature` object, or
/// from form fields, and checks their forms.
///
/// Mailgun signs `timestamp ‖ token` with no separator, so the fields are held to the exact
/// forms Mailgun sends: the timestamp decimal Unix seconds (ASCII digits, no sign, no
/// leading zero), the token exactly [`TOKEN_LEN`] lowercase letters and digits (hex in
/// current deliveries). With the token's length fixed, the boundary between the two is
/// fixed too: digits cannot be moved from one to the other while the signature still
/// verifies, so neither the checked timestamp nor the replay key (the token) can be changed
/// without the key. In JSON, the three fields must be strings, and a key that appears twice
/// anywhere in the body is refused.
fn mailgun_fields(body: &[u8]) -> Result<MailgunFields, Error> {
    let fields = read_fields(body)?;
    check_timestamp(&fields.timestamp)?;
    check_token(&fields.token)?;
    Ok(fields)
}

fn read_fields(body: &[u8]) -> Result<MailgunFields, Error> {
    let missing = |f: &'static str| Error::MalformedBody {
        reason: match f {
            "timestamp" => "no signature timestamp field",
            "token" => "no signature token field",
            _ => "no signature field",
        },
    };
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        let root = crate::json::strict_value(body).map_err(|_| Error::MalformedBody {
            reason: "not JSON, or a key appears twice",
        })?;
        let sig = root.get("signature").and_then(|s| s.as_object());
        let field = |f: &'static str| -> Result<String, Error> {
            match sig.and_then(|s| s.get(f)) {
                Some(serde_json::Value::String(v)) => Ok(v.clone()),
                Some(_) => Err(Error::MalformedBody {
                    reason: "a signature field is not a string",
                }),
                None => Err(missing(f)),
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

/// Decimal Unix seconds: 1 to 19 ASCII digits, no leading zero.
fn check_timestamp(ts: &str) -> Result<(), Error> {
    let b = ts.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= 19
        && b.iter().all(u8::is_ascii_digit)
        && (b[0] != b'0' || b.len() == 1);
    if ok {
        Ok(())
    } else {
        Err(Error::MalformedBody {
            reason: "the signature timestamp is not decimal Unix seconds without leading zeros",
        })
    }
}

/// Exactly [`TOKEN_LEN`] lowercase ASCII letters and digits.
fn check_token(token: &str) -> Result<(), Error> {
    let ok = token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    if ok {
        Ok(())
    } else {
        Err(Error::MalformedBody {
            reason: "the signature token is not 50 lowercase letters and digits",
        })
    }
}
