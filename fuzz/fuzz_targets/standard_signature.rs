//! Standard Webhooks `webhook-signature` lists (`v1,<base64> v1a,<base64> …`) from arbitrary
//! bytes, the id and timestamp valid, against an HMAC (`whsec_`) verifier and an Ed25519
//! (`whpk_`) verifier chosen by the first byte: never a panic, and only a list that still
//! carries the signed value may verify.

#![no_main]

#[path = "../common/mod.rs"]
mod common;

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use webhook_verify::{Delivery, FixedClock, Provider, SignOptions, Signer, Verifier};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, value)) = data.split_first() else {
        return;
    };
    match choice % 3 {
        0 => common::fuzz_signature_value(&Provider::STANDARD_WEBHOOKS, value, false),
        1 => common::fuzz_signature_value(&Provider::SVIX, value, true),
        _ => {
            static V1A: LazyLock<(Vec<(String, String)>, Verifier)> = LazyLock::new(|| {
                let provider = Provider::STANDARD_WEBHOOKS;
                let good = Signer::new(&provider, common::WHSK)
                    .unwrap()
                    .sign(
                        common::BODY,
                        &SignOptions::new().timestamp(common::NOW).id(common::ID),
                    )
                    .unwrap();
                let verifier = Verifier::builder(provider)
                    .secret(common::WHPK)
                    .clock(FixedClock::from_unix(common::NOW))
                    .build()
                    .unwrap();
                (good, verifier)
            });
            let (good, verifier) = &*V1A;
            let headers = common::replace(good, "webhook-signature", value);
            let delivery = Delivery::new(&headers, common::BODY);
            if common::verify_and_exercise(verifier, &delivery) {
                let signed = &good
                    .iter()
                    .find(|(n, _)| n == "webhook-signature")
                    .unwrap()
                    .1;
                let sig = signed.split_once(',').unwrap().1.trim_end_matches('=');
                assert!(
                    value.windows(sig.len()).any(|w| w == sig.as_bytes()),
                    "a v1a list without the signed value verified"
                );
            }
        }
    }
});
