#!/usr/bin/env bash
# Runs every fuzz target (fuzz/, cargo-fuzz) for SECONDS each, one after the other, from
# the committed seeds in fuzz/seeds/<target> (never written to: new inputs go to
# fuzz/work/<target>). Prints one summary line per target: executions, seconds, result.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default: 60 seconds, every target)
#   RUNS=10000000 scripts/fuzz.sh 0 envelope  (a number of executions instead of a time)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); runs on the stable toolchain through
# RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only flags). A panic, a hang (10 s for one
# input) or memory over 512 MiB (a leak or an allocation proportional to the input) fails
# the run and leaves the input in fuzz/artifacts/<target>/.
#
# SANITIZER=none (the default) runs without AddressSanitizer: the crates forbid unsafe
# code, and the sanitizer costs 5-10x the executions per second. SANITIZER=address turns
# it on (and LeakSanitizer with it).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-60}"
shift || true
export RUSTC_BOOTSTRAP=1
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

sanitizer="${SANITIZER:-none}"
cargo fuzz build -s "$sanitizer"
status=0
for target in "${targets[@]}"; do
    mkdir -p "work/$target"
    log="work/$target.log"
    if [ -n "${RUNS:-}" ]; then
        limit=(-runs="$RUNS")
    else
        limit=(-max_total_time="$seconds")
    fi
    start=$(date +%s)
    if cargo fuzz run -s "$sanitizer" "$target" "work/$target" "seeds/$target" -- \
        "${limit[@]}" -timeout=10 -rss_limit_mb=512 -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
    fi
    took=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n1)
    echo "fuzz $target: ${execs:-?} executions in ${took}s, peak RSS ${rss:-?} MB," \
        "sanitizer $sanitizer: $result"
    if [ "$result" = FAILED ]; then
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -n 20 || true
    fi
done
exit "$status"
