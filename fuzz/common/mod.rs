//! Fixtures shared by the fuzz targets: one verification and one signing secret per
//! provider, a fixed clock, and the header sets a signer produces.

#![allow(dead_code)]

use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use webhook_verify::{
    Body, Delivery, Envelope, FixedClock, Provider, SignOptions, Signer, Verified, Verifier,
};

/// The fixed "now" of every verifier here, and the timestamp signed deliveries carry.
pub const NOW: i64 = 1_700_000_000;
/// The URL signed deliveries are addressed to (Twilio and Square sign it).
pub const URL: &str = "https://example.com/hook?x=1";
/// The id signed deliveries carry.
pub const ID: &str = "msg_fuzz";

/// Discord's test key pair: public key (hex) and the seed it comes from (hex).
const DISCORD_PUBLIC: &str = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
const DISCORD_SEED: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// The same pair in Standard Webhooks' `v1a` forms.
pub const WHPK: &str = "whpk_A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
pub const WHSK: &str = "whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
/// A Standard Webhooks HMAC secret.
pub const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// SendGrid's published verification key (base64 DER).
const SENDGRID: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
const ADYEN: &str = "11223344D785FBAE710E7F943F307971BB61B21281C98C9129B3D4018A57B2EB";
/// Discord's pair in Telnyx's base64 forms.
const TELNYX_PUBLIC: &str = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
const TELNYX_SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
/// The test certificates AWS SNS and PayPal verify with (RSA; they cannot sign here).
const CERT: &str = include_str!("../../webhook-verify/tests/data/certs/signing-cert.pem");
const OTHER_CERT: &str = include_str!("../../webhook-verify/tests/data/certs/other-cert.pem");

/// The secret a verifier of `provider` takes.
pub fn verify_secret(provider: &Provider) -> &'static str {
    match provider.name() {
        "standard" | "svix" | "clerk" | "resend" | "gitlab" => WHSEC,
        "openai" | "replicate" | "brex" | "lithic" => WHSEC,
        // Basic authentication: `username:password`.
        "chargebee" => "fuzz-user:fuzz-secret",
        "discord" => DISCORD_PUBLIC,
        "sendgrid" => SENDGRID,
        "adyen" => ADYEN,
        "telnyx" => TELNYX_PUBLIC,
        "aws-sns" | "paypal" => CERT,
        _ => "fuzz-secret",
    }
}

/// A second, valid secret of the same form (key rotation).
pub fn other_secret(provider: &Provider) -> &'static str {
    match provider.name() {
        "standard" | "svix" | "clerk" | "resend" | "gitlab" | "openai" | "replicate" | "brex"
        | "lithic" => "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        "chargebee" => "fuzz-user:another-fuzz-secret",
        "discord" | "sendgrid" | "telnyx" => verify_secret(provider),
        "adyen" => "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056",
        "aws-sns" | "paypal" => OTHER_CERT,
        _ => "another-fuzz-secret",
    }
}

/// The secret a signer of `provider` takes, for the providers a [`Signer`] can sign for.
pub fn sign_secret(provider: &Provider) -> Option<&'static str> {
    match provider.name() {
        "discord" => Some(DISCORD_SEED),
        "telnyx" => Some(TELNYX_SEED),
        "sendgrid" | "mailgun" | "aws-sns" | "paypal" => None,
        _ => Some(verify_secret(provider)),
    }
}

/// A verifier of `provider` at [`NOW`], with one key or with a rotated-out key first.
/// Built once per provider and reused (key derivation is not what is fuzzed).
pub fn verifier(provider: &Provider, rotated: bool) -> &'static Verifier {
    static VERIFIERS: LazyLock<Vec<[Verifier; 2]>> = LazyLock::new(|| {
        Provider::all()
            .iter()
            .map(|p| [build_verifier(p, false), build_verifier(p, true)])
            .collect()
    });
    &VERIFIERS[index(provider)][usize::from(rotated)]
}

fn index(provider: &Provider) -> usize {
    Provider::all()
        .iter()
        .position(|p| p == provider)
        .expect("a built-in provider")
}

/// Builds a verifier of `provider` at [`NOW`].
pub fn build_verifier(provider: &Provider, rotated: bool) -> Verifier {
    // PayPal verifies for a webhook id.
    let provider = match provider.name() {
        "paypal" => Provider::paypal("FUZZ-WEBHOOK-ID"),
        _ => provider.clone(),
    };
    let mut builder = Verifier::builder(provider.clone()).clock(FixedClock::from_unix(NOW));
    if rotated {
        builder = builder.secret(other_secret(&provider));
    }
    builder
        .secret(verify_secret(&provider))
        .build()
        .expect("the fuzz secrets are valid")
}

