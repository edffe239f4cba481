//! The second scheme some providers have: GitLab's Standard Webhooks signing token (beside
//! its `X-Gitlab-Token`), and Mailgun's legacy form-encoded webhooks (beside JSON). Each
//! delivery is signed here independently, following ../shared/providers/provider-schemes.md.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{KeyInit, Mac};
use webhook_testkit::{NOW, mailgun_form};
use webhook_verify::{Delivery, ErrorKind, FixedClock, Provider, Verifier};

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

// ---------------------------------------------------------------------------------------
// GitLab signing token (GitLab 19+): HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`
// keyed with the base64 after `whsec_`, sent as `webhook-signature: v1,<base64>`.

const GITLAB_TOKEN: &str = "whsec_dGhpcyBpcyBhIGdpdGxhYiBzaWduaW5nIHRva2Vu";
const GITLAB_BODY: &[u8] = br#"{"object_kind":"push","event_name":"push","ref":"refs/heads/main"}"#;
const GITLAB_ID: &str = "2c5e1d8a-6b0f-4f43-9d2e-1b1f6f6a7c11";

fn gitlab_headers(token: &str, id: &str, timestamp: i64, body: &[u8]) -> Vec<(String, String)> {
    let key = B64.decode(&token["whsec_".len()..]).unwrap();
    let ts = timestamp.to_string();
    let mac = hmac_sha256(&key, &[id.as_bytes(), b".", ts.as_bytes(), b".", body]);
    vec![
        ("Webhook-Id".into(), id.into()),
        ("Webhook-Timestamp".into(), ts),
        (
            "Webhook-Signature".into(),
            format!("v1,{}", B64.encode(mac)),
        ),
        ("X-Gitlab-Event".into(), "Push Hook".into()),
        ("Idempotency-Key".into(), id.into()),
    ]
}

fn gitlab(secret: &str, now: i64) -> Verifier {
    Verifier::builder(Provider::GITLAB)
        .secret(secret)
        .clock(FixedClock::from_unix(now))
        .build()
        .unwrap()
}

#[test]
fn gitlab_signing_token_known_answer_verifies() {
    let headers = gitlab_headers(GITLAB_TOKEN, GITLAB_ID, NOW, GITLAB_BODY);
    let verified = gitlab(GITLAB_TOKEN, NOW)
        .verify(&Delivery::new(&headers, GITLAB_BODY))
        .unwrap();
    assert_eq!(verified.provider(), &Provider::GITLAB);
    assert_eq!(verified.id(), Some(GITLAB_ID));
    assert!(
        verified.id_is_signed(),
        "the signing token covers webhook-id"
    );
    assert_eq!(verified.timestamp(), Some(NOW));
    assert_eq!(verified.event_type(), Some("Push Hook"));
    assert_eq!(verified.body(), GITLAB_BODY);
}

#[test]
fn gitlab_signing_token_refuses_changes_and_other_keys() {
    let headers = gitlab_headers(GITLAB_TOKEN, GITLAB_ID, NOW, GITLAB_BODY);
    let v = gitlab(GITLAB_TOKEN, NOW);
    let kind = |headers: &Vec<(String, String)>, body: &[u8]| {
        v.verify(&Delivery::new(headers, body.to_vec()))
            .unwrap_err()
            .kind()
    };
    // A changed body, id or timestamp (inside the window).
    let mut body = GITLAB_BODY.to_vec();
    body[5] ^= 1;
    assert_eq!(kind(&headers, &body), ErrorKind::SignatureMismatch);
    let mut other_id = headers.clone();
    other_id[0].1 = "another-delivery".into();
    assert_eq!(kind(&other_id, GITLAB_BODY), ErrorKind::SignatureMismatch);
    let mut moved = headers.clone();
    moved[1].1 = (NOW - 10).to_string();
    assert_eq!(kind(&moved, GITLAB_BODY), ErrorKind::SignatureMismatch);
    // Signed with another token.
    let other = format!("whsec_{}", B64.encode(b"another gitlab signing token"));
    let wrong = gitlab_headers(&other, GITLAB_ID, NOW, GITLAB_BODY);
    assert_eq!(kind(&wrong, GITLAB_BODY), ErrorKind::SignatureMismatch);
    // A verifier holding only a plain secret token never matches a signed delivery...
    let err = gitlab("plain-secret-token", NOW)
        .verify(&Delivery::new(&headers, GITLAB_BODY))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureMismatch);
    // ...and the signing token is no `X-Gitlab-Token`: a delivery carrying it as a token
    // is checked as a token, and the token mode still works for plain tokens.
    let as_token = [("X-Gitlab-Token", "plain-secret-token")];
    assert!(
        gitlab("plain-secret-token", NOW)
            .verify(&Delivery::new(&as_token, GITLAB_BODY))
            .is_ok()
    );
    // A malformed signature list is a 400.
    let mut garbled = headers.clone();
    garbled[2].1 = "v1,not base64!".into();
    assert_eq!(kind(&garbled, GITLAB_BODY), ErrorKind::MalformedHeader);
}

#[test]
fn gitlab_signing_token_checks_the_timestamp_both_ways() {
    // GitLab's own window is not documented; the signing-token scheme is Standard Webhooks,
    // ±300 s.
    let headers = gitlab_headers(GITLAB_TOKEN, GITLAB_ID, NOW, GITLAB_BODY);
    let d = Delivery::new(&headers, GITLAB_BODY);
    assert!(gitlab(GITLAB_TOKEN, NOW + 300).verify(&d).is_ok());
    assert!(gitlab(GITLAB_TOKEN, NOW - 300).verify(&d).is_ok());
    let err = gitlab(GITLAB_TOKEN, NOW + 301).verify(&d).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::TimestampTooOld,
        "a captured delivery replayed later"
    );
    let err = gitlab(GITLAB_TOKEN, NOW - 301).verify(&d).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimestampInFuture);
}

