//! `verify` beside a bare HMAC-SHA256 of the same bytes, at 256 B, 1 KiB, 16 KiB and 1 MiB.
//!
//! Run with `cargo bench -p webhook-verify --bench verify`; BENCHMARKS.md records a run.

use std::hint::black_box;

use base64::Engine as _;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use webhook_verify::{Delivery, FixedClock, Provider, SignOptions, Signer, Verifier};

const SIZES: [usize; 4] = [256, 1024, 16 * 1024, 1024 * 1024];
const NOW: i64 = 1_700_000_000;
const STRIPE_SECRET: &str = "whsec_test_secret";
const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const MSG_ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";

fn body(len: usize) -> Bytes {
    Bytes::from(
        (0..len)
            .map(|i| b"abcdefghijklmnopqrstuvwxyz{}\":, "[i % 32])
            .collect::<Vec<u8>>(),
    )
}

fn header_map(pairs: Vec<(String, String)>) -> http::HeaderMap {
    pairs
        .into_iter()
        .map(|(k, v)| (k.parse::<http::HeaderName>().unwrap(), v.parse().unwrap()))
        .collect()
}

fn verifier(p: Provider, secret: &str) -> Verifier {
    Verifier::builder(p)
        .secret(secret)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    for size in SIZES {
        let body = body(size);
        group.throughput(Throughput::Bytes(size as u64));
        if size >= 1024 * 1024 {
            group.sample_size(20);
        } else {
            group.sample_size(100);
        }

        // A hand-rolled check: key the MAC, hash `{t}.{body}`, compare the tag.
        let stripe_headers = Signer::new(&Provider::STRIPE, STRIPE_SECRET)
            .unwrap()
            .sign(&body, &SignOptions::new().timestamp(NOW))
            .unwrap();
        let tag = hex::decode(stripe_headers[0].1.split("v1=").nth(1).unwrap()).unwrap();
        let ts = NOW.to_string();
        group.bench_with_input(
            BenchmarkId::new("bare_hmac_sha256", size),
            &body,
            |b, body| {
                b.iter(|| {
                    let mut mac = Hmac::<Sha256>::new_from_slice(STRIPE_SECRET.as_bytes()).unwrap();
                    mac.update(ts.as_bytes());
                    mac.update(b".");
                    mac.update(black_box(body));
                    black_box(mac.verify_slice(&tag).is_ok())
                })
            },
        );

        let map = header_map(stripe_headers);
        let v = verifier(Provider::STRIPE, STRIPE_SECRET);
        group.bench_with_input(BenchmarkId::new("stripe", size), &body, |b, body| {
            b.iter(|| {
                let d = Delivery::new(&map, body.clone());
                black_box(v.verify(black_box(&d)).unwrap())
            })
        });

        // The same hand-rolled check over Standard Webhooks' signed bytes `{id}.{ts}.{body}`.
        let sw = Signer::new(&Provider::STANDARD_WEBHOOKS, SW_SECRET)
            .unwrap()
            .sign(&body, &SignOptions::new().timestamp(NOW).id(MSG_ID))
            .unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        let sw_key = b64.decode(SW_SECRET.trim_start_matches("whsec_")).unwrap();
        let sw_sig = &sw.iter().find(|(k, _)| k == "webhook-signature").unwrap().1;
        let sw_tag = b64.decode(sw_sig.trim_start_matches("v1,")).unwrap();
        group.bench_with_input(
            BenchmarkId::new("bare_hmac_sha256_standard", size),
            &body,
            |b, body| {
                b.iter(|| {
                    let mut mac = Hmac::<Sha256>::new_from_slice(&sw_key).unwrap();
                    mac.update(MSG_ID.as_bytes());
                    mac.update(b".");
                    mac.update(ts.as_bytes());
                    mac.update(b".");
                    mac.update(black_box(body));
                    black_box(mac.verify_slice(&sw_tag).is_ok())
                })
            },
        );
        let map = header_map(sw);
        let v = verifier(Provider::STANDARD_WEBHOOKS, SW_SECRET);
        group.bench_with_input(
            BenchmarkId::new("standard_webhooks", size),
            &body,
            |b, body| {
                b.iter(|| {
                    let d = Delivery::new(&map, body.clone());
                    black_box(v.verify(black_box(&d)).unwrap())
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
