//! Writes BENCHMARKS.md from one run of `scripts/bench.sh`, and its two charts beside it
//! (`benches/charts/verify.svg`, `benches/charts/http.svg`, under the directory of
//! `--out`): the criterion medians (`<criterion>/<group>/<bench>/{run1,run2}/estimates.json`,
//! the smaller of the two medians; `new/` when those baselines are missing), the `wrk`
//! results (`<results>/http/<framework>-<mode>-c<connections>.json` and `.cpu`), the
//! replay-store latencies (`<results>/replay.json`) and what the script recorded about the
//! machine (`<results>/env/*`, `<results>/commands.txt`). Each ratio is checked against its
//! target in DESIGN.md §6 and marked met or missed; a measurement that is missing is
//! reported as not run.
//!
//! ```text
//! bench-report --criterion DIR --results DIR --lock Cargo.lock --elapsed SECS --out BENCHMARKS.md
//! ```

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use webhook_benches::SIZES;
use webhook_benches::chart::{self, BarGroup, Line, PALETTE};

/// The connection counts `scripts/bench.sh` loads the HTTP targets with.
const CONNECTIONS: [u32; 3] = [16, 64, 256];
const FRAMEWORKS: [(&str, &str); 2] = [("axum", "axum"), ("actix", "actix-web")];
/// The HTTP endpoints of each framework: the mode in the results' file names, and the
/// share of the unverified endpoint's requests per second it must serve (DESIGN.md §6).
const MODES: [(&str, Option<f64>); 3] = [
    ("unverified", None),
    ("verified", Some(0.95)),
    ("router", Some(0.90)),
];
/// The criterion baselines `scripts/bench.sh` saves, one per run of the compare bench.
const RUNS: [&str; 2] = ["run1", "run2"];
/// The lines of the verify chart: legend, colour (an index into [`PALETTE`]), dashed,
/// criterion bench. Owned and borrowed bodies share a colour (the borrowed line dashed).
const VERIFY_LINES: [(&str, usize, bool, &str); 7] = [
    (
        "ours, Standard Webhooks, Bytes body",
        0,
        false,
        "ours_standard",
    ),
    (
        "ours, Standard Webhooks, &[u8] body",
        0,
        true,
        "ours_standard_borrowed",
    ),
    (
        "bare HMAC, Standard Webhooks",
        6,
        false,
        "bare_hmac_standard",
    ),
    ("svix", 2, false, "svix"),
    ("ours, Stripe, Bytes body", 1, false, "ours_stripe"),
    ("ours, Stripe, &[u8] body", 1, true, "ours_stripe_borrowed"),
    ("bare HMAC, Stripe", 7, false, "bare_hmac_stripe"),
];
/// The line after which BENCHMARKS.md holds sections written by other scripts
/// (`scripts/metrics-cost.sh`, `scripts/scaleout.sh`), kept when the report is rewritten.
const OTHER_SCRIPTS: &str =
    "<!-- Below: sections written by other scripts, kept by bench-report. -->";

