//! Contentful request verification: `x-contentful-signature: <hex HMAC-SHA256>` over the
//! canonical request, `{method}\n{path}\n{signed headers}\n{body}`, keyed by the signing
//! secret; the timestamp (`x-contentful-timestamp`, Unix milliseconds) and the list of
//! signed headers (`x-contentful-signed-headers`) are among the signed headers; 30 s, past
//! only.
//!
//! The signed headers are `name:value` pairs (names lowercase, values trimmed) sorted by
//! name and joined with `;`: each header the list names that the request carries, plus the
//! list itself (as rebuilt from the headers found) and the timestamp. The path is the
//! request's path and query, encoded as the toolkit does (the query percent-encoded, then
//! the whole URI-encoded): verification needs the URL
//! ([`Delivery::with_url`](crate::Delivery::with_url)). The method is `POST`, the method
//! Contentful sends webhooks, app events and app actions with.
//!
//! Source: Contentful's toolkit, `contentful/node-apps-toolkit`
//! `src/requests/verify-request.ts`, `sign-request.ts` and `utils.ts`.

use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat,
    SignInput, Signing, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

const SIGNED_HEADERS: &str = "x-contentful-signed-headers";
const TIMESTAMP: &str = "x-contentful-timestamp";
const METHOD: &str = "POST";
/// The most headers one signature may name.
const MAX_SIGNED_HEADERS: usize = 32;

pub(super) static CONTENTFUL: Spec = Spec {
    name: name("contentful"),
    names: Names {
        signature: name("x-contentful-signature"),
        timestamp: Some(name(TIMESTAMP)),
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name(""),
        encoding: Encoding::Hex,
    },
    message: Message::Scheme(&SCHEME),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixMillis,
    // The toolkit's default time to live.
    tolerance: Tolerance::past_only(Duration::from_secs(30)),
    id: IdSource::None,
    event_type: EventTypeSource::Header(name("x-contentful-topic")),
};

/// The canonical request, built here.
static SCHEME: Scheme = Scheme {
    verify,
    sign: Some(sign),
    needs_url: true,
    replay_label: None,
    mismatch_hint: Some(
        "Contentful signs the path and query as it requested them: behind a proxy, give the \
         original URL",
    ),
};

fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let parsed = ctx.header_signature()?;
    let url = ctx.url()?;
    let raw = ctx
        .header(TIMESTAMP)?
        .ok_or_else(|| Error::missing(name(TIMESTAMP)))?;
    let timestamp = ctx.check_timestamp(raw, &name(TIMESTAMP))?;
    let millis = crate::tolerance::parse_unix(raw)
        .map_err(|reason| Error::malformed(name(TIMESTAMP), reason))?;
    let list = ctx.header(SIGNED_HEADERS)?.unwrap_or_default();
    let mut signed: Vec<(&str, &[u8])> = Vec::new();
    for entry in list.split(|&b| b == b',') {
        // The toolkit matches the list against lowercase, trimmed names: another spelling
        // names no header.
        let Ok(entry) = core::str::from_utf8(entry) else {
            continue;
        };
        if entry.is_empty()
            || entry != entry.trim()
            || entry.bytes().any(|b| b.is_ascii_uppercase())
            || [SIGNED_HEADERS, TIMESTAMP].contains(&entry)
            || signed.iter().any(|(n, _)| *n == entry)
        {
            continue;
        }
        if signed.len() == MAX_SIGNED_HEADERS {
            return Err(Error::malformed(
                name(SIGNED_HEADERS),
                "too many signed headers",
            ));
        }
        if let Some(value) = ctx.header(entry)? {
            signed.push((entry, value.trim_ascii()));
        }
    }
    let message = canonical_request(url, &signed, millis, ctx.body());
    let mut tag = SigBytes::new();
    let index = ctx
        .find_key(&parsed, &[&[&message]], &mut tag)
        .ok_or(Error::SignatureMismatch)?;
    ctx.verified(index, Some(timestamp), None, false, tag)
}

