//! Secrets per provider, the fixed clock, and verifiers built from them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::SigningKey;
use webhook_verify::{Encoding, FixedClock, Provider, Verifier};

/// The instant (Unix seconds) every test delivery is signed at and every test verifier's
/// clock reads.
///
/// ```
/// assert_eq!(webhook_testkit::NOW, 1_700_000_000);
/// ```
pub const NOW: i64 = 1_700_000_000;

/// The URL deliveries are signed for, for providers that sign the URL (Twilio, Square).
///
/// ```
/// use webhook_testkit::{NOW, URL, signed};
/// let d = signed(&webhook_verify::Provider::TWILIO, b"Digits=1234", NOW);
/// assert_eq!(d.url, Some(URL));
/// ```
pub const URL: &str = "https://example.com/hook?x=1";

/// Stripe's secret: the whole `whsec_…` text is the key.
///
/// ```
/// assert_eq!(webhook_testkit::verifier_secret(&webhook_verify::Provider::STRIPE), webhook_testkit::STRIPE_SECRET);
/// ```
pub const STRIPE_SECRET: &str = "whsec_test_secret";
/// Standard Webhooks / Svix secret (the spec's test secret): base64 after `whsec_`.
///
/// ```
/// use webhook_verify::Provider;
/// assert_eq!(webhook_testkit::verifier_secret(&Provider::SVIX), webhook_testkit::STANDARD_SECRET);
/// ```
pub const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// GitHub's documented test secret.
///
/// ```
/// assert_eq!(webhook_testkit::GITHUB_SECRET, "It's a Secret to Everybody");
/// ```
pub const GITHUB_SECRET: &str = "It's a Secret to Everybody";
/// Slack's documented signing secret.
///
/// ```
/// assert_eq!(webhook_testkit::verifier_secret(&webhook_verify::Provider::SLACK), webhook_testkit::SLACK_SECRET);
/// ```
pub const SLACK_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
/// Twilio's documented auth token.
///
/// ```
/// assert_eq!(webhook_testkit::TWILIO_SECRET, "12345");
/// ```
pub const TWILIO_SECRET: &str = "12345";
/// A Shopify client secret.
///
/// ```
/// assert!(webhook_testkit::SHOPIFY_SECRET.starts_with("shpss_"));
/// ```
pub const SHOPIFY_SECRET: &str = "shpss_test";
/// Adyen's HMAC key (hex).
///
/// ```
/// assert_eq!(hex::decode(webhook_testkit::ADYEN_SECRET).unwrap().len(), 32);
/// ```
pub const ADYEN_SECRET: &str = "11223344D785FBAE710E7F943F307971BB61B21281C98C9129B3D4018A57B2EB";

/// Standard Webhooks Ed25519 signing key (`whsk_`, the svix README's), pair of [`WHPK`].
///
/// ```
/// use webhook_testkit::{NOW, WHPK, WHSK};
/// use webhook_verify::{Provider, SignOptions, Signer, verify};
/// let headers = Signer::new(&Provider::STANDARD_WEBHOOKS, WHSK)?
///     .sign(b"{}", &SignOptions::new())?;
/// verify(&Provider::STANDARD_WEBHOOKS, WHPK, &headers, &b"{}"[..])?;
/// # Ok::<(), webhook_verify::Error>(())
/// ```
pub const WHSK: &str =
    "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
/// Standard Webhooks Ed25519 public key (`whpk_`), pair of [`WHSK`].
///
/// ```
/// assert!(webhook_testkit::WHPK.starts_with("whpk_"));
/// ```
pub const WHPK: &str = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";

/// Discord: an Ed25519 seed (hex), what a signer takes; pair of [`DISCORD_PUBLIC`].
///
/// ```
/// assert_eq!(webhook_testkit::signing_secret(&webhook_verify::Provider::DISCORD), webhook_testkit::DISCORD_SEED);
/// ```
pub const DISCORD_SEED: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// Discord: the application public key (hex) of [`DISCORD_SEED`], what a verifier takes.
///
/// ```
/// assert_eq!(webhook_testkit::verifier_secret(&webhook_verify::Provider::DISCORD), webhook_testkit::DISCORD_PUBLIC);
/// ```
pub const DISCORD_PUBLIC: &str = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

