//! Edges: tolerance windows, rotation, malformed signatures and headers, hostile input.

use std::time::Duration;

use webhook_testkit::{
    NOW, STANDARD_SECRET, WHPK, WHSK, all_providers, other_secret, other_whpk, signed, verifier_at,
    verifier_secret,
};
use webhook_verify::{
    Delivery, Error, ErrorKind, FixedClock, Provider, Secret, SignOptions, Signer, Tolerance,
    Verifier, verify,
};

#[test]
fn both_edges_of_every_tolerance_window() {
    for p in all_providers() {
        let tol = p.default_tolerance();
        let delivery = signed(&p, b"{\"type\":\"x\"}", NOW);
        let check = |now: i64| verifier_at(&p, now).verify(&delivery.delivery());
        assert!(check(NOW).is_ok(), "{p}");
        match tol.past() {
            Some(past) => {
                let past = past.as_secs() as i64;
                assert!(check(NOW + past).is_ok(), "{p}: last second inside");
                let err = check(NOW + past + 1).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::TimestampTooOld, "{p}");
            }
            None => assert!(check(NOW + 10_000_000).is_ok(), "{p}: no age check"),
        }
        match tol.future() {
            Some(future) => {
                let future = future.as_secs() as i64;
                assert!(check(NOW - future).is_ok(), "{p}: earliest clock inside");
                let err = check(NOW - future - 1).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::TimestampInFuture, "{p}");
            }
            None => assert!(check(NOW - 10_000_000).is_ok(), "{p}: future unchecked"),
        }
    }
}

#[test]
fn default_tolerances_match_the_providers() {
    let five = Duration::from_secs(300);
    assert_eq!(
        Provider::STANDARD_WEBHOOKS.default_tolerance(),
        Tolerance::both(five)
    );
    assert_eq!(Provider::SVIX.default_tolerance(), Tolerance::both(five));
    assert_eq!(Provider::SLACK.default_tolerance(), Tolerance::both(five));
    assert_eq!(
        Provider::STRIPE.default_tolerance(),
        Tolerance::past_only(five)
    );
    assert_eq!(
        Provider::PADDLE.default_tolerance(),
        Tolerance::past_only(Duration::from_secs(5))
    );
    assert_eq!(Provider::GITHUB.default_tolerance(), Tolerance::NONE);
}

#[test]
fn tolerance_override_keeps_direction() {
    let webhook_testkit::Signed { headers, body, .. } = signed(&Provider::STRIPE, b"{}", NOW);
    let v = |now| {
        Verifier::builder(Provider::STRIPE)
            .secret(verifier_secret(&Provider::STRIPE))
            .tolerance(Duration::from_secs(10))
            .clock(FixedClock::from_unix(now))
            .build()
            .unwrap()
            .verify(&Delivery::new(&headers, body.clone()))
    };
    assert!(v(NOW + 10).is_ok());
    assert_eq!(v(NOW + 11).unwrap_err().kind(), ErrorKind::TimestampTooOld);
    assert!(v(NOW - 1_000_000).is_ok(), "Stripe checks the past only");
}

#[test]
fn rotation_matching_key_first_or_last() {
    for p in all_providers() {
        if p == Provider::DISCORD {
            continue; // one application public key
        }
        let delivery = signed(&p, b"{}", NOW);
        let d = delivery.delivery();
        let right = verifier_secret(&p);
        let wrong = other_secret(&p);
        let first = Verifier::builder(p.clone())
            .secret_with_id("current", right.clone())
            .secret_with_id("old", wrong.clone())
            .clock(FixedClock::from_unix(NOW))
            .build()
            .unwrap()
            .verify(&d)
            .unwrap();
        assert_eq!(
            (first.key().index(), first.key().id()),
            (0, Some("current")),
            "{p}"
        );
        let last = Verifier::builder(p.clone())
            .secret(wrong.clone())
            .secret(wrong)
            .secret(right)
            .clock(FixedClock::from_unix(NOW))
            .build()
            .unwrap()
            .verify(&d)
            .unwrap();
        assert_eq!((last.key().index(), last.key().id()), (2, None), "{p}");
    }
}

