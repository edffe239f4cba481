//! Fixtures shared by the integration tests: secrets per provider, a signer, a fixed time.

#![allow(dead_code, unreachable_pub, clippy::ptr_arg)]

use base64::Engine as _;
use ed25519_dalek::SigningKey;
use webhook_verify::{Delivery, Encoding, Provider, SignOptions, Signer};

/// The fixed "now" of the tests.
pub const NOW: i64 = 1_700_000_000;

/// The URL Twilio deliveries are signed for.
pub const TWILIO_URL: &str = "https://example.com/hook?x=1";

/// Standard Webhooks Ed25519 key pair (svix README).
pub const WHSK: &str =
    "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
pub const WHPK: &str = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";

const DISCORD_SEED: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const DISCORD_PUBLIC: &str = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

pub fn other_whpk() -> String {
    let key = SigningKey::from_bytes(&[9; 32]).verifying_key();
    format!(
        "whpk_{}",
        base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
    )
}

/// A custom provider, signed over `{id}.{timestamp}.{body}` with base64 signatures.
pub fn custom() -> Provider {
    Provider::custom("acme")
        .signature_header("X-Acme-Signature")
        .prefix("v1=")
        .encoding(Encoding::Base64)
        .timestamp_header("X-Acme-Timestamp")
        .id_header("X-Acme-Id")
        .signed_content("{id}.{timestamp}.{body}")
        .build()
        .unwrap()
}

/// Every built-in provider and a custom one.
pub fn all_providers() -> Vec<Provider> {
    let mut v = Provider::all().to_vec();
    v.push(custom());
    v
}

/// A SendGrid-style P-256 key pair from a fixed scalar.
pub fn p256_key(seed: u8) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap()
}

/// The base64 DER public key SendGrid shows for `p256_key(seed)`.
pub fn p256_public_b64(seed: u8) -> String {
    use p256::pkcs8::EncodePublicKey;
    let der = p256_key(seed).verifying_key().to_public_key_der().unwrap();
    base64::engine::general_purpose::STANDARD.encode(der.as_bytes())
}

/// A Mailgun token: 50 lowercase hex digits, as Mailgun sends.
pub const MAILGUN_TOKEN: &str = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";

/// A Mailgun JSON body: `event-data` plus the signature fields over `timestamp ‖ token`.
pub fn mailgun_body(secret: &str, timestamp: i64, token: &str, event_data: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.to_string().as_bytes());
    mac.update(token.as_bytes());
    serde_json::to_vec(&serde_json::json!({
        "signature": {
            "timestamp": timestamp.to_string(),
            "token": token,
            "signature": hex::encode(mac.finalize().into_bytes()),
        },
        "event-data": { "event": "delivered", "raw": hex::encode(event_data) },
    }))
    .unwrap()
}

/// The secret a verifier for `p` takes.
pub fn verifier_secret(p: &Provider) -> String {
    match p.name() {
        "standard" | "svix" | "clerk" | "resend" => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        "discord" => DISCORD_PUBLIC.into(),
        "sendgrid" => p256_public_b64(1),
        "adyen" => "11223344D785FBAE710E7F943F307971BB61B21281C98C9129B3D4018A57B2EB".into(),
        "stripe" => "whsec_test_secret".into(),
        "twilio" => "12345".into(),
        other => format!("{other}-signing-secret"),
    }
}

/// The secret a signer for `p` takes (differs for Ed25519 schemes).
pub fn signing_secret(p: &Provider) -> String {
    match p.name() {
        "discord" => DISCORD_SEED.into(),
        _ => verifier_secret(p),
    }
}

/// Another valid secret of the same form.
pub fn other_secret(p: &Provider) -> String {
    match p.name() {
        "standard" | "svix" | "clerk" | "resend" => format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode([3u8; 32])
        ),
        "discord" => hex::encode(SigningKey::from_bytes(&[9; 32]).verifying_key().as_bytes()),
        "sendgrid" => p256_public_b64(2),
        "adyen" => "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00".into(),
        _ => format!("{}-old", verifier_secret(p)),
    }
}

/// Headers signing `body` for `p` at `timestamp`.
pub fn signed(p: &Provider, body: &[u8], timestamp: i64) -> (Vec<(String, String)>, Vec<u8>) {
    match p.name() {
        "mailgun" => {
            let body = mailgun_body(&verifier_secret(p), timestamp, MAILGUN_TOKEN, body);
            return (Vec::new(), body);
        }
        "sendgrid" => {
            use p256::ecdsa::signature::Signer as _;
            let ts = timestamp.to_string();
            let sig: p256::ecdsa::Signature = p256_key(1).sign(&[ts.as_bytes(), body].concat());
            let sig = base64::engine::general_purpose::STANDARD.encode(sig.to_der().as_bytes());
            let headers = vec![
                ("x-twilio-email-event-webhook-signature".to_owned(), sig),
                ("x-twilio-email-event-webhook-timestamp".to_owned(), ts),
            ];
            return (headers, body.to_vec());
        }
        _ => {}
    }
    // Linear's timestamp lives in the signed JSON body.
    let mut body = body.to_vec();
    if p.name() == "linear" {
        if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice(&body) {
            map.insert("webhookTimestamp".into(), (timestamp * 1000).into());
            body = serde_json::to_vec(&map).unwrap();
        }
    }
    let body = &body[..];
    let signer = Signer::new(p, signing_secret(p)).unwrap();
    let mut opts = SignOptions::new().timestamp(timestamp).id("msg_test_1");
    if p.needs_url() {
        opts = opts.url(TWILIO_URL);
    }
    (signer.sign(body, &opts).unwrap(), body.to_vec())
}

/// A delivery of these headers and body, with the URL when the provider signs it.
pub fn delivery_for<'a>(
    p: &Provider,
    headers: &'a Vec<(String, String)>,
    body: &[u8],
) -> Delivery<'a> {
    let d = Delivery::new(headers, body.to_vec());
    if p.needs_url() {
        d.with_url(TWILIO_URL)
    } else {
        d
    }
}
