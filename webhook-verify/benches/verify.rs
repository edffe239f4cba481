//! `verify` beside a bare HMAC-SHA256 of the same bytes, at 256 B, 1 KiB, 16 KiB and 1 MiB,
//! as users run it: a verifier with every default (the system clock), a real delivery's
//! headers, and the body owned (`Bytes`) or borrowed (`&[u8]`, the `*_borrowed` rows).
//!
//! Run with `cargo bench -p webhook-verify --bench verify` for a quick check of the core;
//! BENCHMARKS.md records `scripts/bench.sh`'s runs of the `webhook-benches` comparison,
//! which measures the same way beside other verifiers.

use std::hint::black_box;

use base64::Engine as _;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use webhook_verify::{Delivery, Provider, SignOptions, Signer, Verifier};

const SIZES: [usize; 4] = [256, 1024, 16 * 1024, 1024 * 1024];
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

/// A delivery's headers as a server hands them over: the client's own, then the provider's.
fn header_map(len: usize, provider: Vec<(String, String)>) -> http::HeaderMap {
    let client = [
        ("content-type", "application/json; charset=utf-8".to_owned()),
        (
            "user-agent",
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)".to_owned(),
        ),
        ("content-length", len.to_string()),
        ("accept", "*/*; q=0.5, application/xml".to_owned()),
        ("accept-encoding", "gzip".to_owned()),
    ];
    client
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .chain(provider)
        .map(|(k, v)| (k.parse::<http::HeaderName>().unwrap(), v.parse().unwrap()))
        .collect()
}

/// Seconds since the epoch, from the system clock.
fn now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_secs()).unwrap()
}

fn bench(c: &mut Criterion) {
    let now = now();
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
            .sign(&body, &SignOptions::new().timestamp(now))
            .unwrap();
        let tag = hex::decode(stripe_headers[0].1.split("v1=").nth(1).unwrap()).unwrap();
        let ts = now.to_string();
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

        let map = header_map(size, stripe_headers);
        let v = Verifier::new(Provider::STRIPE, STRIPE_SECRET).unwrap();
        group.bench_with_input(BenchmarkId::new("stripe", size), &body, |b, body| {
            b.iter(|| black_box(v.verify(black_box(&Delivery::new(&map, body))).unwrap()))
        });
        group.bench_with_input(
            BenchmarkId::new("stripe_borrowed", size),
            &body[..],
            |b, body| {
                b.iter(|| black_box(v.verify(black_box(&Delivery::new(&map, body))).unwrap()))
            },
        );

        // The same hand-rolled check over Standard Webhooks' signed bytes `{id}.{ts}.{body}`.
        let sw = Signer::new(&Provider::STANDARD_WEBHOOKS, SW_SECRET)
            .unwrap()
            .sign(&body, &SignOptions::new().timestamp(now).id(MSG_ID))
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
        let map = header_map(size, sw);
        let v = Verifier::new(Provider::STANDARD_WEBHOOKS, SW_SECRET).unwrap();
        group.bench_with_input(
            BenchmarkId::new("standard_webhooks", size),
            &body,
            |b, body| {
                b.iter(|| black_box(v.verify(black_box(&Delivery::new(&map, body))).unwrap()))
            },
        );
        group.bench_with_input(
            BenchmarkId::new("standard_webhooks_borrowed", size),
            &body[..],
            |b, body| {
                b.iter(|| black_box(v.verify(black_box(&Delivery::new(&map, body))).unwrap()))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