#[test]
fn standard_webhooks_trusts_several_ed25519_keys() {
    let p = Provider::STANDARD_WEBHOOKS;
    let signer = Signer::new(&p, WHSK).unwrap();
    let headers = signer
        .sign(b"{}", &SignOptions::new().timestamp(NOW))
        .unwrap();
    assert!(headers[0].1.starts_with("v1a,"));
    let v = Verifier::builder(p)
        .secret(other_whpk())
        .secret(WHPK)
        .secret(STANDARD_SECRET)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap();
    let verified = v.verify(&Delivery::new(&headers, &b"{}"[..])).unwrap();
    assert_eq!(verified.key().index(), 1);
    // A whsk_ signing key is refused as a verification key, with a reason.
    let err = Verifier::new(Provider::STANDARD_WEBHOOKS, WHSK).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidSecret);
    assert!(!err.to_string().contains(&WHSK[5..15]));
}

#[test]
fn malformed_signatures_are_400_not_panics() {
    let p = Provider::STANDARD_WEBHOOKS;
    let good = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    let cases = [
        "v1,".to_owned(),
        "v1".to_owned(),
        format!("v1,{}", &good[..good.len() - 4]),
        format!("v1,{good}AAAA"),
        format!("v1,{}", good.trim_end_matches('=')),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=".to_owned(),
        "v9,abc".to_owned(),
        " ".to_owned(),
    ];
    for sig in cases {
        let headers = [
            ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            ("webhook-timestamp", "1614265330"),
            ("webhook-signature", sig.as_str()),
        ];
        let err = verify(
            &p,
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            &headers[..],
            &b"x"[..],
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MalformedHeader, "{sig:?}");
        assert_eq!(err.status(), 400);
    }
}

/// Slack's docs delivery with its timestamp header replaced by `ts`.
fn slack_with_timestamp(ts: &str) -> Error {
    let headers = [
        ("X-Slack-Request-Timestamp", ts),
        (
            "X-Slack-Signature",
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        ),
    ];
    verify(
        &Provider::SLACK,
        "8f742231b10e8888abcd99yyyzzz85a5",
        &headers[..],
        &b"x"[..],
    )
    .unwrap_err()
}

#[test]
fn hostile_timestamps_get_clear_errors() {
    for ts in [
        "-9223372036854775808",
        "9223372036854775808",
        "99999999999999999999",
        "+1531420618",
        "1531420618.0",
        "",
        " 1531420618",
        "0x5B4",
    ] {
        let err = slack_with_timestamp(ts);
        assert_eq!(err.kind(), ErrorKind::MalformedHeader, "{ts:?}");
        assert!(
            err.to_string()
                .starts_with("malformed header x-slack-request-timestamp: "),
            "{err}"
        );
    }
    // In range but absurd: refused by the tolerance, without overflow.
    for (ts, kind) in [
        ("9223372036854775807", ErrorKind::TimestampInFuture),
        ("0", ErrorKind::TimestampTooOld),
    ] {
        assert_eq!(slack_with_timestamp(ts).kind(), kind, "{ts}");
    }
}

/// A Standard Webhooks delivery with these headers plus a well-formed signature; its error.
#[cfg(feature = "http")]
fn standard_with(mut map: http::HeaderMap) -> Error {
    map.append(
        "webhook-signature",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
            .parse()
            .unwrap(),
    );
    verify(
        &Provider::STANDARD_WEBHOOKS,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        &map,
        &b""[..],
    )
    .unwrap_err()
}

#[test]
fn conflicting_duplicate_headers_are_refused() {
    let p = Provider::GITHUB;
    let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    let secret = "It's a Secret to Everybody";
    let same = [("X-Hub-Signature-256", sig), ("x-hub-signature-256", sig)];
    assert!(verify(&p, secret, &same[..], &b"Hello, World!"[..]).is_ok());
    let other = "sha256=0000000000000000000000000000000000000000000000000000000000000000";
    let conflicting = [("X-Hub-Signature-256", sig), ("X-Hub-Signature-256", other)];
    let err = verify(&p, secret, &conflicting[..], &b"Hello, World!"[..]).unwrap_err();
    assert_eq!(err.to_string(), "duplicate header x-hub-signature-256");
    assert_eq!(err.status(), 400);

    #[cfg(feature = "http")]
    {
        let mut map = http::HeaderMap::new();
        map.append("webhook-timestamp", "1".parse().unwrap());
        map.append("webhook-timestamp", "2".parse().unwrap());
        map.append("webhook-id", "m".parse().unwrap());
        let err = standard_with(map);
        assert_eq!(err.to_string(), "duplicate header webhook-timestamp");
    }
}

