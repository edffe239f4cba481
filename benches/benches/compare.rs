//! `webhook_verify` beside a bare HMAC-SHA256 of the same bytes and beside other
//! verifiers (`svix`, `standardwebhooks`, `async-stripe-webhook`), one criterion group per
//! body size (`compare_256`, `compare_1024`, `compare_16384`, `compare_1048576`); the
//! in-memory replay store (`replay`).
//!
//! Run with `cargo bench -p webhook-benches --bench compare`; `scripts/bench.sh` runs it
//! and writes BENCHMARKS.md from the results. Each setup is checked once before it is
//! timed, so a broken setup fails instead of timing a quick rejection.

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use webhook_benches::{
    GITHUB_SECRET, SIZES, STANDARD_MSG_ID, STANDARD_SECRET, STRIPE_EVENT_ID, STRIPE_SECRET,
    StripeEvent, delivery_headers, github_event, standard_event, stripe_event, unix_now,
    user_agent,
};
use webhook_verify::replay::{Claim, MemoryStore, ReplayStore};
use webhook_verify::{Delivery, Provider, SignOptions, Signer, Verifier};

/// A verifier as users build one: every default, so the system clock.
fn verifier(provider: Provider, secret: &str) -> Verifier {
    Verifier::new(provider, secret).expect("a verifier")
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    &headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("the signer sets {name}"))
        .1
}

/// A hand-rolled check: key the MAC, hash the signed parts, compare the tag.
fn bare_hmac(key: &[u8], parts: &[&[u8]], tag: &[u8]) {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(black_box(part));
    }
    mac.verify_slice(tag).expect("the tag matches");
}

fn stripe(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    size: usize,
) {
    // Timestamps are real (async-stripe-webhook reads the system clock, 300 s tolerance).
    let now = unix_now();
    let text = stripe_event(size, now);
    let body = Bytes::from(text.clone());
    let signed = Signer::new(&Provider::STRIPE, STRIPE_SECRET)
        .expect("a signer")
        .sign(&body, &SignOptions::new().timestamp(now))
        .expect("signed");
    let sig = header(&signed, "stripe-signature").to_owned();
    let tag = hex::decode(sig.split_once("v1=").expect("a v1 signature").1).expect("hex");
    let ts = now.to_string();

    bare_hmac(
        STRIPE_SECRET.as_bytes(),
        &[ts.as_bytes(), b".", &body],
        &tag,
    );
    group.bench_function("bare_hmac_stripe", |b| {
        b.iter(|| {
            bare_hmac(
                STRIPE_SECRET.as_bytes(),
                &[ts.as_bytes(), b".", &body],
                &tag,
            )
        })
    });

    let map = delivery_headers(user_agent::STRIPE, body.len(), &signed);
    let v = verifier(Provider::STRIPE, STRIPE_SECRET);
    let verified = v.verify(&Delivery::new(&map, &body)).expect("verified");
    assert_eq!(verified.id(), Some(STRIPE_EVENT_ID));
    // Owned: the `Bytes` a server hands over.
    group.bench_function("ours_stripe", |b| {
        b.iter(|| black_box(v.verify(black_box(&Delivery::new(&map, &body))).unwrap()))
    });
    // Borrowed: a `&[u8]` (Lambda, hyper, tests).
    let slice: &[u8] = &body;
    group.bench_function("ours_stripe_borrowed", |b| {
        b.iter(|| {
            black_box(
                v.verify(black_box(&Delivery::new(&map, black_box(slice))))
                    .unwrap(),
            )
        })
    });

    // Verify, then parse into a typed event: what `construct_event` below also does.
    let event: StripeEvent = verified.json().expect("a Stripe event");
    assert_eq!(event.data.object.id, "cus_NffrFeUfNV2Hib");
    group.bench_function("ours_stripe_typed", |b| {
        b.iter(|| {
            let verified = v.verify(black_box(&Delivery::new(&map, &body))).unwrap();
            black_box(verified.json::<StripeEvent>().unwrap())
        })
    });

    // async-stripe-webhook takes the body as `&str` (converted here, untimed) and the
    // signature header's value; it verifies, then parses the event and its typed object.
    let event = stripe_webhook::Webhook::construct_event(&text, &sig, STRIPE_SECRET)
        .expect("async-stripe-webhook verifies the delivery");
    assert_eq!(event.id.as_str(), STRIPE_EVENT_ID);
    assert!(
        matches!(
            event.data.object,
            stripe_webhook::EventObject::CustomerCreated(_)
        ),
        "async-stripe-webhook parses a typed customer"
    );
    group.bench_function("async_stripe_construct_event", |b| {
        b.iter(|| {
            black_box(
                stripe_webhook::Webhook::construct_event(black_box(&text), &sig, STRIPE_SECRET)
                    .unwrap(),
            )
        })
    });

    // Parsing alone, typed and untyped.
    group.bench_function("parse_typed", |b| {
        b.iter(|| black_box(serde_json::from_slice::<StripeEvent>(black_box(&body)).unwrap()))
    });
    group.bench_function("parse_value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap()))
    });

    // Our typed event: the Stripe envelope read from the verified delivery (type, id) and
    // `data.object` parsed into the customer, as the event router does for each handler.
    let envelope = webhook_verify::Envelope::stripe();
    let event = envelope
        .parse::<webhook_benches::Customer>(&verified)
        .expect("a typed Stripe event");
    assert_eq!(
        (event.name(), event.data().id.as_str()),
        ("customer.created", "cus_NffrFeUfNV2Hib")
    );
    group.bench_function("parse_event", |b| {
        b.iter(|| {
            black_box(
                envelope
                    .parse::<webhook_benches::Customer>(black_box(&verified))
                    .unwrap(),
            )
        })
    });
}

