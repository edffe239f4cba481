//! Official and derived test vectors (tests/data/*.json, copied from the providers' docs and
//! SDK test suites): each must verify, and tampered copies of each must fail.

use std::collections::BTreeMap;

use base64::Engine as _;
use ed25519_dalek::SigningKey;
use webhook_testkit::vectors::{self, NOT_DELIVERIES, UNSUPPORTED, Vector};
use webhook_verify::{Delivery, Error, ErrorKind, FixedClock, Provider, Verifier};

fn load(file: &str) -> Vec<Vector> {
    vectors::load(file)
}

fn verifier(p: &Provider, secret: &str, now: i64) -> Result<Verifier, Error> {
    Verifier::builder(p.clone())
        .secret(secret)
        .clock(FixedClock::from_unix(now))
        .build()
}

fn run(
    p: &Provider,
    v: &Vector,
    secret: &str,
    headers: &BTreeMap<String, String>,
    body: &[u8],
    now: i64,
) -> Result<webhook_verify::Verified, Error> {
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    verifier(p, secret, now)?.verify(&v.delivery(&pairs, body))
}

/// A different key of the same form as `secret`.
fn wrong_secret(p: &Provider, secret: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    if secret.starts_with("whpk_") || *p == Provider::DISCORD {
        let other = SigningKey::from_bytes(&[7; 32]).verifying_key();
        if secret.starts_with("whpk_") {
            return format!("whpk_{}", b64.encode(other.as_bytes()));
        }
        return hex::encode(other.as_bytes());
    }
    let standard = [
        Provider::STANDARD_WEBHOOKS,
        Provider::SVIX,
        Provider::OPENAI,
        Provider::REPLICATE,
        Provider::BREX,
        Provider::LITHIC,
    ];
    if standard.contains(p) {
        return format!("whsec_{}", b64.encode([7u8; 24]));
    }
    if *p == Provider::SENDGRID {
        use p256::pkcs8::EncodePublicKey;
        let key = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        return b64.encode(key.verifying_key().to_public_key_der().unwrap().as_bytes());
    }
    if *p == Provider::ADYEN {
        return "00".repeat(32);
    }
    if *p == Provider::AWS_SNS || *p == Provider::PAYPAL {
        return include_str!("data/certs/other-cert.pem").to_owned();
    }
    format!("{secret}x")
}

/// The timestamp header (or element) moved by one second, and the header it lives in.
fn shift_timestamp(
    p: &Provider,
    headers: &BTreeMap<String, String>,
) -> Option<BTreeMap<String, String>> {
    let mut out = headers.clone();
    if let Some(name) = p.timestamp_header() {
        let (_, v) = out.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
        *v = match v.parse::<i64>() {
            Ok(t) => (t + 1).to_string(),
            // RFC 3339 (Twitch, Zendesk): one second later.
            Err(_) if v.contains(":12.") || v.contains(":12Z") => {
                v.replacen(":12.", ":13.", 1).replacen(":12Z", ":13Z", 1)
            }
            // RFC 3339 in seconds (PayPal, `…:05Z`): one second later.
            Err(_) => {
                let (rest, last) = v.strip_suffix('Z')?.split_at(v.len() - 2);
                let digit = last.parse::<u8>().ok().filter(|d| *d < 9)?;
                format!("{rest}{}Z", digit + 1)
            }
        };
        return Some(out);
    }
    let sig = p.signature_header();
    let (_, v) = out.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(sig))?;
    let sep = if *p == Provider::PADDLE { ';' } else { ',' };
    let key = if *p == Provider::PADDLE { "ts=" } else { "t=" };
    let moved: Vec<String> = v
        .split(sep)
        .map(|e| match e.strip_prefix(key) {
            Some(t) => format!("{key}{}", t.parse::<i64>().unwrap() + 1),
            None => e.to_owned(),
        })
        .collect();
    let moved = moved.join(&sep.to_string());
    if moved == *v {
        return None;
    }
    *v = moved;
    Some(out)
}

/// Where the signed bytes of a body-carried scheme can be flipped without breaking the
/// JSON: inside Mailgun's token or Adyen's pspReference value.
fn signed_field_offset(v: &Vector) -> Option<usize> {
    let anchor = match v.provider.as_str() {
        "mailgun" => "\"token\":\"",
        "adyen" => "\"pspReference\":\"",
        "aws-sns" => "\"Message\" : \"",
        _ => return None,
    };
    Some(v.payload.find(anchor)? + anchor.len() + 1)
}

