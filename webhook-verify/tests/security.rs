//! Regression tests for the replay and forgery holes of issue 14: each fails on the code
//! before its fix.

use std::time::Duration;

use webhook_testkit::*;

/// The delivery for `headers` and `body`, with the signed URL for providers that sign it.
fn delivery_for<'a>(
    p: &Provider,
    headers: &'a dyn webhook_verify::Headers,
    body: &[u8],
) -> Delivery<'a> {
    let d = Delivery::new(headers, body.to_vec());
    if p.needs_url() { d.with_url(URL) } else { d }
}
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
    for split in 1..signed.len() {
        let (t, k) = signed.split_at(split);
        if t == ts {
            continue;
        }
        let body = mailgun_raw(t, k, &sig);
        let e = v
            .verify(&Delivery::new(&NO_HEADERS, body))
            .expect_err("another split of the signed string verified");
        assert_eq!(e.kind(), ErrorKind::MalformedBody, "split {split}: {e}");
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
    let e = verifier_at(Provider::MAILGUN, &secret, NOW + 301)
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

// ---------------------------------------------------------------------------------------
// 3 and 8. Replay keys are made of what is signed, never of the signature as sent, and
// survive a retry re-signed at a new timestamp.

#[test]
fn sendgrid_flipped_ecdsa_signature_has_the_same_replay_key() {
    use base64::Engine as _;
    use p256::ecdsa::signature::Signer as _;
    let p = Provider::SENDGRID;
    let body = b"[{\"event\":\"delivered\",\"sg_event_id\":\"abc\"}]\r\n";
    let ts = NOW.to_string();
    let sig: p256::ecdsa::Signature = p256_key(1).sign(&[ts.as_bytes(), body].concat());
    let (r, s) = sig.split_scalars();
    let flipped = p256::ecdsa::Signature::from_scalars(r, -s).unwrap();
    assert_ne!(sig, flipped);
    let v = verifier_at(p.clone(), &verifier_secret(&p), NOW);
    let mut keys = Vec::new();
    for sig in [sig, flipped] {
        let b64 = base64::engine::general_purpose::STANDARD.encode(sig.to_der().as_bytes());
        let headers = [
            ("x-twilio-email-event-webhook-signature", b64.as_str()),
            ("x-twilio-email-event-webhook-timestamp", ts.as_str()),
        ];
        let verified = v.verify(&Delivery::new(&headers, &body[..])).unwrap();
        keys.push(verified.replay_key());
    }
    assert_eq!(keys[0], keys[1], "a malleated signature must not look new");
}

#[test]
fn a_retry_re_signed_at_a_new_timestamp_has_the_same_replay_key() {
    // Every provider that signs a timestamp, except Linear, whose timestamp is a field of
    // the signed body (a re-signed body is a different body).
    let body = br#"{"id":"evt_1","event_id":"Ev0001","type":"event_callback","event":"meeting.started","data":{"x":1}}"#;
    for p in all_providers() {
        if !p.has_timestamp() || p == Provider::LINEAR {
            continue;
        }
        let v = Verifier::builder(p.clone())
            .secret(verifier_secret(&p).as_str())
            .tolerance(Duration::from_secs(3600))
            .clock(FixedClock::from_unix(NOW + 100))
            .build()
            .unwrap();
        let mut keys = Vec::new();
        for ts in [NOW, NOW + 60] {
            let Signed { headers, body, .. } = signed(&p, body, ts);
            let verified = v
                .verify(&delivery_for(&p, &headers, &body))
                .unwrap_or_else(|e| panic!("{p}: {e}"));
            keys.push(verified.replay_key());
        }
        assert_eq!(keys[0], keys[1], "{p}");
    }
}

#[test]
fn slack_event_id_is_the_replay_key() {
    let p = Provider::SLACK;
    let v = verifier_at(p.clone(), &verifier_secret(&p), NOW);
    let one =
        br#"{"type":"event_callback","event_id":"Ev0PV52K25","event":{"type":"app_mention"}}"#;
    // The same event, serialised differently on the retry: still the same event.
    let two =
        br#"{"event_id":"Ev0PV52K25","type":"event_callback","event":{"type":"app_mention"}}"#;
    let Signed {
        headers: h1,
        body: b1,
        ..
    } = signed(&p, one, NOW);
    let Signed {
        headers: h2,
        body: b2,
        ..
    } = signed(&p, two, NOW + 5);
    let k1 = v.verify(&delivery_for(&p, &h1, &b1)).unwrap();
    let k2 = v.verify(&delivery_for(&p, &h2, &b2)).unwrap();
    assert_eq!(k1.id(), Some("Ev0PV52K25"));
    assert!(k1.id_is_signed());
    assert_eq!(k1.replay_key(), "slack:Ev0PV52K25");
    assert_eq!(k1.replay_key(), k2.replay_key());
    // A slash command (form body, no event id) falls back to the signed body.
    let Signed {
        headers: h3,
        body: b3,
        ..
    } = signed(&p, b"command=%2Fx&trigger_id=1.2.3", NOW);
    let k3 = v.verify(&delivery_for(&p, &h3, &b3)).unwrap();
    assert!(
        k3.replay_key().starts_with("slack:body:"),
        "{}",
        k3.replay_key()
    );
}

// ---------------------------------------------------------------------------------------
// 4. Adyen classic: the replay key is what the items sign; duplicate keys are refused.

const ADYEN_KEY: &str = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00";

fn adyen_item(psp: &str, event: &str) -> serde_json::Value {
    use base64::Engine as _;
    use hmac::{KeyInit, Mac};
    let signed = format!("{psp}:orig:merchant:ref:1000:EUR:{event}:true");
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(&hex::decode(ADYEN_KEY).unwrap()).unwrap();
    mac.update(signed.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    serde_json::json!({"NotificationRequestItem": {
        "pspReference": psp, "originalReference": "orig", "merchantAccountCode": "merchant",
        "merchantReference": "ref", "amount": {"currency": "EUR", "value": 1000},
        "eventCode": event, "success": "true", "additionalData": {"hmacSignature": sig},
    }})
}

#[test]
fn adyen_replay_key_is_made_of_the_signed_items() {
    let v = verifier_at(Provider::ADYEN, ADYEN_KEY, NOW);
    let a = adyen_item("psp1", "AUTHORISATION");
    let b = adyen_item("psp2", "CAPTURE");
    let key_of = |body: String| -> Result<String, webhook_verify::Error> {
        v.verify(&Delivery::new(&NO_HEADERS, body))
            .map(|v| v.replay_key())
    };
    let base =
        key_of(serde_json::json!({"live":"false","notificationItems":[a]}).to_string()).unwrap();
    assert!(base.starts_with("adyen:items:"), "{base}");
    // Unsigned fields, whitespace and escapes: the same notification.
    let same = [
        serde_json::json!({"live":"true","extra":1,"notificationItems":[a]}).to_string(),
        serde_json::to_string_pretty(&serde_json::json!({"notificationItems":[a]})).unwrap(),
        serde_json::json!({"notificationItems":[a]})
            .to_string()
            .replace("\"psp1\"", "\"\\u0070sp1\""),
    ];
    for body in same {
        assert_eq!(key_of(body.clone()).unwrap(), base, "{body}");
    }
    // Items of captured notifications put together (in any order, or an item twice) would
    // get a replay key never seen: a batch is refused, Adyen sends one item per
    // notification.
    for items in [vec![&a, &b], vec![&b, &a], vec![&a, &a]] {
        let body = serde_json::json!({ "notificationItems": items }).to_string();
        let e = key_of(body.clone()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedBody, "{body}");
    }
    let single = key_of(serde_json::json!({"notificationItems":[b]}).to_string()).unwrap();
    assert!(
        single.starts_with("adyen:items:") && single != base,
        "{single}"
    );
    // Another event of the same payment is not a duplicate.
    let c = adyen_item("psp1", "CAPTURE");
    let other = key_of(serde_json::json!({"notificationItems":[c]}).to_string()).unwrap();
    let first = key_of(serde_json::json!({"notificationItems":[a]}).to_string()).unwrap();
    assert_ne!(other, first);
    // A duplicated key, anywhere, is refused rather than read two ways.
    let items = serde_json::json!([a]).to_string();
    let evil = serde_json::json!([adyen_item("psp9", "AUTHORISATION")]).to_string();
    for body in [
        format!(r#"{{"notificationItems":{evil},"notificationItems":{items}}}"#),
        format!(r#"{{"notificationItems":{items},"notificationItems":{evil}}}"#),
        format!(r#"{{"notificationItems":{items},"live":"a","live":"b"}}"#),
        serde_json::json!({"notificationItems":[a]})
            .to_string()
            .replace(
                r#""pspReference":"psp1""#,
                r#""pspReference":"psp1","pspReference":"x""#,
            ),
    ] {
        let e = key_of(body.clone()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedBody, "{body}");
    }
}

#[test]
fn linear_duplicate_timestamp_field_is_refused() {
    let p = Provider::LINEAR;
    let secret = verifier_secret(&p);
    let stale = (NOW - 3600) * 1000;
    let body = format!(
        r#"{{"webhookTimestamp":{stale},"webhookTimestamp":{},"type":"Issue"}}"#,
        NOW * 1000
    );
    let headers = webhook_verify::Signer::new(&p, secret.as_str())
        .unwrap()
        .sign(body.as_bytes(), &webhook_verify::SignOptions::new())
        .unwrap();
    let e = verifier_at(p, &secret, NOW)
        .verify(&Delivery::new(&headers, body))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedBody);
}

// ---------------------------------------------------------------------------------------
// 5. MemoryStore stays bounded whatever the sequence of calls.

/// A clock the test moves.
#[derive(Debug, Clone, Default)]
struct StepClock(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl webhook_verify::Clock for StepClock {
    fn now_unix_millis(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[test]
fn memory_store_stays_bounded_on_claim_release_cycles() {
    use webhook_verify::replay::{Claim, MemoryStore, ReplayStore};
    const MAX: usize = 1000;
    let lease = Duration::from_secs(60);
    let clock = StepClock::default();
    let store = MemoryStore::new().max_entries(MAX).clock(clock.clone());
    let run = |f: webhook_verify::replay::StoreFuture<'_, Claim>| futures_lite_block_on(f).unwrap();
    let bound = 2 * MAX + 1;
    // The same key, claimed and released (a handler that keeps failing).
    for i in 0..100_000u128 {
        assert_eq!(run(store.claim("k", i, lease)), Claim::New);
        futures_lite_block_on(store.release("k", i)).unwrap();
        assert!(store.queue_len() <= bound);
    }
    // The same key, claimed and left to expire, claimed again.
    for i in 0..100_000u128 {
        clock
            .0
            .fetch_add(61_000, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(run(store.claim("k", i, lease)), Claim::New);
        assert!(store.queue_len() <= bound);
    }
    // Distinct keys, claimed and released, interleaved with held claims and commits.
    for i in 0..100_000u128 {
        let key = format!("key-{i}");
        assert_eq!(run(store.claim(&key, i, lease)), Claim::New);
        match i % 3 {
            0 => futures_lite_block_on(store.release(&key, i)).unwrap(),
            1 => futures_lite_block_on(store.commit(&key, i, lease)).unwrap(),
            _ => {}
        }
        assert!(store.len() <= MAX);
        assert!(store.queue_len() <= bound, "{} at {i}", store.queue_len());
    }
}

/// Polls a future that never waits (the memory store's) to completion.
fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

// ---------------------------------------------------------------------------------------
// 6. v1a cost: no more public-key checks for a refused request than for a valid one.

/// A 1 MiB Standard Webhooks delivery signed with `v1a` (Ed25519), its signature header
/// preceded by `junk` well-formed `v1a` entries that verify nothing (or only those).
fn v1a_delivery(junk: usize, with_valid: bool) -> (Vec<(String, String)>, Vec<u8>) {
    use base64::Engine as _;
    let body = vec![b'x'; 1 << 20];
    let mut headers = webhook_verify::Signer::new(&Provider::STANDARD_WEBHOOKS, WHSK)
        .unwrap()
        .sign(
            &body,
            &webhook_verify::SignOptions::new()
                .timestamp(NOW)
                .id("msg_1"),
        )
        .unwrap();
    let sig = headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case("webhook-signature"))
        .unwrap();
    let mut entries: Vec<String> = (0..junk)
        .map(|i| {
            format!(
                "v1a,{}",
                base64::engine::general_purpose::STANDARD.encode([i as u8 + 1; 64])
            )
        })
        .collect();
    if with_valid {
        entries.push(sig.1.clone());
    }
    sig.1 = entries.join(" ");
    (headers, body)
}

#[test]
fn v1a_entries_beyond_what_the_keys_allow_are_refused_before_any_check() {
    let one_key = verifier_at(Provider::STANDARD_WEBHOOKS, WHPK, NOW);
    // A rotating sender lists one signature more than the receiver has keys: accepted.
    let (h, b) = v1a_delivery(1, true);
    one_key.verify(&Delivery::new(&h, b)).unwrap();
    // Sixteen entries for one key: refused as malformed, with no Ed25519 check.
    for with_valid in [false, true] {
        let (h, b) = v1a_delivery(15, with_valid);
        let e = one_key.verify(&Delivery::new(&h, b)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedHeader, "{with_valid}");
    }
    let (h, b) = v1a_delivery(2, false);
    let e = one_key.verify(&Delivery::new(&h, b)).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::SignatureMismatch,
        "two checks, like a valid one"
    );
    let (h, b) = v1a_delivery(3, false);
    let e = one_key.verify(&Delivery::new(&h, b)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedHeader);
    // With two keys, three entries are allowed.
    let two_keys = Verifier::builder(Provider::STANDARD_WEBHOOKS)
        .secret(other_whpk())
        .secret(WHPK)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap();
    let (h, b) = v1a_delivery(2, true);
    two_keys.verify(&Delivery::new(&h, b)).unwrap();
    // A verifier with only HMAC keys never checks v1a entries, so they cost nothing.
    let hmac_only = verifier_at(
        Provider::STANDARD_WEBHOOKS,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        NOW,
    );
    let (h, b) = v1a_delivery(15, false);
    let e = hmac_only.verify(&Delivery::new(&h, b)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SignatureMismatch);
}

// ---------------------------------------------------------------------------------------
// 7. Diagnosis cost is bounded.

/// A fixed clock that counts its readings: each verification reads the clock once.
#[derive(Debug, Clone, Default)]
struct CountingClock(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl webhook_verify::Clock for CountingClock {
    fn now_unix_millis(&self) -> i64 {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        NOW * 1000
    }
}

#[test]
fn diagnosis_runs_a_bounded_number_of_verifications() {
    use webhook_verify::Diagnosis;
    // Every provider's signature header, a JSON body, CRLF line endings, a trailing
    // newline: everything that makes the diagnosis try another scheme or body.
    let mut headers: Vec<(String, String)> = Vec::new();
    for p in Provider::all() {
        for name in p.headers() {
            headers.push((name.to_owned(), "1700000000".to_owned()));
        }
    }
    for size in [100, Diagnosis::MAX_BODY, Diagnosis::MAX_BODY + 1, 1 << 20] {
        let mut body = format!("{{\"a\":\"{}\"}}\r\n", "x".repeat(size.saturating_sub(12)));
        body.truncate(size.max(12));
        let clock = CountingClock::default();
        let v = Verifier::builder(Provider::GITHUB)
            .secret("It's a Secret to Everybody")
            .clock(clock.clone())
            .build()
            .unwrap();
        let mut h = headers.clone();
        h.retain(|(n, _)| n != "x-hub-signature-256");
        h.push((
            "x-hub-signature-256".to_owned(),
            format!("sha256={}", "0".repeat(64)),
        ));
        let d = Delivery::new(&h, body.clone());
        let e = v.verify(&d).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SignatureMismatch);
        clock.0.store(0, std::sync::atomic::Ordering::Relaxed);
        let diagnosis = v.diagnose(&d, &e);
        let checks = clock.0.load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            checks <= Diagnosis::MAX_CHECKS,
            "{size}: {checks} verifications"
        );
        if body.len() > Diagnosis::MAX_BODY {
            assert_eq!(checks, 0, "{size}");
            assert!(diagnosis.to_string().contains("skipped"), "{diagnosis}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Issue 13: a `Verified` is a proof; JSON cannot become one without a name saying so.

#[test]
fn verified_does_not_implement_deserialize() {
    use std::marker::PhantomData;
    trait Fallback {
        const DESERIALIZE: bool = false;
    }
    struct Probe<T>(PhantomData<T>);
    impl<T> Fallback for Probe<T> {}
    #[allow(dead_code)]
    impl<T: serde::de::DeserializeOwned> Probe<T> {
        const DESERIALIZE: bool = true;
    }
    const { assert!(Probe::<String>::DESERIALIZE, "the probe works") };
    const { assert!(!Probe::<webhook_verify::Verified>::DESERIALIZE) };
}

// ---------------------------------------------------------------------------------------
// Smaller findings.

#[test]
fn digits_cannot_move_between_a_timestamp_and_the_body_signed_after_it() {
    // Discord and SendGrid sign `{timestamp}{body}` with no separator and check no age by
    // default: moving the timestamp's last digit to the front of the body kept the
    // signature valid and made a "new" delivery.
    for p in [Provider::DISCORD, Provider::SENDGRID] {
        let v = verifier_at(p.clone(), &verifier_secret(&p), NOW);
        let Signed { headers, body, .. } = signed(&p, br#"{"id":"1","type":1}"#, NOW);
        v.verify(&delivery_for(&p, &headers, &body)).unwrap();
        let ts_name = p.timestamp_header().unwrap();
        let moved: Vec<(String, String)> = headers
            .iter()
            .map(|(n, val)| {
                if n.eq_ignore_ascii_case(ts_name) {
                    (n.clone(), val[..val.len() - 1].to_owned())
                } else {
                    (n.clone(), val.clone())
                }
            })
            .collect();
        let last = NOW.to_string().pop().unwrap();
        let moved_body = [last.to_string().as_bytes(), &body].concat();
        let e = v
            .verify(&delivery_for(&p, &moved, &moved_body))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedBody, "{p}");
    }
}

#[test]
fn custom_providers_refuse_ambiguous_templates_and_unverifiable_algorithms() {
    use webhook_verify::Algorithm;
    let base = || {
        Provider::custom("acme")
            .signature_header("X-Sig")
            .timestamp_header("X-Ts")
            .id_header("X-Id")
    };
    for template in [
        "{timestamp}{body}",
        "{body}{timestamp}",
        "{id}{timestamp}.{body}",
        "v1:{timestamp}{body}",
        "{timestamp}.{id}{body}",
    ] {
        let e = base().signed_content(template).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{template}");
        assert!(e.to_string().contains("ambiguous"), "{e}");
    }
    base()
        .signed_content("{id}.{timestamp}.{body}")
        .build()
        .unwrap();
    for algorithm in [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256] {
        let e = Provider::custom("acme")
            .signature_header("X-Sig")
            .algorithm(algorithm)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{algorithm:?}");
    }
}

#[test]
fn token_keys_are_long_and_separated_from_provider_secrets() {
    use base64::Engine as _;
    use hmac::{KeyInit, Mac};
    use webhook_verify::TokenKey;
    for short in ["short", &"x".repeat(31)] {
        let e = TokenKey::new(short).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidSecret);
        assert!(e.to_string().contains("32 bytes"), "{e}");
        assert!(!e.to_string().contains(short), "{e}");
    }
    // A secret used both as a provider's HMAC key and as a token key: the seal is not the
    // provider's HMAC of the same bytes, so neither can stand in for the other.
    let secret = "whsec_test_secret_shared_by_mistake_0123";
    let key = TokenKey::new(secret).unwrap();
    let headers = [(
        "X-Hub-Signature-256",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    )];
    let v = webhook_verify::verify(
        &Provider::GITHUB,
        "It's a Secret to Everybody",
        &headers[..],
        &b"Hello, World!"[..],
    )
    .unwrap();
    let token = key.seal(&v);
    let (payload, tag) = token.split_once('.').unwrap();
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let mut plain = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    plain.update(&json);
    let plain =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(plain.finalize().into_bytes());
    assert_ne!(
        tag, plain,
        "the seal must not be a plain HMAC under the secret"
    );
    assert!(key.open(&token).is_ok());
    let forged = format!("{payload}.{plain}");
    assert!(key.open(&forged).is_err());
}
