//! Signed deliveries for any provider: headers, body and, where signed, the URL.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{KeyInit, Mac};
use webhook_verify::{Delivery, Provider, SignOptions, Signer};

use crate::keys::{
    PAYPAL_WEBHOOK_ID, TEST_CERT_KEY, URL, p256_key, signing_secret, verifier_secret,
};

/// The message id [`signed`] deliveries carry (for providers that send one).
///
/// ```
/// use webhook_testkit::{NOW, SIGNED_ID, signed, verifier};
/// use webhook_verify::Provider;
/// let d = signed(&Provider::STANDARD_WEBHOOKS, b"{}", NOW);
/// let v = verifier(&Provider::STANDARD_WEBHOOKS).verify(&d.delivery()).unwrap();
/// assert_eq!(v.id(), Some(SIGNED_ID));
/// ```
pub const SIGNED_ID: &str = "msg_test_1";

/// The token of [`signed`] Mailgun deliveries: 50 lowercase hex digits, as Mailgun sends.
///
/// ```
/// use webhook_testkit::{MAILGUN_TOKEN, NOW, signed, verifier};
/// use webhook_verify::Provider;
/// let d = signed(&Provider::MAILGUN, b"x", NOW);
/// let v = verifier(&Provider::MAILGUN).verify(&d.delivery()).unwrap();
/// assert_eq!(v.id(), Some(MAILGUN_TOKEN));
/// ```
pub const MAILGUN_TOKEN: &str = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";

/// A signed delivery: what a sender puts on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The headers, lowercase names, signature first (empty for Mailgun).
    pub headers: Vec<(String, String)>,
    /// The body: the one given, except for Mailgun (the JSON carrying the signature),
    /// Linear (the JSON body with `webhookTimestamp` set) and Mandrill (the form
    /// `mandrill_events=<the body, percent-encoded>`).
    pub body: Vec<u8>,
    /// The URL the signature covers, for providers that sign it ([`URL`]).
    pub url: Option<&'static str>,
}

impl Signed {
    /// The delivery to verify: these headers and body, with the URL where it is signed.
    ///
    /// ```
    /// use webhook_testkit::{NOW, signed, verifier};
    /// use webhook_verify::Provider;
    /// let d = signed(&Provider::SQUARE, b"{}", NOW);
    /// assert!(verifier(&Provider::SQUARE).verify(&d.delivery()).is_ok());
    /// ```
    #[must_use]
    pub fn delivery(&self) -> Delivery<'_> {
        self.delivery_with_body(self.body.clone())
    }

    /// The same headers (and URL) with another body, e.g. a tampered copy.
    ///
    /// ```
    /// use webhook_testkit::{NOW, signed, verifier};
    /// use webhook_verify::{ErrorKind, Provider};
    /// let d = signed(&Provider::GITHUB, b"{}", NOW);
    /// let err = verifier(&Provider::GITHUB).verify(&d.delivery_with_body(b"{ }".to_vec())).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::SignatureMismatch);
    /// ```
    #[must_use]
    pub fn delivery_with_body(&self, body: Vec<u8>) -> Delivery<'_> {
        let d = Delivery::new(&self.headers, body);
        match self.url {
            Some(url) => d.with_url(url),
            None => d,
        }
    }

    /// The value of header `name` (case-insensitive).
    ///
    /// ```
    /// use webhook_testkit::{NOW, signed};
    /// let d = signed(&webhook_verify::Provider::STRIPE, b"{}", NOW);
    /// assert!(d.header("Stripe-Signature").unwrap().starts_with("t=1700000000,v1="));
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// `body` signed for `p` at `timestamp` with [`signing_secret`], id [`SIGNED_ID`] and, for
/// URL-signing providers, [`URL`]. Mailgun's body becomes [`mailgun_body`] around `body`,
/// Mandrill's the form `mandrill_events=<body>`,
/// Microsoft Graph's a notification carrying `body` and the `clientState`,
/// SendGrid is signed with [`p256_key(1)`](crate::p256_key), and a JSON object body for
/// Linear gets its `webhookTimestamp`.
///
/// ```
/// use webhook_testkit::{NOW, all_providers, signed, verifier};
/// for p in all_providers() {
///     let d = signed(&p, br#"{"type":"x"}"#, NOW);
///     verifier(&p).verify(&d.delivery()).unwrap();
/// }
/// ```
///
/// # Panics
///
/// When the crate's signer refuses the testkit's secrets (a bug either side).
#[must_use]
pub fn signed(p: &Provider, body: &[u8], timestamp: i64) -> Signed {
    match p.name() {
        "mailgun" => {
            return Signed {
                headers: Vec::new(),
                body: mailgun_body(&verifier_secret(p), timestamp, MAILGUN_TOKEN, body),
                url: None,
            };
        }
        "microsoft-graph" => {
            return Signed {
                headers: Vec::new(),
                body: graph_body(&verifier_secret(p), body),
                url: None,
            };
        }
        "sendgrid" => {
            use p256::ecdsa::signature::Signer as _;
            let ts = timestamp.to_string();
            let sig: p256::ecdsa::Signature = p256_key(1).sign(&[ts.as_bytes(), body].concat());
            return Signed {
                headers: vec![
                    (
                        "x-twilio-email-event-webhook-signature".to_owned(),
                        B64.encode(sig.to_der().as_bytes()),
                    ),
                    ("x-twilio-email-event-webhook-timestamp".to_owned(), ts),
                ],
                body: body.to_vec(),
                url: None,
            };
        }
        "aws-sns" => {
            return Signed {
                headers: vec![(
                    "x-amz-sns-message-type".to_owned(),
                    "Notification".to_owned(),
                )],
                body: sns_body(timestamp, body),
                url: None,
            };
        }
        "paypal" => {
            return Signed {
                headers: paypal_headers(p.param().unwrap_or(PAYPAL_WEBHOOK_ID), timestamp, body),
                body: body.to_vec(),
                url: None,
            };
        }
        _ => {}
    }
    // Linear's timestamp lives in the signed JSON body; Mandrill posts a form.
    let mut body = body.to_vec();
    if p.name() == "mandrill" {
        body = mandrill_form(&body);
    }
    if p.name() == "linear" {
        if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice(&body) {
            map.insert("webhookTimestamp".into(), (timestamp * 1000).into());
            body = serde_json::to_vec(&map).expect("JSON");
        }
    }
    let url = p.needs_url().then_some(URL);
    let mut opts = SignOptions::new().timestamp(timestamp).id(SIGNED_ID);
    if let Some(url) = url {
        opts = opts.url(url);
    }
    let headers = Signer::new(p, signing_secret(p))
        .and_then(|s| s.sign(&body, &opts))
        .unwrap_or_else(|e| panic!("{p}: cannot sign: {e}"));
    Signed { headers, body, url }
}

