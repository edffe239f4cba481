//! The signature header formats: one signature after a fixed prefix, Standard Webhooks'
//! space-separated `version,signature` list, and `key=value` lists (a timestamp and
//! signatures under their keys). Each is parsed into a [`Parsed`].

use alloc::borrow::Cow;

use super::{MAX_SIGNATURES, Parsed, SigKind};
use crate::Error;
use crate::provider::{Algorithm, Encoding, SigFormat, Spec};

/// [`parse`] into a caller's (empty) `parsed`, which avoids moving the signature list on
/// the hot path.
#[allow(
    clippy::ptr_arg,
    reason = "static names are cloned into errors without allocating"
)]
pub(crate) fn parse_into<'a>(
    spec: &Spec,
    name: &Cow<'static, str>,
    value: &'a [u8],
    parsed: &mut Parsed<'a>,
) -> Result<(), Error> {
    let bad = |reason| Error::malformed(name.clone(), reason);
    let mac_len = spec.algorithm.tag_len();
    match &spec.signature {
        SigFormat::Single { prefix, encoding } => {
            let encoded = value
                .strip_prefix(prefix.as_bytes())
                .ok_or_else(|| bad(prefix_reason(prefix)))?;
            match spec.algorithm {
                Algorithm::Ed25519 => {
                    parsed.push_sig(*encoding, encoded, SigKind::Ed25519, mac_len)
                }
                Algorithm::EcdsaP256Sha256 => {
                    parsed.push_sig(*encoding, encoded, SigKind::Ecdsa, mac_len)
                }
                Algorithm::HmacSha256 | Algorithm::HmacSha1 => {
                    parsed.push_mac(*encoding, encoded, mac_len)
                }
                // Their providers' own schemes read RSA signatures.
                Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPkcs1Sha1 => {
                    Err("an RSA signature is not read from a signature header")
                }
            }
            .map_err(bad)?;
        }
        SigFormat::VersionedList => {
            for (count, entry) in split(value, b' ').filter(|e| !e.is_empty()).enumerate() {
                if count == MAX_SIGNATURES {
                    return Err(bad("too many signatures"));
                }
                let comma = entry
                    .iter()
                    .position(|&b| b == b',')
                    .ok_or_else(|| bad("signature entry is not version,signature"))?;
                let (version, encoded) = (&entry[..comma], &entry[comma + 1..]);
                match version {
                    b"v1" => parsed.push_mac(Encoding::Base64, encoded, 32),
                    b"v1a" => parsed.push_sig(Encoding::Base64, encoded, SigKind::Ed25519, 64),
                    _ => continue, // versions we do not know are skipped, as the spec says
                }
                .map_err(bad)?;
            }
            if parsed.is_empty() {
                return Err(bad("no v1 or v1a signature"));
            }
        }
        SigFormat::KeyValue {
            separator,
            timestamp_key,
            signature_key,
        } => {
            for (count, element) in split(value, *separator).enumerate() {
                if count == 2 * MAX_SIGNATURES {
                    return Err(bad("too many elements"));
                }
                // Keys are short: a plain scan finds the `=` sooner than `memchr`.
                let eq = element
                    .iter()
                    .position(|&b| b == b'=')
                    .ok_or_else(|| bad("element is not key=value"))?;
                let (key, val) = (&element[..eq], &element[eq + 1..]);
                if key == timestamp_key.as_bytes() {
                    if parsed.timestamp.is_some_and(|t| t != val) {
                        return Err(bad("conflicting timestamps"));
                    }
                    parsed.timestamp = Some(val);
                } else if key == signature_key.as_bytes() {
                    parsed.push_mac(Encoding::Hex, val, mac_len).map_err(bad)?;
                }
            }
            if parsed.timestamp.is_none() {
                return Err(bad("no timestamp element"));
            }
            if parsed.is_empty() {
                return Err(bad("no signature with the expected scheme"));
            }
        }
        SigFormat::List {
            separator,
            prefix,
            encoding,
        } => {
            let entries = split(value, *separator)
                .map(<[u8]>::trim_ascii)
                .filter(|e| !e.is_empty());
            for (count, entry) in entries.enumerate() {
                if count == MAX_SIGNATURES {
                    return Err(bad("too many signatures"));
                }
                // Entries of another version are skipped, and so are entries that do not
                // decode (the senders' libraries skip both): one of the others must match.
                if let Some(encoded) = entry.strip_prefix(prefix.as_bytes()) {
                    match parsed.push_mac(*encoding, encoded, mac_len) {
                        Ok(()) => {}
                        Err(reason @ "too many signatures") => return Err(bad(reason)),
                        Err(_) => {
                            parsed.macs.pop();
                        }
                    }
                }
            }
            if parsed.is_empty() {
                return Err(bad(prefix_reason(prefix)));
            }
        }
    }
    Ok(())
}

