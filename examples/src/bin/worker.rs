//! A queue worker running the demo event router (`webhook_examples::demo_router`): reads
//! the deliveries the listeners appended with `--queue STREAM`, prints one JSON line
//! `{"route","event","id"}` per handled event on stdout, and on SIGINT or SIGTERM finishes
//! the entry in hand, then prints what it did as one JSON line on stderr
//! (`{"worker","handled","duplicates","retried","dead_lettered"}`).
//!
//! ```text
//! worker --provider standard --redis redis://127.0.0.1:6379/ --queue webhooks \
//!     [--shards 1] [--consumer worker-1] [--max-attempts 5] [--idle-timeout-ms 30000] \
//!     [--lease-ms 60000]
//! ```
//!
//! Give each worker its own `--consumer` name, the same across restarts: a restarted worker
//! first finishes what it held. Entries that keep failing go to the stream's dead-letter
//! stream (`STREAM:dead`) after `--max-attempts`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use webhook_examples::demo_router;
use webhook_verify::Provider;
use webhook_verify::queue::{DEFAULT_MAX_ATTEMPTS, Queue, Worker};
use webhook_verify::replay::{DEFAULT_LEASE, RedisStore, Replay};

/// The command line.
#[derive(Debug, Parser)]
#[command(about = "Handle queued webhook deliveries with the demo event router")]
struct Args {
    /// The provider whose deliveries the queue holds (the demo router's routes).
    #[arg(long, value_parser = |s: &str| s.parse::<Provider>().map_err(|e| e.to_string()))]
    provider: Provider,
    /// The Redis server of the listeners' `--redis`.
    #[arg(long)]
    redis: String,
    /// The stream of the listeners' `--queue`.
    #[arg(long)]
    queue: String,
    /// The number of shards, as the listeners' `--shards`.
    #[arg(long, default_value_t = 1)]
    shards: u16,
    /// This worker's consumer name, stable across restarts.
    #[arg(long)]
    consumer: Option<String>,
    /// Attempts before an entry goes to the dead-letter stream.
    #[arg(long = "max-attempts", default_value_t = DEFAULT_MAX_ATTEMPTS)]
    max_attempts: u32,
    /// Milliseconds an entry may sit with a silent consumer before it is claimed here.
    #[arg(long = "idle-timeout-ms", default_value_t = 30_000)]
    idle_timeout_ms: u64,
    /// Milliseconds a worker holds a delivery's claim while handling it.
    #[arg(long = "lease-ms", default_value_t = u64::try_from(DEFAULT_LEASE.as_millis()).unwrap_or(60_000))]
    lease_ms: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let router = match demo_router(&args.provider) {
        Ok(router) => router,
        Err(e) => {
            eprintln!("worker: {e}");
            return ExitCode::from(2);
        }
    };
    let queue = match Queue::connect(&args.redis, args.queue.as_str()).await {
        Ok(queue) => queue.shards(args.shards),
        Err(e) => {
            eprintln!("worker: {e}");
            return ExitCode::FAILURE;
        }
    };
    let store = match RedisStore::connect(&args.redis).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("worker: {e}");
            return ExitCode::FAILURE;
        }
    };
    let replay = Replay::new(store).lease(Duration::from_millis(args.lease_ms));
    let mut builder = Worker::builder(queue, replay, router)
        .max_attempts(args.max_attempts)
        .idle_timeout(Duration::from_millis(args.idle_timeout_ms));
    if let Some(name) = &args.consumer {
        builder = builder.consumer(name.as_str());
    }
    let worker = match builder.build().await {
        Ok(worker) => worker,
        Err(e) => {
            eprintln!("worker: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "worker: {} reading {} ({} shard(s))",
        worker.consumer(),
        args.queue,
        args.shards
    );
    match worker.run(shutdown()).await {
        Ok(stats) => {
            eprintln!(
                "{}",
                serde_json::json!({
                    "worker": worker.consumer(),
                    "handled": stats.handled,
                    "duplicates": stats.duplicates,
                    "retried": stats.retried,
                    "dead_lettered": stats.dead_lettered,
                })
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("worker: {e}");
            ExitCode::FAILURE
        }
    }
}

/// SIGINT or SIGTERM.
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