/// `mandrill_events=` and `events` with every byte but ASCII letters and digits
/// percent-encoded, as Mandrill posts its events.
fn mandrill_form(events: &[u8]) -> Vec<u8> {
    let mut out = b"mandrill_events=".to_vec();
    for &b in events {
        if b.is_ascii_alphanumeric() {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    out
}

/// A Microsoft Graph notification list with one notification: `clientState`, and `body`
/// (as JSON when it is JSON, else as a string) under `resourceData`.
fn graph_body(client_state: &str, body: &[u8]) -> Vec<u8> {
    let data = serde_json::from_slice::<serde_json::Value>(body)
        .unwrap_or_else(|_| String::from_utf8_lossy(body).into_owned().into());
    let value = serde_json::json!({ "value": [{
        "subscriptionId": "sub-1",
        "clientState": client_state,
        "changeType": "created",
        "resource": "users/1/messages/2",
        "resourceData": data,
    }]});
    serde_json::to_vec(&value).expect("JSON")
}

fn mailgun_signature(secret: &str, timestamp: &str, token: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(timestamp.as_bytes());
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A Mailgun JSON body: `signature: {timestamp, token, signature}` (HMAC-SHA256 of
/// timestamp ‖ token, hex, computed here) and `event-data` carrying `event_data` in hex.
///
/// ```
/// use webhook_testkit::{MAILGUN_TOKEN, NOW, mailgun_body, verifier, verifier_secret};
/// use webhook_verify::{Delivery, Provider};
/// let body = mailgun_body(&verifier_secret(&Provider::MAILGUN), NOW, MAILGUN_TOKEN, b"x");
/// let no_headers: [(&str, &str); 0] = [];
/// assert!(verifier(&Provider::MAILGUN).verify(&Delivery::new(&no_headers, body)).is_ok());
/// ```
///
/// # Panics
///
/// Never.
#[must_use]
pub fn mailgun_body(secret: &str, timestamp: i64, token: &str, event_data: &[u8]) -> Vec<u8> {
    let ts = timestamp.to_string();
    serde_json::to_vec(&serde_json::json!({
        "signature": {
            "timestamp": ts,
            "token": token,
            "signature": mailgun_signature(secret, &ts, token),
        },
        "event-data": { "event": "delivered", "raw": hex::encode(event_data) },
    }))
    .expect("JSON")
}

/// A Mailgun legacy form body: `timestamp`, `token` and `signature` (computed here) among
/// the `extra` fields, form-encoded.
///
/// ```
/// use webhook_testkit::{MAILGUN_TOKEN, NOW, mailgun_form, verifier, verifier_secret};
/// use webhook_verify::{Delivery, Provider};
/// let body = mailgun_form(&verifier_secret(&Provider::MAILGUN), NOW, MAILGUN_TOKEN, &[("event", "delivered")]);
/// let no_headers: [(&str, &str); 0] = [];
/// assert!(verifier(&Provider::MAILGUN).verify(&Delivery::new(&no_headers, body)).is_ok());
/// ```
#[must_use]
pub fn mailgun_form(secret: &str, timestamp: i64, token: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let ts = timestamp.to_string();
    let signature = mailgun_signature(secret, &ts, token);
    let mut fields: Vec<(&str, &str)> = extra.to_vec();
    fields.extend([
        ("timestamp", ts.as_str()),
        ("token", token),
        ("signature", signature.as_str()),
    ]);
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// `application/x-www-form-urlencoded` encoding of one name or value.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `timestamp` (Unix seconds) as RFC 3339 UTC, `2023-11-14T22:13:20Z`.
#[must_use]
pub fn rfc3339(timestamp: i64) -> String {
    // Days to a civil date (Howard Hinnant's algorithm).
    let (days, secs) = (timestamp.div_euclid(86_400), timestamp.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// PKCS#1 v1.5 signature of `message` with [`TEST_CERT_KEY`], base64.
fn rsa_sign(message: &[u8], sha1: bool) -> String {
    use rsa::pkcs8::DecodePrivateKey;
    let key = rsa::PrivateKey::from_pkcs8_pem(TEST_CERT_KEY).expect("the test key");
    let sig = if sha1 {
        key.pkcs1v15_sign::<sha1::Sha1>(message)
    } else {
        key.pkcs1v15_sign::<sha2::Sha256>(message)
    };
    B64.encode(sig.expect("RSA signing"))
}

/// An AWS SNS `Notification` carrying `message` (as text when it is UTF-8, else hex),
/// signed (`SignatureVersion` 2) with [`TEST_CERT_KEY`] at `timestamp`.
///
/// ```
/// use webhook_testkit::{NOW, sns_body, verifier};
/// use webhook_verify::{Delivery, Provider};
/// let body = sns_body(NOW, b"hello");
/// let headers: &[(&str, &str)] = &[];
/// assert!(verifier(&Provider::AWS_SNS).verify(&Delivery::new(&headers, body)).is_ok());
/// ```
#[must_use]
pub fn sns_body(timestamp: i64, message: &[u8]) -> Vec<u8> {
    let message = String::from_utf8(message.to_vec()).unwrap_or_else(|_| hex::encode(message));
    let ts = rfc3339(timestamp).replace('Z', ".000Z");
    let topic = "arn:aws:sns:us-east-1:123456789012:test";
    let to_sign = format!(
        "Message\n{message}\nMessageId\n{SIGNED_ID}\nTimestamp\n{ts}\nTopicArn\n{topic}\nType\nNotification\n"
    );
    serde_json::to_vec_pretty(&serde_json::json!({
        "Type": "Notification",
        "MessageId": SIGNED_ID,
        "TopicArn": topic,
        "Message": message,
        "Timestamp": ts,
        "SignatureVersion": "2",
        "Signature": rsa_sign(to_sign.as_bytes(), false),
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem",
    }))
    .expect("JSON")
}

/// PayPal's headers for `body`, signed with [`TEST_CERT_KEY`] for `webhook_id` at
/// `timestamp`.
///
/// ```
/// use webhook_testkit::{NOW, PAYPAL_WEBHOOK_ID, paypal_headers, verifier};
/// use webhook_verify::{Delivery, Provider};
/// let headers = paypal_headers(PAYPAL_WEBHOOK_ID, NOW, b"{}");
/// assert!(verifier(&Provider::PAYPAL).verify(&Delivery::new(&headers, &b"{}"[..])).is_ok());
/// ```
#[must_use]
pub fn paypal_headers(webhook_id: &str, timestamp: i64, body: &[u8]) -> Vec<(String, String)> {
    let time = rfc3339(timestamp);
    let message = format!("{SIGNED_ID}|{time}|{webhook_id}|{}", crc32fast::hash(body));
    vec![
        ("paypal-transmission-id".to_owned(), SIGNED_ID.to_owned()),
        ("paypal-transmission-time".to_owned(), time),
        (
            "paypal-transmission-sig".to_owned(),
            rsa_sign(message.as_bytes(), false),
        ),
        ("paypal-auth-algo".to_owned(), "SHA256withRSA".to_owned()),
        (
            "paypal-cert-url".to_owned(),
            "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-test".to_owned(),
        ),
    ]
}