/// The pieces of `value` between `separator` bytes (like `<[u8]>::split`, found with
/// `memchr`).
fn split(value: &[u8], separator: u8) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let ends = memchr::memchr_iter(separator, value).chain(core::iter::once(value.len()));
    ends.map(move |end| {
        let piece = &value[start..end];
        start = end + 1;
        piece
    })
}

fn prefix_reason(prefix: &str) -> &'static str {
    match prefix {
        "sha256=" => "expected sha256=",
        "sha1=" => "expected sha1=",
        "v0=" => "expected v0=",
        "v1=" => "expected v1=",
        _ => "unexpected signature prefix",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use crate::signature::parse;

    fn parse_for(p: &Provider, v: &str) -> Result<usize, Error> {
        let name = Cow::Borrowed("h");
        parse(p.spec(), &name, v.as_bytes()).map(|p| p.len())
    }

    const B64_32: &str = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn standard_lists() {
        let sw = Provider::STANDARD_WEBHOOKS;
        assert_eq!(parse_for(&sw, &format!("v1,{B64_32}")).unwrap(), 1);
        assert_eq!(
            parse_for(&sw, &format!("v2,x  v1,{B64_32} v1,{B64_32}")).unwrap(),
            2
        );
        for bad in [
            "",
            "v1,",
            "v1",
            "v2,abc",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", // unpadded
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", // non-zero trailing bits
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O==", // truncated
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=AA", // over-long
            "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=", // url-safe alphabet
        ] {
            assert!(parse_for(&sw, bad).is_err(), "{bad}");
        }
        let many = vec![format!("v1,{B64_32}"); MAX_SIGNATURES + 1].join(" ");
        assert_eq!(
            parse_for(&sw, &many).unwrap_err().to_string(),
            "malformed header h: too many signatures"
        );
    }

    #[test]
    fn key_value_lists() {
        let sig = "4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150";
        let st = Provider::STRIPE;
        assert_eq!(
            parse_for(&st, &format!("t=1,v1={sig},v1={sig},v0=zz,x=y")).unwrap(),
            2
        );
        for bad in [
            format!("v1={sig}"),
            "t=1".to_owned(),
            format!("t=1,v1={sig},junk"),
            format!("t=1,t=2,v1={sig}"),
            format!("t=1,v1={}", sig.to_uppercase()),
            format!("t=1,v1={}", &sig[2..]),
            format!("t=1,v1={sig}00"),
            format!("t=1,v1={}zz", &sig[2..]),
        ] {
            assert!(parse_for(&st, &bad).is_err(), "{bad}");
        }
        let pd = Provider::PADDLE;
        assert_eq!(parse_for(&pd, &format!("ts=1;h1={sig};h2=x")).unwrap(), 1);
    }

    #[test]
    fn prefixed_lists() {
        let sig = "0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd";
        let pd = Provider::PAGERDUTY;
        assert_eq!(parse_for(&pd, &format!("v1={sig}")).unwrap(), 1);
        assert_eq!(
            parse_for(&pd, &format!("v1={sig}, v2=zz,v1={sig}")).unwrap(),
            2
        );
        // Entries that do not decode are skipped, as go-pagerduty does.
        assert_eq!(parse_for(&pd, &format!("v1=00,v1=zz,v1={sig}")).unwrap(), 1);
        for bad in [
            String::new(),
            " , ".to_owned(),
            format!("v2={sig}"),
            format!("v1={}", sig.to_uppercase()),
            "v1=00".to_owned(),
            format!("v1={sig}00"),
            format!("v1={}", &sig[1..]),
        ] {
            assert!(parse_for(&pd, &bad).is_err(), "{bad}");
        }
        let many = vec![format!("v1={sig}"); MAX_SIGNATURES + 1].join(",");
        assert!(parse_for(&pd, &many).is_err());
        let orb = Provider::ORB;
        assert_eq!(parse_for(&orb, &format!("v1={sig} v1={sig}")).unwrap(), 2);
        assert!(parse_for(&orb, &format!("v1={sig},v1={sig}")).is_err());
    }

    #[test]
    fn split_like_the_standard_library() {
        for v in [&b""[..], b",", b"a,b", b",a,,b,", b"abc"] {
            let ours: Vec<&[u8]> = split(v, b',').collect();
            let std: Vec<&[u8]> = v.split(|&b| b == b',').collect();
            assert_eq!(ours, std, "{v:?}");
        }
    }

    #[test]
    fn single_with_prefix() {
        let gh = Provider::GITHUB;
        let sig = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(parse_for(&gh, &format!("sha256={sig}")).unwrap(), 1);
        let err = parse_for(&gh, &format!("sha1={sig}")).unwrap_err();
        assert_eq!(err.to_string(), "malformed header h: expected sha256=");
    }
}