/// Telnyx: the Ed25519 seed of [`DISCORD_SEED`] in base64, what a signer takes; pair of
/// [`TELNYX_PUBLIC`].
///
/// ```
/// assert_eq!(webhook_testkit::signing_secret(&webhook_verify::Provider::TELNYX), webhook_testkit::TELNYX_SEED);
/// ```
pub const TELNYX_SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
/// Telnyx: the public key of [`TELNYX_SEED`] in base64, as Mission Control shows it.
///
/// ```
/// assert_eq!(webhook_testkit::verifier_secret(&webhook_verify::Provider::TELNYX), webhook_testkit::TELNYX_PUBLIC);
/// ```
pub const TELNYX_PUBLIC: &str = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";

/// The test certificate (PEM, RSA-2048, valid 2000 to 2100) AWS SNS and PayPal deliveries
/// are verified with here; `webhook-verify/tests/data/certs/` says how it was made.
pub const TEST_CERT: &str = include_str!("../../webhook-verify/tests/data/certs/signing-cert.pem");

/// The private key of [`TEST_CERT`] (PKCS#8 PEM): signs AWS SNS and PayPal deliveries.
pub const TEST_CERT_KEY: &str =
    include_str!("../../webhook-verify/tests/data/certs/signing-key.pem");

/// Another test certificate, for a wrong or rotated key.
pub const OTHER_CERT: &str = include_str!("../../webhook-verify/tests/data/certs/other-cert.pem");

/// The PayPal webhook id the testkit's PayPal deliveries are signed for.
pub const PAYPAL_WEBHOOK_ID: &str = "1JE4291016473214C";

/// Another Standard Webhooks Ed25519 public key (seed `[9; 32]`), trusted by no signer here.
///
/// ```
/// assert_ne!(webhook_testkit::other_whpk(), webhook_testkit::WHPK);
/// ```
#[must_use]
pub fn other_whpk() -> String {
    let key = SigningKey::from_bytes(&[9; 32]).verifying_key();
    format!("whpk_{}", B64.encode(key.as_bytes()))
}

/// A SendGrid-style P-256 signing key from a fixed scalar.
///
/// ```
/// let _key = webhook_testkit::p256_key(1);
/// ```
///
/// # Panics
///
/// When `seed` is 0 (not a valid scalar).
#[must_use]
pub fn p256_key(seed: u8) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[seed; 32]).expect("a valid P-256 scalar")
}

/// The base64 DER public key SendGrid shows for [`p256_key(seed)`](p256_key).
///
/// ```
/// assert!(webhook_testkit::p256_public_b64(1).starts_with("MFkwEwYH"));
/// ```
///
/// # Panics
///
/// As [`p256_key`].
#[must_use]
pub fn p256_public_b64(seed: u8) -> String {
    use p256::pkcs8::EncodePublicKey;
    let der = p256_key(seed)
        .verifying_key()
        .to_public_key_der()
        .expect("DER encoding");
    B64.encode(der.as_bytes())
}

/// A custom provider: `X-Acme-Signature: v1=<base64>` over `{id}.{timestamp}.{body}`.
///
/// ```
/// assert_eq!(webhook_testkit::custom().name(), "acme");
/// ```
///
/// # Panics
///
/// Never: the parts are valid.
#[must_use]
pub fn custom() -> Provider {
    Provider::custom("acme")
        .signature_header("X-Acme-Signature")
        .prefix("v1=")
        .encoding(Encoding::Base64)
        .timestamp_header("X-Acme-Timestamp")
        .id_header("X-Acme-Id")
        .signed_content("{id}.{timestamp}.{body}")
        .build()
        .expect("a valid custom provider")
}

/// Every built-in provider, then [`custom`].
///
/// ```
/// let all = webhook_testkit::all_providers();
/// assert_eq!(all.len(), webhook_verify::Provider::all().len() + 1);
/// ```
#[must_use]
pub fn all_providers() -> Vec<Provider> {
    // PayPal with the webhook id its deliveries here are signed for.
    let mut v: Vec<Provider> = Provider::all()
        .iter()
        .map(|p| match p.name() {
            "paypal" => Provider::paypal(PAYPAL_WEBHOOK_ID),
            _ => p.clone(),
        })
        .collect();
    v.push(custom());
    v
}

