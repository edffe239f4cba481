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
    if *p == Provider::TELNYX {
        let other = SigningKey::from_bytes(&[7; 32]).verifying_key();
        return b64.encode(other.as_bytes());
    }
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
            // RFC 3339 (Twitch, Zendesk, Orb, Box): one second later.
            Err(_) => later_rfc3339(v)?,
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

/// An RFC 3339 date and time one second later (the seconds field moved, below 59).
fn later_rfc3339(v: &str) -> Option<String> {
    let t = v.find('T')?;
    let secs = v.get(t + 7..t + 9)?.parse::<u8>().ok()?;
    (secs < 59).then(|| format!("{}{:02}{}", &v[..t + 7], secs + 1, &v[t + 9..]))
}

/// Where the signed bytes of a body-carried scheme can be flipped without breaking the
/// JSON: inside Mailgun's token or Adyen's pspReference value.
fn signed_field_offset(v: &Vector) -> Option<usize> {
    let anchor = match v.provider.as_str() {
        "mailgun" => "\"token\":\"",
        "adyen" => "\"pspReference\":\"",
        "microsoft-graph" => "\"clientState\":\"",
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
            // The token and the credentials sign nothing.
            (None, "gitlab-token" | "chargebee" | "postmark" | "okta") => vec![],
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
    // Every one of the 42 official vectors.
    assert_eq!(check_file("vectors.json"), 42);
}

#[test]
fn derived_vectors() {
    // 49 derived vectors, less Zoom's and X's challenge responses (checked below and in
    // tests/challenges.rs).
    assert_eq!(check_file("vectors-derived.json"), 47);
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

/// The first vector of `provider` in either file.
fn vector(provider: &str) -> Vector {
    vectors::official()
        .into_iter()
        .chain(vectors::derived())
        .find(|v| v.provider == provider)
        .unwrap_or_else(|| panic!("no {provider} vector"))
}

/// `v` verified with `secrets` (several: rotation) and its headers changed by `edit`.
fn run_with(
    v: &Vector,
    secrets: &[&str],
    edit: impl FnOnce(&mut BTreeMap<String, String>),
) -> Result<webhook_verify::Verified, Error> {
    let p = v.provider().unwrap();
    let mut headers = v.headers.clone();
    edit(&mut headers);
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut builder = Verifier::builder(p).clock(FixedClock::from_unix(v.now()));
    for s in secrets {
        builder = builder.secret(*s);
    }
    builder
        .build()?
        .verify(&v.delivery(&pairs, v.payload.as_bytes()))
}

#[test]
fn box_verifies_with_either_key_and_checks_its_scheme_headers() {
    let v = vector("box");
    // The secondary signature alone, with the secondary key alone (box-node-sdk's test
    // "primary incorrect, secondary correct").
    let verified = run_with(&v, &["SampleSecondaryKey"], |_| {}).unwrap();
    assert_eq!(verified.timestamp(), Some(1_577_862_000));
    assert_eq!(verified.id(), Some("f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f"));
    assert!(!verified.id_is_signed());
    let both = run_with(&v, &["IncorrectKey", "SampleSecondaryKey"], |_| {}).unwrap();
    assert_eq!(both.key().index(), 1);
    let err = run_with(&v, &["IncorrectKey"], |_| {}).unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    // Without the primary signature, the secondary is still read.
    run_with(&v, &["SampleSecondaryKey"], |h| {
        h.remove("box-signature-primary");
    })
    .unwrap();
    let err = run_with(&v, &["SampleSecondaryKey"], |h| {
        h.remove("box-signature-primary");
        h.remove("box-signature-secondary");
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingHeader);
    for (name, value) in [
        ("box-signature-version", "2"),
        ("box-signature-algorithm", "XXX"),
    ] {
        let err = run_with(&v, &["SamplePrimaryKey"], |h| {
            h.insert(name.into(), value.into());
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MalformedHeader, "{name}");
    }
    // box-node-sdk accepts deliveries from the future; ten minutes in the past is the limit.
    let at = |now: i64| {
        let pairs = v.header_pairs();
        Verifier::builder(Provider::BOX)
            .secret("SamplePrimaryKey")
            .clock(FixedClock::from_unix(now))
            .build()
            .unwrap()
            .verify(&v.delivery(&pairs, v.payload.as_bytes()))
            .map(|_| ())
            .map_err(|e| e.kind())
    };
    assert_eq!(at(v.now() - 15 * 60), Ok(()));
    assert_eq!(at(v.now() + 600), Ok(()));
    assert_eq!(at(v.now() + 601), Err(ErrorKind::TimestampTooOld));
}

#[test]
fn orb_and_pagerduty_read_every_v1_signature() {
    // orb-node's "should pass for multiple signatures": an invalid entry, then the valid one.
    let orb = vector("orb");
    let signature = orb.header("X-Orb-Signature").unwrap().to_owned();
    run_with(&orb, &[&orb.secret], |h| {
        h.insert(
            "X-Orb-Signature".into(),
            format!("v1=my-invalid-signature {signature}"),
        );
    })
    .unwrap();
    // ...and "should throw for different signature version".
    let err = run_with(&orb, &[&orb.secret], |h| {
        h.insert("X-Orb-Signature".into(), signature.replace("v1=", "v2="));
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedHeader);
    // The timestamp has no offset and is read as UTC: six minutes either way is refused.
    let pairs = orb.header_pairs();
    for (shift, kind) in [
        (360, ErrorKind::TimestampTooOld),
        (-360, ErrorKind::TimestampInFuture),
    ] {
        let err = Verifier::builder(Provider::ORB)
            .secret(orb.secret.as_str())
            .clock(FixedClock::from_unix(orb.now() + shift))
            .build()
            .unwrap()
            .verify(&orb.delivery(&pairs, orb.payload.as_bytes()))
            .unwrap_err();
        assert_eq!(err.kind(), kind);
    }

    let pd = vector("pagerduty");
    let signature = pd.header("X-PagerDuty-Signature").unwrap().to_owned();
    // go-pagerduty's "mismatch" signature first, as during a secret rotation.
    let rotated =
        format!("v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5,{signature}");
    run_with(&pd, &[&pd.secret], |h| {
        h.insert("X-PagerDuty-Signature".into(), rotated);
    })
    .unwrap();
    let err = run_with(&pd, &[&pd.secret], |h| {
        h.insert(
            "X-PagerDuty-Signature".into(),
            "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5".into(),
        );
    })
    .unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
}

#[test]
fn contentful_signs_the_url_and_the_signed_headers() {
    let v = vector("contentful");
    run_with(&v, &[&v.secret], |_| {}).unwrap();
    // A signed header changed.
    let err = run_with(&v, &[&v.secret], |h| {
        h.insert(
            "x-contentful-crn".into(),
            "crn:contentful:::content:spaces/other".into(),
        );
    })
    .unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    // A header the list does not name changes nothing.
    run_with(&v, &[&v.secret], |h| {
        h.insert("x-contentful-topic".into(), "other".into());
    })
    .unwrap();
    // The signed header's value is trimmed, as the toolkit does.
    run_with(&v, &[&v.secret], |h| {
        h.insert(
            "x-contentful-crn".into(),
            " crn:contentful:::content:spaces/abc ".into(),
        );
    })
    .unwrap();
    // Another query.
    let mut other = v.clone();
    other.url = Some("https://example.com/webhooks/contentful?space=abd".into());
    let err = run_with(&other, &[&v.secret], |_| {}).unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    // No URL at all.
    other.url = None;
    let err = run_with(&other, &[&v.secret], |_| {}).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingUrl);
}

#[test]
fn fusionauth_checks_the_jwt_and_its_claim() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{KeyInit, Mac};
    let v = vector("fusionauth");
    let jwt = |header: &str, claims: &str, sign: &dyn Fn(&[u8]) -> Vec<u8>| {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let sig = URL_SAFE_NO_PAD.encode(sign(input.as_bytes()));
        format!("{input}.{sig}")
    };
    let hs512 = |m: &[u8]| {
        let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(v.secret.as_bytes()).unwrap();
        mac.update(m);
        mac.finalize().into_bytes().to_vec()
    };
    let digest = base64::engine::general_purpose::STANDARD
        .encode(<sha2::Sha256 as sha2::Digest>::digest(v.payload.as_bytes()));
    let claims = format!(r#"{{"request_body_sha256":"{digest}"}}"#);
    let with = |token: String| {
        run_with(&v, &[&v.secret], move |h| {
            h.insert("X-FusionAuth-Signature-JWT".into(), token);
        })
        .map(|_| ())
    };
    // HS512 (and HS384, the same code) verify too.
    with(jwt(r#"{"alg":"HS512","typ":"JWT"}"#, &claims, &hs512)).unwrap();
    // The header's alg names the MAC: HS256 with an HS512 tag fails.
    let err = with(jwt(r#"{"alg":"HS256"}"#, &claims, &hs512)).unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    // `none` is refused, whatever the signature.
    let err = with(jwt(r#"{"alg":"none"}"#, &claims, &|_| Vec::new())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedHeader);
    // A signed claim for another body.
    let other = r#"{"request_body_sha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}"#;
    let err = with(jwt(r#"{"alg":"HS512"}"#, other, &hs512)).unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    // An expired one.
    let expired = format!(
        r#"{{"request_body_sha256":"{digest}","exp":{}}}"#,
        v.now() - 1
    );
    let err = with(jwt(r#"{"alg":"HS512"}"#, &expired, &hs512)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimestampTooOld);
    let fresh = format!(r#"{{"request_body_sha256":"{digest}","exp":{}}}"#, v.now());
    with(jwt(r#"{"alg":"HS512"}"#, &fresh, &hs512)).unwrap();

    // ES256 with an EC key: its public key as base64 DER or PEM.
    let der = webhook_testkit::p256_public_b64(1);
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----\n",
        &der[..64],
        &der[64..]
    );
    let es256 = |m: &[u8]| {
        use p256::ecdsa::signature::Signer as _;
        let sig: p256::ecdsa::Signature = webhook_testkit::p256_key(1).sign(m);
        sig.to_bytes().to_vec()
    };
    let token = jwt(r#"{"alg":"ES256","typ":"JWT"}"#, &claims, &es256);
    for secret in [der.as_str(), pem.as_str()] {
        let t = token.clone();
        run_with(&v, &[&v.secret, secret], move |h| {
            h.insert("X-FusionAuth-Signature-JWT".into(), t);
        })
        .unwrap();
    }
    let other = webhook_testkit::p256_public_b64(2);
    let t = token.clone();
    let err = run_with(&v, &[&other], move |h| {
        h.insert("X-FusionAuth-Signature-JWT".into(), t);
    })
    .unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    // An HMAC key never checks ES256, and a public key never keys an HMAC: an HS256 JWT
    // keyed with the public key's text (which anyone has) is refused.
    let err = with(token).unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    for secret in [der.as_str(), pem.as_str()] {
        let confused = jwt(r#"{"alg":"HS256"}"#, &claims, &|m: &[u8]| {
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(m);
            mac.finalize().into_bytes().to_vec()
        });
        let err = run_with(&v, &[secret], move |h| {
            h.insert("X-FusionAuth-Signature-JWT".into(), confused);
        })
        .unwrap_err();
        assert_eq!(err, Error::SignatureMismatch);
    }
}

#[test]
fn postmark_compares_the_basic_auth_credentials() {
    let v = vector("postmark");
    let verified = run_with(&v, &["someone:else", &v.secret], |_| {}).unwrap();
    assert_eq!(verified.key().index(), 1);
    let err = run_with(&v, &["postmark-user:wrong"], |_| {}).unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    let err = run_with(&v, &[&v.secret], |h| {
        let basic = h["Authorization"].replace("Basic", "Bearer");
        h.insert("Authorization".into(), basic);
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedHeader);
    // The credentials do not cover the body: any body passes (the docs say so).
    let pairs = v.header_pairs();
    verifier(&Provider::POSTMARK, &v.secret, 0)
        .unwrap()
        .verify(&v.delivery(&pairs, b"{}"))
        .unwrap();
}

#[test]
fn telnyx_keys_are_base64() {
    let v = vector("telnyx");
    // The hex spelling of the same key is not Telnyx's form.
    let hex_key = hex::encode(
        base64::engine::general_purpose::STANDARD
            .decode(&v.secret)
            .unwrap(),
    );
    assert_eq!(
        Verifier::new(Provider::TELNYX, hex_key).unwrap_err().kind(),
        ErrorKind::InvalidSecret
    );
    // A signature moved to another timestamp fails even inside the window.
    let err = run_with(&v, &[&v.secret], |h| {
        h.insert("telnyx-timestamp".into(), (v.now() - 1).to_string());
    })
    .unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
}

#[test]
#[cfg(feature = "http")]
fn contentful_signed_header_lists_never_panic() {
    let v = vector("contentful");
    let many: Vec<String> = (0..40).map(|i| format!("x-h{i}")).collect();
    let mismatch = Err(ErrorKind::SignatureMismatch);
    for (list, expected) in [
        (String::new(), mismatch),
        (",,,".to_owned(), mismatch),
        // Only exact lowercase names count, as in the toolkit: the crn header is not signed
        // here.
        (
            "x y,\t,X-Contentful-Crn, x-contentful-crn,ü".to_owned(),
            mismatch,
        ),
        // A name listed twice is read once: the same canonical request as the vector's.
        ("x-contentful-crn,x-contentful-crn".to_owned(), Ok(())),
        (many.join(","), Err(ErrorKind::MalformedHeader)),
    ] {
        let mut map = http::HeaderMap::new();
        for (name, value) in &v.headers {
            let name = http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).unwrap();
            map.insert(name, value.parse().unwrap());
        }
        map.insert(
            "x-contentful-signed-headers",
            http::HeaderValue::from_bytes(list.as_bytes()).unwrap(),
        );
        for name in &many {
            map.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_static("1"),
            );
        }
        let got = verifier(&Provider::CONTENTFUL, &v.secret, v.now())
            .unwrap()
            .verify(&v.delivery(&map, v.payload.as_bytes()))
            .map(|_| ())
            .map_err(|e| e.kind());
        assert_eq!(got, expected, "{list:?}");
    }
}

#[test]
fn xero_intent_to_receive_is_answered_by_verifying() {
    // Xero sends its intent-to-receive payload signed correctly and incorrectly, and
    // expects 200 for the first and 401 for the second.
    let v = vector("xero");
    run_with(&v, &[&v.secret], |_| {}).unwrap();
    let err = run_with(&v, &[&v.secret], |h| {
        h.insert(
            "x-xero-signature".into(),
            "YtnNqQ2Ybq3Vj6r8XjNZKB2s7y6hHvFD8M3Mt0PbQ4E=".into(),
        );
    })
    .unwrap_err();
    assert_eq!(err, Error::SignatureMismatch);
    assert_eq!(err.status(), 401);
}