fn check_file(file: &str) -> usize {
    let mut checked = 0;
    for v in load(file) {
        let Some(p) = v.provider() else {
            assert!(
                NOT_DELIVERIES.contains(&v.provider.as_str())
                    || UNSUPPORTED.contains(&v.provider.as_str()),
                "unmapped provider {}",
                v.provider
            );
            continue;
        };
        assert!(v.expected_valid, "{}", v.source);
        let now = v.now();
        let body = v.payload.as_bytes();
        let ctx = format!("{file} {} ({})", v.provider, v.source);

        // The vector itself verifies.
        let verified =
            run(&p, &v, &v.secret, &v.headers, body, now).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        assert_eq!(verified.key().index(), 0, "{ctx}");
        if p.has_timestamp() && p != Provider::MAILGUN {
            assert_eq!(verified.timestamp(), Some(now), "{ctx}");
        }
        assert_eq!(verified.body().as_ref(), body, "{ctx}");

        // A flipped bit in the signed bytes fails: anywhere in a signed body (first, middle
        // and last byte), inside a signed field for schemes that carry it in the body.
        let flips: Vec<usize> = match (signed_field_offset(&v), v.provider.as_str()) {
            (Some(i), _) => vec![i],
            // The token and the basic-auth credential sign nothing.
            (None, "gitlab-token" | "chargebee") => vec![],
            (None, _) => vec![0, body.len() / 2, body.len() - 1],
        };
        for i in flips {
            let mut tampered = body.to_vec();
            tampered[i] ^= 0x01;
            let err = run(&p, &v, &v.secret, &v.headers, &tampered, now).unwrap_err();
            assert_eq!(err, Error::SignatureMismatch, "{ctx}: byte {i}");
        }

        // The wrong key fails.
        let wrong = wrong_secret(&p, &v.secret);
        let err = run(&p, &v, &wrong, &v.headers, body, now).unwrap_err();
        assert_eq!(err, Error::SignatureMismatch, "{ctx}: wrong secret");

        // A shifted timestamp fails (it is signed), and a stale one is refused.
        if p.has_timestamp() {
            if let Some(shifted) = shift_timestamp(&p, &v.headers) {
                let err = run(&p, &v, &v.secret, &shifted, body, now + 1).unwrap_err();
                assert_eq!(err, Error::SignatureMismatch, "{ctx}: shifted timestamp");
            } else {
                // Linear and Mailgun carry the timestamp in the signed body.
                // AWS SNS too.
                assert!(
                    [Provider::LINEAR, Provider::MAILGUN, Provider::AWS_SNS].contains(&p),
                    "{ctx}"
                );
            }
            if let Some(past) = p.default_tolerance().past() {
                let stale = now + past.as_secs() as i64 + 1;
                let err = run(&p, &v, &v.secret, &v.headers, body, stale).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::TimestampTooOld, "{ctx}: stale");
                assert_eq!(err.status(), 401);
                // ...while the last second inside the window still passes.
                let edge = now + past.as_secs() as i64;
                run(&p, &v, &v.secret, &v.headers, body, edge)
                    .unwrap_or_else(|e| panic!("{ctx}: window edge: {e}"));
            }
        }
        checked += 1;
    }
    checked
}

#[test]
fn official_vectors() {
    // Every one of the 38 official vectors.
    assert_eq!(check_file("vectors.json"), 38);
}

#[test]
fn derived_vectors() {
    // 30 derived vectors, less Zoom's challenge response (checked below).
    assert_eq!(check_file("vectors-derived.json"), 29);
}

#[test]
fn zoom_url_validation_vector() {
    let c = vectors::derived()
        .into_iter()
        .find(|v| v.provider == "zoom-url-validation")
        .unwrap();
    let expected = &c.extra["expected_response"];
    let plain = expected["plainToken"].as_str().unwrap();
    let answer = webhook_verify::zoom::url_validation(&c.secret, plain);
    assert_eq!(&serde_json::to_value(&answer).unwrap(), expected);
    assert_ne!(webhook_verify::zoom::url_validation("other", plain), answer);
}

#[test]
fn twilio_url_must_be_the_signed_one() {
    let v = load("vectors.json")
        .into_iter()
        .find(|v| v.provider == "twilio")
        .unwrap();
    let mut other = v.clone();
    other.url = Some("https://mycompany.com/myapp.php?foo=1&bar=3".into());
    let err = run(
        &Provider::TWILIO,
        &other,
        &other.secret,
        &other.headers,
        other.payload.as_bytes(),
        0,
    )
    .unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    let pairs: Vec<(&str, &str)> = other
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let err = verifier(&Provider::TWILIO, &other.secret, 0)
        .unwrap()
        .verify(&Delivery::new(&pairs, other.payload.clone()))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingUrl);
}

#[test]
fn standard_webhooks_svix_headers_fall_back_to_webhook_prefix() {
    let v = load("vectors.json")
        .into_iter()
        .find(|v| v.provider == "standard-webhooks" && v.secret.starts_with("whsec_Mf"))
        .unwrap();
    for p in [Provider::SVIX, Provider::CLERK, Provider::RESEND] {
        let verified = run(&p, &v, &v.secret, &v.headers, v.payload.as_bytes(), v.now())
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        assert_eq!(verified.id(), Some("msg_p5jXN8AQM9LWM0D4loKWxJek"));
        assert_eq!(verified.provider(), &p);
    }
    // Plain Standard Webhooks does not read svix-* headers.
    let svix = load("vectors.json")
        .into_iter()
        .find(|v| v.provider == "svix")
        .unwrap();
    let err = run(
        &Provider::STANDARD_WEBHOOKS,
        &svix,
        &svix.secret,
        &svix.headers,
        svix.payload.as_bytes(),
        svix.now(),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "missing header webhook-signature");
}
