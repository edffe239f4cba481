//! Known answers for custom providers: every encoding, both HMACs, every key form and
//! several signed-content templates, each signature computed here independently and then
//! produced by `Signer` and accepted by `Verifier`; one changed input is a mismatch.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{KeyInit, Mac};
use webhook_testkit::NOW;
use webhook_verify::{
    Algorithm, Delivery, Encoding, ErrorKind, FixedClock, Headers, KeyForm, Provider, SignOptions,
    Signer, Verifier,
};

const BODY: &[u8] = br#"{"id":"evt_custom","type":"order.paid"}"#;
const ID: &str = "dlv_42";
const URL: &str = "https://example.com/hooks/acme?tenant=7";

/// A signed-content template and the bytes it stands for, spelled out by hand.
struct Template {
    template: &'static str,
    timestamp: bool,
    id: bool,
    url: bool,
    signed: fn(ts: &str) -> Vec<u8>,
}

fn templates() -> Vec<Template> {
    vec![
        Template {
            template: "{body}",
            timestamp: false,
            id: false,
            url: false,
            signed: |_| BODY.to_vec(),
        },
        Template {
            template: "{timestamp}.{body}",
            timestamp: true,
            id: false,
            url: false,
            signed: |ts| [ts.as_bytes(), b".", BODY].concat(),
        },
        Template {
            template: "{id}.{timestamp}.{body}",
            timestamp: true,
            id: true,
            url: false,
            signed: |ts| [ID.as_bytes(), b".", ts.as_bytes(), b".", BODY].concat(),
        },
        Template {
            template: "v0:{timestamp}:{body}",
            timestamp: true,
            id: false,
            url: false,
            signed: |ts| [b"v0:", ts.as_bytes(), b":", BODY].concat(),
        },
        Template {
            // `{url}{body}` with nothing between is refused as ambiguous (tests/security.rs).
            template: "{url} {body}",
            timestamp: false,
            id: false,
            url: true,
            signed: |_| [URL.as_bytes(), b" ", BODY].concat(),
        },
        Template {
            template: "POST\n{url}\n{id}\n{timestamp}\n{body}",
            timestamp: true,
            id: true,
            url: true,
            signed: |ts| {
                [
                    b"POST\n",
                    URL.as_bytes(),
                    b"\n",
                    ID.as_bytes(),
                    b"\n",
                    ts.as_bytes(),
                    b"\n",
                    BODY,
                ]
                .concat()
            },
        },
        Template {
            template: "{{v1}}|{body}|{timestamp}}}",
            timestamp: true,
            id: false,
            url: false,
            signed: |ts| [b"{v1}|", BODY, b"|", ts.as_bytes(), b"}"].concat(),
        },
    ]
}

/// A key form, the secret text for it and the key bytes it stands for.
fn keys() -> Vec<(KeyForm, &'static str, Vec<u8>)> {
    vec![
        (
            KeyForm::Utf8,
            "acme secret text",
            b"acme secret text".to_vec(),
        ),
        (
            KeyForm::Base64 { prefix: "acme_" },
            "acme_c2VjcmV0IGJ5dGVzIGZvciBhY21l",
            b"secret bytes for acme".to_vec(),
        ),
        (
            KeyForm::Hex,
            "00112233445566778899aabbccddeeff",
            (0..16u8).map(|i| i * 0x11).collect(),
        ),
    ]
}

fn mac(algorithm: Algorithm, key: &[u8], message: &[u8]) -> Vec<u8> {
    match algorithm {
        Algorithm::HmacSha256 => {
            let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
            m.update(message);
            m.finalize().into_bytes().to_vec()
        }
        Algorithm::HmacSha1 => {
            let mut m = hmac::Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
            m.update(message);
            m.finalize().into_bytes().to_vec()
        }
        other => panic!("not an HMAC: {other:?}"),
    }
}

fn encode(encoding: Encoding, tag: &[u8]) -> String {
    match encoding {
        Encoding::Hex => hex::encode(tag),
        Encoding::Base64 => B64.encode(tag),
        other => panic!("no known answer for {other:?}: add one"),
    }
}

fn provider(
    t: &Template,
    prefix: &str,
    encoding: Encoding,
    algorithm: Algorithm,
    key: KeyForm,
) -> Provider {
    let mut b = Provider::custom("acme")
        .signature_header("X-Acme-Signature")
        .prefix(prefix)
        .encoding(encoding)
        .algorithm(algorithm)
        .key_form(key)
        .signed_content(t.template);
    if t.timestamp {
        b = b.timestamp_header("X-Acme-Timestamp");
    }
    if t.id {
        b = b.id_header("X-Acme-Delivery");
    }
    b.build().unwrap_or_else(|e| panic!("{}: {e}", t.template))
}

