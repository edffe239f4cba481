//! Constant-time checks in the DudeCT style (`dudect-bencher`): two classes of inputs that
//! differ only in a secret-dependent way are timed, interleaved at random, and Welch's
//! t-test compares the two distributions. |t| above 5 is strong evidence that the time
//! depends on the class; below 5 at a large `n`, no dependence was found.
//!
//! Run with `scripts/timing.sh` (release build; `--continuous NAME` keeps sampling one).
//!
//! - `mismatch_first_vs_last_*`: a rejected signature that differs from the right one in
//!   its first byte vs in its last byte (Standard Webhooks base64, Stripe hex, GitHub hex).
//! - `control_same_position_standard`: both classes wrong in the first byte, by different
//!   bits. Decoding reads tables indexed by the (public) characters sent; this control
//!   shows what differing characters alone cost, with no difference in position.
//! - `mismatch_vs_random_standard`: one wrong byte vs an unrelated signature, and its
//!   control `control_random_vs_random_standard`: two unrelated signatures.
//! - `rotation_first_vs_last_key`: with three keys configured, a delivery signed with the
//!   first key vs one signed with the last.
//!
//! Both classes are verified from the same header buffer (the value is copied in before
//! each timed call), so addresses and alignment are the same for both; only the bytes
//! differ.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main};
use webhook_verify::{Delivery, FixedClock, Provider, SignOptions, Signer, Verifier};