#[test]
fn non_utf8_bodies_and_headers() {
    let body: Vec<u8> = (0..=255u8).rev().collect();
    for p in [
        Provider::GITHUB,
        Provider::SHOPIFY,
        Provider::STRIPE,
        Provider::STANDARD_WEBHOOKS,
    ] {
        let headers = signed(&p, &body, NOW).headers;
        let v = verifier_at(&p, NOW);
        assert!(
            v.verify(&Delivery::new(&headers, body.clone())).is_ok(),
            "{p}"
        );
    }
    #[cfg(feature = "http")]
    {
        let mut map = http::HeaderMap::new();
        map.append(
            "webhook-id",
            http::HeaderValue::from_bytes(b"msg\xff").unwrap(),
        );
        map.append(
            "webhook-timestamp",
            http::HeaderValue::from_bytes(b"\xff").unwrap(),
        );
        let err = standard_with(map);
        assert_eq!(err.kind(), ErrorKind::MalformedHeader);
    }
}

#[test]
fn secrets_never_show() {
    let text = "whsec_c2VjcmV0LXNob3VsZC1uZXZlci1zaG93";
    let v = Verifier::new(Provider::STANDARD_WEBHOOKS, text).unwrap();
    let secret = Secret::new(text).unwrap();
    let signer = Signer::new(&Provider::STANDARD_WEBHOOKS, text).unwrap();
    let builder = Verifier::builder(Provider::STRIPE).secret(text);
    for shown in [
        format!("{v:?}"),
        format!("{secret:?}"),
        format!("{signer:?}"),
        format!("{builder:?}"),
    ] {
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
    }
    // Bad secrets are explained without being echoed.
    for (p, bad) in [
        (Provider::STANDARD_WEBHOOKS, "whsec_not base64!!"),
        (Provider::DISCORD, "zz-not-hex"),
        (Provider::DISCORD, "abcd"),
    ] {
        let err = Verifier::new(p, bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidSecret);
        assert!(!err.to_string().contains(bad), "{err}");
    }
    assert_eq!(
        Verifier::new(Provider::STRIPE, "").unwrap_err().kind(),
        ErrorKind::InvalidSecret
    );
    assert_eq!(
        Verifier::builder(Provider::STRIPE)
            .build()
            .unwrap_err()
            .kind(),
        ErrorKind::Config
    );
}

#[test]
fn unpadded_standard_webhooks_secret_is_accepted() {
    // 24 bytes: base64 has no padding either way; use a key that needs it.
    let key = [42u8; 25];
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, key);
    assert!(b64.ends_with('='));
    let padded = format!("whsec_{b64}");
    let unpadded = padded.trim_end_matches('=').to_owned();
    let signer = Signer::new(&Provider::STANDARD_WEBHOOKS, padded.as_str()).unwrap();
    let signed = signer
        .sign(b"{}", &SignOptions::new().timestamp(NOW).id("msg_1"))
        .unwrap();
    for secret in [padded, unpadded] {
        let v = Verifier::builder(Provider::STANDARD_WEBHOOKS)
            .secret(secret)
            .clock(FixedClock::from_unix(NOW))
            .build()
            .unwrap();
        assert!(v.verify(&Delivery::new(&signed, &b"{}"[..])).is_ok());
    }
}

#[test]
fn github_legacy_sha1_only_when_chosen() {
    let headers = [(
        "X-Hub-Signature",
        "sha1=d03207e4b030cf234e3447bac4d93add4c6643d8",
    )];
    let err = verify(
        &Provider::GITHUB,
        "mysecret",
        &headers[..],
        &br#"{"foo":"bar"}"#[..],
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "missing header x-hub-signature-256");
    assert!(
        verify(
            &Provider::GITHUB_LEGACY_SHA1,
            "mysecret",
            &headers[..],
            &br#"{"foo":"bar"}"#[..]
        )
        .is_ok()
    );
}