/// The headers a sender of `provider` attaches to `body` at [`NOW`], signature first.
pub fn signed_headers(provider: &Provider, body: &[u8]) -> Option<Vec<(String, String)>> {
    static SIGNERS: LazyLock<Vec<Option<Signer>>> = LazyLock::new(|| {
        Provider::all()
            .iter()
            .map(|p| {
                sign_secret(p)
                    .map(|s| Signer::new(p, s).expect("the fuzz signing secrets are valid"))
            })
            .collect()
    });
    SIGNERS[index(provider)]
        .as_ref()?
        .sign(body, &SignOptions::new().timestamp(NOW).id(ID).url(URL))
        .ok()
}

/// [`signed_headers`] over [`BODY`], computed once per provider.
fn signed_body_headers(provider: &Provider) -> Option<&'static [(String, String)]> {
    static SIGNED: LazyLock<Vec<Option<Vec<(String, String)>>>> = LazyLock::new(|| {
        Provider::all()
            .iter()
            .map(|p| signed_headers(p, BODY))
            .collect()
    });
    SIGNED[index(provider)].as_deref()
}

/// Every accessor of a verified delivery, and its provider's envelope over it:
/// none may panic.
pub fn exercise_verified<B: Body>(verified: &Verified<B>) {
    let _ = verified.provider();
    let _ = verified.id();
    let _ = verified.id_is_signed();
    let _ = verified.replay_key();
    let _ = verified.timestamp();
    let _ = verified.event_type();
    let _ = verified.received_at();
    let _ = verified.key();
    let _ = verified.json::<serde_json::Value>();
    let _ = format!("{verified:?}");
    let envelope = Envelope::for_provider(verified.provider());
    let _ = envelope.parse::<serde_json::Value>(verified);
    let _ = envelope.parse::<serde::de::IgnoredAny>(verified);
    // The owned copy reads the same.
    let owned = verified.clone().into_owned();
    assert_eq!(owned.body().as_ref(), verified.body_bytes());
    assert_eq!(owned.replay_key(), verified.replay_key());
}

/// Verifies, then reads everything a handler or a log line would read; on failure asks for
/// the status, and for a diagnosis on one failure in eight, the first included, so a
/// reproduced crash is diagnosed too (a diagnosis costs many verifications: sampling keeps
/// the executions per second up).
pub fn verify_and_exercise<B: Body>(verifier: &Verifier, delivery: &Delivery<'_, B>) -> bool {
    match verifier.verify(delivery) {
        Ok(verified) => {
            exercise_verified(&verified);
            true
        }
        Err(e) => {
            let _ = e.status();
            let _ = e.kind();
            let _ = e.to_string();
            static CALLS: AtomicUsize = AtomicUsize::new(0);
            if CALLS.fetch_add(1, Ordering::Relaxed) % 8 == 0 {
                let _ = verifier.diagnose(delivery, &e).to_string();
            }
            false
        }
    }
}

/// Replaces the value of every header named `name` in a signed set.
pub fn replace(headers: &[(String, String)], name: &str, value: &[u8]) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|(n, v)| {
            if n.eq_ignore_ascii_case(name) {
                (n.clone(), value.to_vec())
            } else {
                (n.clone(), v.as_bytes().to_vec())
            }
        })
        .collect()
}

/// The fixed body the header-only targets sign.
pub const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid","data":{"object":{"amount":1}}}"#;

/// Fuzzes one signature header value of `provider` with every other header valid, so the
/// value reaches the decoder and the comparison; the unchanged value must verify.
pub fn fuzz_signature_value(provider: &Provider, value: &[u8], rotated: bool) {
    let Some(good) = signed_body_headers(provider) else {
        return;
    };
    let (name, original) = &good[0];
    let headers = replace(good, name, value);
    let delivery = Delivery::new(&headers, BODY).with_url(URL);
    let ok = verify_and_exercise(verifier(provider, rotated), &delivery);
    let original = original.as_bytes();
    if ok && original != value {
        // Accepted under another spelling: the value must still carry the encoded MAC that
        // was signed (lists may add entries around it).
        let mac = original
            .split(|&b| matches!(b, b',' | b';' | b'=' | b' '))
            .max_by_key(|t| t.len())
            .unwrap_or_default();
        assert!(
            value.windows(mac.len().max(1)).any(|w| w == mac),
            "{}: a signature header without the signed MAC verified",
            provider.name()
        );
    }
}
