//! `Stripe-Signature` (`t=…,v1=…,v0=…` lists) from arbitrary bytes, the other inputs valid:
//! the parser, the hex decoder and the comparison must never panic, and only a value that
//! still carries the signed MAC may verify. Even lengths verify with a rotated-out key first.

#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use webhook_verify::Provider;

fuzz_target!(|data: &[u8]| {
    common::fuzz_signature_value(&Provider::STRIPE, data, data.len() % 2 == 0);
});
