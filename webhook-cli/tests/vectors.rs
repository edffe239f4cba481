//! Every official and derived vector the core supports verifies through `webhook verify`
//! (exit 0, one JSON line), and a copy with one body byte flipped does not (exit 1).

mod common;

use common::{TempFile, first_line, webhook};
use serde_json::Value;
use webhook_testkit::vectors::{self, NOT_DELIVERIES, UNSUPPORTED};
use webhook_testkit::{NOW, signs_body};
use webhook_verify::Provider;

fn load(file: &str) -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(vectors::data_dir().join(file)).unwrap()).unwrap()
}

/// `verify` arguments for a vector: provider, secret, headers, URL, and a clock that makes
/// its timestamp current.
fn verify_args(p: &Provider, v: &Value, body: &TempFile) -> Vec<String> {
    let mut args = vec![
        "verify".to_owned(),
        "--provider".to_owned(),
        // PayPal's webhook id as `paypal:<id>`.
        match p.param() {
            Some(param) => format!("{}:{param}", p.name()),
            None => p.name().to_owned(),
        },
        // `=`: a PEM certificate starts with `-`.
        format!("--secret={}", v["secret"].as_str().unwrap()),
        "--body-file".to_owned(),
        body.path().to_owned(),
    ];
    for (name, value) in v["headers"].as_object().unwrap() {
        args.push("-H".to_owned());
        args.push(format!("{name}: {}", value.as_str().unwrap()));
    }
    if let Some(url) = v["url"].as_str() {
        args.extend(["--url".to_owned(), url.to_owned()]);
    }
    match &v["timestamp"] {
        // Milliseconds (Linear) or seconds.
        Value::Number(n) => {
            let t = n.as_i64().unwrap();
            let secs = if t > 100_000_000_000 { t / 1000 } else { t };
            args.extend(["--now".to_owned(), secs.to_string()]);
        }
        // RFC 3339 (Twitch): widen the window instead.
        Value::String(_) => args.extend(["--tolerance".to_owned(), "3000000000".to_owned()]),
        _ => args.extend(["--now".to_owned(), NOW.to_string()]),
    }
    args
}

fn check_file(file: &str) -> (usize, Vec<String>) {
    let mut verified = 0;
    let mut skipped = Vec::new();
    for v in load(file) {
        let name = v["provider"].as_str().unwrap();
        if NOT_DELIVERIES.contains(&name) {
            skipped.push(name.to_owned());
            continue;
        }
        let by_name = vectors::provider(name);
        // PayPal's webhook id comes with its vector.
        let by_name = match (by_name, v["webhook_id"].as_str()) {
            (Some(_), Some(id)) => Some(Provider::paypal(id)),
            (p, _) => p,
        };
        let Some(p) = by_name else {
            assert!(
                UNSUPPORTED.contains(&name),
                "{file}: vector provider {name} maps to nothing the CLI knows"
            );
            skipped.push(name.to_owned());
            continue;
        };
        // The CLI takes the provider's own name.
        assert_eq!(Provider::from_name(p.name()), Some(p.clone()), "{name}");
        let ctx = format!(
            "{file} {name}: {}",
            v["source"].as_str().unwrap_or_default()
        );
        let payload = v["payload"].as_str().unwrap().as_bytes();

        // The vector verifies: exit 0 and one JSON line with the four fields, in order.
        let body = TempFile::new(payload);
        let out = webhook().args(verify_args(&p, &v, &body)).output().unwrap();
        assert!(
            out.status.success(),
            "{ctx}: exit {:?}, stderr {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(stdout.lines().count(), 1, "{ctx}: {stdout}");
        assert!(stdout.starts_with(r#"{"provider":"#), "{ctx}: {stdout}");
        let line: Value = serde_json::from_str(&stdout).unwrap();
        let fields: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(fields.len(), 4, "{ctx}: {stdout}");
        for key in ["provider", "id", "timestamp", "event_type"] {
            assert!(line.get(key).is_some(), "{ctx}: no {key} in {stdout}");
        }
        assert_eq!(line["provider"], p.name(), "{ctx}");
        if let (Some(t), true) = (v["timestamp"].as_i64(), p.has_timestamp()) {
            if t < 100_000_000_000 {
                assert_eq!(line["timestamp"], t, "{ctx}");
            }
        }
        assert!(out.stderr.is_empty(), "{ctx}");

        // One flipped bit in the signed bytes: exit 1, the reason on stderr. That is the
        // middle of the body, or inside a signed field for schemes that carry their
        // signature in the body (Mailgun's token, Adyen's pspReference).
        let payload_text = v["payload"].as_str().unwrap();
        let anchor = match (name, v["headers"].as_object().unwrap().is_empty()) {
            ("mailgun", _) => Some("\"token\":\""),
            ("adyen", true) => Some("\"pspReference\":\""),
            ("microsoft-graph", _) => Some("\"clientState\":\""),
            ("aws-sns", _) => Some("\"Message\" : \""),
            _ => None,
        };
        let flip = match anchor {
            Some(a) => payload_text.find(a).unwrap() + a.len() + 1,
            None => payload.len() / 2,
        };
        let mut tampered = payload.to_vec();
        tampered[flip] ^= 0x01;
        let body = TempFile::new(&tampered);
        let out = webhook().args(verify_args(&p, &v, &body)).output().unwrap();
        if !signs_body(&p) && anchor.is_none() {
            // GitLab's token, Chargebee's and Postmark's basic-auth credentials and Okta's
            // credential sign nothing: the changed body still verifies.
            assert!(
                [
                    Provider::GITLAB,
                    Provider::CHARGEBEE,
                    Provider::POSTMARK,
                    Provider::OKTA
                ]
                .contains(&p),
                "{ctx}"
            );
            assert_eq!(out.status.code(), Some(0), "{ctx}: token delivery");
            verified += 1;
            continue;
        }
        assert_eq!(out.status.code(), Some(1), "{ctx}: tampered copy");
        assert!(out.stdout.is_empty(), "{ctx}");
        let why = first_line(&out.stderr);
        assert_eq!(why, "not verified: invalid signature", "{ctx}");
        verified += 1;
    }
    (verified, skipped)
}

#[test]
fn official_vectors_verify_and_tampered_copies_fail() {
    let (verified, skipped) = check_file("vectors.json");
    eprintln!("vectors.json: {verified} verified; skipped: {skipped:?}");
    // Every official vector is a delivery of a provider the core implements.
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(verified, load("vectors.json").len());
}

#[test]
fn derived_vectors_verify_and_tampered_copies_fail() {
    let (verified, skipped) = check_file("vectors-derived.json");
    eprintln!("vectors-derived.json: {verified} verified; skipped: {skipped:?}");
    let mut expected_skips: Vec<&str> = NOT_DELIVERIES.iter().chain(UNSUPPORTED).copied().collect();
    let mut skipped: Vec<&str> = skipped.iter().map(String::as_str).collect();
    expected_skips.sort_unstable();
    skipped.sort_unstable();
    assert_eq!(skipped, expected_skips);
    assert_eq!(verified + skipped.len(), load("vectors-derived.json").len());
}

#[test]
fn unsupported_list_is_true() {
    for name in UNSUPPORTED {
        assert!(
            Provider::from_name(name).is_none(),
            "{name} is supported now: take it off UNSUPPORTED"
        );
    }
}