/// Where the charts go, relative to the directory of BENCHMARKS.md (the repository root).
const CHARTS: &str = "benches/charts";
/// The crates whose versions the report states, as named in Cargo.lock.
const CRATES: [&str; 11] = [
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
    "plotters",
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

/// The criterion results of the compare bench, run twice.
struct Criterion {
    dir: PathBuf,
    /// `group/bench` of every figure read.
    read: RefCell<BTreeSet<String>>,
    /// `group/bench` of the figures that come from one run only (`new/`, or one baseline).
    single_run: RefCell<BTreeSet<String>>,
}

impl Criterion {
    fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            read: RefCell::new(BTreeSet::new()),
            single_run: RefCell::new(BTreeSet::new()),
        }
    }

    /// The median in `group/bench/<baseline>/estimates.json`, in nanoseconds, if there is
    /// such a file.
    fn median_of(&self, group: &str, bench: &str, baseline: &str) -> Option<f64> {
        let path = self
            .dir
            .join(group)
            .join(bench)
            .join(baseline)
            .join("estimates.json");
        if !path.is_file() {
            return None;
        }
        let median = json(&path)["median"]["point_estimate"]
            .as_f64()
            .unwrap_or_else(|| panic!("{}: no median", path.display()));
        Some(median)
    }

    /// The smaller of the medians of `group/bench` in the two runs, in nanoseconds; the
    /// latest run's (`new/`) when the baselines are missing; `None` when it was not run.
    fn median(&self, group: &str, bench: &str) -> Option<f64> {
        let runs: Vec<f64> = RUNS
            .iter()
            .filter_map(|run| self.median_of(group, bench, run))
            .collect();
        let min = runs.iter().copied().reduce(f64::min);
        let median = min.or_else(|| self.median_of(group, bench, "new"));
        if median.is_some() {
            self.read.borrow_mut().insert(format!("{group}/{bench}"));
            if runs.len() < RUNS.len() {
                self.single_run
                    .borrow_mut()
                    .insert(format!("{group}/{bench}"));
            }
        }
        median
    }

    /// How the figures were taken, for the top of the document.
    fn method(&self) -> String {
        let (read, single) = (self.read.borrow(), self.single_run.borrow());
        let [first, second] = RUNS;
        let two = format!(
            "Every criterion figure is the minimum of the medians of two runs of the compare \
             bench (`--save-baseline {first}`, then `{second}`): the lower median is the one \
             less disturbed by other work on the machine."
        );
        if single.is_empty() {
            two
        } else if single.len() == read.len() {
            format!(
                "Every criterion figure is the median of one run: the `{first}` and \
                 `{second}` baselines of two runs were not found, so the latest run's \
                 results are used."
            )
        } else {
            let names: Vec<String> = single.iter().map(|n| format!("`{n}`")).collect();
            format!(
                "{two} {} of the {} figures {} from one run only (a baseline was missing): {}.",
                single.len(),
                read.len(),
                if single.len() == 1 { "comes" } else { "come" },
                names.join(", ")
            )
        }
    }
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

/// [`time`], or `not run`.
fn maybe_time(ns: Option<f64>) -> String {
    ns.map_or_else(|| NOT_RUN.to_owned(), time)
}

const NOT_RUN: &str = "not run";

fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Met,
    Missed,
    NotRun,
}

impl Status {
    fn of(met: Option<bool>) -> Self {
        match met {
            Some(true) => Self::Met,
            Some(false) => Self::Missed,
            None => Self::NotRun,
        }
    }

    fn mark(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::Missed => "**missed**",
            Self::NotRun => NOT_RUN,
        }
    }
}

/// One line of the summary: what, the figure, the target, met or not.
struct Target {
    what: String,
    figure: String,
    target: String,
    status: Status,
}

/// A ratio with `decimals` decimals and a `×`, or `not run`.
fn times(ratio: Option<f64>, decimals: usize) -> String {
    ratio.map_or_else(|| NOT_RUN.to_owned(), |r| format!("{r:.decimals$}×"))
}

/// A ratio in bold and met or missed, or `not run`.
fn marked(ratio: Option<f64>, decimals: usize, status: Status) -> String {
    ratio.map_or_else(
        || NOT_RUN.to_owned(),
        |r| format!("**{r:.decimals$}×** {}", status.mark()),
    )
}

/// `a / b` when both were measured.
fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? / b?)
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
    let path = results.join("env").join(file);
    if path.is_file() {
        read(&path).trim().to_owned()
    } else {
        "?".to_owned()
    }
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

