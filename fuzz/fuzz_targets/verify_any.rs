//! The whole `verify` path for every built-in provider with arbitrary header names, values,
//! URL, clock and body, with one key or two (rotation): verification, the error's status and
//! the diagnosis never panic, and whatever verifies can be read without a panic.
//!
//! Input: a provider selector byte, a flags byte, then sections split by 0xff: the clock
//! (decimal seconds), the URL, one section per header (`name 0xfe value`; without 0xfe the
//! name is the provider's n-th header, n being the first byte) and the body last.

#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use webhook_verify::{Delivery, FixedClock, Provider, Verifier};

fuzz_target!(|data: &[u8]| {
    let [selector, flags, rest @ ..] = data else {
        return;
    };
    let providers = Provider::all();
    let provider = &providers[usize::from(*selector) % providers.len()];
    let sections: Vec<&[u8]> = rest.split(|&b| b == 0xff).collect();
    let [now, url, headers @ .., body] = &sections[..] else {
        return;
    };
    let now = std::str::from_utf8(now)
        .ok()
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(common::NOW);
    let names = provider.headers();
    let headers: Vec<(String, &[u8])> = headers
        .iter()
        .map(|h| match h.iter().position(|&b| b == 0xfe) {
            Some(i) => (String::from_utf8_lossy(&h[..i]).into_owned(), &h[i + 1..]),
            None => {
                let n = h.first().map_or(0, |&b| usize::from(b));
                (
                    names[n % names.len()].to_owned(),
                    h.get(1..).unwrap_or_default(),
                )
            }
        })
        .collect();
    let mut builder = Verifier::builder(provider.clone()).clock(FixedClock::from_unix(now));
    if flags & 1 == 1 {
        builder = builder.secret(common::other_secret(provider));
    }
    let verifier = builder
        .secret(common::verify_secret(provider))
        .build()
        .expect("the fuzz secrets are valid");
    let mut delivery = Delivery::new(&headers, body.to_vec());
    if flags & 2 == 0 {
        if let Ok(url) = std::str::from_utf8(url) {
            delivery = delivery.with_url(url);
        }
    }
    common::verify_and_exercise(&verifier, &delivery);
});
