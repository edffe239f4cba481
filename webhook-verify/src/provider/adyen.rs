//! Adyen: Balance Platform webhooks (`HmacSignature` header, base64 HMAC-SHA256 of the
//! body) and classic notifications (each item signed over its colon-joined fields). The
//! key is the hex HMAC key from the Customer Area.
//!
//! A classic notification carries one item, as Adyen sends them; a body with several is
//! refused (400): its items could otherwise be replayed in other combinations, each under
//! a replay key never seen.
//!
//! Source: Adyen's Node library, `Adyen/adyen-node-api-library` `src/utils/hmacValidator.ts`.

use alloc::borrow::{Cow, ToOwned};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Part, Scheme,
    SigFormat, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::signature::Parsed;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

/// Classic notifications: the signature travels inside each item.
pub(super) static ADYEN: Spec = Spec {
    name: name("adyen"),
    names: Names {
        signature: name("additionalData.hmacSignature"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: Some(&ADYEN_BALANCE_PLATFORM),
    key: KeyForm::Hex,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Base64,
    },
    message: Message::Scheme(&CLASSIC),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    id: IdSource::Json("/notificationItems/0/NotificationRequestItem/pspReference"),
    event_type: EventTypeSource::Json("/notificationItems/0/NotificationRequestItem/eventCode"),
};

static ADYEN_BALANCE_PLATFORM: Spec = Spec {
    name: name("adyen"),
    names: Names {
        signature: name("hmacsignature"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Hex,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Base64,
    },
    message: Message::Template(Cow::Borrowed(&[Part::Body])),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    id: IdSource::None,
    event_type: EventTypeSource::Json("/type"),
};

/// Classic notifications: each item signed over its own fields, in the body. Signing goes
/// through the Balance Platform header.
static CLASSIC: Scheme = Scheme {
    verify: verify_classic,
    sign: None,
    needs_url: false,
    replay_label: Some("items"),
    mismatch_hint: None,
};

/// Every item must verify with the same key.
fn verify_classic(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let items = adyen_classic_messages(ctx.body())?;
    let parsed: Vec<Parsed<'_>> = items
        .iter()
        .map(|(_, sig)| ctx.parse_signature(sig.as_bytes()))
        .collect::<Result<_, _>>()?;
    // Every key is checked against every item, whichever matched first: the time does not
    // tell which key the sender used.
    let mut index = None;
    for i in 0..ctx.key_count() {
        let all = items
            .iter()
            .zip(&parsed)
            .fold(true, |all, ((message, _), sig)| {
                ctx.key_matches(i, sig, &[&[message]]) & all
            });
        if all && index.is_none() {
            index = Some(i);
        }
    }
    let index = index.ok_or(Error::SignatureMismatch)?;
    // The replay key is made of what the items' signatures cover, nothing else.
    let mut material = SigBytes::new();
    let _ = material.try_extend_from_slice(&adyen_classic_digest(&items));
    ctx.verified(index, None, None, false, material)
}

const FIELDS: [&[&str]; 8] = [
    &["pspReference"],
    &["originalReference"],
    &["merchantAccountCode"],
    &["merchantReference"],
    &["amount", "value"],
    &["amount", "currency"],
    &["eventCode"],
    &["success"],
];

/// For each `NotificationRequestItem`: the signed string and its base64 signature.
///
/// The body is read with [`strict_value`](crate::json::strict_value): a key that
/// appears twice anywhere (a second `notificationItems`, a second `pspReference` in an
/// item) is refused, so every other reader of the body (the id, the event type, envelopes)
/// sees the values that were verified.
fn adyen_classic_messages(body: &[u8]) -> Result<Vec<(Vec<u8>, String)>, Error> {
    let bad = |reason| Error::MalformedBody { reason };
    let root: Value =
        crate::json::strict_value(body).map_err(|_| bad("not JSON, or a key appears twice"))?;
    let items = root
        .get("notificationItems")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad("no notificationItems"))?;
    // Adyen sends one item per notification. A batch is refused: whatever one replay key
    // a batch got, its items could be replayed in another batch (a subset, or items of two
    // captured notifications together) under a key never seen.
    if items.len() > 1 {
        return Err(bad(
            "more than one notification item (Adyen sends one per notification)",
        ));
    }
    items
        .iter()
        .map(|item| {
            let item = item
                .get("NotificationRequestItem")
                .ok_or_else(|| bad("an item has no NotificationRequestItem"))?;
            let signature = item
                .pointer("/additionalData/hmacSignature")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("an item has no additionalData.hmacSignature"))?;
            let fields: Vec<String> = FIELDS
                .iter()
                .map(|path| {
                    let v = path.iter().try_fold(item, |v, k| v.get(*k));
                    match v {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Null) | None => String::new(),
                        Some(other) => other.to_string(),
                    }
                })
                .collect();
            Ok((fields.join(":").into_bytes(), signature.to_owned()))
        })
        .collect()
}

/// The replay material of a classic notification: SHA-256 over the signed strings of its
/// items, sorted (so reordering the items changes nothing) and each prefixed with its
/// length. Only what the signatures cover goes in: whitespace, escapes, unsigned fields and
/// the order of items can be changed by anyone, and change nothing here.
fn adyen_classic_digest(items: &[(Vec<u8>, String)]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut messages: Vec<&[u8]> = items.iter().map(|(m, _)| m.as_slice()).collect();
    messages.sort_unstable();
    messages.dedup();
    let mut h = Sha256::new();
    for m in messages {
        h.update((m.len() as u64).to_be_bytes());
        h.update(m);
    }
    h.finalize().into()
}