/// The signature and the two headers Contentful adds, for a request to the given URL that
/// signs no other header.
fn sign(input: &SignInput<'_>) -> Result<Signing, Error> {
    let millis = input.timestamp.saturating_mul(1000);
    let message = canonical_request(input.url.unwrap_or_default(), &[], millis, input.body);
    let tag =
        (input.mac)(&message).ok_or_else(|| Error::secret("Contentful signs with an HMAC key"))?;
    Ok(Signing::Headers(alloc::vec![
        (input.spec.names.signature.to_string(), hex::encode(tag)),
        (SIGNED_HEADERS.to_owned(), signed_list(&[])),
        (TIMESTAMP.to_owned(), millis.to_string()),
    ]))
}

/// `{method}\n{path}\n{headers}\n{body}`, the headers being `signed` plus the list and the
/// timestamp, sorted by name.
fn canonical_request(url: &str, signed: &[(&str, &[u8])], millis: i64, body: &[u8]) -> Vec<u8> {
    let list = signed_list(signed);
    let millis = millis.to_string();
    let mut headers: Vec<(&str, &[u8])> = signed.to_vec();
    headers.push((SIGNED_HEADERS, list.as_bytes()));
    headers.push((TIMESTAMP, millis.as_bytes()));
    headers.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::with_capacity(body.len() + 256);
    out.extend_from_slice(METHOD.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(normalized_path(url).as_bytes());
    out.push(b'\n');
    for (i, (name, value)) in headers.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        out.extend_from_slice(value);
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// The list of signed header names, sorted, as the toolkit rebuilds it.
fn signed_list(signed: &[(&str, &[u8])]) -> String {
    let mut names: Vec<&str> = signed.iter().map(|(n, _)| *n).collect();
    names.extend([SIGNED_HEADERS, TIMESTAMP]);
    names.sort_unstable();
    names.join(",")
}

/// The path and query of `url` (everything after the authority, without a fragment),
/// encoded as the toolkit's `getNormalizedEncodedURI`: the query (up to a second `?`)
/// percent-encoded as `querystring.escape` does, then the whole as `encodeURI` does.
fn normalized_path(url: &str) -> String {
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest.find(['/', '?']).map_or("", |i| &rest[i..]),
        None => url,
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let rest = if rest.starts_with('?') || rest.is_empty() {
        // A URL without a path requests `/`.
        alloc::format!("/{rest}")
    } else {
        rest.to_owned()
    };
    let mut pieces = rest.split('?');
    let path = pieces.next().unwrap_or_default();
    let query = pieces.next().unwrap_or_default();
    let joined = if query.is_empty() {
        path.to_owned()
    } else {
        alloc::format!("{path}?{}", percent_encode(query, b"-_.!~*'()"))
    };
    percent_encode(&joined, b";,/?:@&=+$-_.!~*'()#")
}

/// `text` with every byte percent-encoded (uppercase hex) except ASCII letters, digits and
/// `keep`.
fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&alloc::format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded_as_the_toolkit_does() {
        // Node: encodeURI(`${pathname}?${querystring.escape(search)}`).
        assert_eq!(
            normalized_path("https://x.io/a/b?c=d&e=f"),
            "/a/b?c%253Dd%2526e%253Df"
        );
        assert_eq!(normalized_path("https://x.io/a b/ü"), "/a%20b/%C3%BC");
        assert_eq!(normalized_path("https://x.io/p%20q"), "/p%2520q");
        assert_eq!(normalized_path("https://x.io/a?b?c"), "/a?b");
        assert_eq!(normalized_path("https://x.io/a?"), "/a");
        assert_eq!(normalized_path("https://x.io"), "/");
        assert_eq!(normalized_path("https://x.io?q=1"), "/?q%253D1");
        assert_eq!(normalized_path("https://x.io/a#frag"), "/a");
        assert_eq!(normalized_path("/api/resources/1"), "/api/resources/1");
    }

    #[test]
    fn canonical_request_sorts_and_joins_headers() {
        let m = canonical_request("https://x.io/hook", &[("x-b", b"2"), ("a", b"1")], 7, b"{}");
        assert_eq!(
            String::from_utf8(m).unwrap(),
            "POST\n/hook\na:1;x-b:2;x-contentful-signed-headers:a,x-b,\
             x-contentful-signed-headers,x-contentful-timestamp;x-contentful-timestamp:7\n{}"
        );
    }
}
