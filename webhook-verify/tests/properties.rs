//! Properties over random input: sign→verify round-trips for every provider; a changed
//! body byte, signature character, signed timestamp (inside the window) or signed id fails
//! with a signature mismatch, not some other error; hostile headers in every provider's
//! header grammar never panic and fail only with the kinds that grammar allows.

use proptest::prelude::*;
use webhook_testkit::{NOW, all_providers, signed, verifier};
use webhook_verify::{Delivery, ErrorKind, Provider};

fn providers() -> impl Strategy<Value = Provider> {
    prop::sample::select(all_providers())
}

/// How a provider writes its signature (and where its timestamp and id travel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grammar {
    /// Standard Webhooks: space-separated `v1,<base64>` / `v1a,<base64>` entries.
    VersionedList,
    /// `key=value` elements separated by `sep`: `t=…,v1=<hex>` (Stripe, Calendly) or
    /// `ts=…;h1=<hex>` (Paddle).
    KeyValueList {
        sep: char,
        ts: &'static str,
        sig: &'static str,
    },
    /// A prefix then lowercase hex: `sha256=` (GitHub, Twitch), `sha1=` (GitHub legacy,
    /// Intercom), `v0=` (Slack, Zoom).
    PrefixedHex(&'static str),
    /// A prefix then base64: `sha256=` (Typeform), `v1=` (the custom provider).
    PrefixedBase64(&'static str),
    /// Bare base64 (Shopify, Twilio, Square, Adyen's `HmacSignature`, WooCommerce, Xero,
    /// AfterShip, Box).
    BareBase64,
    /// Bare lowercase hex (Linear, Razorpay, Lemon Squeezy, Segment, Alchemy, Asana,
    /// Contentful).
    BareHex,
    /// A 64-byte Ed25519 signature in hex (Discord).
    Ed25519Hex,
    /// A base64 DER ECDSA signature (SendGrid).
    DerBase64,
    /// A shared token (GitLab's `X-Gitlab-Token`, Postmark's basic auth, Okta's
    /// `Authorization`).
    Token,
    /// Entries separated by `sep`, each a prefix then lowercase hex (PagerDuty, CircleCI:
    /// `v1=…,v1=…`; Orb: `v1=… v1=…`).
    PrefixedList { sep: char, prefix: &'static str },
    /// A 64-byte Ed25519 signature in base64 (Telnyx).
    Ed25519Base64,
    /// A JWT, base64url parts (FusionAuth).
    Jwt,
    /// Fields of the body (Mailgun's `signature` object or form fields, Microsoft Graph's
    /// `clientState`).
    BodyFields,
}

/// How a timestamp header is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ts {
    Seconds,
    Rfc3339,
}

/// One header grammar of one provider, with the header names it is read from.
#[derive(Debug, Clone)]
struct Target {
    provider: Provider,
    grammar: Grammar,
    signature: String,
    timestamp: Option<(String, Ts)>,
    id: Option<String>,
}

/// Every header grammar `p` accepts. Panics for a provider nobody classified, so a new
/// provider gets its own strategy.
fn grammars(p: &Provider) -> Vec<Target> {
    let target =
        |grammar, signature: &str, timestamp: Option<(&str, Ts)>, id: Option<&str>| Target {
            provider: p.clone(),
            grammar,
            signature: signature.to_owned(),
            timestamp: timestamp.map(|(n, f)| (n.to_owned(), f)),
            id: id.map(str::to_owned),
        };
    let sig = p.signature_header();
    let ts = p.timestamp_header().map(|t| (t, Ts::Seconds));
    match p.name() {
        "standard" | "svix" | "clerk" | "resend" | "openai" | "replicate" | "brex" | "lithic" => {
            vec![target(Grammar::VersionedList, sig, ts, p.id_header())]
        }
        "stripe" | "calendly" | "mux" => vec![target(
            Grammar::KeyValueList {
                sep: ',',
                ts: "t",
                sig: "v1",
            },
            sig,
            None,
            None,
        )],
        // WorkOS writes `t=…, v1=…`: the signature element's key is ` v1`.
        "workos" => vec![target(
            Grammar::KeyValueList {
                sep: ',',
                ts: "t",
                sig: " v1",
            },
            sig,
            None,
            None,
        )],
        "paddle" => vec![target(
            Grammar::KeyValueList {
                sep: ';',
                ts: "ts",
                sig: "h1",
            },
            sig,
            None,
            None,
        )],
        "github" | "bitbucket" => vec![target(Grammar::PrefixedHex("sha256="), sig, None, None)],
        "github-sha1" | "intercom" => vec![target(Grammar::PrefixedHex("sha1="), sig, None, None)],
        "slack" | "zoom" => vec![target(Grammar::PrefixedHex("v0="), sig, ts, None)],
        "twitch" => vec![target(
            Grammar::PrefixedHex("sha256="),
            sig,
            p.timestamp_header().map(|t| (t, Ts::Rfc3339)),
            p.id_header(),
        )],
        "typeform" => vec![target(Grammar::PrefixedBase64("sha256="), sig, None, None)],
        "acme" => vec![target(
            Grammar::PrefixedBase64("v1="),
            sig,
            ts,
            p.id_header(),
        )],
        "shopify" | "twilio" | "square" | "docusign" | "mandrill" => {
            vec![target(Grammar::BareBase64, sig, None, None)]
        }
        "hubspot" => vec![target(Grammar::BareBase64, sig, ts, None)],
        "zendesk" => vec![target(
            Grammar::BareBase64,
            sig,
            p.timestamp_header().map(|t| (t, Ts::Rfc3339)),
            None,
        )],
        "adyen" => vec![target(Grammar::BareBase64, "hmacsignature", None, None)],
        "linear" | "razorpay" | "lemonsqueezy" | "coinbase" | "vercel" | "sentry" => {
            vec![target(Grammar::BareHex, sig, None, None)]
        }
        "airwallex" | "webflow" => vec![target(Grammar::BareHex, sig, ts, None)],
        "discord" => vec![target(Grammar::Ed25519Hex, sig, ts, None)],
        "sendgrid" => vec![target(Grammar::DerBase64, sig, ts, None)],
        "gitlab" => vec![
            target(Grammar::Token, sig, None, None),
            target(
                Grammar::VersionedList,
                "webhook-signature",
                Some(("webhook-timestamp", Ts::Seconds)),
                Some("webhook-id"),
            ),
        ],
        "mailgun" => vec![target(Grammar::BodyFields, "signature", None, None)],
        // The `Authorization: Basic …` credential, checked like a token.
        "chargebee" => vec![target(Grammar::Token, sig, None, None)],
        "tiktok" => vec![target(
            Grammar::KeyValueList {
                sep: ',',
                ts: "t",
                sig: "s",
            },
            sig,
            None,
            None,
        )],
        "circleci" | "pagerduty" => vec![target(
            Grammar::PrefixedList {
                sep: ',',
                prefix: "v1=",
            },
            sig,
            None,
            None,
        )],
        "orb" => vec![target(
            Grammar::PrefixedList {
                sep: ' ',
                prefix: "v1=",
            },
            sig,
            p.timestamp_header().map(|t| (t, Ts::Rfc3339)),
            None,
        )],
        "segment" | "alchemy" | "asana" => vec![target(Grammar::BareHex, sig, None, None)],
        "contentful" => vec![target(Grammar::BareHex, sig, ts, None)],
        "woocommerce" | "xero" | "aftership" => {
            vec![target(Grammar::BareBase64, sig, None, None)]
        }
        "box" => vec![target(
            Grammar::BareBase64,
            sig,
            p.timestamp_header().map(|t| (t, Ts::Rfc3339)),
            None,
        )],
        "cursor" => vec![target(Grammar::PrefixedHex("sha256="), sig, None, None)],
        "frameio" => vec![target(Grammar::PrefixedHex("v0="), sig, ts, None)],
        "telnyx" => vec![target(Grammar::Ed25519Base64, sig, ts, None)],
        "postmark" => vec![target(Grammar::Token, sig, None, None)],
        "fusionauth" => vec![target(Grammar::Jwt, sig, None, None)],
        "meta" => vec![target(Grammar::PrefixedHex("sha256="), sig, None, None)],
        "x" => vec![target(Grammar::PrefixedBase64("sha256="), sig, None, None)],
        "dropbox" => vec![target(Grammar::BareHex, sig, None, None)],
        "okta" => vec![target(Grammar::Token, sig, None, None)],
        // The shared value is a field of each notification in the body.
        "microsoft-graph" => vec![target(Grammar::BodyFields, "clientstate", None, None)],
        // The message's fields: its `Signature` and `Timestamp` are in the body.
        "aws-sns" => vec![target(Grammar::BodyFields, "signature", None, None)],
        "paypal" => vec![target(
            Grammar::BareBase64,
            sig,
            p.timestamp_header().map(|t| (t, Ts::Rfc3339)),
            p.id_header(),
        )],
        other => panic!("provider {other} has no header grammar here: add one"),
    }
}

/// Whether `p` refuses `body` before any signature check because a digit would sit next to
/// its signed timestamp with no separator (tests/security.rs): `{timestamp}{body}` for
/// Discord, SendGrid and Airwallex, `…{body}{timestamp}` for HubSpot. Their real bodies are
/// JSON objects and arrays.
fn digit_at_timestamp_boundary(p: &Provider, body: &[u8]) -> bool {
    match p.name() {
        "discord" | "sendgrid" | "airwallex" => body.first().is_some_and(u8::is_ascii_digit),
        "hubspot" => body.last().is_some_and(u8::is_ascii_digit),
        _ => false,
    }
}

/// Providers whose timestamp header is in milliseconds.
fn millis_header(p: &Provider) -> bool {
    ["hubspot", "airwallex", "webflow"].contains(&p.name())
}

fn targets(pick: impl Fn(Grammar) -> bool) -> Vec<Target> {
    let all: Vec<Target> = all_providers().iter().flat_map(grammars).collect();
    let picked: Vec<Target> = all.into_iter().filter(|t| pick(t.grammar)).collect();
    assert!(!picked.is_empty(), "a grammar strategy with no provider");
    picked
}

/// The error kinds a hostile delivery of `target`'s grammar may produce: never a panic,
/// never success, never a configuration or URL error.
fn allowed(target: &Target) -> Vec<ErrorKind> {
    let mut kinds = vec![ErrorKind::MalformedHeader, ErrorKind::SignatureMismatch];
    if target.timestamp.is_some()
        || matches!(
            target.grammar,
            Grammar::KeyValueList { .. } | Grammar::BodyFields
        )
    {
        kinds.extend([ErrorKind::TimestampTooOld, ErrorKind::TimestampInFuture]);
    }
    if target.grammar == Grammar::BodyFields {
        kinds.push(ErrorKind::MalformedBody);
    }
    if target.grammar == Grammar::Jwt {
        // A JWT made without the key never gets to its claims; these are listed for a
        // JWT whose claims are read.
        kinds.extend([ErrorKind::MalformedBody, ErrorKind::TimestampTooOld]);
    }
    kinds
}

/// Verifies a delivery of `target`'s headers (signature `sig`, timestamp `ts`, id `id`)
/// with the provider's test verifier at [`NOW`]; checks the error kind and that diagnosis
/// does not panic either.
fn check_hostile(target: &Target, sig: &str, ts: &str, id: &str) -> Result<(), TestCaseError> {
    let mut headers = vec![(target.signature.clone(), sig.to_owned())];
    if let Some((name, _)) = &target.timestamp {
        headers.push((name.clone(), ts.to_owned()));
    }
    if let Some(name) = &target.id {
        headers.push((name.clone(), id.to_owned()));
    }
    let body = br#"{"type":"x","id":"evt_1"}"#;
    let d = Delivery::new(&headers, &body[..]).with_url(webhook_testkit::URL);
    let v = verifier(&target.provider);
    match v.verify(&d) {
        Ok(_) => prop_assert!(
            false,
            "{}: hostile headers verified: {headers:?}",
            target.provider
        ),
        Err(e) => {
            prop_assert!(
                allowed(target).contains(&e.kind()),
                "{} {:?}: {:?} ({e}) for {headers:?}",
                target.provider,
                target.grammar,
                e.kind()
            );
            let _ = v.diagnose(&d, &e).to_string();
        }
    }
    Ok(())
}

fn check_all(
    pick: impl Fn(Grammar) -> bool,
    sig: impl Fn(&Target) -> String,
    ts: &str,
    rfc3339: &str,
    id: &str,
) -> Result<(), TestCaseError> {
    for target in targets(pick) {
        let ts = match target.timestamp {
            Some((_, Ts::Rfc3339)) => rfc3339,
            _ => ts,
        };
        check_hostile(&target, &sig(&target), ts, id)?;
    }
    Ok(())
}

/// Decimal timestamps around [`NOW`] (inside and outside every window) and hostile text.
fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        (NOW - 1_000..NOW + 1_000).prop_map(|t| t.to_string()),
        any::<i64>().prop_map(|t| t.to_string()),
        "[0-9+\\- .xe]{0,25}",
        Just(String::new()),
    ]
}

