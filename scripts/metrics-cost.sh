#!/usr/bin/env bash
# What the `metrics` feature costs with no recorder installed: instructions per delivery
# counted by callgrind (deterministic, whatever else the machine runs), for the core's
# verify and for the receive path, built without and with the feature.
# Needs valgrind (apt-get install valgrind). Takes ~3 min of build the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
N=2000
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # binary mode n -> total instructions
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$1" "$2" "$3" >/dev/null 2>&1
    callgrind_annotate "$out/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
for features in "" "metrics"; do
    cargo build --release --locked -q -p webhook-benches --bin metrics-cost ${features:+--features $features}
    cp target/release/metrics-cost "$out/bin"
    for mode in verify receive; do
        base=$(count "$out/bin" "$mode" 0)
        total=$(count "$out/bin" "$mode" "$N")
        echo "${features:-no metrics} $mode: $(( (total - base) / N )) instructions per delivery"
    done
done
