//! Every signing provider's signature header value (hex, base64, prefixed, key=value
//! lists) from arbitrary bytes, every other input valid: decoding (wrong lengths, uppercase
//! hex, unpadded base64, non-zero trailing bits) and comparison never panic, and only a
//! value that still carries the signed MAC may verify.

#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use webhook_verify::Provider;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, value)) = data.split_first() else {
        return;
    };
    let providers = Provider::all();
    let provider = &providers[usize::from(selector) % providers.len()];
    common::fuzz_signature_value(provider, value, selector >= 128);
});
