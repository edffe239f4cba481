#!/usr/bin/env bash
# The project's test command: works on a fresh machine with a Rust toolchain.
# Installs redis-server when it is missing (the replay tests start their own on a free
# loopback port) and the OpenSSL headers the benchmarks' build needs, runs every test in
# the workspace (with all features, and the core without default features), and checks
# that the benchmarks still build.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# The benchmarks compare against svix, whose build links the system OpenSSL.
pkg-config --exists openssl 2>/dev/null || missing+=(pkg-config libssl-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo test --workspace --all-features --locked
cargo test -p webhook-verify --no-default-features --locked
# Benchmarks (webhook-verify's and the webhook-benches crate) are run by scripts/bench.sh;
# here they only have to build.
cargo check --workspace --benches --all-features --locked
