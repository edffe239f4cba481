#!/usr/bin/env bash
# Runs every benchmark and rewrites BENCHMARKS.md from the results (see DESIGN.md §6).
# Works on a fresh machine with a Rust toolchain: installs wrk, redis-server (and the
# OpenSSL headers svix's build needs) when missing. Run it on a quiet machine: it takes
# about 20 minutes once built (a cold release build adds several), and anything else
# running shows in the figures.
#   BENCH_CRITERION_ARGS   criterion options (default: --warm-up-time 1 --measurement-time 5)
#   BENCH_WRK_SECONDS      seconds per wrk run (default: 10)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

bash scripts/setup.sh wrk curl

target=$(cargo metadata --format-version 1 --no-deps | sed 's/.*"target_directory":"\([^"]*\)".*/\1/')
results="$target/bench-results"
bin="$target/release"
criterion_args=${BENCH_CRITERION_ARGS:---warm-up-time 1 --measurement-time 5}
wrk_seconds=${BENCH_WRK_SECONDS:-10}
rm -rf "$results" "$target"/criterion/compare_* "$target"/criterion/replay
mkdir -p "$results/env" "$results/http"
cut -d' ' -f1-3 /proc/loadavg >"$results/env/loadavg.txt"
lscpu >"$results/env/lscpu.txt"
cp /proc/meminfo "$results/env/meminfo.txt"
cp /etc/os-release "$results/env/os-release.txt"
rustc -V >"$results/env/rustc.txt"
cargo -V >"$results/env/cargo.txt"
{ wrk -v 2>&1 || true; } | head -1 | cut -d' ' -f1-2 >"$results/env/wrk.txt"
redis-server --version | cut -d' ' -f1-3 >"$results/env/redis.txt"
date -u +%F >"$results/env/date.txt"

cargo build --release --locked -p webhook-benches --bins
bench_cmd="cargo bench --locked -p webhook-benches --bench compare -- $criterion_args --save-baseline run{1,2}"
wrk_cmd="wrk -t2 -c{16,64,256} -d${wrk_seconds}s -s post.lua http://127.0.0.1:PORT/webhook"
replay_cmd="replay-latency 20000"
invocation="bash scripts/bench.sh"
for v in BENCH_CRITERION_ARGS BENCH_WRK_SECONDS CARGO_TARGET_DIR; do
    if [ -n "${!v:-}" ]; then invocation="$v='${!v}' $invocation"; fi
done
printf '%s\n' "$invocation" "$bench_cmd" \
    "$wrk_cmd # axum and actix-web: unverified, verified, router at each count" \
    "$replay_cmd # the release binary, started by bench.sh" >"$results/commands.txt"

# 1. criterion: every comparison at every size, and the in-memory replay store; twice, so
#    the report can take the minimum of the two medians (a run disturbed by other work on
#    the machine is slower, never faster).
for run in run1 run2; do
    # shellcheck disable=SC2086
    cargo bench --locked -p webhook-benches --bench compare -- $criterion_args --save-baseline "$run"
done
cut -d' ' -f1-3 /proc/loadavg >"$results/env/loadavg-criterion.txt"

# 2. HTTP: each framework's endpoints (unverified, verified with in-memory replay
#    protection, the event router), loaded in turn.
"$bin/http-target" fixture "$results/http"
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
serve() { # framework mode -> sets $port
    local out="$results/http/$1-$2.port"
    "$bin/http-target" serve "$1" "$2" 0 >"$out" &
    servers+=($!)
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
    port=$(head -1 "$out")
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
post() { # port signature -> HTTP status
    curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -H "Stripe-Signature: $2" --data-binary "@$results/http/body.json" \
        "http://127.0.0.1:$1/webhook"
}
signature=$(cat "$results/http/signature.txt")
last=${signature: -1}
wrong=${signature%?}$([ "$last" = 0 ] && echo 1 || echo 0)
modes=(unverified verified router)
for fw in axum actix; do
    declare -A port_of pid_of
    for mode in "${modes[@]}"; do
        serve "$fw" "$mode" && port_of[$mode]=$port && pid_of[$mode]=${servers[-1]}
    done
    # Every endpoint answers 200 to the signed delivery; the verifying ones 401 to a wrong
    # signature.
    for mode in "${modes[@]}"; do
        [ "$(post "${port_of[$mode]}" "$signature")" = 200 ] || {
            echo "bench.sh: $fw $mode does not answer 200 to a signed delivery" >&2
            exit 1
        }
    done
    for mode in verified router; do
        [ "$(post "${port_of[$mode]}" "$wrong")" = 401 ] || {
            echo "bench.sh: $fw $mode does not refuse a wrong signature" >&2
            exit 1
        }
    done
    for mode in "${modes[@]}"; do
        wrk -t2 -c64 -d2s -s "$results/http/post.lua" "http://127.0.0.1:${port_of[$mode]}/webhook" >/dev/null
    done
    for c in 16 64 256; do
        for mode in "${modes[@]}"; do
            pid=${pid_of[$mode]}
            before=$(cpu_ticks "$pid")
            wrk -t2 -c"$c" -d"${wrk_seconds}s" -s "$results/http/post.lua" \
                "http://127.0.0.1:${port_of[$mode]}/webhook" | tee "$results/http/$fw-$mode-c$c.txt" |
                grep '^{' >"$results/http/$fw-$mode-c$c.json"
            # The server's CPU time during the run (user + system), in clock ticks.
            echo "$(($(cpu_ticks "$pid") - before)) $(getconf CLK_TCK)" >"$results/http/$fw-$mode-c$c.cpu"
            echo "$fw $mode c$c: $(cat "$results/http/$fw-$mode-c$c.json")"
        done
    done
    for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
    servers=()
    unset port_of pid_of
done

cut -d' ' -f1-3 /proc/loadavg >"$results/env/loadavg-http.txt"

# 3. The replay stores, delivery after delivery (Redis: a local redis-server).
"$bin/replay-latency" 20000 | tee "$results/replay.json"

# 4. BENCHMARKS.md
"$bin/bench-report" --criterion "$target/criterion" --results "$results" --lock Cargo.lock \
    --elapsed $((SECONDS - start)) --out BENCHMARKS.md
