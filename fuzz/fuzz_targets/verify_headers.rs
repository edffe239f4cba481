//! Every provider's header parsing (signature lists, key=value lists, timestamps, ids) and
//! body-carried signatures (Mailgun, Adyen) against arbitrary bytes: verification must
//! return (an error, for these inputs), never panic.
//!
//! Input: a provider selector byte, then the values of the provider's headers in order,
//! split by 0xff; what is left over is the body.

#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use webhook_verify::{Delivery, Provider};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let providers = Provider::all();
    let provider = &providers[usize::from(selector) % providers.len()];
    let mut parts = rest.split(|&b| b == 0xff);
    let names = provider.headers();
    let mut headers: Vec<(&str, &[u8])> = Vec::new();
    for name in &names {
        if let Some(value) = parts.next() {
            headers.push((name, value));
        }
    }
    let body: Vec<u8> = parts.flat_map(|p| p.iter().copied()).collect();
    let delivery = Delivery::new(&headers, body).with_url(common::URL);
    common::verify_and_exercise(common::verifier(provider, selector >= 128), &delivery);
});
