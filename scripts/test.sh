#!/usr/bin/env bash
# The project's test command: works on a fresh machine with a Rust toolchain.
# Installs redis-server when it is missing (the replay tests start their own on a free
# loopback port), runs every test in the workspace (with all features, and the core
# without default features), and checks that the benchmarks still build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
    echo "installing redis-server" >&2
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq redis-server >/dev/null
fi

cargo test --workspace --all-features --locked
cargo test -p webhook-verify --no-default-features --locked
# Benchmarks are measured by hand (see BENCHMARKS.md); here they only have to build.
cargo check --workspace --benches --all-features --locked
