//! Regression tests for the replay and forgery holes of issue 14: each fails on the code
//! before its fix.

mod common;

use std::time::Duration;

use common::*;
use webhook_verify::{Delivery, ErrorKind, FixedClock, Provider, Verifier};

const NO_HEADERS: &[(&str, &str)] = &[];

fn verifier_at(p: Provider, secret: &str, now: i64) -> Verifier {
    Verifier::builder(p)
        .secret(secret)
        .clock(FixedClock::from_unix(now))
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// 1. Mailgun: strict field forms and a default tolerance.

/// A Mailgun JSON body with the signature fields given as they are.
fn mailgun_raw(timestamp: &str, token: &str, signature: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "signature": { "timestamp": timestamp, "token": token, "signature": signature },
        "event-data": { "event": "delivered" },
    }))
    .unwrap()
}

fn mailgun_sig(secret: &str, message: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[test]
fn mailgun_digits_cannot_move_between_timestamp_and_token() {
    let secret = verifier_secret(&Provider::MAILGUN);
    let ts = NOW.to_string();
    let sig = mailgun_sig(&secret, &format!("{ts}{MAILGUN_TOKEN}"));
    let v = verifier_at(Provider::MAILGUN, &secret, NOW);
    let good = v
        .verify(&Delivery::new(
            &NO_HEADERS,
            mailgun_raw(&ts, MAILGUN_TOKEN, &sig),
        ))
        .unwrap();
    assert_eq!(good.id(), Some(MAILGUN_TOKEN));

    // Every other split of the same signed string keeps the HMAC but is refused.
    let signed = format!("{ts}{MAILGUN_TOKEN}");
    let mut seen = std::collections::HashSet::new();
    for split in 1..signed.len() {
        let (t, k) = signed.split_at(split);
        if t == ts {
            continue;
        }
        let body = mailgun_raw(t, k, &sig);
        let result = v.verify(&Delivery::new(&NO_HEADERS, body));
        match result {
            Ok(ok) => {
                seen.insert(ok.replay_key());
                panic!("split at {split} verified");
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::MalformedBody, "split {split}: {e}"),
        }
    }
    // Signs, spaces, leading zeros and non-string forms are refused before the HMAC.
    for t in [
        format!("+{ts}"),
        format!("0{ts}"),
        format!(" {ts}"),
        format!("{ts}.0"),
        String::new(),
    ] {
        let sig = mailgun_sig(&secret, &format!("{t}{MAILGUN_TOKEN}"));
        let e = v
            .verify(&Delivery::new(
                &NO_HEADERS,
                mailgun_raw(&t, MAILGUN_TOKEN, &sig),
            ))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedBody, "{t:?}");
    }
    for token in [
        &MAILGUN_TOKEN[1..],
        &format!("{MAILGUN_TOKEN}0"),
        &MAILGUN_TOKEN.to_ascii_uppercase(),
    ] {
        let sig = mailgun_sig(&secret, &format!("{ts}{token}"));
        let e = v
            .verify(&Delivery::new(&NO_HEADERS, mailgun_raw(&ts, token, &sig)))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedBody, "{token:?}");
    }
    let numeric = format!(
        r#"{{"signature":{{"timestamp":{ts},"token":"{MAILGUN_TOKEN}","signature":"{sig}"}}}}"#
    );
    let e = v.verify(&Delivery::new(&NO_HEADERS, numeric)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedBody);
    // A second signature object cannot stand in for the first.
    let twice = format!(
        r#"{{"signature":{{"timestamp":"1","token":"x","signature":"y"}},"signature":{{"timestamp":"{ts}","token":"{MAILGUN_TOKEN}","signature":"{sig}"}}}}"#
    );
    let e = v.verify(&Delivery::new(&NO_HEADERS, twice)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedBody);
}

#[test]
fn mailgun_has_a_default_tolerance_both_ways() {
    let tolerance = Provider::MAILGUN.default_tolerance();
    assert_eq!(tolerance.past(), Some(Duration::from_secs(300)));
    assert_eq!(tolerance.future(), Some(Duration::from_secs(300)));
    let secret = verifier_secret(&Provider::MAILGUN);
    let body = mailgun_body(&secret, NOW, MAILGUN_TOKEN, b"{}");
    let d = Delivery::new(&NO_HEADERS, body);
    verifier_at(Provider::MAILGUN, &secret, NOW + 300)
        .verify(&d)
        .unwrap();
    let e = verifier_at(Provider::MAILGUN, &secret, NOW + 301 + 86_400)
        .verify(&d)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TimestampTooOld);
    let e = verifier_at(Provider::MAILGUN, &secret, NOW - 301)
        .verify(&d)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TimestampInFuture);
}

// ---------------------------------------------------------------------------------------
// 2. Weak Ed25519 keys.

/// The canonical encodings of the eight small-order points of Curve25519 (identity, order
/// 2, 4 and 8), the all-zero key among them.
const SMALL_ORDER: [&str; 8] = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
];

#[test]
fn weak_ed25519_public_keys_are_refused_at_build() {
    use base64::Engine as _;
    for hex_key in SMALL_ORDER {
        let bytes = hex::decode(hex_key).unwrap();
        let whpk = format!(
            "whpk_{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        );
        for (p, secret) in [
            (Provider::DISCORD, hex_key.to_owned()),
            (Provider::STANDARD_WEBHOOKS, whpk.clone()),
            (Provider::SVIX, whpk),
        ] {
            let e = Verifier::builder(p.clone())
                .secret(secret.as_str())
                .build()
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidSecret, "{p} {hex_key}");
            // A weak key next to a good one is refused too: the good one does not excuse it.
            let e = Verifier::builder(p.clone())
                .secret(verifier_secret(&p).as_str())
                .secret(secret.as_str())
                .build()
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidSecret, "{p} {hex_key}");
        }
    }
}

#[test]
fn identity_key_signature_does_not_verify_any_body() {
    // With the identity as public key, R = identity and s = 0 satisfy the cofactorless
    // equation for every message: the forgery the weak-key check exists for.
    let mut forged = [0u8; 64];
    forged[0] = 1;
    let sig = hex::encode(forged);
    let headers = [
        ("x-signature-ed25519", sig.as_str()),
        ("x-signature-timestamp", "1700000000"),
    ];
    let result = webhook_verify::verify(
        &Provider::DISCORD,
        SMALL_ORDER[0],
        &headers[..],
        &br#"{"type":1}"#[..],
    );
    assert_eq!(result.unwrap_err().kind(), ErrorKind::InvalidSecret);
    // And a good key never accepts a small-order R with s = 0.
    let v = verifier_at(Provider::DISCORD, &verifier_secret(&Provider::DISCORD), NOW);
    for r in SMALL_ORDER {
        let sig = format!("{r}{}", "00".repeat(32));
        let headers = [
            ("x-signature-ed25519", sig.as_str()),
            ("x-signature-timestamp", "1700000000"),
        ];
        let e = v
            .verify(&Delivery::new(&headers, &br#"{"type":1}"#[..]))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SignatureMismatch);
    }
}
