//! Sign-then-verify for every provider that can be signed here, over arbitrary bodies: the
//! untouched delivery verifies (and every accessor and envelope reads it without a panic),
//! or is refused as a malformed body when the scheme cannot carry it unambiguously;
//! one byte changed in the signature header, or in a signed body, is refused.
//!
//! Input: a provider selector, a mutation byte (0: none, 1: signature header, 2: body,
//! 3: signature header truncated), a position byte, an XOR byte, then the body.

#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use webhook_verify::{Delivery, ErrorKind, Provider};

fuzz_target!(|data: &[u8]| {
    let [selector, mutation, position, xor, body @ ..] = data else {
        return;
    };
    let providers = Provider::all();
    let provider = &providers[usize::from(*selector) % providers.len()];
    let Some(headers) = common::signed_headers(provider, body) else {
        return;
    };
    let verifier = common::verifier(provider, selector & 0x80 != 0);
    let delivery = Delivery::new(&headers, body.to_vec()).with_url(common::URL);
    match verifier.verify(&delivery) {
        Ok(verified) => common::exercise_verified(&verified),
        // A body the scheme cannot carry unambiguously (a digit right after a timestamp
        // signed without a separator) is refused, never verified: nothing to mutate.
        Err(e) if e.kind() == ErrorKind::MalformedBody => return,
        Err(e) => panic!(
            "{}: a freshly signed delivery did not verify: {e}",
            provider.name()
        ),
    }
    let xor = if *xor == 0 { 1 } else { *xor };
    // The signer lists the signature header first.
    let (name, signature) = &headers[0];
    match mutation % 4 {
        1 | 3 => {
            let mut value = signature.as_bytes().to_vec();
            let at = usize::from(*position) % value.len();
            if mutation % 4 == 1 {
                value[at] ^= xor;
            } else {
                value.truncate(at);
            }
            if value.trim_ascii() == signature.as_bytes() {
                return;
            }
            let mutated = common::replace(&headers, name, &value);
            let delivery = Delivery::new(&mutated, body.to_vec()).with_url(common::URL);
            assert!(
                !common::verify_and_exercise(verifier, &delivery),
                "{}: a changed signature header {:?} verified",
                provider.name(),
                String::from_utf8_lossy(&value)
            );
        }
        2 if !body.is_empty() && body_is_signed_bytes(provider) => {
            let mut changed = body.to_vec();
            let at = usize::from(*position) % changed.len();
            changed[at] ^= xor;
            let delivery = Delivery::new(&headers, changed).with_url(common::URL);
            assert!(
                !common::verify_and_exercise(verifier, &delivery),
                "{}: a changed body verified",
                provider.name()
            );
        }
        _ => {}
    }
});

/// Whether the signature covers the body's bytes as sent: not the shared credentials
/// (GitLab's token, Chargebee's and Postmark's basic auth, Okta's Authorization value),
/// and not Twilio's and Mandrill's form signatures (they cover the decoded parameters, so
/// `+` and `%20` agree).
fn body_is_signed_bytes(provider: &Provider) -> bool {
    !matches!(
        provider.name(),
        "gitlab" | "postmark" | "chargebee" | "okta" | "twilio" | "mandrill"
    )
}
