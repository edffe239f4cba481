//! The sender of `scripts/scaleout.sh`: posts `--count` signed Standard Webhooks deliveries
//! (ids `msg_0` …) spread over the listeners given with `--url`, with `--dup-percent` of them
//! sent twice (half of those at the same moment to two listeners, half again later), and
//! retries each like a provider does (any non-2xx answer or connection error, with a short
//! backoff, until `--deadline-s`). Loopback only.
//!
//! Prints one JSON line: requests, answers by status, listener response time p50/p99 (ms),
//! requests per second, and how many deliveries were accepted (a 2xx: `202 queued` or `200
//! duplicate`). Writes the accepted ids, one a line, to `--accepted FILE`, and the number
//! of deliveries finished so far to `--progress FILE` as it goes.
//!
//! ```text
//! scaleout-sender --secret whsec_... --url http://127.0.0.1:8081/ --url http://127.0.0.1:8082/ \
//!     --count 10000 --dup-percent 20 --concurrency 32 --accepted accepted.txt
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use tokio::sync::{Mutex, Semaphore};
use webhook_verify::{Provider, SignOptions, Signer};

#[derive(Debug, Parser)]
#[command(about = "Send signed deliveries with duplicates to several listeners")]
struct Args {
    /// The Standard Webhooks secret (`whsec_…`) the listeners verify with.
    #[arg(long)]
    secret: String,
    /// A listener's URL (loopback); repeat for each.
    #[arg(long = "url", required = true)]
    urls: Vec<String>,
    /// Deliveries to send.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// Percent of deliveries sent twice.
    #[arg(long = "dup-percent", default_value_t = 20)]
    dup_percent: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Give up on a delivery not accepted after this many seconds.
    #[arg(long = "deadline-s", default_value_t = 90)]
    deadline_s: u64,
    /// Where to write the accepted ids.
    #[arg(long)]
    accepted: String,
    /// Where to write the number of deliveries finished so far.
    #[arg(long)]
    progress: Option<String>,
}

/// One send of a delivery: its number and the listener it goes to first.
#[derive(Clone, Copy)]
struct Job {
    n: usize,
    listener: usize,
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<String, u64>,
    accepted: Vec<bool>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    for url in &args.urls {
        let loopback = url.starts_with("http://127.0.0.1:") || url.starts_with("http://localhost:");
        if !loopback {
            eprintln!("scaleout-sender: {url}: loopback listeners only");
            return ExitCode::from(2);
        }
    }
    let signer = match Signer::new(&Provider::STANDARD_WEBHOOKS, args.secret.as_str()) {
        Ok(signer) => Arc::new(signer),
        Err(e) => {
            eprintln!("scaleout-sender: {e}");
            return ExitCode::from(2);
        }
    };
    let client = match reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("scaleout-sender: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listeners = args.urls.len();
    // Every delivery once, in order, spread over the listeners; every (100 / dup%)-th one
    // again: at once to the next listener (concurrent duplicates), or at a later place.
    let step = 100 / args.dup_percent.clamp(1, 100);
    let mut jobs: Vec<Vec<Job>> = (0..args.count)
        .map(|n| {
            vec![Job {
                n,
                listener: n % listeners,
            }]
        })
        .collect();
    let mut later = Vec::new();
    for n in (0..args.count).filter(|n| n % step == 0) {
        let again = Job {
            n,
            listener: (n + 1) % listeners,
        };
        if (n / step) % 2 == 0 {
            jobs[n].push(again);
        } else {
            later.push(again);
        }
    }
    // Later duplicates go 1-20 % of the run after their first send.
    for job in later {
        let at = (job.n + 1 + (job.n * 7919) % (args.count / 5).max(1)).min(args.count - 1);
        jobs[at].push(job);
    }

    let tally = Arc::new(Mutex::new(Tally {
        accepted: vec![false; args.count],
        ..Tally::default()
    }));
    let done = Arc::new(AtomicUsize::new(0));
    let permits = Arc::new(Semaphore::new(args.concurrency));
    let deadline = Duration::from_secs(args.deadline_s);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for group in jobs {
        for job in group {
            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                break;
            };
            let (client, signer, tally, done) = (
                client.clone(),
                Arc::clone(&signer),
                Arc::clone(&tally),
                Arc::clone(&done),
            );
            let urls = args.urls.clone();
            let progress = args.progress.clone();
            let permits = Arc::clone(&permits);
            tasks.push(tokio::spawn(async move {
                let sender = Sender {
                    client: &client,
                    signer: &signer,
                    urls: &urls,
                    permits: &permits,
                    tally: &tally,
                };
                let accepted = sender.send(job, deadline, permit).await;
                if accepted {
                    tally.lock().await.accepted[job.n] = true;
                }
                let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(path) = progress.filter(|_| finished % 100 == 0) {
                    write_progress(&path, finished);
                }
            }));
        }
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed();
    if let Some(path) = &args.progress {
        write_progress(path, done.load(Ordering::Relaxed));
    }
    let mut tally = tally.lock().await;
    let ids: String = tally
        .accepted
        .iter()
        .enumerate()
        .filter(|(_, ok)| **ok)
        .map(|(n, _)| format!("msg_{n}\n"))
        .collect();
    if let Err(e) = std::fs::write(&args.accepted, ids) {
        eprintln!("scaleout-sender: {}: {e}", args.accepted);
        return ExitCode::FAILURE;
    }
    let accepted = tally.accepted.iter().filter(|ok| **ok).count();
    tally.latencies_us.sort_unstable();
    let pct = |p: f64| -> f64 {
        let l = &tally.latencies_us;
        if l.is_empty() {
            return 0.0;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = (((l.len() - 1) as f64) * p).round() as usize;
        #[allow(clippy::cast_precision_loss)]
        let ms = l[i] as f64 / 1000.0;
        ms
    };
    let requests = tally.latencies_us.len();
    #[allow(clippy::cast_precision_loss)]
    let rps = requests as f64 / elapsed.as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "deliveries": args.count,
            "accepted": accepted,
            "requests": requests,
            "statuses": tally.statuses,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "requests_per_s": rps.round(),
            "accepted_per_s": (accepted as f64 / elapsed.as_secs_f64()).round(),
            "elapsed_s": (elapsed.as_secs_f64() * 10.0).round() / 10.0,
        })
    );
    if accepted == args.count {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Replaces the progress file at once (a reader never sees it half written).
fn write_progress(path: &str, finished: usize) {
    let tmp = format!("{path}.tmp");
    if std::fs::write(&tmp, finished.to_string()).is_ok() {
        let _ = std::fs::rename(tmp, path);
    }
}

/// What each send shares.
struct Sender<'a> {
    client: &'a reqwest::Client,
    signer: &'a Signer,
    urls: &'a [String],
    permits: &'a Arc<Semaphore>,
    tally: &'a Mutex<Tally>,
}

