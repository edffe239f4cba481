//! Writes BENCHMARKS.md from one run of `scripts/bench.sh`: the criterion medians
//! (`<criterion>/<group>/<bench>/new/estimates.json`), the `wrk` results
//! (`<results>/http/<framework>-<mode>-c<connections>.json`), the replay-store latencies
//! (`<results>/replay.json`) and what the script recorded about the machine
//! (`<results>/env/*`, `<results>/commands.txt`). Each ratio is checked against its
//! target in DESIGN.md §6 and marked met or missed.
//!
//! ```text
//! bench-report --criterion DIR --results DIR --lock Cargo.lock --elapsed SECS --out BENCHMARKS.md
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use webhook_benches::SIZES;

/// The connection counts `scripts/bench.sh` loads the HTTP targets with.
const CONNECTIONS: [u32; 3] = [16, 64, 256];
const FRAMEWORKS: [(&str, &str); 2] = [("axum", "axum"), ("actix", "actix-web")];
/// The crates whose versions the report states, as named in Cargo.lock.
const CRATES: [&str; 10] = [
    "svix",
    "standardwebhooks",
    "async-stripe-webhook",
    "hmac",
    "sha2",
    "criterion",
    "axum",
    "actix-web",
    "serde_json",
    "redis",
];

struct Args {
    criterion: PathBuf,
    results: PathBuf,
    lock: PathBuf,
    elapsed: u64,
    out: PathBuf,
}

fn args() -> Args {
    let mut map = BTreeMap::new();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        map.insert(flag, value);
    }
    let mut take = |flag: &str| {
        map.remove(flag)
            .unwrap_or_else(|| panic!("missing {flag} (see the doc comment of bench-report)"))
    };
    Args {
        criterion: take("--criterion").into(),
        results: take("--results").into(),
        lock: take("--lock").into(),
        elapsed: take("--elapsed").parse().expect("--elapsed: seconds"),
        out: take("--out").into(),
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Criterion's median of `group/bench`, in nanoseconds.
fn median(criterion: &Path, group: &str, bench: &str) -> f64 {
    let path = criterion
        .join(group)
        .join(bench)
        .join("new")
        .join("estimates.json");
    json(&path)["median"]["point_estimate"]
        .as_f64()
        .unwrap_or_else(|| panic!("{}: no median", path.display()))
}

/// A duration with four significant digits, in the unit criterion would print.
fn time(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value >= 100.0 {
        1
    } else if value >= 10.0 {
        2
    } else {
        3
    };
    format!("{value:.decimals$} {unit}")
}

fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

fn mark(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

/// One line of the summary: what, the figure, the target, met or not.
struct Target {
    what: String,
    figure: String,
    target: String,
    met: bool,
}

/// The version of `name` in Cargo.lock (several: joined with `, `).
fn lock_version(lock: &str, name: &str) -> String {
    let needle = format!("name = \"{name}\"\n");
    let versions: Vec<&str> = lock
        .match_indices(&needle)
        .filter_map(|(i, _)| {
            lock[i + needle.len()..]
                .strip_prefix("version = \"")
                .and_then(|rest| rest.split('"').next())
        })
        .collect();
    if versions.is_empty() {
        "?".to_owned()
    } else {
        versions.join(", ")
    }
}

fn env_line(results: &Path, file: &str) -> String {
    read(&results.join("env").join(file)).trim().to_owned()
}

fn lscpu_field<'a>(lscpu: &'a str, field: &str) -> &'a str {
    lscpu
        .lines()
        .find_map(|l| l.strip_prefix(field)?.trim_start().strip_prefix(':'))
        .map_or("?", str::trim)
}

fn machine(results: &Path) -> String {
    let lscpu = read(&results.join("env").join("lscpu.txt"));
    let model = lscpu_field(&lscpu, "Model name");
    let cpus = lscpu_field(&lscpu, "CPU(s)");
    let threads = lscpu_field(&lscpu, "Thread(s) per core");
    let sha_ni = lscpu_field(&lscpu, "Flags")
        .split_whitespace()
        .any(|f| f == "sha_ni");
    let mem_kib: u64 = read(&results.join("env").join("meminfo.txt"))
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let os = read(&results.join("env").join("os-release.txt"))
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map_or_else(|| "?".to_owned(), |v| v.trim_matches('"').to_owned());
    format!(
        "{model}, {cpus} CPUs ({threads} thread(s) per core), SHA-NI {}, {:.1} GiB memory, {os}",
        if sha_ni { "yes" } else { "no" },
        mem_kib as f64 / (1024.0 * 1024.0),
    )
}