// ---------------------------------------------------------------------------------------
// Mailgun legacy form webhooks: the form fields `timestamp`, `token`, `signature`, with
// the signature HMAC-SHA256(signing key, timestamp ‖ token) in hex.

const MAILGUN_KEY: &str = "key-mailgun-signing-key";

fn mailgun(now: i64) -> Verifier {
    Verifier::builder(Provider::MAILGUN)
        .secret(MAILGUN_KEY)
        .clock(FixedClock::from_unix(now))
        .build()
        .unwrap()
}

fn no_headers() -> [(&'static str, &'static str); 0] {
    []
}

#[test]
fn mailgun_form_known_answer_verifies() {
    let signature = hex::encode(hmac_sha256(
        MAILGUN_KEY.as_bytes(),
        &[
            NOW.to_string().as_bytes(),
            b"legacy00123456789abcdef0123456789abcdef0123456789a",
        ],
    ));
    let body = format!(
        "event=delivered&recipient=alice%40example.com&timestamp={NOW}&token=legacy00123456789abcdef0123456789abcdef0123456789a&signature={signature}&message-headers=%5B%5D"
    );
    let verified = mailgun(NOW)
        .verify(&Delivery::new(&no_headers(), body.clone()))
        .unwrap();
    assert_eq!(
        verified.id(),
        Some("legacy00123456789abcdef0123456789abcdef0123456789a")
    );
    assert!(verified.id_is_signed());
    assert_eq!(verified.timestamp(), Some(NOW));
    assert_eq!(verified.body().as_ref(), body.as_bytes());
    // The testkit's form builder writes the same kind of body.
    let built = mailgun_form(
        MAILGUN_KEY,
        NOW,
        "legacy00123456789abcdef0123456789abcdef0123456789a",
        &[("event", "delivered")],
    );
    assert!(
        mailgun(NOW)
            .verify(&Delivery::new(&no_headers(), built))
            .is_ok()
    );
}

#[test]
fn mailgun_form_refuses_changed_fields_and_other_keys() {
    let kind = |body: Vec<u8>| {
        mailgun(NOW)
            .verify(&Delivery::new(&no_headers(), body))
            .unwrap_err()
            .kind()
    };
    let good = String::from_utf8(mailgun_form(
        MAILGUN_KEY,
        NOW,
        "legacy40123456789abcdef0123456789abcdef0123456789a",
        &[("event", "opened")],
    ))
    .unwrap();
    // Another token or timestamp (inside any window) under the same signature.
    assert_eq!(
        kind(
            good.replace(
                "token=legacy40123456789abcdef0123456789abcdef0123456789a",
                "token=legacy20123456789abcdef0123456789abcdef0123456789a"
            )
            .into_bytes()
        ),
        ErrorKind::SignatureMismatch
    );
    assert_eq!(
        kind(
            good.replace(
                &format!("timestamp={NOW}"),
                &format!("timestamp={}", NOW - 1)
            )
            .into_bytes()
        ),
        ErrorKind::SignatureMismatch
    );
    // Another key.
    assert_eq!(
        kind(mailgun_form(
            "key-other",
            NOW,
            "legacy40123456789abcdef0123456789abcdef0123456789a",
            &[("event", "opened")]
        )),
        ErrorKind::SignatureMismatch
    );
    // The unsigned fields are not covered: Mailgun signs only the timestamp and token.
    assert!(
        mailgun(NOW)
            .verify(&Delivery::new(
                &no_headers(),
                good.replace("event=opened", "event=clicked")
            ))
            .is_ok()
    );
    // A missing or repeated signature field is a malformed body.
    for body in [
        good.replace(
            "&token=legacy40123456789abcdef0123456789abcdef0123456789a",
            "",
        ),
        good.replace(&format!("timestamp={NOW}&"), ""),
        good.split("&signature=").next().unwrap().to_owned(),
        format!("{good}&token=legacy30123456789abcdef0123456789abcdef0123456789a"),
    ] {
        assert_eq!(
            kind(body.clone().into_bytes()),
            ErrorKind::MalformedBody,
            "{body}"
        );
    }
    // A signature that is not hex is a malformed header (field).
    let not_hex = format!("{}&signature=zz", good.split("&signature=").next().unwrap());
    assert_eq!(kind(not_hex.into_bytes()), ErrorKind::MalformedHeader);
}

#[test]
fn mailgun_form_and_json_sign_the_same_fields() {
    // The same timestamp, token and signature verify in either shape.
    let form = String::from_utf8(mailgun_form(
        MAILGUN_KEY,
        NOW,
        "legacy10123456789abcdef0123456789abcdef0123456789a",
        &[],
    ))
    .unwrap();
    let fields: Vec<(String, String)> = form
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).unwrap().1.clone();
    let json = serde_json::json!({
        "signature": {
            "timestamp": field("timestamp"),
            "token": field("token"),
            "signature": field("signature"),
        },
        "event-data": {"event": "delivered"},
    });
    let from_json = mailgun(NOW)
        .verify(&Delivery::new(
            &no_headers(),
            serde_json::to_vec(&json).unwrap(),
        ))
        .unwrap();
    let from_form = mailgun(NOW)
        .verify(&Delivery::new(&no_headers(), form))
        .unwrap();
    assert_eq!(from_json.id(), from_form.id());
    assert_eq!(from_json.timestamp(), from_form.timestamp());
    assert_eq!(from_json.event_type(), Some("delivered"));
}
