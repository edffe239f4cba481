//! Known answers for every signer: the headers `Signer` produces for each built-in provider
//! equal values computed here independently (hmac, sha1/sha2, base64, hex, ed25519 directly,
//! following each provider's documented scheme), and equal the vectors' own headers wherever
//! a vector's inputs can be signed again.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::Signer as _;
use hmac::{KeyInit, Mac};
use webhook_testkit::{
    ADYEN_SECRET, DISCORD_SEED, GITHUB_SECRET, NOW, SHOPIFY_SECRET, SLACK_SECRET, STANDARD_SECRET,
    STRIPE_SECRET, TELNYX_SEED, TWILIO_SECRET, URL, WHSK, p256_public_b64, vectors,
};
use webhook_verify::{ErrorKind, Provider, SignOptions, Signer};

const BODY: &[u8] = br#"{"id":"evt_kat","type":"kat.event","data":{"n":1}}"#;
const FORM: &[u8] = b"CallSid=CA123&Digits=1234&From=%2B14158675309";
const ID: &str = "msg_kat_1";

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

fn h(name: &str, value: String) -> (String, String) {
    (name.to_owned(), value)
}

/// The secret each provider's signer is given here.
fn secret(p: &Provider) -> String {
    match p.name() {
        "standard" | "svix" | "clerk" | "resend" => STANDARD_SECRET.into(),
        "openai" | "replicate" | "brex" | "lithic" => STANDARD_SECRET.into(),
        "stripe" => STRIPE_SECRET.into(),
        "github" | "github-sha1" => GITHUB_SECRET.into(),
        "slack" => SLACK_SECRET.into(),
        "shopify" => SHOPIFY_SECRET.into(),
        "twilio" => TWILIO_SECRET.into(),
        "discord" => DISCORD_SEED.into(),
        "adyen" => ADYEN_SECRET.into(),
        "sendgrid" => p256_public_b64(1),
        "telnyx" => TELNYX_SEED.into(),
        other => format!("{other}-kat-secret"),
    }
}

/// The body each provider signs here: a form for Twilio and Mandrill, JSON for the others.
fn body(p: &Provider) -> &'static [u8] {
    if [Provider::TWILIO, Provider::MANDRILL].contains(p) {
        FORM
    } else {
        BODY
    }
}