const NOW: i64 = 1_700_000_000;
/// Samples per check: `TIMING_SAMPLES`, by default one million.
fn samples() -> usize {
    std::env::var("TIMING_SAMPLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000)
}
const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid","data":{"object":{"amount":500}}}"#;
const STANDARD_KEYS: [&str; 3] = [
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
    "whsec_dGltaW5nIGtleSB0aHJlZSAwMTIzNDU2Nzg5",
];

/// A small deterministic generator for the class sequence (independent of the bencher's).
struct Coin(u64);

impl Coin {
    fn flip(&mut self) -> bool {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 & 1 == 1
    }
}

fn verifier(provider: Provider, keys: &[&str]) -> Verifier {
    let mut builder = Verifier::builder(provider).clock(FixedClock::from_unix(NOW));
    for key in keys {
        builder = builder.secret(*key);
    }
    builder.build().unwrap()
}

fn sign(provider: &Provider, secret: &str) -> Vec<(String, String)> {
    Signer::new(provider, secret)
        .unwrap()
        .sign(BODY, &SignOptions::new().timestamp(NOW).id("msg_timing"))
        .unwrap()
}

/// The decoded tag and a function that encodes a tag back into the header value.
type Codec = (Vec<u8>, Box<dyn Fn(&[u8]) -> String>);

fn codec(provider: &Provider, value: &str) -> Codec {
    match provider.name() {
        "standard" => {
            let tag = B64.decode(&value[3..]).unwrap();
            (tag, Box::new(|t: &[u8]| format!("v1,{}", B64.encode(t))))
        }
        "stripe" => {
            let (t, hex_tag) = value.split_once(",v1=").unwrap();
            let t = t.to_owned();
            (
                hex::decode(hex_tag).unwrap(),
                Box::new(move |tag: &[u8]| format!("{t},v1={}", hex::encode(tag))),
            )
        }
        _ => {
            let hex_tag = value.strip_prefix("sha256=").unwrap();
            (
                hex::decode(hex_tag).unwrap(),
                Box::new(|tag: &[u8]| format!("sha256={}", hex::encode(tag))),
            )
        }
    }
}

/// Times `verifier` on `left` and `right` (two header sets of the same names), interleaved
/// by a coin, each copied into one reused buffer before its timed call; `expect_ok` is
/// what verification must return.
fn sample(
    runner: &mut CtRunner,
    verifier: &Verifier,
    left: &[(String, String)],
    right: &[(String, String)],
    expect_ok: bool,
    seed: u64,
) {
    let mut buffer: Vec<(String, String)> = left
        .iter()
        .map(|(n, v)| (n.clone(), String::with_capacity(v.len().max(256))))
        .collect();
    let mut coin = Coin(seed);
    for _ in 0..samples() {
        let (class, source) = if coin.flip() {
            (Class::Left, left)
        } else {
            (Class::Right, right)
        };
        for ((_, to), (_, from)) in buffer.iter_mut().zip(source) {
            to.clear();
            to.push_str(from);
        }
        let headers = &buffer;
        runner.run_one(class, || {
            assert_eq!(
                verifier.verify(&Delivery::new(headers, BODY)).is_ok(),
                expect_ok
            );
        });
    }
}

/// Times rejected deliveries whose signature differs from the valid one in its first byte
/// (Left) or in its last byte (Right).
fn first_vs_last(runner: &mut CtRunner, provider: Provider, secret: &str) {
    let verifier = verifier(provider.clone(), &[secret]);
    let good = sign(&provider, secret);
    let (tag, encode) = codec(&provider, &good[0].1);
    let with_tag = |at: usize, bits: u8| {
        let mut t = tag.clone();
        t[at] ^= bits;
        let mut headers = good.clone();
        headers[0].1 = encode(&t);
        headers
    };
    let left = with_tag(0, 0x01);
    let right = with_tag(tag.len() - 1, 0x01);
    sample(
        runner,
        &verifier,
        &left,
        &right,
        false,
        0x9e37_79b9_7f4a_7c15,
    );
}

fn mismatch_first_vs_last_standard(runner: &mut CtRunner, _rng: &mut BenchRng) {
    first_vs_last(runner, Provider::STANDARD_WEBHOOKS, STANDARD_KEYS[0]);
}

fn mismatch_first_vs_last_stripe(runner: &mut CtRunner, _rng: &mut BenchRng) {
    first_vs_last(runner, Provider::STRIPE, "whsec_timing_stripe");
}

fn mismatch_first_vs_last_github(runner: &mut CtRunner, _rng: &mut BenchRng) {
    first_vs_last(runner, Provider::GITHUB, "timing-github-secret");
}

/// One wrong byte (Left) vs a signature unrelated to the right one (Right).
fn mismatch_vs_random_standard(runner: &mut CtRunner, _rng: &mut BenchRng) {
    let provider = Provider::STANDARD_WEBHOOKS;
    let verifier = verifier(provider.clone(), &STANDARD_KEYS[..1]);
    let good = sign(&provider, STANDARD_KEYS[0]);
    let (tag, encode) = codec(&provider, &good[0].1);
    let mut near = tag.clone();
    near[16] ^= 0x80;
    let far: Vec<u8> = tag.iter().map(|b| b ^ 0xa5).collect();
    let mut left = good.clone();
    left[0].1 = encode(&near);
    let mut right = good.clone();
    right[0].1 = encode(&far);
    sample(
        runner,
        &verifier,
        &left,
        &right,
        false,
        0x2545_f491_4f6c_dd1d,
    );
}

/// Both wrong in the first byte, by different bits: no difference in position.
fn control_same_position_standard(runner: &mut CtRunner, _rng: &mut BenchRng) {
    let provider = Provider::STANDARD_WEBHOOKS;
    let verifier = verifier(provider.clone(), &STANDARD_KEYS[..1]);
    let good = sign(&provider, STANDARD_KEYS[0]);
    let (tag, encode) = codec(&provider, &good[0].1);
    let with_bits = |bits: u8| {
        let mut t = tag.clone();
        t[0] ^= bits;
        let mut headers = good.clone();
        headers[0].1 = encode(&t);
        headers
    };
    sample(
        runner,
        &verifier,
        &with_bits(0x01),
        &with_bits(0x10),
        false,
        0x5851_f42d_4c95_7f2d,
    );
}

/// Both wrong in every byte, by different patterns: no difference in how far the
/// comparison could get, only in the characters sent (the control for
/// `mismatch_vs_random_standard`).
fn control_random_vs_random_standard(runner: &mut CtRunner, _rng: &mut BenchRng) {
    let provider = Provider::STANDARD_WEBHOOKS;
    let verifier = verifier(provider.clone(), &STANDARD_KEYS[..1]);
    let good = sign(&provider, STANDARD_KEYS[0]);
    let (tag, encode) = codec(&provider, &good[0].1);
    let with_pattern = |x: u8| {
        let t: Vec<u8> = tag.iter().map(|b| b ^ x).collect();
        let mut headers = good.clone();
        headers[0].1 = encode(&t);
        headers
    };
    sample(
        runner,
        &verifier,
        &with_pattern(0x5a),
        &with_pattern(0xa5),
        false,
        0x0fed_cba9_8765_4321,
    );
}

/// Three keys configured: a delivery signed with the first (Left) or the last (Right).
fn rotation_first_vs_last_key(runner: &mut CtRunner, _rng: &mut BenchRng) {
    let provider = Provider::STANDARD_WEBHOOKS;
    let verifier = verifier(provider.clone(), &STANDARD_KEYS);
    let left = sign(&provider, STANDARD_KEYS[0]);
    let right = sign(&provider, STANDARD_KEYS[2]);
    sample(
        runner,
        &verifier,
        &left,
        &right,
        true,
        0x1234_5678_9abc_def1,
    );
}

ctbench_main!(
    mismatch_first_vs_last_standard,
    mismatch_first_vs_last_stripe,
    mismatch_first_vs_last_github,
    control_same_position_standard,
    control_random_vs_random_standard,
    mismatch_vs_random_standard,
    rotation_first_vs_last_key
);