/// Requests per second, latency (µs), error count and the server's CPU time per request
/// (µs) of one wrk run.
struct Wrk {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    errors: u64,
    cpu_us: f64,
}

fn wrk(results: &Path, framework: &str, mode: &str, connections: u32) -> Wrk {
    let name = format!("{framework}-{mode}-c{connections}");
    let v = json(&results.join("http").join(format!("{name}.json")));
    let cpu: Vec<f64> = read(&results.join("http").join(format!("{name}.cpu")))
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [ticks, per_second] = cpu[..] else {
        panic!("{name}.cpu: expected `TICKS CLK_TCK`");
    };
    let num = |key: &str| {
        v[key]
            .as_f64()
            .unwrap_or_else(|| panic!("wrk result without {key}"))
    };
    let errors = v["errors"]
        .as_object()
        .map_or(0, |e| e.values().filter_map(Value::as_u64).sum());
    Wrk {
        rps: num("requests") / (num("duration_us") / 1e6),
        p50_us: num("p50_us"),
        p99_us: num("p99_us"),
        errors,
        cpu_us: ticks / per_second * 1e6 / num("requests"),
    }
}

fn main() {
    let args = args();
    let c = &args.criterion;
    let lock = read(&args.lock);
    let mut targets: Vec<Target> = Vec::new();
    let mut body = String::new();

    // Core verify against a bare HMAC of the same bytes.
    let core_target = |bytes: usize| match bytes {
        256 => 1.30,
        1024 => 1.15,
        _ => 1.02,
    };
    body.push_str(
        "## `Verifier::verify` against a bare HMAC-SHA256 of the same bytes\n\n\
         Median times; each ratio is `ours / bare` from the same run.\n\n\
         | body | bare (Stripe) | `stripe` | ratio | target | bare (SW) | `standard_webhooks` | ratio | target | bare (GitHub) | `github` | ratio |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for bytes in SIZES {
        let g = format!("compare_{bytes}");
        let mut row = format!("| {} |", size(bytes));
        let limit = core_target(bytes);
        for (bare, ours, name) in [
            ("bare_hmac_stripe", "ours_stripe", "Stripe"),
            ("bare_hmac_standard", "ours_standard", "Standard Webhooks"),
        ] {
            let (b, o) = (median(c, &g, bare), median(c, &g, ours));
            let ratio = o / b;
            let met = ratio <= limit;
            let _ = write!(
                row,
                " {} | {} | **{ratio:.3}×** | ≤ {limit:.2}× {} |",
                time(b),
                time(o),
                mark(met)
            );
            targets.push(Target {
                what: format!("`verify` {name} / bare HMAC, {}", size(bytes)),
                figure: format!("{ratio:.3}×"),
                target: format!("≤ {limit:.2}×"),
                met,
            });
        }
        let (b, o) = (
            median(c, &g, "bare_hmac_github"),
            median(c, &g, "ours_github"),
        );
        let _ = writeln!(row, " {} | {} | {:.3}× |", time(b), time(o), o / b);
        body.push_str(&row);
    }
    body.push_str(
        "\nGitHub has no target of its own in DESIGN.md §6; it is here for comparison (its \
         signed bytes are the body alone).\n\n",
    );

    // Other verifiers.
    body.push_str(
        "## Other verifiers\n\n\
         Standard Webhooks deliveries (same body, same `webhook-*` headers as an \
         `http::HeaderMap`): `svix` and `standardwebhooks` against our `standard_webhooks`. \
         Stripe: `async-stripe-webhook`'s `construct_event` (verifies, then parses the event \
         and its typed `data.object`) against our `verify` followed by \
         `Verified::json::<StripeEvent>()` (a serde struct with the same fields).\n\n\
         | body | ours (SW) | `svix` | svix / ours | target | `standardwebhooks` | standardwebhooks / ours | ours verify + typed parse | `async-stripe` `construct_event` | async-stripe / ours |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for bytes in SIZES {
        let g = format!("compare_{bytes}");
        let ours = median(c, &g, "ours_standard");
        let svix = median(c, &g, "svix");
        let sw = median(c, &g, "standardwebhooks");
        let typed = median(c, &g, "ours_stripe_typed");
        let stripe = median(c, &g, "async_stripe_construct_event");
        let ratio = svix / ours;
        let met = ratio >= 6.0;
        let _ = writeln!(
            body,
            "| {} | {} | {} | **{ratio:.2}×** | ≥ 6× {} | {} | {:.2}× | {} | {} | {:.2}× |",
            size(bytes),
            time(ours),
            time(svix),
            mark(met),
            time(sw),
            sw / ours,
            time(typed),
            time(stripe),
            stripe / typed,
        );
        targets.push(Target {
            what: format!("`svix` / ours (Standard Webhooks), {}", size(bytes)),
            figure: format!("{ratio:.2}×"),
            target: "≥ 6×".to_owned(),
            met,
        });
    }

    // Parsing.
    body.push_str(
        "\n## Parsing the Stripe event\n\n\
         `serde_json::from_slice` of the verified body into the typed `StripeEvent` and into \
         a `serde_json::Value`; `Event<Customer>` is our typed event, \
         `Envelope::stripe().parse::<Customer>(&verified)`: the envelope's type and id read \
         without building the document, then `data.object` parsed into the customer, as the \
         event router does for each handler. `stripe` is the verification alone, for scale.\n\n\
         | body | typed struct | `serde_json::Value` | Value / typed | `Event<Customer>` | Value / `Event<Customer>` | `stripe` verify |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for bytes in SIZES {
        let g = format!("compare_{bytes}");
        let typed = median(c, &g, "parse_typed");
        let value = median(c, &g, "parse_value");
        let event = median(c, &g, "parse_event");
        let _ = writeln!(
            body,
            "| {} | {} | {} | {:.2}× | {} | {:.2}× | {} |",
            size(bytes),
            time(typed),
            time(value),
            value / typed,
            time(event),
            value / event,
            time(median(c, &g, "ours_stripe")),
        );
    }

    // Replay stores.
    let memory = median(c, "replay", "memory_claim_commit");
    let met = memory < 1000.0;
    targets.push(Target {
        what: "`MemoryStore` claim + commit (criterion median)".to_owned(),
        figure: time(memory),
        target: "< 1 µs".to_owned(),
        met,
    });
    let replay = json(&args.results.join("replay.json"));
    let ns = |store: &str, op: &str, p: &str| {
        replay[store][op][format!("{p}_ns")]
            .as_f64()
            .unwrap_or_else(|| panic!("replay.json without {store}.{op}.{p}_ns"))
    };
    let ping = |p: &str| {
        replay["redis_ping"][format!("{p}_ns")]
            .as_f64()
            .unwrap_or_else(|| panic!("replay.json without redis_ping.{p}_ns"))
    };
    let _ = write!(
        body,
        "\n## Replay stores\n\n\
         Criterion: `MemoryStore` claim + commit of a fresh key in a full store (100 000 keys, \
         so each claim also evicts the oldest): **{}** (target < 1 µs: {}).\n\n\
         Sequential deliveries (`replay-latency`): {} deliveries after {} untimed, each a \
         `claim` of a fresh key then a `commit`, timed one by one; Redis {} on loopback, \
         started by `webhook-testkit`, one current-thread tokio runtime. For scale, a bare \
         `PING` round trip to the same server, sent before each delivery on a connection of \
         its own: p50 {}, p99 {} (`claim` is a Lua script, \
         `commit` a `SET … PX`: one round trip each).\n\n\
         | store | claim p50 | claim p99 | claim + commit p50 | claim + commit p99 |\n\
         |---|---|---|---|---|\n",
        time(memory),
        mark(met),
        replay["deliveries"],
        replay["warm_up"],
        replay["redis_version"].as_str().unwrap_or("?"),
        time(ping("p50")),
        time(ping("p99")),
    );
    for (store, label) in [("memory", "`MemoryStore`"), ("redis", "`RedisStore`")] {
        let _ = writeln!(
            body,
            "| {label} | {} | {} | {} | {} |",
            time(ns(store, "claim", "p50")),
            time(ns(store, "claim", "p99")),
            time(ns(store, "claim_commit", "p50")),
            time(ns(store, "claim_commit", "p99")),
        );
    }
    let added = |op: &str, p: &str| time(ns("redis", op, p) - ns("memory", op, p));
    let _ = writeln!(
        body,
        "| added by Redis | {} | {} | {} | {} |",
        added("claim", "p50"),
        added("claim", "p99"),
        added("claim_commit", "p50"),
        added("claim_commit", "p99"),
    );

    // HTTP.
    let seconds = json(&args.results.join("http").join("axum-verified-c16.json"))["duration_us"]
        .as_f64()
        .map_or(0.0, |us| (us / 1e6).round());
    let _ = write!(
        body,
        "\n## HTTP: verified against unverified endpoints\n\n\
         `http-target` serves `POST /webhook` on 127.0.0.1 with one worker thread per core; \
         `wrk` (2 threads, {} s per run, same machine) posts the same signed 1 KiB Stripe \
         event. Verified: the framework's `Webhook<StripeEvent>` extractor (buffer, verify, \
         parse), no replay store. Unverified: the body as bytes, parsed into the same \
         `StripeEvent`. Both answer 200 `ok`. Requests per second and latency from wrk; \
         ratio = verified / unverified requests per second. CPU = the server process's CPU \
         time (user + system, from `/proc`) per request served, which other load on the \
         machine disturbs less than the request rate.\n\n\
         | framework | connections | unverified req/s | p50 | p99 | CPU | verified req/s | p50 | p99 | CPU | ratio | target |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
        seconds,
    );
    for (framework, label) in FRAMEWORKS {
        for conns in CONNECTIONS {
            let plain = wrk(&args.results, framework, "unverified", conns);
            let checked = wrk(&args.results, framework, "verified", conns);
            let ratio = checked.rps / plain.rps;
            let clean = plain.errors == 0 && checked.errors == 0;
            let met = clean && ratio >= 0.90;
            let errors = if clean {
                String::new()
            } else {
                format!(
                    " ({} / {} socket or status errors: not valid)",
                    plain.errors, checked.errors
                )
            };
            let _ = writeln!(
                body,
                "| {label} | {conns} | {:.0} | {} | {} | {} | {:.0} | {} | {} | {} | **{:.1} %**{errors} | ≥ 90 % {} |",
                plain.rps,
                time(plain.p50_us * 1e3),
                time(plain.p99_us * 1e3),
                time(plain.cpu_us * 1e3),
                checked.rps,
                time(checked.p50_us * 1e3),
                time(checked.p99_us * 1e3),
                time(checked.cpu_us * 1e3),
                ratio * 100.0,
                mark(met),
            );
            targets.push(Target {
                what: format!("HTTP {label}, {conns} connections: verified / unverified req/s"),
                figure: format!("{:.1} %{errors}", ratio * 100.0),
                target: "≥ 90 %".to_owned(),
                met,
            });
        }
    }

    // The whole document.
    let mut doc = String::new();
    let met = targets.iter().filter(|t| t.met).count();
    let versions: Vec<String> = CRATES
        .iter()
        .map(|name| format!("{name} {}", lock_version(&lock, name)))
        .collect();
    let _ = write!(
        doc,
        "# Benchmarks\n\n\
         Written by `bash scripts/bench.sh` (its `bench-report` step) from one run on the \
         machine below; do not edit by hand. Targets are in DESIGN.md §6. Times are criterion \
         medians unless marked otherwise.\n\n\
         - Machine: {}.\n\
         - Load average (1, 5, 15 min) when the run started: {}; after the criterion \
           benches: {} (they keep one core busy); after the HTTP runs: {} (wrk and the server \
           keep both busy). More than that is other work on the machine, and noise.\n\
         - Versions: {}; {}; {}; {}; {}.\n\
         - Date: {}. `bash scripts/bench.sh` took {} min {} s.\n\
         - Commands (the first runs the others):\n",
        machine(&args.results),
        env_line(&args.results, "loadavg.txt"),
        env_line(&args.results, "loadavg-criterion.txt"),
        env_line(&args.results, "loadavg-http.txt"),
        env_line(&args.results, "rustc.txt"),
        env_line(&args.results, "cargo.txt"),
        versions.join(", "),
        env_line(&args.results, "wrk.txt"),
        env_line(&args.results, "redis.txt"),
        env_line(&args.results, "date.txt"),
        args.elapsed / 60,
        args.elapsed % 60,
    );
    for line in read(&args.results.join("commands.txt")).lines() {
        match line.split_once(" # ") {
            Some((command, note)) => writeln!(doc, "  - `{command}` ({note})"),
            None => writeln!(doc, "  - `{line}`"),
        }
        .expect("a String takes any write");
    }
    let _ = write!(
        doc,
        "\n## Targets: {met} of {} met\n\n| what | figure | target | |\n|---|---|---|---|\n",
        targets.len()
    );
    for t in &targets {
        let _ = writeln!(
            doc,
            "| {} | {} | {} | {} |",
            t.what,
            t.figure,
            t.target,
            mark(t.met)
        );
    }
    doc.push('\n');
    doc.push_str(&body);
    doc.push_str(EXPLANATION);
    std::fs::write(&args.out, doc).unwrap_or_else(|e| panic!("{}: {e}", args.out.display()));
    eprintln!(
        "bench-report: {} written ({met} of {} targets met)",
        args.out.display(),
        targets.len()
    );
}

/// What each comparison measures; every claim about another crate was checked in its
/// source at the version in Cargo.lock.
const EXPLANATION: &str = include_str!("../../explanation.md");