/// What each provider's sender puts on the wire for [`body`] at [`NOW`], id [`ID`] and
/// [`URL`], computed from the provider's documented scheme. `None`: the provider cannot
/// sign here (checked separately).
fn expected(p: &Provider) -> Option<Vec<(String, String)>> {
    let secret = secret(p);
    let text = secret.as_bytes();
    let body = body(p);
    let t = NOW.to_string();
    let ts = t.as_bytes();
    // Milliseconds (HubSpot, Airwallex, WorkOS, Webflow).
    let millis = format!("{NOW}000");
    let ms = millis.as_bytes();
    let hex = |b: Vec<u8>| hex::encode(b);
    let standard = |sig: &str, id: &str, tsh: &str| {
        let key = B64.decode(&STANDARD_SECRET["whsec_".len()..]).unwrap();
        let mac = hmac_sha256(&key, &[ID.as_bytes(), b".", ts, b".", body]);
        vec![
            h(sig, format!("v1,{}", B64.encode(mac))),
            h(id, ID.into()),
            h(tsh, t.clone()),
        ]
    };
    Some(match p.name() {
        "standard" => standard("webhook-signature", "webhook-id", "webhook-timestamp"),
        "svix" | "clerk" | "resend" => standard("svix-signature", "svix-id", "svix-timestamp"),
        "stripe" => vec![h(
            "stripe-signature",
            format!("t={t},v1={}", hex(hmac_sha256(text, &[ts, b".", body]))),
        )],
        "github" => vec![h(
            "x-hub-signature-256",
            format!("sha256={}", hex(hmac_sha256(text, &[body]))),
        )],
        "github-sha1" => vec![h(
            "x-hub-signature",
            format!("sha1={}", hex(hmac_sha1(text, &[body]))),
        )],
        "slack" => vec![
            h(
                "x-slack-signature",
                format!("v0={}", hex(hmac_sha256(text, &[b"v0:", ts, b":", body]))),
            ),
            h("x-slack-request-timestamp", t.clone()),
        ],
        "shopify" => vec![h(
            "x-shopify-hmac-sha256",
            B64.encode(hmac_sha256(text, &[body])),
        )],
        "twilio" => {
            // The URL, then each parameter's name and decoded value, sorted by name.
            let signed = b"CallSidCA123Digits1234From+14158675309";
            vec![h(
                "x-twilio-signature",
                B64.encode(hmac_sha1(text, &[URL.as_bytes(), signed])),
            )]
        }
        "discord" => {
            let seed: [u8; 32] = hex::decode(DISCORD_SEED).unwrap().try_into().unwrap();
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            let sig = key.sign(&[ts, body].concat());
            vec![
                h("x-signature-ed25519", hex(sig.to_bytes().to_vec())),
                h("x-signature-timestamp", t.clone()),
            ]
        }
        "paddle" => vec![h(
            "paddle-signature",
            format!("ts={t};h1={}", hex(hmac_sha256(text, &[ts, b":", body]))),
        )],
        "linear" => vec![h("linear-signature", hex(hmac_sha256(text, &[body])))],
        "zoom" => vec![
            h(
                "x-zm-signature",
                format!("v0={}", hex(hmac_sha256(text, &[b"v0:", ts, b":", body]))),
            ),
            h("x-zm-request-timestamp", t.clone()),
        ],
        "square" => vec![h(
            "x-square-hmacsha256-signature",
            B64.encode(hmac_sha256(text, &[URL.as_bytes(), body])),
        )],
        "twitch" => {
            let rfc3339 = "2023-11-14T22:13:20Z"; // NOW
            vec![
                h(
                    "twitch-eventsub-message-signature",
                    format!(
                        "sha256={}",
                        hex(hmac_sha256(
                            text,
                            &[ID.as_bytes(), rfc3339.as_bytes(), body]
                        ))
                    ),
                ),
                h("twitch-eventsub-message-id", ID.into()),
                h("twitch-eventsub-message-timestamp", rfc3339.into()),
            ]
        }
        "intercom" => vec![h(
            "x-hub-signature",
            format!("sha1={}", hex(hmac_sha1(text, &[body]))),
        )],
        "typeform" => vec![h(
            "typeform-signature",
            format!("sha256={}", B64.encode(hmac_sha256(text, &[body]))),
        )],
        "calendly" => vec![h(
            "calendly-webhook-signature",
            format!("t={t},v1={}", hex(hmac_sha256(text, &[ts, b".", body]))),
        )],
        "gitlab" => vec![h("x-gitlab-token", secret.clone())],
        "razorpay" => vec![h("x-razorpay-signature", hex(hmac_sha256(text, &[body])))],
        "lemonsqueezy" => vec![h("x-signature", hex(hmac_sha256(text, &[body])))],
        // Balance Platform webhooks: base64 HMAC of the body, the key hex-decoded.
        "adyen" => vec![h(
            "hmacsignature",
            B64.encode(hmac_sha256(&hex::decode(ADYEN_SECRET).unwrap(), &[body])),
        )],
        "hubspot" => vec![
            h(
                "x-hubspot-signature-v3",
                B64.encode(hmac_sha256(text, &[b"POST", URL.as_bytes(), body, ms])),
            ),
            h("x-hubspot-request-timestamp", millis.clone()),
        ],
        "docusign" => vec![h(
            "x-docusign-signature-1",
            B64.encode(hmac_sha256(text, &[body])),
        )],
        "mandrill" => {
            // The URL, then each parameter's name and decoded value, sorted by name.
            let signed = b"CallSidCA123Digits1234From+14158675309";
            vec![h(
                "x-mandrill-signature",
                B64.encode(hmac_sha1(text, &[URL.as_bytes(), signed])),
            )]
        }
        "coinbase" => vec![h("x-cc-webhook-signature", hex(hmac_sha256(text, &[body])))],
        "zendesk" => {
            let rfc3339 = "2023-11-14T22:13:20Z"; // NOW
            vec![
                h(
                    "x-zendesk-webhook-signature",
                    B64.encode(hmac_sha256(text, &[rfc3339.as_bytes(), body])),
                ),
                h("x-zendesk-webhook-signature-timestamp", rfc3339.into()),
            ]
        }
        "vercel" => vec![h("x-vercel-signature", hex(hmac_sha1(text, &[body])))],
        "openai" | "replicate" | "brex" | "lithic" => {
            standard("webhook-signature", "webhook-id", "webhook-timestamp")
        }
        "airwallex" => vec![
            h("x-signature", hex(hmac_sha256(text, &[ms, body]))),
            h("x-timestamp", millis.clone()),
        ],
        "bitbucket" => vec![h(
            "x-hub-signature",
            format!("sha256={}", hex(hmac_sha256(text, &[body]))),
        )],
        // Basic authentication: the credential itself.
        "chargebee" => vec![h("authorization", format!("Basic {}", B64.encode(text)))],
        "workos" => vec![h(
            "workos-signature",
            format!(
                "t={millis}, v1={}",
                hex(hmac_sha256(text, &[ms, b".", body]))
            ),
        )],
        "sentry" => vec![h("sentry-hook-signature", hex(hmac_sha256(text, &[body])))],
        "webflow" => vec![
            h(
                "x-webflow-signature",
                hex(hmac_sha256(text, &[ms, b":", body])),
            ),
            h("x-webflow-timestamp", millis.clone()),
        ],
        "mux" => vec![h(
            "mux-signature",
            format!("t={t},v1={}", hex(hmac_sha256(text, &[ts, b".", body]))),
        )],
        "circleci" => vec![h(
            "circleci-signature",
            format!("v1={}", hex(hmac_sha256(text, &[body]))),
        )],
        "fusionauth" => {
            let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let digest = B64.encode(<sha2::Sha256 as sha2::Digest>::digest(body));
            let input = format!(
                "{}.{}",
                b64url.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
                b64url.encode(format!(r#"{{"request_body_sha256":"{digest}"}}"#))
            );
            let sig = b64url.encode(hmac_sha256(text, &[input.as_bytes()]));
            vec![h("x-fusionauth-signature-jwt", format!("{input}.{sig}"))]
        }
        "orb" => vec![
            h(
                "x-orb-signature",
                format!(
                    "v1={}",
                    hex(hmac_sha256(text, &[b"v1:2023-11-14T22:13:20Z:", body]))
                ),
            ),
            h("x-orb-timestamp", "2023-11-14T22:13:20Z".into()),
        ],
        "postmark" => vec![h("authorization", format!("Basic {}", B64.encode(&secret)))],
        "segment" => vec![h("x-signature", hex(hmac_sha1(text, &[body])))],
        "telnyx" => {
            let seed: [u8; 32] = B64.decode(TELNYX_SEED).unwrap().try_into().unwrap();
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            let sig = key.sign(&[ts, b"|", body].concat());
            vec![
                h("telnyx-signature-ed25519", B64.encode(sig.to_bytes())),
                h("telnyx-timestamp", t.clone()),
            ]
        }
        "tiktok" => vec![h(
            "tiktok-signature",
            format!("t={t},s={}", hex(hmac_sha256(text, &[ts, b".", body]))),
        )],
        "woocommerce" => vec![h(
            "x-wc-webhook-signature",
            B64.encode(hmac_sha256(text, &[body])),
        )],
        "xero" => vec![h(
            "x-xero-signature",
            B64.encode(hmac_sha256(text, &[body])),
        )],
        "aftership" => vec![h(
            "aftership-hmac-sha256",
            B64.encode(hmac_sha256(text, &[body])),
        )],
        "alchemy" => vec![h("x-alchemy-signature", hex(hmac_sha256(text, &[body])))],
        "cursor" => vec![h(
            "x-webhook-signature",
            format!("sha256={}", hex(hmac_sha256(text, &[body]))),
        )],
        "pagerduty" => vec![h(
            "x-pagerduty-signature",
            format!("v1={}", hex(hmac_sha256(text, &[body]))),
        )],
        "contentful" => {
            // POST, the path and query (the query percent-encoded, then all URI-encoded),
            // the signed headers, the body; the timestamp in milliseconds.
            let ms = format!("{NOW}000");
            let list = "x-contentful-signed-headers,x-contentful-timestamp";
            let canonical = format!(
                "POST\n/hook?x%253D1\nx-contentful-signed-headers:{list};x-contentful-timestamp:{ms}\n"
            );
            vec![
                h(
                    "x-contentful-signature",
                    hex(hmac_sha256(text, &[canonical.as_bytes(), body])),
                ),
                h("x-contentful-signed-headers", list.into()),
                h("x-contentful-timestamp", ms),
            ]
        }
        "box" => {
            let rfc3339 = "2023-11-14T22:13:20Z"; // NOW
            vec![
                h(
                    "box-signature-primary",
                    B64.encode(hmac_sha256(text, &[body, rfc3339.as_bytes()])),
                ),
                h("box-delivery-timestamp", rfc3339.into()),
                h("box-signature-version", "1".into()),
                h("box-signature-algorithm", "HmacSHA256".into()),
            ]
        }
        "frameio" => vec![
            h(
                "x-frameio-signature",
                format!("v0={}", hex(hmac_sha256(text, &[b"v0:", ts, b":", body]))),
            ),
            h("x-frameio-request-timestamp", t.clone()),
        ],
        "asana" => vec![h("x-hook-signature", hex(hmac_sha256(text, &[body])))],
        "meta" => vec![h(
            "x-hub-signature-256",
            format!("sha256={}", hex(hmac_sha256(text, &[body]))),
        )],
        "x" => vec![h(
            "x-twitter-webhooks-signature",
            format!("sha256={}", B64.encode(hmac_sha256(text, &[body]))),
        )],
        "dropbox" => vec![h("x-dropbox-signature", hex(hmac_sha256(text, &[body])))],
        "okta" => vec![h("authorization", secret.clone())],
        "mailgun" | "sendgrid" | "microsoft-graph" | "aws-sns" | "paypal" => return None,
        other => panic!("no known answer for provider {other}: add one"),
    })
}

fn options() -> SignOptions {
    SignOptions::new().timestamp(NOW).id(ID).url(URL)
}

#[test]
fn every_signer_matches_an_independent_computation() {
    let mut checked = Vec::new();
    for p in Provider::all() {
        let Some(expected) = expected(p) else {
            continue;
        };
        let headers = Signer::new(p, secret(p))
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .sign(body(p), &options())
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        assert_eq!(headers, expected, "{p}");
        checked.push(p.name());
    }
    // Every built-in provider but the five that cannot sign here.
    assert_eq!(checked.len(), Provider::all().len() - 5, "{checked:?}");
}

#[test]
fn providers_that_cannot_sign_say_so() {
    // Mailgun's signature travels in the body: headers cannot carry it.
    let err = Signer::new(&Provider::MAILGUN, secret(&Provider::MAILGUN))
        .unwrap()
        .sign(BODY, &options())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    // SendGrid's verifier holds a public key; signing needs SendGrid's private key.
    let err = Signer::new(&Provider::SENDGRID, secret(&Provider::SENDGRID)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidSecret, "{err}");
    // Microsoft Graph's clientState travels in each notification of the body.
    let graph = Provider::MICROSOFT_GRAPH;
    let err = Signer::new(&graph, secret(&graph))
        .unwrap()
        .sign(BODY, &options())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    // AWS SNS and PayPal: the verifier holds a certificate; they sign with its private key.
    for p in [Provider::AWS_SNS, Provider::paypal("WH-1")] {
        let cert = include_str!("data/certs/signing-cert.pem");
        let err = Signer::new(&p, cert).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidSecret, "{p}: {err}");
    }
}

#[test]
fn standard_webhooks_ed25519_signer_matches_an_independent_computation() {
    let raw = B64.decode(&WHSK["whsk_".len()..]).unwrap();
    let seed: [u8; 32] = raw[..32].try_into().unwrap();
    let t = NOW.to_string();
    let sig = ed25519_dalek::SigningKey::from_bytes(&seed)
        .sign(&[ID.as_bytes(), b".", t.as_bytes(), b".", BODY].concat());
    let headers = Signer::new(&Provider::STANDARD_WEBHOOKS, WHSK)
        .unwrap()
        .sign(BODY, &options())
        .unwrap();
    assert_eq!(
        headers,
        [
            h(
                "webhook-signature",
                format!("v1a,{}", B64.encode(sig.to_bytes()))
            ),
            h("webhook-id", ID.into()),
            h("webhook-timestamp", t),
        ]
    );
}

/// Whether the vector carries `value` under `name`: equal, or one entry of a signature
/// list (Standard Webhooks' space-separated list, Stripe's `v1=` and Paddle's `h1=`
/// elements).
fn carries(v: &vectors::Vector, name: &str, value: &str) -> bool {
    let Some(sent) = v.header(name) else {
        return false;
    };
    if sent == value {
        return true;
    }
    let entries: Vec<&str> = sent.split([' ', ',', ';']).collect();
    match value.split_once(',') {
        // `v1,<base64>`: one entry of the list.
        Some((version, sig)) if !version.contains('=') => {
            sent.split(' ').any(|e| e == format!("{version},{sig}"))
        }
        // `t=…,v1=…` / `ts=…;h1=…`: the same timestamp and one of the signatures.
        _ => value.split([',', ';']).all(|part| entries.contains(&part)),
    }
}

#[test]
fn signers_reproduce_the_vectors() {
    let mut reproduced = Vec::new();
    for v in vectors::official().into_iter().chain(vectors::derived()) {
        let Some(p) = v.provider() else { continue };
        // Twitch's vector timestamp has nanoseconds the signer does not write, Orb's
        // milliseconds and Box's an offset; Contentful's vector signs a header the signer
        // does not send; the classic Adyen, Mailgun and Microsoft Graph vectors carry their
        // signature (or shared value) in the body; SendGrid needs its private key, and so do
        // AWS SNS and PayPal (RSA).
        if matches!(
            v.provider.as_str(),
            "twitch"
                | "orb"
                | "box"
                | "contentful"
                | "adyen"
                | "mailgun"
                | "sendgrid"
                | "microsoft-graph"
                | "aws-sns"
                | "paypal"
        ) {
            continue;
        }
        let secret = v
            .signing_secret
            .clone()
            .or_else(|| v.private_key_seed_hex.clone())
            .unwrap_or_else(|| v.secret.clone());
        let mut opts = SignOptions::new().timestamp(v.now());
        if let Some(id) = v.header("webhook-id").or(v.header("svix-id")) {
            opts = opts.id(id);
        }
        if let Some(url) = &v.url {
            opts = opts.url(url.as_str());
        }
        let p = if v.provider == "svix" {
            Provider::SVIX
        } else {
            p
        };
        let headers = Signer::new(&p, secret.as_str())
            .and_then(|s| s.sign(v.payload.as_bytes(), &opts))
            .unwrap_or_else(|e| panic!("{} ({}): {e}", v.provider, v.source));
        if headers.iter().all(|(n, value)| carries(&v, n, value)) {
            reproduced.push(format!("{}: {}", v.provider, v.source));
        } else if v.provider == "docusign" {
            // Two keys are active: the vector's made the second header, another the first.
            let [(name, value)] = &headers[..] else {
                panic!("docusign: {headers:?}")
            };
            assert_eq!(name, "x-docusign-signature-1");
            assert!(carries(&v, "x-docusign-signature-2", value), "{headers:?}");
            assert!(!carries(&v, "x-docusign-signature-1", value), "{headers:?}");
            reproduced.push(format!("{} (second header): {}", v.provider, v.source));
        } else {
            // The only vectors signed over something else: Twilio's, whose URL the sender
            // signed with the default port (`:443`, `:80`) the vector's URL leaves out.
            assert!(
                v.provider.starts_with("twilio"),
                "{} ({}): {headers:?} vs {:?}",
                v.provider,
                v.source,
                v.headers
            );
            let url = v.url.as_deref().unwrap();
            let (scheme, rest) = url.split_once("://").unwrap();
            let (host, path) = rest.split_once('/').unwrap();
            let port = if scheme == "https" { 443 } else { 80 };
            let url = format!("{scheme}://{host}:{port}/{path}");
            let headers = Signer::new(&p, secret.as_str())
                .and_then(|s| s.sign(v.payload.as_bytes(), &opts.clone().url(url)))
                .unwrap();
            assert!(
                headers.iter().all(|(n, value)| carries(&v, n, value)),
                "{} ({}): {headers:?} vs {:?}",
                v.provider,
                v.source,
                v.headers
            );
            reproduced.push(format!("{} (default port): {}", v.provider, v.source));
        }
    }
    // 42 official + 49 derived, less 2 Adyen classic, Mailgun, 2 SendGrid, Twitch, Orb,
    // Box, Contentful, Microsoft Graph, Zoom's and X's challenge answers, 6 AWS SNS and
    // 2 PayPal.
    assert_eq!(reproduced.len(), 91 - 20, "{reproduced:#?}");
}
