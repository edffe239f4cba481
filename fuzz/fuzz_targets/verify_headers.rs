//! Every provider's header parsing (signature lists, key=value lists, timestamps, ids) and
//! body-carried signatures (Mailgun, Adyen) against arbitrary bytes: verification must
//! return (an error, for these inputs), never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_verify::{Delivery, FixedClock, Provider, Verifier};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let providers = Provider::all();
    let provider = &providers[usize::from(selector) % providers.len()];
    // Split the input into header values (separated by 0xff) and a body.
    let mut parts = rest.split(|&b| b == 0xff);
    let names = provider.headers();
    let mut headers: Vec<(&str, &[u8])> = Vec::new();
    for name in &names {
        if let Some(value) = parts.next() {
            headers.push((name, value));
        }
    }
    let body: Vec<u8> = parts.flat_map(|p| p.iter().copied()).collect();
    let secret = match provider.name() {
        "standard" | "svix" | "clerk" | "resend" | "gitlab" => {
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        }
        "discord" => "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8",
        "sendgrid" => {
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
        }
        "adyen" => "11223344D785FBAE710E7F943F307971BB61B21281C98C9129B3D4018A57B2EB",
        _ => "fuzz-secret",
    };
    let verifier = Verifier::builder(provider.clone())
        .secret(secret)
        .clock(FixedClock::from_unix(1_700_000_000))
        .build()
        .expect("the fuzz secrets are valid");
    let delivery = Delivery::new(&headers, body).with_url("https://example.com/hook?x=1");
    if let Err(e) = verifier.verify(&delivery) {
        let _ = e.status();
        let _ = verifier.diagnose(&delivery, &e);
    }
});
