#!/usr/bin/env bash
# The project's test command: works on a fresh machine with a Rust toolchain.
# Runs every test in the workspace (with all features, and the core without default
# features), and checks that the benchmarks still build.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --all-features --locked
cargo test -p webhook-verify --no-default-features --locked
# Benchmarks are measured by hand (see BENCHMARKS.md); here they only have to build.
cargo check --workspace --benches --locked
