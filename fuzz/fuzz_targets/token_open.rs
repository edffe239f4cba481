//! `TokenKey::open` on arbitrary text: malformed, forged or altered tokens are refused
//! without a panic, and a token sealed here opens to the same delivery.

#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use webhook_verify::{Delivery, Provider, TokenKey};

fuzz_target!(|data: &[u8]| {
    let key = TokenKey::new("fuzz token key, long enough for any minimum").expect("valid key");
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(verified) = key.open(text) {
            common::exercise_verified(&verified);
            // Only tokens this key sealed open: sealing again yields an equal delivery.
            let again = key.open(&key.seal(&verified)).expect("a fresh seal opens");
            assert_eq!(again.replay_key(), verified.replay_key());
        }
        let _ = key.open_with(text, Provider::all());
    }
    // Seal a delivery with a fuzzed body and id, then open it.
    let provider = Provider::STANDARD_WEBHOOKS;
    let Some(headers) = common::signed_headers(&provider, data) else {
        return;
    };
    let verified = common::verifier(&provider, false)
        .verify(&Delivery::new(&headers, data.to_vec()))
        .expect("a signed body verifies");
    let token = key.seal(&verified);
    let opened = key.open(&token).expect("a sealed token opens");
    assert_eq!(opened.body(), verified.body());
    assert_eq!(opened.replay_key(), verified.replay_key());
    let mut altered = token.into_bytes();
    let at = data.first().map_or(0, |&b| usize::from(b)) % altered.len();
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    if let Ok(text) = String::from_utf8(altered) {
        assert!(key.open(&text).is_err(), "an altered token opened");
    }
});
