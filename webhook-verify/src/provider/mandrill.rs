//! Mandrill (Mailchimp Transactional): `X-Mandrill-Signature: <base64 HMAC-SHA1>` over the
//! webhook URL followed by each POST parameter's name and value, sorted by name, keyed with
//! the webhook's key.
//!
//! Mandrill posts a form, `mandrill_events=<JSON array>`; the signature covers the decoded
//! parameters, not the raw body bytes, so parse the form from the verified body, never from
//! a re-encoded copy. A parameter named twice is refused (which value was signed would
//! depend on the parser). Names are sorted as bytes. The URL is the one configured for the
//! webhook, exactly; give it with [`Delivery::with_url`](crate::Delivery::with_url).
//! Mandrill signs no timestamp: use replay protection.
//!
//! Mailchimp's marketing (audience) webhooks are not signed and are not this scheme.
//!
//! Source: Mailchimp Transactional's docs, "Track and respond to activity with webhooks:
//! authenticating webhook requests"
//! (<https://mailchimp.com/developer/transactional/guides/track-respond-activity-webhooks/#authenticating-webhook-requests>),
//! whose `generateSignature` appends `ksort`ed names and values to the URL and signs with
//! `hash_hmac('sha1', …)`, base64.

use alloc::vec::Vec;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat,
    SignInput, Signing, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

pub(super) static MANDRILL: Spec = Spec {
    name: name("mandrill"),
    names: Names {
        signature: name("x-mandrill-signature"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha1,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Base64,
    },
    message: Message::Scheme(&SCHEME),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    id: IdSource::None,
    event_type: EventTypeSource::None,
};

/// The URL and the sorted form parameters, built here.
static SCHEME: Scheme = Scheme {
    verify,
    sign: Some(sign),
    needs_url: true,
    replay_label: None,
    mismatch_hint: Some(
        "Mandrill signs the webhook URL exactly as configured: behind a proxy, rebuild it \
         with the original scheme, host, path and query",
    ),
};

fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let parsed = ctx.header_signature()?;
    let message = signed_bytes(ctx.url()?, ctx.body())?;
    let parts: [&[u8]; 1] = [&message];
    let mut signature = SigBytes::new();
    let index = ctx
        .find_key(&parsed, &[&parts], &mut signature)
        .ok_or(Error::SignatureMismatch)?;
    ctx.verified(index, None, None, false, signature)
}

fn sign(input: &SignInput<'_>) -> Result<Signing, Error> {
    let message = signed_bytes(input.url.unwrap_or_default(), input.body)
        .map_err(|_| Error::config("a form parameter is named twice"))?;
    Ok(Signing::Message(message))
}

/// `url`, then each parameter's name and value (decoded), sorted by name.
fn signed_bytes(url: &str, body: &[u8]) -> Result<Vec<u8>, Error> {
    let mut params: Vec<(Vec<u8>, Vec<u8>)> = body
        .split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.iter().position(|&b| b == b'=') {
            Some(eq) => (decode(&piece[..eq]), decode(&piece[eq + 1..])),
            None => (decode(piece), Vec::new()),
        })
        .collect();
    params.sort_by(|a, b| a.0.cmp(&b.0));
    if params.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(Error::MalformedBody {
            reason: "a form parameter is named twice",
        });
    }
    let mut out = Vec::with_capacity(url.len() + body.len());
    out.extend_from_slice(url.as_bytes());
    for (k, v) in &params {
        out.extend_from_slice(k);
        out.extend_from_slice(v);
    }
    Ok(out)
}

/// Form decoding as PHP's `urldecode`: `+` is a space, `%XX` a byte, any other `%` stays.
fn decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        let hex = |j: usize| text.get(j).and_then(|c| char::from(*c).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                // Two hex digits: at most 0xff.
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(u8::MAX));
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_urldecode() {
        assert_eq!(decode(b"a+b%20c%7b%7D"), b"a b c{}");
        assert_eq!(decode(b"100%"), b"100%");
        assert_eq!(decode(b"%zz%4"), b"%zz%4");
        assert_eq!(decode(b"%ff"), [0xff]);
        assert_eq!(decode(b""), b"");
    }

    #[test]
    fn parameters_sorted_and_appended_to_the_url() {
        let m = signed_bytes("https://x/h", b"b=2&a=1&&c").unwrap();
        assert_eq!(m, b"https://x/ha1b2c");
    }

    #[test]
    fn a_name_twice_is_refused() {
        assert_eq!(
            signed_bytes("u", b"a=1&b=2&a=1").unwrap_err().kind(),
            crate::ErrorKind::MalformedBody
        );
        assert_eq!(
            signed_bytes("u", b"a=1&%61=2").unwrap_err().kind(),
            crate::ErrorKind::MalformedBody
        );
    }
}