/// RFC 3339 timestamps, well and badly formed (Twitch).
fn rfc3339() -> impl Strategy<Value = String> {
    prop_oneof![
        "20[0-9]{2}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?(Z|z|[+-][0-9]{2}:?[0-9]{2})?",
        Just("2023-11-14T22:13:20Z".to_owned()),
        "[0-9T:.Z+-]{0,30}",
    ]
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![Just("msg_test_1".to_owned()), "[ -~]{0,40}"]
}

/// Hex text: well-formed tags of every length a scheme uses (SHA-1, SHA-256, Ed25519), so
/// the comparison itself is reached, and near misses (length, case, alphabet).
fn hex(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![20usize, 32, 64])
            .prop_flat_map(|n| prop::collection::vec(any::<u8>(), n))
            .prop_map(hex::encode),
        prop::string::string_regex(&format!("[0-9a-f]{{0,{max}}}")).unwrap(),
        prop::string::string_regex(&format!("[0-9a-fA-F]{{0,{max}}}")).unwrap(),
        prop::string::string_regex(&format!("[0-9a-z]{{0,{max}}}")).unwrap(),
    ]
}

/// Base64 text: canonical tags of every length a scheme uses, and near misses (padding,
/// alphabet, length).
fn base64(max: usize) -> impl Strategy<Value = String> {
    use base64::Engine as _;
    prop_oneof![
        prop::sample::select(vec![20usize, 32, 64])
            .prop_flat_map(|n| prop::collection::vec(any::<u8>(), n))
            .prop_map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
        prop::string::string_regex(&format!("[A-Za-z0-9+/]{{0,{max}}}={{0,3}}")).unwrap(),
        prop::string::string_regex(&format!("[A-Za-z0-9_\\-=]{{0,{max}}}")).unwrap(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_then_verify_round_trips(p in providers(), body in prop::collection::vec(any::<u8>(), 0..2048), skew in -4i64..=4) {
        let d = signed(&p, &body, NOW + skew);
        let verified = verifier(&p).verify(&d.delivery());
        // A digit next to an unseparated signed timestamp would let digits move across the
        // boundary: such a body is refused.
        if digit_at_timestamp_boundary(&p, &d.body) {
            prop_assert_eq!(verified.map_err(|e| e.kind()).err(), Some(ErrorKind::MalformedBody));
            return Ok(());
        }
        prop_assert!(verified.is_ok(), "{}: {:?}", p, verified.err());
        let verified = verified.unwrap();
        prop_assert_eq!(verified.body().as_ref(), &d.body[..]);
        // Linear's timestamp is a field of JSON bodies only.
        if p.has_timestamp() && p != Provider::LINEAR {
            prop_assert_eq!(verified.timestamp(), Some(NOW + skew));
        }
    }

    /// Left out, because their signature does not cover the raw body: Twilio and Mandrill
    /// sign the decoded form parameters (`a=b+c` and `a=b%20c`, `%4A` and `%4a` sign the
    /// same), Mailgun only the timestamp and token, GitLab's token and Chargebee's and
    /// Postmark's basic-auth credentials, Okta's credential and Microsoft Graph's
    /// `clientState` sign nothing, AWS SNS the values of some of the message's JSON fields
    /// (not its spacing, nor `SigningCertURL`). Their vectors' tampered copies are checked
    /// in vectors.rs.
    #[test]
    fn any_body_byte_change_is_a_signature_mismatch(p in providers().prop_filter("raw body signed", |p| ![Provider::TWILIO, Provider::MANDRILL, Provider::MAILGUN, Provider::GITLAB, Provider::CHARGEBEE, Provider::OKTA, Provider::MICROSOFT_GRAPH, Provider::POSTMARK, Provider::AWS_SNS].contains(p)), body in prop::collection::vec(any::<u8>(), 1..512), i in any::<prop::sample::Index>(), x in 1u8..=255) {
        let d = signed(&p, &body, NOW);
        let mut body = d.body.clone();
        let i = i.index(body.len());
        body[i] ^= x;
        let ambiguous = digit_at_timestamp_boundary(&p, &body);
        let err = verifier(&p).verify(&d.delivery_with_body(body)).unwrap_err();
        // A digit next to an unseparated signed timestamp is refused before any signature
        // check (tests/security.rs).
        let expected = if ambiguous {
            ErrorKind::MalformedBody
        } else {
            ErrorKind::SignatureMismatch
        };
        prop_assert_eq!(err.kind(), expected, "{}: {}", p, err);
    }

    /// One character of the encoded signature replaced by another of the same alphabet
    /// (never the last one, whose low bits may be padding): still well formed, so the MAC
    /// (or signature) check is what fails.
    #[test]
    fn a_changed_signature_character_is_a_signature_mismatch(p in providers().prop_filter("signature in a header", |p| ![Provider::MAILGUN, Provider::MICROSOFT_GRAPH, Provider::AWS_SNS].contains(p)), i in any::<prop::sample::Index>(), c in any::<prop::sample::Index>()) {
        let d = signed(&p, br#"{"type":"x","id":"evt_1"}"#, NOW);
        let target = grammars(&p).remove(0);
        let name = if p == Provider::ADYEN { "hmacsignature" } else { p.signature_header() };
        let mut headers = d.headers.clone();
        let (_, value) = headers.iter_mut().find(|(k, _)| k == name).unwrap();
        let hex_alphabet = matches!(
            target.grammar,
            Grammar::KeyValueList { .. } | Grammar::PrefixedHex(_) | Grammar::BareHex | Grammar::Ed25519Hex | Grammar::PrefixedList { .. }
        );
        let alphabet: &[u8] = if hex_alphabet {
            b"0123456789abcdef"
        } else if target.grammar == Grammar::Jwt {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        } else {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        };
        // The encoded signature: the last run of alphabet characters (padding stripped).
        let trimmed = value.trim_end_matches('=');
        let start = trimmed
            .bytes()
            .rposition(|b| !alphabet.contains(&b))
            .map_or(0, |i| i + 1);
        let segment = trimmed.len() - start;
        prop_assert!(segment >= 2, "{}: no signature in {:?}", p, value);
        let at = start + i.index(segment - 1);
        let mut bytes = value.clone().into_bytes();
        let others: Vec<u8> = alphabet.iter().copied().filter(|b| *b != bytes[at]).collect();
        bytes[at] = others[c.index(others.len())];
        *value = String::from_utf8(bytes).unwrap();
        let delivery = Delivery::new(&headers, d.body.clone());
        let delivery = match d.url {
            Some(url) => delivery.with_url(url),
            None => delivery,
        };
        let err = verifier(&p).verify(&delivery).unwrap_err();
        // A DER signature may stop being DER; a Basic credential may lose the colon of
        // `username:password`.
        let kinds: &[ErrorKind] = if target.grammar == Grammar::DerBase64 || p == Provider::CHARGEBEE {
            &[ErrorKind::SignatureMismatch, ErrorKind::MalformedHeader]
        } else {
            &[ErrorKind::SignatureMismatch]
        };
        prop_assert!(kinds.contains(&err.kind()), "{}: {:?} ({}) for {:?}", p, err.kind(), err, headers);
    }

    /// The signed timestamp moved by `d` seconds, still inside the verifier's window: the
    /// tolerance passes, so the signature check must catch it.
    #[test]
    fn a_changed_timestamp_inside_the_window_is_a_signature_mismatch(p in providers().prop_filter("signed timestamp outside the body", |p| p.has_timestamp() && *p != Provider::LINEAR), d in 1i64..=600) {
        let signed = signed(&p, br#"{"type":"x","id":"evt_1"}"#, NOW);
        let tolerance = p.default_tolerance();
        let d = match tolerance.past() {
            Some(past) => 1 + (d - 1) % i64::try_from(past.as_secs()).unwrap(),
            None => d,
        };
        let moved = NOW - d;
        let mut headers = signed.headers.clone();
        let mut body = signed.body.clone();
        if p == Provider::MAILGUN {
            let mut json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            json["signature"]["timestamp"] = moved.to_string().into();
            body = serde_json::to_vec(&json).unwrap();
        } else if p == Provider::AWS_SNS {
            let mut json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            json["Timestamp"] = webhook_testkit::rfc3339(moved).replace('Z', ".000Z").into();
            body = serde_json::to_vec(&json).unwrap();
        } else if let Some(name) = p.timestamp_header() {
            let (_, value) = headers.iter_mut().find(|(k, _)| k == name).unwrap();
            *value = if p == Provider::CONTENTFUL {
                // Milliseconds.
                (moved * 1000).to_string()
            } else if [Provider::TWITCH, Provider::ZENDESK, Provider::ORB, Provider::BOX, Provider::PAYPAL].contains(&p) {
                // 2023-11-14T22:13:20Z is NOW; `d` is at most 600 s.
                let secs = 22 * 3600 + 13 * 60 + 20 - d;
                format!("2023-11-14T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
            } else if millis_header(&p) {
                (moved * 1000).to_string()
            } else {
                moved.to_string()
            };
        } else {
            // The timestamp is an element of the signature header (`t=`, `ts=`).
            let (_, value) = headers.iter_mut().find(|(k, _)| k == p.signature_header()).unwrap();
            let changed = value.replacen(&format!("={NOW}"), &format!("={moved}"), 1);
            prop_assert_ne!(&changed, &*value, "{}: no timestamp element", p);
            *value = changed;
        }
        let delivery = Delivery::new(&headers, body);
        let delivery = match signed.url {
            Some(url) => delivery.with_url(url),
            None => delivery,
        };
        let err = verifier(&p).verify(&delivery).unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::SignatureMismatch, "{}: {} at {}", p, err, moved);
    }

    /// A signed message id changed: the signature covers it.
    #[test]
    fn a_changed_signed_id_is_a_signature_mismatch(p in prop::sample::select(signed_id_providers()), id in "[A-Za-z0-9_]{1,30}") {
        let signed = signed(&p, br#"{"type":"x","id":"evt_1"}"#, NOW);
        let name = p.id_header().unwrap();
        prop_assume!(id != webhook_testkit::SIGNED_ID);
        let mut headers = signed.headers.clone();
        let (_, value) = headers.iter_mut().find(|(k, _)| k == name).unwrap();
        *value = id;
        let err = verifier(&p).verify(&Delivery::new(&headers, signed.body.clone())).unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::SignatureMismatch, "{}: {}", p, err);
    }

    #[test]
    fn arbitrary_header_bytes_never_panic(p in providers(), values in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..6), body in prop::collection::vec(any::<u8>(), 0..64)) {
        let names = p.headers();
        let headers: Vec<(String, Vec<u8>)> = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (names[i % names.len()].to_owned(), v))
            .collect();
        let d = Delivery::new(&headers, body).with_url(webhook_testkit::URL);
        let v = verifier(&p);
        let err = v.verify(&d).unwrap_err();
        prop_assert!(
            matches!(
                err.kind(),
                ErrorKind::MissingHeader
                    | ErrorKind::DuplicateHeader
                    | ErrorKind::MalformedHeader
                    | ErrorKind::MalformedBody
                    | ErrorKind::TimestampTooOld
                    | ErrorKind::TimestampInFuture
                    | ErrorKind::SignatureMismatch
            ),
            "{}: {:?} ({})", p, err.kind(), err
        );
        prop_assert!(matches!(err.status(), 400 | 401), "{}", err);
        let _ = v.diagnose(&d, &err).to_string();
    }

    // One structured strategy per header grammar: values close to valid ones.

    #[test]
    fn versioned_list_headers(entries in prop::collection::vec(("(v1|v1a|v2|v0|V1|v1 |)", base64(92), "[ ,]{0,2}"), 0..5), ts in timestamp(), id in id()) {
        let sig: String = entries.iter().map(|(v, b, sep)| format!("{v},{b}{sep}")).collect();
        check_all(|g| g == Grammar::VersionedList, |_| sig.clone(), &ts, "", &id)?;
    }

    #[test]
    fn key_value_list_headers(ts_value in timestamp(), sigs in prop::collection::vec(hex(70), 0..4), junk in "([a-z0-9]{1,3}=[^,;]{0,6})?", order in any::<bool>(), seps in "[,; ]{0,2}") {
        let sig = |t: &Target| {
            let Grammar::KeyValueList { sep, ts, sig } = t.grammar else { unreachable!() };
            let mut elements: Vec<String> = sigs.iter().map(|s| format!("{sig}={s}")).collect();
            let ts_element = format!("{ts}={ts_value}");
            if order { elements.insert(0, ts_element) } else { elements.push(ts_element) }
            if !junk.is_empty() { elements.push(junk.clone()) }
            elements.join(&format!("{sep}{seps}"))
        };
        check_all(|g| matches!(g, Grammar::KeyValueList { .. }), sig, "", "", "")?;
    }

    #[test]
    fn prefixed_hex_headers(prefix in prop_oneof![Just(None), "[a-zA-Z0-9]{0,7}=?".prop_map(Some)], digits in hex(130), ts in timestamp(), rfc in rfc3339(), id in id()) {
        let sig = |t: &Target| {
            let Grammar::PrefixedHex(own) = t.grammar else { unreachable!() };
            format!("{}{digits}", prefix.as_deref().unwrap_or(own))
        };
        check_all(|g| matches!(g, Grammar::PrefixedHex(_)), sig, &ts, &rfc, &id)?;
    }

    #[test]
    fn prefixed_base64_headers(prefix in prop_oneof![Just(None), "[a-zA-Z0-9]{0,7}=?".prop_map(Some)], digits in base64(60), ts in timestamp(), id in id()) {
        let sig = |t: &Target| {
            let Grammar::PrefixedBase64(own) = t.grammar else { unreachable!() };
            format!("{}{digits}", prefix.as_deref().unwrap_or(own))
        };
        check_all(|g| matches!(g, Grammar::PrefixedBase64(_)), sig, &ts, "", &id)?;
    }

    #[test]
    fn bare_base64_headers(digits in base64(60), ts in timestamp(), rfc in rfc3339()) {
        check_all(|g| g == Grammar::BareBase64, |_| digits.clone(), &ts, &rfc, "")?;
    }

    #[test]
    fn prefixed_list_headers(entries in prop::collection::vec(("(v1=|v2=|v1|V1=|)", hex(70)), 0..5), seps in "[ ,]{0,2}", ts in timestamp(), rfc in rfc3339()) {
        let sig = |t: &Target| {
            let Grammar::PrefixedList { sep, .. } = t.grammar else { unreachable!() };
            entries.iter().map(|(p, h)| format!("{p}{h}")).collect::<Vec<_>>().join(&format!("{sep}{seps}"))
        };
        check_all(|g| matches!(g, Grammar::PrefixedList { .. }), sig, &ts, &rfc, "")?;
    }

    #[test]
    fn ed25519_base64_headers(digits in prop_oneof![base64(100), "[A-Za-z0-9+/]{86}=="], ts in timestamp()) {
        check_all(|g| g == Grammar::Ed25519Base64, |_| digits.clone(), &ts, "", "")?;
    }

    #[test]
    fn jwt_headers(parts in prop::collection::vec(prop_oneof![
        "[A-Za-z0-9_\\-]{0,60}",
        Just("eyJhbGciOiJIUzI1NiJ9".to_owned()),
        Just("eyJhbGciOiJub25lIn0".to_owned()),
        Just("eyJyZXF1ZXN0X2JvZHlfc2hhMjU2IjoiIn0".to_owned()),
    ], 0..5)) {
        let jwt = parts.join(".");
        check_all(|g| g == Grammar::Jwt, |_| jwt.clone(), "", "", "")?;
    }

    #[test]
    fn bare_hex_headers(digits in hex(80)) {
        check_all(|g| g == Grammar::BareHex, |_| digits.clone(), "", "", "")?;
    }

    #[test]
    fn ed25519_hex_headers(digits in prop_oneof![hex(130), "[0-9a-f]{128}"], ts in timestamp()) {
        check_all(|g| g == Grammar::Ed25519Hex, |_| digits.clone(), &ts, "", "")?;
    }

    #[test]
    fn der_base64_headers(digits in prop_oneof![base64(110), "MEUCI[A-Za-z0-9+/]{90}", "MEYCIQ[A-Za-z0-9+/]{88}=="], ts in timestamp()) {
        check_all(|g| g == Grammar::DerBase64, |_| digits.clone(), &ts, "", "")?;
    }

    #[test]
    fn token_headers(token in "[ -~]{0,64}") {
        check_all(|g| g == Grammar::Token, |_| token.clone(), "", "", "")?;
    }

    #[test]
    fn mailgun_body_fields(ts in timestamp(), token in "[ -~]{0,20}", sig in hex(70), form in any::<bool>(), drop in 0usize..4) {
        let fields = [("timestamp", ts.as_str()), ("token", token.as_str()), ("signature", sig.as_str())];
        let kept: Vec<(&str, &str)> = fields.iter().enumerate().filter(|(i, _)| *i != drop).map(|(_, f)| *f).collect();
        let body = if form {
            kept.iter().map(|(k, v)| format!("{k}={}", v.replace(['&', '=', '%', '+'], "_"))).collect::<Vec<_>>().join("&").into_bytes()
        } else {
            let object: serde_json::Map<String, serde_json::Value> = kept.iter().map(|(k, v)| ((*k).to_owned(), (*v).into())).collect();
            serde_json::to_vec(&serde_json::json!({ "signature": object, "event-data": {"event": "delivered"} })).unwrap()
        };
        let no_headers: [(&str, &str); 0] = [];
        let target = grammars(&Provider::MAILGUN).remove(0);
        let err = verifier(&Provider::MAILGUN).verify(&Delivery::new(&no_headers, body)).unwrap_err();
        prop_assert!(allowed(&target).contains(&err.kind()), "{:?} ({})", err.kind(), err);
    }
}

proptest! {
    /// Microsoft Graph: a `clientState` changed anywhere, in any notification of the list,
    /// is refused as a mismatch; the configured one in every notification verifies.
    #[test]
    fn graph_client_states_must_all_match(n in 1usize..4, which in any::<prop::sample::Index>(), c in any::<prop::sample::Index>(), x in 1u8..=127) {
        let p = Provider::MICROSOFT_GRAPH;
        let secret = webhook_testkit::verifier_secret(&p);
        let item = |state: &str| serde_json::json!({ "clientState": state, "changeType": "updated" });
        let mut items: Vec<serde_json::Value> = (0..n).map(|_| item(&secret)).collect();
        let no_headers: [(&str, &str); 0] = [];
        let body = serde_json::to_vec(&serde_json::json!({ "value": items })).unwrap();
        prop_assert!(verifier(&p).verify(&Delivery::new(&no_headers, body)).is_ok());
        let mut changed = secret.clone().into_bytes();
        let at = c.index(changed.len());
        changed[at] = (changed[at] ^ x) & 0x7f;
        prop_assume!(changed != secret.as_bytes() && changed[at] != 0);
        let changed = String::from_utf8(changed).unwrap();
        let i = which.index(n);
        items[i] = item(&changed);
        let body = serde_json::to_vec(&serde_json::json!({ "value": items })).unwrap();
        let err = verifier(&p).verify(&Delivery::new(&no_headers, body)).unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::SignatureMismatch, "{}", err);
    }
}

/// Providers whose id travels in a header the signature covers.
fn signed_id_providers() -> Vec<Provider> {
    let providers: Vec<Provider> = all_providers()
        .into_iter()
        .filter(|p| {
            let signed = signed(p, br#"{"type":"x","id":"evt_1"}"#, NOW);
            let verified = verifier(p).verify(&signed.delivery()).unwrap();
            verified.id_is_signed() && p.id_header().is_some_and(|h| signed.header(h).is_some())
        })
        .collect();
    let names: Vec<&str> = providers.iter().map(Provider::name).collect();
    assert_eq!(
        names,
        [
            "standard",
            "svix",
            "clerk",
            "resend",
            "twitch",
            "openai",
            "replicate",
            "brex",
            "lithic",
            "paypal",
            "acme"
        ]
    );
    providers
}

#[test]
fn every_provider_has_a_header_grammar_with_a_strategy() {
    for p in all_providers() {
        assert!(!grammars(&p).is_empty(), "{p}");
    }
}