/// The secret a verifier for `p` takes (the text the provider's dashboard shows).
///
/// ```
/// use webhook_verify::Provider;
/// assert_eq!(webhook_testkit::verifier_secret(&Provider::GITHUB), "It's a Secret to Everybody");
/// assert_eq!(webhook_testkit::verifier_secret(&Provider::ZOOM), "zoom-signing-secret");
/// ```
#[must_use]
pub fn verifier_secret(p: &Provider) -> String {
    match p.name() {
        "standard" | "svix" | "clerk" | "resend" => STANDARD_SECRET.into(),
        // Standard Webhooks senders under their own names.
        "openai" | "replicate" | "brex" | "lithic" => STANDARD_SECRET.into(),
        // Basic authentication: `username:password`.
        "chargebee" => "chargebee-user:signing-secret".into(),
        "stripe" => STRIPE_SECRET.into(),
        "github" | "github-sha1" => GITHUB_SECRET.into(),
        "slack" => SLACK_SECRET.into(),
        "shopify" => SHOPIFY_SECRET.into(),
        "twilio" => TWILIO_SECRET.into(),
        "discord" => DISCORD_PUBLIC.into(),
        "sendgrid" => p256_public_b64(1),
        "adyen" => ADYEN_SECRET.into(),
        "telnyx" => TELNYX_PUBLIC.into(),
        "postmark" => "postmark-user:postmark-password".into(),
        "aws-sns" | "paypal" => TEST_CERT.into(),
        other => format!("{other}-signing-secret"),
    }
}

/// The secret a signer for `p` takes: [`verifier_secret`], except for Discord (the Ed25519
/// seed). SendGrid signs with [`p256_key(1)`](p256_key); [`signed`](crate::signed) does
/// that itself.
///
/// ```
/// use webhook_verify::Provider;
/// assert_eq!(webhook_testkit::signing_secret(&Provider::DISCORD), webhook_testkit::DISCORD_SEED);
/// assert_eq!(webhook_testkit::signing_secret(&Provider::STRIPE), webhook_testkit::STRIPE_SECRET);
/// ```
#[must_use]
pub fn signing_secret(p: &Provider) -> String {
    match p.name() {
        "discord" => DISCORD_SEED.into(),
        "telnyx" => TELNYX_SEED.into(),
        _ => verifier_secret(p),
    }
}

/// Another valid verifier secret of the same form as [`verifier_secret`] (rotation, wrong
/// key). For providers whose signer takes the verifier's secret, it signs too.
///
/// ```
/// use webhook_verify::{Provider, Verifier};
/// let p = Provider::STANDARD_WEBHOOKS;
/// let other = webhook_testkit::other_secret(&p);
/// assert_ne!(other, webhook_testkit::verifier_secret(&p));
/// assert!(Verifier::new(p, other).is_ok());
/// ```
#[must_use]
pub fn other_secret(p: &Provider) -> String {
    match p.name() {
        "standard" | "svix" | "clerk" | "resend" | "openai" | "replicate" | "brex" | "lithic" => {
            format!("whsec_{}", B64.encode([3u8; 32]))
        }
        "discord" => hex::encode(SigningKey::from_bytes(&[9; 32]).verifying_key().as_bytes()),
        "sendgrid" => p256_public_b64(2),
        "adyen" => "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00".into(),
        "telnyx" => B64.encode(SigningKey::from_bytes(&[9; 32]).verifying_key().as_bytes()),
        "aws-sns" | "paypal" => OTHER_CERT.into(),
        _ => format!("{}-old", verifier_secret(p)),
    }
}

/// A verifier for `p` holding [`verifier_secret`], its clock at [`NOW`].
///
/// ```
/// use webhook_testkit::{NOW, signed, verifier};
/// use webhook_verify::Provider;
/// let d = signed(&Provider::GITHUB, b"{}", NOW);
/// assert!(verifier(&Provider::GITHUB).verify(&d.delivery()).is_ok());
/// ```
///
/// # Panics
///
/// Never for the secrets above.
#[must_use]
pub fn verifier(p: &Provider) -> Verifier {
    verifier_at(p, NOW)
}

/// A verifier for `p` holding [`verifier_secret`], its clock at `now` (Unix seconds).
///
/// ```
/// use webhook_testkit::{NOW, signed, verifier_at};
/// use webhook_verify::{ErrorKind, Provider};
/// let d = signed(&Provider::STRIPE, b"{}", NOW);
/// let err = verifier_at(&Provider::STRIPE, NOW + 301).verify(&d.delivery()).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::TimestampTooOld);
/// ```
///
/// # Panics
///
/// Never for the secrets above.
#[must_use]
pub fn verifier_at(p: &Provider, now: i64) -> Verifier {
    let p = match (p.name(), p.param()) {
        ("paypal", None) => Provider::paypal(PAYPAL_WEBHOOK_ID),
        _ => p.clone(),
    };
    Verifier::builder(p.clone())
        .secret(verifier_secret(&p))
        .clock(FixedClock::from_unix(now))
        .build()
        .expect("the testkit's secrets are valid")
}

