//! Secret hygiene: no secret, signature value or body appears in what the crates print.
//!
//! Every `tracing` event and span (at TRACE, span opens and closes included) is captured
//! while deliveries go through the core's `verify` and `diagnose` for every provider, and
//! through real axum and actix servers on 127.0.0.1, for a success and every kind of
//! failure. The `Debug` and `Display` of every public type that holds a secret, a signature
//! or a body is captured too. None of it may contain a secret (as text, or its key bytes in
//! hex or base64), a signature value that was sent, or the body's marker.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use tracing_subscriber::fmt::format::FmtSpan;
use webhook_verify::replay::{MemoryStore, Replay};
use webhook_verify::{
    Delivery, Envelope, Error, FixedClock, Provider, Secret, SignOptions, Signer, TokenKey,
    Verifier,
};

const NOW: i64 = 1_700_000_000;
const URL: &str = "https://example.com/hook?x=1";
/// In every body; must never be printed.
const MARKER: &str = "BODY-MARKER-5eb1c0ffee";

fn body() -> Vec<u8> {
    format!(r#"{{"id":"evt_hyg","type":"invoice.paid","data":{{"note":"{MARKER}"}}}}"#).into_bytes()
}

// ---------------------------------------------------------------------------------------
// Capture.

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The process-wide TRACE capture (servers log from their own threads).
fn captured() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::FULL)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    })
}

/// What must never be printed.
#[derive(Default)]
struct Forbidden(Vec<String>);

impl Forbidden {
    fn add(&mut self, s: impl Into<String>) {
        let s = s.into();
        // Short fragments would match by chance.
        if s.len() >= 8 {
            self.0.push(s);
        }
    }

    /// A secret as text, and its key bytes (base64 after a `whsec_`/`whsk_` prefix, or
    /// hex) in the encodings a careless formatter would use.
    fn secret(&mut self, text: &str) {
        self.add(text);
        let bytes = if let Some(b64) = text
            .strip_prefix("whsec_")
            .or_else(|| text.strip_prefix("whsk_"))
        {
            self.add(b64);
            B64.decode(b64).unwrap()
        } else if let Ok(bytes) = hex::decode(text) {
            bytes
        } else {
            text.as_bytes().to_vec()
        };
        self.add(hex::encode(&bytes));
        self.add(hex::encode_upper(&bytes));
        self.add(B64.encode(&bytes));
        self.add(format!("{:?}", &bytes[..bytes.len().min(8)]));
    }

    /// A signature header value and every long token in it (the encoded MACs).
    fn signature(&mut self, value: &str) {
        self.add(value);
        for token in value.split([',', ';', '=', ' ']) {
            // Timestamps (Stripe's `t=`) may be logged; the MACs may not.
            if !token.bytes().all(|b| b.is_ascii_digit()) {
                self.add(token);
            }
        }
    }

    fn check(&self, what: &str, text: &str) {
        for f in &self.0 {
            assert!(
                !text.contains(f.as_str()),
                "{what} contains {f:?}:\n{}",
                excerpt(text, f)
            );
        }
        assert!(!text.contains(MARKER), "{what} contains the body");
    }
}

fn excerpt(text: &str, needle: &str) -> String {
    let at = text.find(needle).unwrap_or(0);
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(200)
        .map_or(0, |(i, _)| i);
    text[start..].chars().take(400 + needle.len()).collect()
}

// ---------------------------------------------------------------------------------------
// Secrets per provider.

const DISCORD_PUBLIC: &str = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
const DISCORD_SEED: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WHSEC_OTHER: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const ADYEN: &str = "11223344D785FBAE710E7F943F307971BB61B21281C98C9129B3D4018A57B2EB";

