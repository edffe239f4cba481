//! Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1>` over the URL Twilio requested followed
//! by the sorted form parameters, or, for JSON bodies, over the URL carrying
//! `bodySHA256=<hex SHA-256 of the body>`.
//!
//! Source: Twilio's Node library, `twilio/twilio-node` `src/webhooks/webhooks.ts` and its
//! specs.

use alloc::borrow::ToOwned;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat,
    SignInput, Signing, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

pub(super) static TWILIO: Spec = Spec {
    name: name("twilio"),
    names: Names {
        signature: name("x-twilio-signature"),
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

/// The URL and form parameters, built here.
static SCHEME: Scheme = Scheme {
    verify,
    sign: Some(sign),
    needs_url: true,
    replay_label: None,
    mismatch_hint: Some(
        "Twilio signs the exact public URL it called: behind a proxy, rebuild it with \
         the original scheme, host, port and query",
    ),
};

/// Verifies the signature header over each candidate URL form followed by the parameters.
fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let parsed = ctx.header_signature()?;
    let url = ctx.url()?;
    let candidates = twilio_messages(url, ctx.body(), false)?;
    let slices: Vec<[&[u8]; 1]> = candidates.iter().map(|m| [m.as_slice()]).collect();
    let refs: Vec<&[&[u8]]> = slices.iter().map(|s| &s[..]).collect();
    let mut signature = SigBytes::new();
    let index = ctx
        .find_key(&parsed, &refs, &mut signature)
        .ok_or(Error::SignatureMismatch)?;
    ctx.verified(index, None, None, false, signature)
}

/// Signs the URL exactly as given.
fn sign(input: &SignInput<'_>) -> Result<Signing, Error> {
    let message = twilio_messages(input.url.unwrap_or_default(), input.body, true)
        .map_err(|_| Error::config("the URL's bodySHA256 does not match the body"))?
        .swap_remove(0);
    Ok(Signing::Message(message))
}

/// The candidate signed strings for a Twilio request: the URL without its port and with
/// the scheme's default port added (Twilio signs whichever form it requested), each
/// followed by the sorted form parameters.
///
/// For a URL carrying `bodySHA256`, the body's SHA-256 must match it (else
/// [`Error::SignatureMismatch`]) and the parameters are not appended.
///
/// With `exact`, only the URL as given is used (for signing).
fn twilio_messages(url: &str, body: &[u8], exact: bool) -> Result<Vec<Vec<u8>>, Error> {
    let params = match body_sha256_param(url) {
        Some(expected) => {
            let actual = hex::encode(Sha256::digest(body));
            if !bool::from(actual.as_bytes().ct_eq(expected.as_bytes())) {
                return Err(Error::SignatureMismatch);
            }
            Vec::new()
        }
        None => sorted_params(body),
    };
    let urls = if exact {
        vec![url.to_owned()]
    } else {
        let mut v = vec![with_port(url, false), with_port(url, true)];
        v.dedup();
        v
    };
    Ok(urls
        .into_iter()
        .map(|u| {
            let mut m = u.into_bytes();
            m.extend_from_slice(&params);
            m
        })
        .collect())
}

fn body_sha256_param(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "bodySHA256")
        .map(|(_, v)| v.into_owned())
}

/// `name + value` for every form parameter, sorted by name, values de-duplicated and
/// sorted, as twilio-node does.
fn sorted_params(body: &[u8]) -> Vec<u8> {
    let mut params: BTreeMap<_, BTreeSet<_>> = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(body) {
        params.entry(k).or_default().insert(v);
    }
    let mut out = Vec::new();
    for (k, values) in &params {
        for v in values {
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(v.as_bytes());
        }
    }
    out
}

/// `url` with its port removed, or with the scheme's default port added when it has none.
/// Anything that does not look like `scheme://authority…` is returned unchanged.
fn with_port(url: &str, add_default: bool) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(i) => authority.split_at(i + 1),
        None => ("", authority),
    };
    // The port follows the last ':' unless that ':' is inside an IPv6 literal.
    let (host, port) = match hostport.rfind(':') {
        Some(i) if !hostport[i..].contains(']') => (&hostport[..i], Some(&hostport[i + 1..])),
        _ => (hostport, None),
    };
    let port = if add_default {
        match port {
            Some(p) => Some(p.to_owned()),
            None => match scheme.to_ascii_lowercase().as_str() {
                "https" => Some("443".to_owned()),
                "http" => Some("80".to_owned()),
                _ => None,
            },
        }
    } else {
        None
    };
    match port {
        Some(p) => format!("{scheme}://{userinfo}{host}:{p}{tail}"),
        None => format!("{scheme}://{userinfo}{host}{tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_variants() {
        let u = "https://example.com/a?b=1";
        assert_eq!(with_port(u, false), u);
        assert_eq!(with_port(u, true), "https://example.com:443/a?b=1");
        let u = "http://user:pw@example.com:1234";
        assert_eq!(with_port(u, false), "http://user:pw@example.com");
        assert_eq!(with_port(u, true), u);
        assert_eq!(with_port("https://[::1]/x", true), "https://[::1]:443/x");
        assert_eq!(with_port("https://[::1]:8443/x", false), "https://[::1]/x");
        assert_eq!(with_port("not a url", true), "not a url");
        assert_eq!(with_port("", false), "");
    }

    #[test]
    fn params_sorted_and_deduplicated() {
        assert_eq!(sorted_params(b"b=2&a=1&b=1&b=2"), b"a1b1b2");
        assert_eq!(sorted_params(b""), b"");
        assert_eq!(sorted_params(b"%FF=%FE"), "\u{fffd}\u{fffd}".as_bytes());
    }

    #[test]
    fn body_hash_mismatch_is_a_signature_mismatch() {
        let url = "https://x/?bodySHA256=00";
        assert_eq!(
            twilio_messages(url, b"{}", false),
            Err(Error::SignatureMismatch)
        );
    }
}
