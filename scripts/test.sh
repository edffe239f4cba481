#!/usr/bin/env bash
# The project's test command: works on a fresh machine with a Rust toolchain.
# Installs redis-server when it is missing (the replay tests start their own on a free
# loopback port) and the OpenSSL headers the benchmarks' build needs, runs every test in
# the workspace (with all features, and the core with only `std`), builds the core without
# std and runs the `no_std` check crate's host test, the reduced scale-out run, and checks
# that the benchmarks still build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

cargo test --workspace --all-features --locked
cargo test -p webhook-verify --no-default-features --features std --locked
# Without std (`#![no_std]` + alloc): the core builds, and the check crate's example
# verification gives the expected answers (with the core built without std).
cargo build -p webhook-verify --no-default-features --locked
cargo test -p webhook-verify-nostd-check --locked
# The scale-out proof at a reduced size: 4 listeners, 2 workers, 1 000 deliveries with
# duplicates, one Redis SIGKILL and restart, one worker SIGKILL and restart (seconds with
# the debug binaries the tests above built; scripts/scaleout.sh runs 10 000 in release).
SCALEOUT_PROFILE=dev SCALEOUT_TIME_LIMIT=300 bash scripts/scaleout.sh 1000
# Benchmarks (webhook-verify's and the webhook-benches crate) are run by scripts/bench.sh;
# here they only have to build.
cargo check --workspace --benches --all-features --locked