/// The verification secret, the signing secret and a second (rotated-out) secret.
fn secrets(p: &Provider) -> Option<(String, String, String)> {
    let own = format!("hygiene-SECRET-{}-9f8e7d", p.name());
    Some(match p.name() {
        "standard" | "svix" | "clerk" | "resend" | "gitlab" => {
            (WHSEC.into(), WHSEC.into(), WHSEC_OTHER.into())
        }
        "openai" | "replicate" | "brex" | "lithic" => {
            (WHSEC.into(), WHSEC.into(), WHSEC_OTHER.into())
        }
        // Basic authentication: `username:password`.
        "chargebee" => (
            "hygiene-USER:SECRET-chargebee-9f8e7d".into(),
            "hygiene-USER:SECRET-chargebee-9f8e7d".into(),
            "hygiene-USER:OTHER-chargebee-1a2b3c".into(),
        ),
        "discord" => (
            DISCORD_PUBLIC.into(),
            DISCORD_SEED.into(),
            DISCORD_PUBLIC.into(),
        ),
        "adyen" => (ADYEN.into(), ADYEN.into(), "AB".repeat(32)),
        "telnyx" => (
            webhook_testkit::TELNYX_PUBLIC.into(),
            webhook_testkit::TELNYX_SEED.into(),
            webhook_testkit::other_secret(p),
        ),
        // Checked on their own below.
        "sendgrid" | "mailgun" | "microsoft-graph" | "aws-sns" | "paypal" => return None,
        _ => (
            own.clone(),
            own,
            format!("hygiene-OTHER-{}-1a2b3c", p.name()),
        ),
    })
}

fn forbid_secrets(forbidden: &mut Forbidden, p: &Provider) {
    if let Some((verify, sign, other)) = secrets(p) {
        forbidden.secret(&verify);
        forbidden.secret(&sign);
        forbidden.secret(&other);
    }
}

fn sign(p: &Provider, secret: &str, body: &[u8], ts: i64) -> Vec<(String, String)> {
    Signer::new(p, secret)
        .unwrap()
        .sign(
            body,
            &SignOptions::new().timestamp(ts).id("msg_hyg").url(URL),
        )
        .unwrap()
}