#[test]
fn errors_map_to_the_status_policy() {
    assert_eq!(Error::SignatureMismatch.status(), 401);
    assert_eq!(Error::SignatureMismatch.to_string(), "invalid signature");
    let old = Error::TimestampTooOld {
        age_secs: 1,
        tolerance_secs: 0,
    };
    assert_eq!(
        (old.status(), old.to_string().as_str()),
        (401, "timestamp outside tolerance")
    );
    let missing = verify(&Provider::STRIPE, "whsec_x", &[("a", "b")][..], &b""[..]).unwrap_err();
    assert_eq!(
        (missing.status(), missing.to_string().as_str()),
        (400, "missing header stripe-signature")
    );
    let url = Error::MissingUrl {
        provider: "twilio".into(),
    };
    assert_eq!(
        (url.status(), url.body_text().as_ref()),
        (500, "internal server error")
    );
}

#[test]
fn signing_needs_what_the_scheme_signs() {
    let err = Signer::new(&Provider::TWILIO, "12345")
        .unwrap()
        .sign(b"a=b", &SignOptions::new())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    let err = Signer::new(&Provider::STRIPE, "x")
        .unwrap()
        .sign(b"", &SignOptions::new().timestamp(-1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert_eq!(
        Signer::new(&Provider::STANDARD_WEBHOOKS, WHPK)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidSecret
    );
}

#[test]
fn diagnosis_names_likely_causes() {
    // Stripe delivery checked as Standard Webhooks-style key.
    let p = Provider::STRIPE;
    let webhook_testkit::Signed { headers, body, .. } = signed(&p, b"{\"id\":\"evt_1\"}", NOW);
    let v = verifier_at(&p, NOW);

    // Body changed in transit.
    let mut changed = body.clone();
    changed.push(b'\n');
    let d = Delivery::new(&headers, changed);
    let err = v.verify(&d).unwrap_err();
    let hint = v.diagnose(&d, &err).to_string();
    assert!(hint.contains("trailing newline was added"), "{hint}");

    // Re-serialized JSON.
    let pretty =
        serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(&body).unwrap())
            .unwrap();
    let d = Delivery::new(&headers, pretty);
    let err = v.verify(&d).unwrap_err();
    let hint = v.diagnose(&d, &err).to_string();
    assert!(hint.contains("re-serialized"), "{hint}");

    // Clock skew, in seconds.
    let late = verifier_at(&p, NOW + 412);
    let d = Delivery::new(&headers, body.clone());
    let err = late.verify(&d).unwrap_err();
    let hint = late.diagnose(&d, &err).to_string();
    assert!(hint.contains("412 s old (tolerance 300 s)"), "{hint}");

    // A Standard Webhooks secret decoded as text by a custom Utf8 provider, and vice versa:
    // the Stripe scheme with the key base64-decoded after whsec_.
    let sw_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let key = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &sw_secret[6..])
        .unwrap();
    let raw_signer = Signer::new(&p, Secret::from_bytes(key).unwrap()).unwrap();
    let headers = raw_signer
        .sign(b"{}", &SignOptions::new().timestamp(NOW))
        .unwrap();
    let v = Verifier::builder(p.clone())
        .secret(sw_secret)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap();
    let d = Delivery::new(&headers, &b"{}"[..]);
    let err = v.verify(&d).unwrap_err();
    let hint = v.diagnose(&d, &err).to_string();
    assert!(hint.contains("base64 after whsec_"), "{hint}");
    assert!(!hint.contains("MfKQ9r8G"), "{hint}");

    // Headers of another provider.
    let gh = signed(&Provider::GITHUB, b"{}", NOW);
    let d = gh.delivery();
    let err = v.verify(&d).unwrap_err();
    let hint = v.diagnose(&d, &err).to_string();
    assert!(hint.contains("provider github"), "{hint}");
}
