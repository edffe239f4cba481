#!/usr/bin/env bash
# Constant-time checks (DudeCT t-tests, `benches/src/bin/timing.rs`): the time of a
# rejected verification does not depend on where the signature first differs, nor (with
# several keys) on which key matched. Prints one line per check; |max t| >= 5 is a leak.
#
#   scripts/timing.sh                      every check, TIMING_SAMPLES (default 1 000 000) each
#   scripts/timing.sh --filter rotation    only the checks whose name contains "rotation"
#   scripts/timing.sh --continuous NAME    keep sampling one check (Ctrl-C to stop)
#
# Run it on a quiet machine: other load adds noise (it cannot create a false leak between
# two interleaved classes, but it hides small ones).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p webhook-benches --bin timing
target="${CARGO_TARGET_DIR:-target}"
out=$(mktemp)
"$target/release/timing" "$@" | tee "$out"
status=0
while read -r line; do
    t=$(sed -n 's/.*max t = \([-+0-9.]*\).*/\1/p' <<<"$line")
    [ -z "$t" ] && continue
    if awk -v t="$t" 'BEGIN { exit !(t >= 5 || t <= -5) }'; then
        echo "LEAK: $line"
        status=1
    fi
done <"$out"
rm -f "$out"
exit "$status"