/// A delivery to send: its kind, headers and body.
type Sent = (&'static str, Vec<(String, String)>, Vec<u8>);

/// Every failure kind a delivery can meet in `verify`, as header sets and bodies.
fn deliveries(p: &Provider, forbidden: &mut Forbidden) -> Vec<Sent> {
    let (_, sign_secret, _) = secrets(p).unwrap();
    let body = body();
    let good = sign(p, &sign_secret, &body, NOW);
    let sig_name = good[0].0.clone();
    for (name, value) in &good {
        if *name == sig_name {
            forbidden.signature(value);
        }
    }
    let mut v = vec![("valid", good.clone(), body.clone())];
    v.push((
        "missing",
        good.iter()
            .filter(|(n, _)| *n != sig_name)
            .cloned()
            .collect(),
        body.clone(),
    ));
    let mut garbled = good.clone();
    garbled[0].1 = format!("{}GARBLED-SIGNATURE-VALUE", garbled[0].1);
    forbidden.add("GARBLED-SIGNATURE-VALUE");
    v.push(("malformed", garbled, body.clone()));
    let mut dup = good.clone();
    dup.push((sig_name.clone(), "DUPLICATE-SIGNATURE-VALUE".into()));
    forbidden.add("DUPLICATE-SIGNATURE-VALUE");
    v.push(("duplicate", dup, body.clone()));
    let mut tampered = body.clone();
    tampered[3] ^= 1;
    v.push(("mismatch", good.clone(), tampered));
    if p.has_timestamp() {
        let stale = sign(p, &sign_secret, &body, NOW - 100_000);
        for (name, value) in &stale {
            if *name == sig_name {
                forbidden.signature(value);
            }
        }
        v.push(("stale", stale, body.clone()));
    }
    v
}

// ---------------------------------------------------------------------------------------
// The core.

#[test]
fn core_verify_diagnose_and_debug_print_no_secret_signature_or_body() {
    let captured = captured();
    let mut forbidden = Forbidden::default();
    let mut printed = String::new();
    for p in Provider::all() {
        let Some((verify_secret, _, other)) = secrets(p) else {
            continue;
        };
        forbid_secrets(&mut forbidden, p);
        let verifier = Verifier::builder(p.clone())
            .secret(other.as_str())
            .secret_with_id("current", verify_secret.as_str())
            .clock(FixedClock::from_unix(NOW))
            .build()
            .unwrap();
        printed += &format!("{verifier:?}\n");
        let builder = Verifier::builder(p.clone()).secret(verify_secret.as_str());
        printed += &format!("{builder:?}\n");
        for (kind, headers, body) in deliveries(p, &mut forbidden) {
            let delivery = Delivery::new(&headers, body).with_url(URL);
            printed += &format!("{delivery:?}\n");
            match verifier.verify(&delivery) {
                Ok(verified) => {
                    printed += &format!("{verified:?} {:?}\n", verified.key());
                    let event = Envelope::json_pointer("/type")
                        .unwrap()
                        .parse::<serde::de::IgnoredAny>(&verified)
                        .unwrap();
                    printed += &format!("{event:?}\n");
                    let err = Envelope::json_pointer("/type")
                        .unwrap()
                        .parse::<Vec<u8>>(&verified)
                        .unwrap_err();
                    printed += &format!("{err} {err:?}\n");
                    let key = TokenKey::new("hygiene-SECRET-token-key-0123456789abcdef").unwrap();
                    let token = key.seal(&verified);
                    let opened = key.open(&token).unwrap();
                    printed += &format!("{key:?} {opened:?}\n");
                    let err = key.open(&format!("{token}x")).unwrap_err();
                    printed += &format!("{err} {err:?}\n");
                }
                Err(e) => {
                    assert_ne!(kind, "valid", "{}: {e}", p.name());
                    let diagnosis = verifier.diagnose(&delivery, &e);
                    printed += &format!("{e} {e:?} {diagnosis} {diagnosis:?}\n");
                }
            }
        }
        let (_, sign_secret, _) = secrets(p).unwrap();
        let signer = Signer::new(p, sign_secret.as_str()).unwrap();
        printed += &format!("{signer:?} {p:?} {p}\n");
    }
    forbidden.secret("hygiene-SECRET-token-key-0123456789abcdef");

    // Body-carried signatures (Mailgun), a missing URL (Twilio), ECDSA (SendGrid): the
    // failures the header-signed providers above do not meet.
    let mailgun_secret = "hygiene-SECRET-mailgun-77aa55";
    forbidden.secret(mailgun_secret);
    let mailgun_sig = "ab".repeat(32);
    forbidden.add(mailgun_sig.as_str());
    let mailgun_bodies = [
        format!(
            r#"{{"signature":{{"timestamp":"{NOW}","token":"tok_hygiene_0123456789abcdef0123456789abcdef01","signature":"{mailgun_sig}"}},"event-data":{{"note":"{MARKER}"}}}}"#
        ),
        format!(r#"{{"signature":{{"timestamp":"x"}},"note":"{MARKER}"}}"#),
        format!("timestamp={NOW}&token=tok&signature={mailgun_sig}&note={MARKER}"),
        MARKER.to_owned(),
    ];
    let mailgun = Verifier::builder(Provider::MAILGUN)
        .secret(mailgun_secret)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap();
    for body in mailgun_bodies {
        let headers = [("content-type", "application/json")];
        let delivery = Delivery::new(&headers, body);
        let e = mailgun.verify(&delivery).unwrap_err();
        let diagnosis = mailgun.diagnose(&delivery, &e);
        printed += &format!("{e} {e:?} {diagnosis} {diagnosis:?}\n");
    }
    let twilio_secret = "hygiene-SECRET-twilio-9f8e7d";
    let twilio = Verifier::builder(Provider::TWILIO)
        .secret(twilio_secret)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap();
    let headers = [("x-twilio-signature", "TWILIO-SIGNATURE-VALUE=")];
    forbidden.add("TWILIO-SIGNATURE-VALUE");
    let delivery = Delivery::new(&headers, format!("Body={MARKER}"));
    let e = twilio.verify(&delivery).unwrap_err();
    printed += &format!("{e} {e:?} {}\n", twilio.diagnose(&delivery, &e));
    let sendgrid_key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    let sendgrid = Verifier::builder(Provider::SENDGRID)
        .secret(sendgrid_key)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap();
    let der = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz/C+V31yg02ESNmxpuNDMdUdRahjnNsmXh2DbNPGs=";
    forbidden.add(der);
    let headers = [
        ("x-twilio-email-event-webhook-signature", der.to_owned()),
        ("x-twilio-email-event-webhook-timestamp", NOW.to_string()),
    ];
    let delivery = Delivery::new(&headers, format!("[{{\"note\":\"{MARKER}\"}}]"));
    let e = sendgrid.verify(&delivery).unwrap_err();
    printed += &format!(
        "{e} {e:?} {} {sendgrid:?}\n",
        sendgrid.diagnose(&delivery, &e)
    );

    // RSA certificates (AWS SNS, PayPal): a verified delivery, the wrong certificate and a
    // tampered body print neither the signature nor the body.
    for p in [
        Provider::AWS_SNS,
        Provider::paypal(webhook_testkit::PAYPAL_WEBHOOK_ID),
    ] {
        let body = format!(r#"{{"type":"note","note":"{MARKER}"}}"#);
        let signed = webhook_testkit::signed(&p, body.as_bytes(), NOW);
        for (name, value) in &signed.headers {
            if name == "paypal-transmission-sig" {
                forbidden.signature(value);
            }
        }
        if let Ok(serde_json::Value::Object(sns)) = serde_json::from_slice(&signed.body) {
            if let Some(serde_json::Value::String(sig)) = sns.get("Signature") {
                forbidden.signature(sig);
            }
        }
        let mut tampered = signed.body.clone();
        let at = tampered.len() / 2;
        tampered[at] ^= 1;
        for cert in [webhook_testkit::TEST_CERT, webhook_testkit::OTHER_CERT] {
            let verifier = Verifier::builder(p.clone())
                .secret(cert)
                .clock(FixedClock::from_unix(NOW))
                .build()
                .unwrap();
            printed += &format!("{verifier:?}\n");
            for body in [signed.body.clone(), tampered.clone()] {
                let delivery = Delivery::new(&signed.headers, body);
                match verifier.verify(&delivery) {
                    Ok(verified) => printed += &format!("{verified:?} {:?}\n", verified.key()),
                    Err(e) => {
                        let diagnosis = verifier.diagnose(&delivery, &e);
                        printed += &format!("{e} {e:?} {diagnosis} {diagnosis:?}\n");
                    }
                }
            }
        }
    }

    // Secrets, and errors from refused secrets, which must not echo them.
    for text in [
        "whsec_hygiene!!not-base64-SECRET",
        "hygiene-SECRET-plain-0badc0de",
    ] {
        forbidden.add(text);
        let secret = Secret::new(text).unwrap();
        printed += &format!("{secret:?}\n");
        for p in Provider::all() {
            if let Err(e) = Verifier::new(p.clone(), text) {
                printed += &format!("{e} {e:?}\n");
            }
            if let Err(e) = Signer::new(p, text) {
                printed += &format!("{e} {e:?}\n");
            }
        }
    }
    let err: Error =
        webhook_verify::verify(&Provider::STRIPE, "whsec_x", &[("a", "b")], "body").unwrap_err();
    printed += &format!("{err:?}\n");

    forbidden.check("Debug/Display output", &printed);
    forbidden.check("tracing output", &captured.text());
}

// ---------------------------------------------------------------------------------------
// Real servers.

fn standard_verifier() -> Verifier {
    Verifier::builder(Provider::STANDARD_WEBHOOKS)
        .secret(WHSEC_OTHER)
        .secret(WHSEC)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap()
}

const LIMIT: usize = 4096;

/// The axum and actix servers' base URLs: the layers claim deliveries in a replay store,
/// the bare extractors in the default in-memory one.
fn servers() -> [String; 2] {
    let config = webhook_axum::WebhookConfig::builder(standard_verifier())
        .max_body(LIMIT)
        .replay(Replay::new(MemoryStore::new()))
        .build();
    let typed = webhook_axum::WebhookConfig::builder(standard_verifier())
        .max_body(LIMIT)
        .build();
    let layer = webhook_axum::VerifyWebhookLayer::new(config.clone());
    tracing::info!(target: "hygiene", "{config:?} {typed:?} {layer:?}");
    let axum = support::axum_server(config, typed);
    let config = webhook_actix::WebhookConfig::builder(standard_verifier())
        .max_body(LIMIT)
        .replay(Replay::new(MemoryStore::new()))
        .build();
    let typed = webhook_actix::WebhookConfig::builder(standard_verifier())
        .max_body(LIMIT)
        .build();
    let middleware = webhook_actix::VerifyWebhook::new(config.clone());
    tracing::info!(target: "hygiene", "{config:?} {typed:?} {middleware:?}");
    let actix = support::actix_server(config, typed);
    [format!("http://{axum}"), format!("http://{actix}")]
}

async fn post(url: &str, headers: &[(String, String)], body: Vec<u8>) -> (u16, String) {
    let mut req = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(url)
        .body(body);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_log_no_secret_signature_or_body_at_trace() {
    let captured = captured();
    let mut forbidden = Forbidden::default();
    forbidden.secret(WHSEC);
    forbidden.secret(WHSEC_OTHER);
    let p = Provider::STANDARD_WEBHOOKS;
    let mut cases = deliveries(&p, &mut forbidden);
    // A verified body that is not JSON (typed route: invalid payload), one over the limit,
    // and a replay of the valid delivery (answered `duplicate`).
    let not_json = format!("not json {MARKER}");
    let not_json_headers = sign(&p, WHSEC, not_json.as_bytes(), NOW);
    forbidden.signature(&not_json_headers[0].1);
    cases.push(("not json", not_json_headers, not_json.into_bytes()));
    let big = format!("{{\"pad\":\"{}\",\"m\":\"{MARKER}\"}}", "x".repeat(LIMIT));
    let big_headers = sign(&p, WHSEC, big.as_bytes(), NOW);
    forbidden.signature(&big_headers[0].1);
    cases.push(("too large", big_headers, big.into_bytes()));
    let valid = cases[0].clone();
    cases.push(("replayed", valid.1.clone(), valid.2.clone()));

    let servers = servers();
    let mut statuses = Vec::new();
    for base in &servers {
        for route in ["/layer", "/typed"] {
            for (i, (kind, headers, body)) in cases.iter().enumerate() {
                // Each route gets its own message id, so the replay store sees each anew.
                let headers: Vec<(String, String)> = if *kind == "replayed" || i == 0 {
                    resign(headers, body, route, &mut forbidden)
                } else {
                    headers.clone()
                };
                let (status, text) = post(&format!("{base}{route}"), &headers, body.clone()).await;
                forbidden.check("response body", &text);
                statuses.push(format!("{route} {kind} {status}"));
            }
        }
    }
    // Every kind was met: success, 400s, 401s, 413, and the replay acknowledged.
    for want in [
        "/layer valid 200",
        "/layer missing 400",
        "/layer malformed 400",
        "/layer duplicate 400",
        "/layer mismatch 401",
        "/layer stale 401",
        "/layer too large 413",
        "/layer replayed 200",
        "/typed valid 200",
        "/typed not json 400",
    ] {
        assert!(statuses.iter().any(|s| s == want), "{want}: {statuses:?}");
    }
    let log = captured.text();
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "nothing was captured at TRACE/DEBUG"
    );
    forbidden.check("tracing output", &log);
}

/// The valid delivery signed with an id per route, the same for the replay that follows.
fn resign(
    headers: &[(String, String)],
    body: &[u8],
    route: &str,
    forbidden: &mut Forbidden,
) -> Vec<(String, String)> {
    let _ = headers;
    let signed = Signer::new(&Provider::STANDARD_WEBHOOKS, WHSEC)
        .unwrap()
        .sign(
            body,
            &SignOptions::new()
                .timestamp(NOW)
                .id(format!("msg_hyg{}", route.replace('/', "_"))),
        )
        .unwrap();
    forbidden.signature(&signed[0].1);
    signed
}