/// A delivery of these headers and body, with [`URL`] when the template signs it.
fn delivery(headers: &dyn Headers, body: Vec<u8>, url: bool) -> Delivery<'_> {
    let d = Delivery::new(headers, body);
    if url { d.with_url(URL) } else { d }
}

#[test]
fn every_template_encoding_algorithm_and_key_form_has_the_known_answer() {
    let mut checked = 0;
    let ts = NOW.to_string();
    for t in templates() {
        for (encoding, prefix) in [
            (Encoding::Hex, "sha256="),
            (Encoding::Base64, ""),
            (Encoding::Hex, ""),
        ] {
            for algorithm in [Algorithm::HmacSha256, Algorithm::HmacSha1] {
                for (key_form, secret, key) in keys() {
                    let p = provider(&t, prefix, encoding, algorithm, key_form);
                    let ctx = format!(
                        "{} {encoding:?} {prefix:?} {algorithm:?} {key_form:?}",
                        t.template
                    );
                    let signature = format!(
                        "{prefix}{}",
                        encode(encoding, &mac(algorithm, &key, &(t.signed)(&ts)))
                    );
                    let mut expected = vec![("x-acme-signature".to_owned(), signature)];
                    if t.id {
                        expected.push(("x-acme-delivery".to_owned(), ID.to_owned()));
                    }
                    if t.timestamp {
                        expected.push(("x-acme-timestamp".to_owned(), ts.clone()));
                    }

                    // The signer writes exactly that.
                    let mut opts = SignOptions::new().timestamp(NOW).id(ID);
                    if t.url {
                        opts = opts.url(URL);
                    }
                    let signed = Signer::new(&p, secret).unwrap().sign(BODY, &opts).unwrap();
                    assert_eq!(signed, expected, "{ctx}");

                    // The verifier accepts the independently computed headers...
                    let v = Verifier::builder(p.clone())
                        .secret(secret)
                        .clock(FixedClock::from_unix(NOW))
                        .build()
                        .unwrap();
                    let verified = v
                        .verify(&delivery(&expected, BODY.to_vec(), t.url))
                        .unwrap_or_else(|e| panic!("{ctx}: {e}"));
                    assert_eq!(verified.timestamp(), t.timestamp.then_some(NOW), "{ctx}");
                    if t.id {
                        assert_eq!(verified.id(), Some(ID), "{ctx}");
                        assert!(verified.id_is_signed(), "{ctx}");
                    }
                    // ...and refuses a changed body, and (where signed) a changed URL.
                    let mut body = BODY.to_vec();
                    body[7] ^= 1;
                    let err = v.verify(&delivery(&expected, body, t.url)).unwrap_err();
                    assert_eq!(err.kind(), ErrorKind::SignatureMismatch, "{ctx}");
                    if t.url {
                        let err = v
                            .verify(
                                &Delivery::new(&expected, BODY)
                                    .with_url("https://example.com/hooks/acme?tenant=8"),
                            )
                            .unwrap_err();
                        assert_eq!(err.kind(), ErrorKind::SignatureMismatch, "{ctx}");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 7 * 3 * 2 * 3);
}

#[test]
fn custom_signatures_must_be_canonical_and_carry_the_prefix() {
    let t = &templates()[0];
    let ts = NOW.to_string();
    let (_, secret, key) = keys().remove(0);
    for (encoding, prefix) in [(Encoding::Hex, "sha256="), (Encoding::Base64, "v1=")] {
        let p = provider(t, prefix, encoding, Algorithm::HmacSha256, KeyForm::Utf8);
        let v = Verifier::new(p.clone(), secret).unwrap();
        let tag = mac(Algorithm::HmacSha256, &key, &(t.signed)(&ts));
        let good = encode(encoding, &tag);
        let kind = |value: String| {
            let headers = [("X-Acme-Signature", value)];
            match v.verify(&Delivery::new(&headers, BODY)) {
                Ok(_) => None,
                Err(e) => Some(e.kind()),
            }
        };
        assert_eq!(kind(format!("{prefix}{good}")), None, "{encoding:?}");
        // Without the prefix, uppercase hex, unpadded base64, a truncated signature.
        assert_eq!(
            kind(good.clone()),
            Some(ErrorKind::MalformedHeader),
            "{encoding:?} no prefix"
        );
        let variant = match encoding {
            Encoding::Hex => good.to_uppercase(),
            _ => good.trim_end_matches('=').to_owned(),
        };
        assert_eq!(
            kind(format!("{prefix}{variant}")),
            Some(ErrorKind::MalformedHeader),
            "{encoding:?} {variant}"
        );
        assert_eq!(
            kind(format!("{prefix}{}", &good[..good.len() - 4])),
            Some(ErrorKind::MalformedHeader),
            "{encoding:?} truncated"
        );
    }
}
