#!/usr/bin/env bash
# The project's test command: works on a fresh machine with a Rust toolchain.
# Installs redis-server when it is missing (the replay tests start their own on a free
# loopback port) and the OpenSSL headers the benchmarks' build needs, runs every test in
# the workspace (with all features, and the core without default features), and checks
# that the benchmarks still build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

cargo test --workspace --all-features --locked
cargo test -p webhook-verify --no-default-features --locked
# Benchmarks (webhook-verify's and the webhook-benches crate) are run by scripts/bench.sh;
# here they only have to build.
cargo check --workspace --benches --all-features --locked