fn standard(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    size: usize,
) {
    // svix and standardwebhooks read the system clock (5 min tolerance).
    let now = unix_now();
    let body = Bytes::from(standard_event(size));
    let signed = Signer::new(&Provider::STANDARD_WEBHOOKS, STANDARD_SECRET)
        .expect("a signer")
        .sign(
            &body,
            &SignOptions::new().timestamp(now).id(STANDARD_MSG_ID),
        )
        .expect("signed");
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(STANDARD_SECRET.trim_start_matches("whsec_"))
        .expect("base64");
    let sig = header(&signed, "webhook-signature");
    let tag = b64
        .decode(sig.strip_prefix("v1,").expect("a v1 signature"))
        .expect("base64");
    let ts = now.to_string();
    let parts: [&[u8]; 5] = [STANDARD_MSG_ID.as_bytes(), b".", ts.as_bytes(), b".", &body];

    bare_hmac(&key, &parts, &tag);
    group.bench_function("bare_hmac_standard", |b| {
        b.iter(|| bare_hmac(&key, &parts, &tag))
    });

    let map = delivery_headers(user_agent::SVIX, body.len(), &signed);
    let v = verifier(Provider::STANDARD_WEBHOOKS, STANDARD_SECRET);
    let verified = v.verify(&Delivery::new(&map, &body)).expect("verified");
    assert_eq!(verified.id(), Some(STANDARD_MSG_ID));
    group.bench_function("ours_standard", |b| {
        b.iter(|| black_box(v.verify(black_box(&Delivery::new(&map, &body))).unwrap()))
    });
    let slice: &[u8] = &body;
    group.bench_function("ours_standard_borrowed", |b| {
        b.iter(|| {
            black_box(
                v.verify(black_box(&Delivery::new(&map, black_box(slice))))
                    .unwrap(),
            )
        })
    });

    // The same `webhook-*` headers, as an `http::HeaderMap`.
    let wh = svix::webhooks::Webhook::new(STANDARD_SECRET).expect("a svix verifier");
    wh.verify(&body, &map).expect("svix verifies the delivery");
    group.bench_function("svix", |b| {
        b.iter(|| wh.verify(black_box(&body), black_box(&map)).unwrap())
    });

    let wh = standardwebhooks::Webhook::new(STANDARD_SECRET).expect("a verifier");
    wh.verify(&body, &map)
        .expect("standardwebhooks verifies the delivery");
    group.bench_function("standardwebhooks", |b| {
        b.iter(|| wh.verify(black_box(&body), black_box(&map)).unwrap())
    });
}

fn github(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    size: usize,
) {
    let body = Bytes::from(github_event(size));
    let mut signed = Signer::new(&Provider::GITHUB, GITHUB_SECRET)
        .expect("a signer")
        .sign(&body, &SignOptions::new())
        .expect("signed");
    signed.push(("x-github-event".to_owned(), "issues".to_owned()));
    signed.push((
        "x-github-delivery".to_owned(),
        "72d3162e-cc78-11e3-81ab-4c9367dc0958".to_owned(),
    ));
    let sig = header(&signed, "x-hub-signature-256");
    let tag = hex::decode(sig.strip_prefix("sha256=").expect("sha256=")).expect("hex");

    bare_hmac(GITHUB_SECRET.as_bytes(), &[&body], &tag);
    group.bench_function("bare_hmac_github", |b| {
        b.iter(|| bare_hmac(GITHUB_SECRET.as_bytes(), &[&body], &tag))
    });

    let map = delivery_headers(user_agent::GITHUB, body.len(), &signed);
    let v = verifier(Provider::GITHUB, GITHUB_SECRET);
    let verified = v.verify(&Delivery::new(&map, &body)).expect("verified");
    assert_eq!(verified.event_type(), Some("issues"));
    group.bench_function("ours_github", |b| {
        b.iter(|| black_box(v.verify(black_box(&Delivery::new(&map, &body))).unwrap()))
    });
}

fn compare(c: &mut Criterion) {
    for size in SIZES {
        let mut group = c.benchmark_group(format!("compare_{size}"));
        group.throughput(Throughput::Bytes(size as u64));
        if size >= 1024 * 1024 {
            // svix takes milliseconds here: fewer, longer samples.
            group.sample_size(20);
        }
        stripe(&mut group, size);
        standard(&mut group, size);
        github(&mut group, size);
        group.finish();
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    // The memory store's futures are ready at once.
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Claim + commit of a fresh key in a full store (100 000 keys), so each claim also evicts.
fn replay(c: &mut Criterion) {
    let store = MemoryStore::new();
    let keys: Vec<String> = (0..1_000_000)
        .map(|i| format!("stripe:evt_{i:024}"))
        .collect();
    let lease = Duration::from_secs(60);
    let retention = Duration::from_secs(86_400);
    assert_eq!(
        block_on(store.claim("stripe:check", 0, lease)),
        Ok(Claim::New)
    );
    block_on(store.commit("stripe:check", 0, retention)).expect("committed");
    assert_eq!(
        block_on(store.claim("stripe:check", 1, lease)),
        Ok(Claim::Done)
    );
    let mut i = 0;
    let mut group = c.benchmark_group("replay");
    group.bench_function("memory_claim_commit", |b| {
        b.iter(|| {
            let key = &keys[i % keys.len()];
            i += 1;
            let claim = block_on(store.claim(key, i as u128, lease)).unwrap();
            assert!(claim == Claim::New, "each key is fresh");
            block_on(store.commit(key, i as u128, retention)).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, compare, replay);
criterion_main!(benches);