/// One way to key a provider: the secret a signer takes and the one a verifier takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// What this key form is, for messages (`"whsec_ HMAC"`, `"Ed25519 whsk_/whpk_"`, ...).
    pub form: &'static str,
    /// The secret a signer (or `webhook sign`) takes.
    pub signing: String,
    /// The secret a verifier (or `webhook verify`) takes.
    pub verifying: String,
}

/// Every key form `p` both signs and verifies with; each must round-trip. Empty for
/// providers that cannot sign here (Mailgun carries its signature in the body, SendGrid's
/// verifier holds only a public key).
///
/// ```
/// use webhook_verify::Provider;
/// let forms = webhook_testkit::key_forms(&Provider::STANDARD_WEBHOOKS);
/// assert_eq!(forms.len(), 3); // whsec_, bare base64, whsk_/whpk_
/// assert!(webhook_testkit::key_forms(&Provider::MAILGUN).is_empty());
/// ```
#[must_use]
pub fn key_forms(p: &Provider) -> Vec<KeyPair> {
    let same = |form, s: &str| KeyPair {
        form,
        signing: s.to_owned(),
        verifying: s.to_owned(),
    };
    match p.name() {
        "standard" | "svix" | "clerk" | "resend" => vec![
            same("whsec_ HMAC", STANDARD_SECRET),
            same("bare base64 HMAC", &STANDARD_SECRET["whsec_".len()..]),
            KeyPair {
                form: "Ed25519 whsk_/whpk_",
                signing: WHSK.into(),
                verifying: WHPK.into(),
            },
        ],
        "discord" => vec![KeyPair {
            form: "Ed25519 hex seed/public key",
            signing: DISCORD_SEED.into(),
            verifying: DISCORD_PUBLIC.into(),
        }],
        "adyen" => vec![same("hex HMAC key", ADYEN_SECRET)],
        "gitlab" | "okta" => vec![same("shared token", &verifier_secret(p))],
        "openai" | "replicate" | "brex" | "lithic" => vec![
            same("whsec_ HMAC", STANDARD_SECRET),
            same("bare base64 HMAC", &STANDARD_SECRET["whsec_".len()..]),
        ],
        "chargebee" => vec![same("basic-auth username:password", "user:pass word")],
        "postmark" => vec![same("basic auth user:password", &verifier_secret(p))],
        "telnyx" => vec![KeyPair {
            form: "Ed25519 base64 seed/public key",
            signing: TELNYX_SEED.into(),
            verifying: TELNYX_PUBLIC.into(),
        }],
        // Microsoft Graph's shared value travels in the body: nothing to sign with; AWS SNS
        // and PayPal sign with a certificate's private key.
        "mailgun" | "sendgrid" | "microsoft-graph" | "aws-sns" | "paypal" => Vec::new(),
        _ => vec![same("secret text", &verifier_secret(p))],
    }
}

/// Whether `p`'s signature covers the raw body, so a changed body byte must fail: not for
/// GitLab's token, Chargebee's and Postmark's basic-auth credentials or Okta's credential
/// (they sign nothing), Microsoft Graph's `clientState` (a shared value in the body) or
/// Mailgun (timestamp and token only). Twilio's and Mandrill's form signatures cover the
/// decoded parameters, which a changed byte changes too.
///
/// ```
/// use webhook_verify::Provider;
/// assert!(webhook_testkit::signs_body(&Provider::STRIPE));
/// assert!(!webhook_testkit::signs_body(&Provider::MAILGUN));
/// assert!(!webhook_testkit::signs_body(&Provider::GITLAB));
/// assert!(!webhook_testkit::signs_body(&Provider::CHARGEBEE));
/// ```
#[must_use]
pub fn signs_body(p: &Provider) -> bool {
    !matches!(
        p.name(),
        "gitlab" | "mailgun" | "chargebee" | "postmark" | "okta" | "microsoft-graph"
    )
}