/// A line of `commands.txt` without the paths of the machine it ran on: an absolute path
/// (a token starting with `/`, or the value of a `VAR=/…` assignment) becomes a
/// description of what it is.
fn without_paths(line: &str) -> String {
    let describe = |path: &str| {
        let path = path.trim_matches(|c| c == '\'' || c == '"');
        if path.ends_with("/release") {
            "cargo's release output directory".to_owned()
        } else {
            "a local directory".to_owned()
        }
    };
    line.split(' ')
        .map(|token| {
            if token.starts_with('/') {
                describe(token)
            } else if let Some((var, value)) = token.split_once('=')
                && value.trim_start_matches(['\'', '"']).starts_with('/')
            {
                format!("{var}=<{}>", describe(value))
            } else {
                token.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
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

/// One wrk run's results, `None` when that endpoint was not run.
fn wrk(results: &Path, framework: &str, mode: &str, connections: u32) -> Option<Wrk> {
    let name = format!("{framework}-{mode}-c{connections}");
    let json_path = results.join("http").join(format!("{name}.json"));
    let cpu_path = results.join("http").join(format!("{name}.cpu"));
    if !json_path.is_file() || !cpu_path.is_file() {
        return None;
    }
    let v = json(&json_path);
    let cpu: Vec<f64> = read(&cpu_path)
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [ticks, per_second] = cpu[..] else {
        panic!("{name}.cpu: expected `TICKS CLK_TCK`");
    };
    let num = |key: &str| {
        v[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{name}.json: no {key}"))
    };
    let errors = v["errors"]
        .as_object()
        .map_or(0, |e| e.values().filter_map(Value::as_u64).sum());
    Some(Wrk {
        rps: num("requests") / (num("duration_us") / 1e6),
        p50_us: num("p50_us"),
        p99_us: num("p99_us"),
        errors,
        cpu_us: ticks / per_second * 1e6 / num("requests"),
    })
}

/// Writes a chart's SVG under `root` and returns the Markdown that shows it (or says why
/// there is none).
fn chart_file(
    root: &Path,
    name: &str,
    alt: &str,
    svg: Result<String, chart::ChartError>,
) -> String {
    let relative = format!("{CHARTS}/{name}");
    match svg {
        Ok(svg) => {
            let dir = root.join(CHARTS);
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let path = dir.join(name);
            std::fs::write(&path, svg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            format!("![{alt}]({relative})\n\n")
        }
        Err(e) => {
            eprintln!("bench-report: {relative} not drawn: {e}");
            format!("(The chart {relative} was not drawn: {e}.)\n\n")
        }
    }
}

fn main() {
    let args = args();
    let c = Criterion::new(args.criterion.clone());
    let lock = read(&args.lock);
    let root = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut targets: Vec<Target> = Vec::new();
    let mut body = String::new();

    // Core verify against a bare HMAC of the same bytes.
    let core_target = |bytes: usize| match bytes {
        256 => 1.20,
        1024 => 1.08,
        _ => 1.02,
    };
    body.push_str(
        "## `Verifier::verify` against a bare HMAC-SHA256 of the same bytes\n\n\
         Each ratio is `ours / bare` from the same run. The verifiers are built as users \
         build them, with every default (so the system clock); each delivery's headers are a \
         real delivery's, as an `http::HeaderMap`: `content-type`, `user-agent`, \
         `content-length`, `accept`, `accept-encoding` and the provider's own headers. The \
         body is handed over owned (`Bytes`, as a server has it) or borrowed (`&[u8]`, as \
         from Lambda, hyper or a test). The bare HMAC reads no header (see below).\n\n\
         | body | provider | bare HMAC | ours, `Bytes` body | ours / bare | ours, `&[u8]` body | ours / bare | target |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for bytes in SIZES {
        let g = format!("compare_{bytes}");
        let limit = core_target(bytes);
        for (bare, owned, borrowed, name) in [
            (
                "bare_hmac_stripe",
                "ours_stripe",
                Some("ours_stripe_borrowed"),
                "Stripe",
            ),
            (
                "bare_hmac_standard",
                "ours_standard",
                Some("ours_standard_borrowed"),
                "Standard Webhooks",
            ),
            ("bare_hmac_github", "ours_github", None, "GitHub"),
        ] {
            // GitHub has no target (and no borrowed-body bench): shown for comparison.
            let has_target = borrowed.is_some();
            let b = c.median(&g, bare);
            let mut row = format!("| {} | {name} | {} |", size(bytes), maybe_time(b));
            for (bench, kind) in [(Some(owned), "`Bytes`"), (borrowed, "`&[u8]`")] {
                let Some(bench) = bench else {
                    row.push_str(" — | — |");
                    continue;
                };
                let o = c.median(&g, bench);
                let r = ratio(o, b);
                if !has_target {
                    let _ = write!(row, " {} | {} |", maybe_time(o), times(r, 3));
                    continue;
                }
                let status = Status::of(r.map(|r| r <= limit));
                let _ = write!(row, " {} | {} |", maybe_time(o), marked(r, 3, status));
                targets.push(Target {
                    what: format!("`verify` {name}, {kind} body / bare HMAC, {}", size(bytes)),
                    figure: times(r, 3),
                    target: format!("≤ {limit:.2}×"),
                    status,
                });
            }
            if !has_target {
                row.push_str(" none |\n");
            } else {
                let _ = writeln!(row, " ≤ {limit:.2}× |");
            }
            body.push_str(&row);
        }
    }
    body.push_str(
        "\nGitHub has no target of its own in DESIGN.md §6; it is here for comparison (its \
         signed bytes are the body alone).\n\n",
    );
    let line = |label: &str, color: usize, dashed: bool, point: &dyn Fn(&str) -> Option<f64>| {
        let points: Vec<(f64, f64)> = SIZES
            .iter()
            .filter_map(|&bytes| Some((bytes as f64, point(&format!("compare_{bytes}"))?)))
            .collect();
        (!points.is_empty()).then(|| Line {
            label: label.to_owned(),
            color: PALETTE[color],
            dashed,
            points,
        })
    };
    let lines: Vec<Line> = VERIFY_LINES
        .iter()
        .filter_map(|&(label, color, dashed, bench)| {
            line(label, color, dashed, &|g| c.median(g, bench))
        })
        .collect();
    let ratios: Vec<Line> = VERIFY_LINES
        .iter()
        .filter(|(_, _, _, bench)| bench.starts_with("ours_"))
        .filter_map(|&(label, color, dashed, bench)| {
            let bare = if bench.contains("stripe") {
                "bare_hmac_stripe"
            } else {
                "bare_hmac_standard"
            };
            line(label, color, dashed, &|g| {
                ratio(c.median(g, bench), c.median(g, bare))
            })
        })
        .collect();
    let limits: Vec<(f64, f64)> = SIZES
        .iter()
        .map(|&bytes| (bytes as f64, core_target(bytes)))
        .collect();
    body.push_str(&chart_file(
        &root,
        "verify.svg",
        "Verify time against body size, log-log: ours (owned and borrowed body), the bare \
         HMAC and svix; below, ours over the bare HMAC against the target",
        chart::verify_time(
            "Verify time against body size (criterion)",
            &lines,
            &ratios,
            &limits,
        ),
    ));

    // Other verifiers.
    body.push_str(
        "## Other verifiers\n\n\
         Standard Webhooks deliveries (same body, same headers as an `http::HeaderMap`): \
         `svix` and `standardwebhooks` against our `standard_webhooks` with a `Bytes` body. \
         Stripe: `async-stripe-webhook`'s `construct_event` (verifies, then parses the event \
         and its typed `data.object`) against our `verify` followed by \
         `Verified::json::<StripeEvent>()` (a serde struct with the same fields).\n\n\
         | body | ours (SW) | `svix` | svix / ours | target | `standardwebhooks` | standardwebhooks / ours | ours verify + typed parse | `async-stripe` `construct_event` | async-stripe / ours |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for bytes in SIZES {
        let g = format!("compare_{bytes}");
        let ours = c.median(&g, "ours_standard");
        let svix = c.median(&g, "svix");
        let sw = c.median(&g, "standardwebhooks");
        let typed = c.median(&g, "ours_stripe_typed");
        let stripe = c.median(&g, "async_stripe_construct_event");
        let r = ratio(svix, ours);
        let (figure, target) = if bytes <= 1024 {
            let status = Status::of(r.map(|r| r >= 5.0));
            targets.push(Target {
                what: format!(
                    "`svix` / ours (Standard Webhooks, `Bytes` body), {}",
                    size(bytes)
                ),
                figure: times(r, 2),
                target: "≥ 5×".to_owned(),
                status,
            });
            (marked(r, 2, status), "≥ 5×")
        } else {
            (times(r, 2), "none (SHA-256 bound)")
        };
        let _ = writeln!(
            body,
            "| {} | {} | {} | {figure} | {target} | {} | {} | {} | {} | {} |",
            size(bytes),
            maybe_time(ours),
            maybe_time(svix),
            maybe_time(sw),
            times(ratio(sw, ours), 2),
            maybe_time(typed),
            maybe_time(stripe),
            times(ratio(stripe, typed), 2),
        );
    }
    body.push_str(
        "\nThe target (DESIGN.md §6) is at 256 B and 1 KiB only: from 16 KiB up both are \
         bound by SHA-256, and svix's portable SHA-256 caps the ratio near 5.7× on a CPU \
         with SHA extensions.\n",
    );

    // Parsing.
    body.push_str(
        "\n## Parsing the Stripe event\n\n\
         `parse_typed`: `serde_json::from_slice` of the verified body into the typed \
         `StripeEvent` (the envelope's fields and `data.object` as a customer); \
         `parse_event`: our typed event, `Envelope::stripe().parse::<Customer>(&verified)` \
         (the envelope's type, id and time, and `data.object` parsed into the customer), as \
         the event router hands it to a handler. Target: `parse_event` within 1.15× of \
         `parse_typed` at every size. `serde_json::Value` for scale, and `stripe` the \
         verification alone.\n\n\
         | body | typed struct (`parse_typed`) | `Event<Customer>` (`parse_event`) | parse_event / parse_typed | target | `serde_json::Value` | Value / typed | `stripe` verify |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for bytes in SIZES {
        let g = format!("compare_{bytes}");
        let typed = c.median(&g, "parse_typed");
        let value = c.median(&g, "parse_value");
        let event = c.median(&g, "parse_event");
        let r = ratio(event, typed);
        let status = Status::of(r.map(|r| r <= 1.15));
        targets.push(Target {
            what: format!("typed parse `parse_event` / `parse_typed`, {}", size(bytes)),
            figure: times(r, 3),
            target: "≤ 1.15×".to_owned(),
            status,
        });
        let _ = writeln!(
            body,
            "| {} | {} | {} | {} | ≤ 1.15× | {} | {} | {} |",
            size(bytes),
            maybe_time(typed),
            maybe_time(event),
            marked(r, 3, status),
            maybe_time(value),
            times(ratio(value, typed), 2),
            maybe_time(c.median(&g, "ours_stripe")),
        );
    }

    // Replay stores.
    let memory = c.median("replay", "memory_claim_commit");
    let memory_status = Status::of(memory.map(|m| m < 1000.0));
    targets.push(Target {
        what: "`MemoryStore` claim + commit (criterion)".to_owned(),
        figure: maybe_time(memory),
        target: "< 1 µs".to_owned(),
        status: memory_status,
    });
    let replay = json(&args.results.join("replay.json"));
    let ns = |v: &Value, p: &str| {
        v[format!("{p}_ns")]
            .as_f64()
            .unwrap_or_else(|| panic!("replay.json without {p}_ns in {v}"))
    };
    let _ = write!(
        body,
        "\n## Replay stores\n\n\
         Criterion: `MemoryStore` claim + commit of a fresh key in a full store (100 000 keys, \
         so each claim also evicts the oldest): **{}** (target < 1 µs: {}).\n\n\
         ### One delivery at a time\n\n\
         `replay-latency`: {} deliveries after {} untimed, each a `claim` of a fresh key then \
         a `commit`, timed one by one; Redis {} on loopback, started by `webhook-testkit`, \
         one current-thread tokio runtime. For scale, a bare `PING` round trip to the same \
         server, sent before each delivery on a connection of its own: p50 {}, p99 {} \
         (`claim` is a Lua script, `commit` a `SET … PX`: one round trip each).\n\n\
         | store | claim p50 | claim p99 | claim + commit p50 | claim + commit p99 |\n\
         |---|---|---|---|---|\n",
        maybe_time(memory),
        memory_status.mark(),
        replay["deliveries"],
        replay["warm_up"],
        replay["redis_version"].as_str().unwrap_or("?"),
        time(ns(&replay["redis_ping"], "p50")),
        time(ns(&replay["redis_ping"], "p99")),
    );
    for (store, label) in [("memory", "`MemoryStore`"), ("redis", "`RedisStore`")] {
        let _ = writeln!(
            body,
            "| {label} | {} | {} | {} | {} |",
            time(ns(&replay[store]["claim"], "p50")),
            time(ns(&replay[store]["claim"], "p99")),
            time(ns(&replay[store]["claim_commit"], "p50")),
            time(ns(&replay[store]["claim_commit"], "p99")),
        );
    }
    let added =
        |op: &str, p: &str| time(ns(&replay["redis"][op], p) - ns(&replay["memory"][op], p));
    let _ = writeln!(
        body,
        "| added by Redis | {} | {} | {} | {} |",
        added("claim", "p50"),
        added("claim", "p99"),
        added("claim_commit", "p50"),
        added("claim_commit", "p99"),
    );
    let concurrent = &replay["concurrent"];
    if concurrent.is_object() {
        let tasks = &concurrent["tasks"];
        let (cc, ping) = (&concurrent["claim_commit"], &concurrent["ping"]);
        let _ = write!(
            body,
            "\n### Redis with {tasks} deliveries in flight\n\n\
             {tasks} tokio tasks on a multi-thread runtime ({} worker threads) share one \
             `RedisStore` (one multiplexed connection), as an application shares it between \
             its handlers; each claims then commits fresh keys, {} deliveries in all after {} \
             untimed, each claim + commit timed. Beside it, {tasks} tasks share one \
             connection of the same kind and send as many `PING`s: what the connection costs \
             at that concurrency. Per second: completed over the timed round.\n\n\
             | {tasks} at once | p50 | p99 | per second | p50 / `PING` p50 |\n\
             |---|---|---|---|---|\n\
             | `RedisStore` claim + commit | {} | {} | {:.0} deliveries | {:.2}× |\n\
             | `PING` | {} | {} | {:.0} | 1× |\n",
            concurrent["worker_threads"],
            concurrent["deliveries"],
            concurrent["warm_up"],
            time(ns(cc, "p50")),
            time(ns(cc, "p99")),
            concurrent["deliveries_per_s"].as_f64().unwrap_or(0.0),
            ns(cc, "p50") / ns(ping, "p50"),
            time(ns(ping, "p50")),
            time(ns(ping, "p99")),
            concurrent["pings_per_s"].as_f64().unwrap_or(0.0),
        );
    } else {
        body.push_str("\n### Redis with 64 deliveries in flight\n\nNot run.\n");
    }

    // HTTP.
    let seconds = CONNECTIONS
        .iter()
        .find_map(|conns| {
            let path = args
                .results
                .join("http")
                .join(format!("axum-unverified-c{conns}.json"));
            path.is_file().then(|| json(&path))
        })
        .and_then(|v| v["duration_us"].as_f64())
        .map_or(0.0, |us| (us / 1e6).round());
    let _ = write!(
        body,
        "\n## HTTP: verified, routed and unverified endpoints\n\n\
         `http-target` serves `POST /webhook` on 127.0.0.1 with one worker thread per core; \
         `wrk` (2 threads, {seconds} s per run, same machine) posts signed 1 KiB Stripe \
         `customer.created` events. Three endpoints per framework, each answering 200 `ok`:\n\n\
         - **unverified**: the body as bytes, parsed into the same typed `StripeEvent`;\n\
         - **verified**: the framework's `Webhook<StripeEvent>` extractor with in-memory \
           replay protection (buffer, verify, claim in a `MemoryStore`, parse, commit);\n\
         - **router**: the framework's event router (`events()`) with a typed handler of the \
           customer (verify, claim, route by event type, parse `data.object` into a \
           `Customer` for the handler, commit).\n\n\
         Every request is a new delivery to the replay store: wrk cycles through distinct \
         signed deliveries (distinct event ids), more than the store keeps, so a delivery \
         has been evicted by the time it comes round again (and each claim also evicts the \
         oldest key). \
         Requests per second and latency from wrk; share = requests per second against the \
         unverified endpoint's at the same connection count, run back to back. CPU = the \
         server process's CPU time (user + system, from `/proc`) per request served, which \
         other load on the machine disturbs less than the request rate; added = against the \
         unverified endpoint.\n\n\
         | framework | connections | endpoint | req/s | p50 | p99 | CPU per request | CPU added | share | target |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut groups: Vec<BarGroup> = Vec::new();
    for (framework, label) in FRAMEWORKS {
        for conns in CONNECTIONS {
            let runs: Vec<Option<Wrk>> = MODES
                .iter()
                .map(|(mode, _)| wrk(&args.results, framework, mode, conns))
                .collect();
            groups.push(BarGroup {
                label: format!("{label}, {conns}"),
                values: runs.iter().map(|r| r.as_ref().map(|w| w.rps)).collect(),
            });
            let plain = runs[0].as_ref();
            for ((mode, share_target), run) in MODES.iter().zip(&runs) {
                let Some(w) = run else {
                    let _ = writeln!(
                        body,
                        "| {label} | {conns} | {mode} | {NOT_RUN} | | | | | {} | {} |",
                        if share_target.is_some() { NOT_RUN } else { "" },
                        share_target.map_or_else(String::new, |t| format!("≥ {:.0} %", t * 100.0)),
                    );
                    if let Some(t) = share_target {
                        targets.push(Target {
                            what: format!(
                                "HTTP {label}, {conns} connections: {mode} / unverified req/s"
                            ),
                            figure: NOT_RUN.to_owned(),
                            target: format!("≥ {:.0} %", t * 100.0),
                            status: Status::NotRun,
                        });
                    }
                    continue;
                };
                let mut cells = format!(
                    "| {label} | {conns} | {mode} | {:.0} | {} | {} | {} |",
                    w.rps,
                    time(w.p50_us * 1e3),
                    time(w.p99_us * 1e3),
                    time(w.cpu_us * 1e3),
                );
                let Some(t) = share_target else {
                    let valid = if w.errors == 0 {
                        String::new()
                    } else {
                        format!(" ({} socket or status errors)", w.errors)
                    };
                    let _ = writeln!(cells, " | 100 %{valid} | |");
                    body.push_str(&cells);
                    continue;
                };
                let share = plain.map(|p| w.rps / p.rps);
                let errors = plain.map_or(0, |p| p.errors) + w.errors;
                let invalid = if errors == 0 {
                    String::new()
                } else {
                    format!(" ({errors} socket or status errors: not valid)")
                };
                let status = Status::of(share.map(|s| errors == 0 && s >= *t));
                let share_text = share.map_or_else(
                    || NOT_RUN.to_owned(),
                    |s| format!("{:.1} %{invalid}", s * 100.0),
                );
                let _ = writeln!(
                    cells,
                    " {} | {} | ≥ {:.0} % |",
                    plain.map_or_else(String::new, |p| format!("{:+.2} µs", w.cpu_us - p.cpu_us)),
                    if share.is_some() {
                        format!("**{share_text}** {}", status.mark())
                    } else {
                        share_text.clone()
                    },
                    t * 100.0,
                );
                body.push_str(&cells);
                targets.push(Target {
                    what: format!("HTTP {label}, {conns} connections: {mode} / unverified req/s"),
                    figure: share_text,
                    target: format!("≥ {:.0} %", t * 100.0),
                    status,
                });
            }
        }
    }
    body.push('\n');
    let modes: Vec<&str> = MODES.iter().map(|(mode, _)| *mode).collect();
    body.push_str(&chart_file(
        &root,
        "http.svg",
        "Requests per second per framework and connection count: unverified, verified and \
         router endpoints",
        chart::bars(
            "Requests per second (% of unverified), 1 KiB Stripe event, wrk on loopback",
            "framework, connections",
            "requests per second",
            &modes,
            &groups,
        ),
    ));

    // The whole document.
    let mut doc = String::new();
    let met = targets.iter().filter(|t| t.status == Status::Met).count();
    let not_run = targets
        .iter()
        .filter(|t| t.status == Status::NotRun)
        .count();
    let versions: Vec<String> = CRATES
        .iter()
        .map(|name| format!("{name} {}", lock_version(&lock, name)))
        .collect();
    let _ = write!(
        doc,
        "# Benchmarks\n\n\
         Written by `bash scripts/bench.sh` (its `bench-report` step) from one run on the \
         machine below; do not edit by hand. Targets are in DESIGN.md §6. {}\n\n\
         - Machine: {}.\n\
         - Load average (1, 5, 15 min) when the run started: {}; after the criterion \
           benches: {} (they keep one core busy); after the HTTP runs: {} (wrk and the server \
           keep both busy). More than that is other work on the machine, and noise.\n\
         - Versions: {}; {}; {}; {}; {}.\n\
         - Date: {}. `bash scripts/bench.sh` took {} min {} s.\n\
         - Commands (the first runs the others):\n",
        c.method(),
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
        let line = without_paths(line);
        match line.split_once(" # ") {
            Some((command, note)) => writeln!(doc, "  - `{command}` ({note})"),
            None => writeln!(doc, "  - `{line}`"),
        }
        .expect("a String takes any write");
    }
    let not_run_note = if not_run == 0 {
        String::new()
    } else {
        format!(" ({not_run} not run)")
    };
    let _ = write!(
        doc,
        "\n## Targets: {met} of {} met{not_run_note}\n\n| what | figure | target | |\n|---|---|---|---|\n",
        targets.len()
    );
    for t in &targets {
        let _ = writeln!(
            doc,
            "| {} | {} | {} | {} |",
            t.what,
            t.figure,
            t.target,
            t.status.mark()
        );
    }
    doc.push('\n');
    doc.push_str(body.trim_end());
    doc.push('\n');
    doc.push_str(EXPLANATION);
    for dir in [&args.criterion, &args.results, &root] {
        if let Ok(abs) = std::fs::canonicalize(dir)
            && let Some(abs) = abs.to_str()
            && abs.len() > 1
            && doc.contains(abs)
        {
            eprintln!("bench-report: warning: the report names a path of this machine ({abs})");
        }
    }
    // Sections other scripts wrote below the marker are kept as they are.
    if let Ok(previous) = std::fs::read_to_string(&args.out)
        && let Some(at) = previous.find(OTHER_SCRIPTS)
    {
        doc.push('\n');
        doc.push_str(&previous[at..]);
    }
    std::fs::write(&args.out, doc).unwrap_or_else(|e| panic!("{}: {e}", args.out.display()));
    eprintln!(
        "bench-report: {} written: {met} of {} targets met{not_run_note}",
        args.out.display(),
        targets.len()
    );
}

/// What each comparison measures; every claim about another crate was checked in its
/// source at the version in Cargo.lock.
const EXPLANATION: &str = include_str!("../../explanation.md");
