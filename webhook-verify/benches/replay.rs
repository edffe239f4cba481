//! The in-memory replay store's claim + commit of a fresh key.
//!
//! Run with `cargo bench -p webhook-verify --bench replay`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use webhook_verify::replay::{Claim, MemoryStore, ReplayStore};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    // The memory store's futures are ready at once.
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn bench(c: &mut Criterion) {
    let store = MemoryStore::new();
    let keys: Vec<String> = (0..1_000_000)
        .map(|i| format!("stripe:evt_{i:024}"))
        .collect();
    let mut i = 0;
    c.bench_function("memory_claim_commit", |b| {
        b.iter(|| {
            let key = &keys[i % keys.len()];
            i += 1;
            let claim = block_on(store.claim(key, i as u128, Duration::from_secs(60))).unwrap();
            black_box(claim == Claim::New);
            block_on(store.commit(key, i as u128, Duration::from_secs(86_400))).unwrap();
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
