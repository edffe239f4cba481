//! Box: `box-signature-primary` and `box-signature-secondary`, each a base64 HMAC-SHA256 of
//! the body followed by `box-delivery-timestamp` (RFC 3339), one per signature key; 10
//! minutes, past only.
//!
//! Box signs each delivery with both of the application's keys, so that they can be rotated
//! one at a time. Configure both as secrets: a delivery verifies when either signature was
//! made by either key. `box-signature-version` and `box-signature-algorithm`, when sent,
//! must be `1` and `HmacSHA256`.
//!
//! Source: Box's Node SDK, `box/box-node-sdk` `src/managers/webhooks.ts`
//! (`validateMessage`) and its test vector in `tests/lib/managers/webhooks-test.js`.

use alloc::borrow::ToOwned;
use alloc::vec::Vec;
use core::time::Duration;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat,
    SignInput, Signing, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

const PRIMARY: &str = "box-signature-primary";
const SECONDARY: &str = "box-signature-secondary";
const TIMESTAMP: &str = "box-delivery-timestamp";
const VERSION: &str = "box-signature-version";
const ALGORITHM: &str = "box-signature-algorithm";

pub(super) static BOX: Spec = Spec {
    name: name("box"),
    names: Names {
        signature: name(PRIMARY),
        timestamp: Some(name(TIMESTAMP)),
        id: None,
    },
    // Listed so that `Provider::headers` names it; the scheme reads both signatures.
    fallback: Some(Names {
        signature: name(SECONDARY),
        timestamp: Some(name(TIMESTAMP)),
        id: None,
    }),
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Base64,
    },
    message: Message::Scheme(&SCHEME),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::Rfc3339,
    tolerance: Tolerance::past_only(Duration::from_secs(600)),
    id: IdSource::Header {
        name: name("box-delivery-id"),
        signed: false,
    },
    event_type: EventTypeSource::Json("/trigger"),
};

/// Two signature headers over the same bytes.
static SCHEME: Scheme = Scheme {
    verify,
    sign: Some(sign),
    needs_url: false,
    replay_label: None,
    mismatch_hint: Some("Box signs with two keys: configure the primary and the secondary"),
};

fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    expect_header(ctx, VERSION, b"1")?;
    expect_header(ctx, ALGORITHM, b"HmacSHA256")?;
    let primary = ctx.header(PRIMARY)?;
    let secondary = ctx.header(SECONDARY)?;
    if primary.is_none() && secondary.is_none() {
        return Err(Error::missing(ctx.spec().names.signature.clone()));
    }
    let parsed = [primary, secondary]
        .into_iter()
        .flatten()
        .map(|value| ctx.parse_signature(value))
        .collect::<Result<Vec<_>, _>>()?;
    let raw = ctx
        .header(TIMESTAMP)?
        .ok_or_else(|| Error::missing(name(TIMESTAMP)))?;
    let timestamp = ctx.check_timestamp(raw, &name(TIMESTAMP))?;
    let message: &[&[u8]] = &[ctx.body(), raw];
    // Both signatures are checked, whichever matches.
    let mut found = None;
    for sig in &parsed {
        let mut tag = SigBytes::new();
        let index = ctx.find_key(sig, &[message], &mut tag);
        if found.is_none() {
            found = index.map(|i| (i, tag));
        }
    }
    let (index, tag) = found.ok_or(Error::SignatureMismatch)?;
    let id = ctx.header_id()?;
    ctx.verified(index, Some(timestamp), id, false, tag)
}

/// A header Box sends about the scheme: when present it must be `expected`.
fn expect_header(
    ctx: &SchemeContext<'_>,
    header: &'static str,
    expected: &[u8],
) -> Result<(), Error> {
    match ctx.header(header)? {
        Some(value) if value != expected => Err(Error::malformed(
            name(header),
            "unsupported signature version or algorithm",
        )),
        _ => Ok(()),
    }
}

/// The primary signature, the timestamp and the scheme's version and algorithm, as Box
/// sends them (one key signs, so there is no secondary signature).
fn sign(input: &SignInput<'_>) -> Result<Signing, Error> {
    use base64::Engine as _;
    let timestamp = time::OffsetDateTime::from_unix_timestamp(input.timestamp)
        .ok()
        .and_then(crate::sign::rfc3339)
        .ok_or_else(|| Error::config("the timestamp is out of range"))?;
    let tag = (input.mac)(&[input.body, timestamp.as_bytes()].concat())
        .ok_or_else(|| Error::secret("Box signs with an HMAC key"))?;
    Ok(Signing::Headers(alloc::vec![
        (
            PRIMARY.to_owned(),
            base64::engine::general_purpose::STANDARD.encode(tag),
        ),
        (TIMESTAMP.to_owned(), timestamp),
        (VERSION.to_owned(), "1".to_owned()),
        (ALGORITHM.to_owned(), "HmacSHA256".to_owned()),
    ]))
}