impl Sender<'_> {
    /// Sends one delivery until a listener answers 2xx (then `true`) or the deadline
    /// passes; holds a request slot only while a request is in flight.
    async fn send(
        &self,
        job: Job,
        deadline: Duration,
        first: tokio::sync::OwnedSemaphorePermit,
    ) -> bool {
        let id = format!("msg_{}", job.n);
        let body = format!(
            r#"{{"type":"user.created","timestamp":"2026-01-01T00:00:00Z","data":{{"n":{},"pad":"{}"}}}}"#,
            job.n,
            "x".repeat(64)
        );
        let started = Instant::now();
        let mut attempt = 0usize;
        let mut permit = Some(first);
        while started.elapsed() < deadline {
            let _slot = match permit.take() {
                Some(permit) => permit,
                None => match Arc::clone(self.permits).acquire_owned().await {
                    Ok(permit) => permit,
                    Err(_) => return false,
                },
            };
            // A provider's retry: the same id, a fresh timestamp, maybe another listener.
            let url = &self.urls[(job.listener + attempt) % self.urls.len()];
            attempt += 1;
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
            let Ok(headers) = self
                .signer
                .sign(body.as_bytes(), &SignOptions::new().id(&id).timestamp(now))
            else {
                return false;
            };
            let mut request = self
                .client
                .post(url)
                .header("content-type", "application/json")
                .body(body.clone());
            for (name, value) in &headers {
                request = request.header(name.as_str(), value.as_str());
            }
            let sent = Instant::now();
            let answer = request.send().await;
            let took = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
            drop(_slot);
            let status = match &answer {
                Ok(response) => response.status().as_u16().to_string(),
                Err(_) => "error".to_owned(),
            };
            {
                let mut tally = self.tally.lock().await;
                tally.latencies_us.push(took);
                *tally.statuses.entry(status).or_default() += 1;
            }
            let wait = match answer {
                Ok(response) if response.status().is_success() => return true,
                // In progress elsewhere: come back after a while, as providers do.
                Ok(response) if response.status().as_u16() == 409 => Duration::from_millis(500),
                _ => Duration::from_millis(100 * attempt.min(10) as u64),
            };
            tokio::time::sleep(wait).await;
        }
        false
    }
}
