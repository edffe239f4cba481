//! Receives webhook deliveries with axum, verifies them, and prints one JSON line
//! `{"provider","id","timestamp","event_type"}` per handled delivery on stdout (`id` is
//! the replay key). Refused deliveries get the status policy's answer (400, 401, 413, ...)
//! and print nothing; so do duplicates (`200 duplicate`, or `409 in progress` while the
//! first is being handled). Replay protection is in memory, or in Redis with `--redis URL`
//! (then a Redis outage answers 503).
//!
//! With `--queue STREAM` (and `--redis URL`), deliveries are handed to workers through a
//! Redis Stream (`webhook_axum::queue`): `202 queued` once Redis has them; see the `worker`
//! example.
//!
//! With `--router-demo`, deliveries go through an event router instead
//! (`webhook_axum::events` with `webhook_examples::demo_router`): each handled event prints
//! `{"route","event","id"}`, naming the handler that ran (`invoice.paid`, `invoice.*`,
//! `<fallback>`, ...).
//!
//! ```text
//! axum-listener --provider github --secret 'It'"'"'s a Secret' --addr 127.0.0.1:8080 --path /hooks
//! axum-listener --provider stripe --secret whsec_... --router-demo
//! axum-listener --provider twilio --secret TOKEN --public-url https://hooks.example.com --redis redis://127.0.0.1:6379/
//! ```

use std::io::Write as _;
use std::process::ExitCode;

use axum::Router;
use axum::routing::post;
use clap::Parser;
use webhook_axum::{VerifiedWebhook, VerifyWebhookLayer, WebhookConfig};
use webhook_examples::{ListenerArgs, delivery_line, demo_router};

/// Runs once per new delivery: the layer answers duplicates before this, and commits the
/// delivery when this answers 2xx. `VerifiedWebhook` reuses the layer's verification.
async fn receive(VerifiedWebhook(delivery): VerifiedWebhook) -> &'static str {
    let mut stdout = std::io::stdout().lock();
    // A closed stdout must not turn a verified delivery into an error for the sender.
    let _ = writeln!(stdout, "{}", delivery_line(&delivery));
    let _ = stdout.flush();
    "ok"
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = ListenerArgs::parse();
    if !args.path.starts_with('/') {
        eprintln!("axum-listener: --path must start with '/'");
        return ExitCode::from(2);
    }
    let keys = match args.keys() {
        Ok(keys) => keys,
        Err(e) => {
            eprintln!("axum-listener: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = args.serve_metrics() {
        eprintln!("axum-listener: {e}");
        return ExitCode::FAILURE;
    }
    let replay = match args.replay().await {
        Ok(replay) => replay,
        Err(e) => {
            eprintln!("axum-listener: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut config = WebhookConfig::builder(keys)
        .max_body(args.max_body)
        .shadow(args.shadow)
        .replay(replay);
    if let Some(url) = &args.public_url {
        config = config.public_base_url(url.as_str());
    }
    let config = config.build();
    let queue = match args.queue().await {
        Ok(queue) => queue,
        Err(e) => {
            eprintln!("axum-listener: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = if let Some(queue) = queue {
        Router::new().route(&args.path, webhook_axum::queue(config, queue))
    } else if args.router_demo {
        let router = match demo_router(&args.provider) {
            Ok(router) => router,
            Err(e) => {
                eprintln!("axum-listener: {e}");
                return ExitCode::from(2);
            }
        };
        Router::new().route(&args.path, webhook_axum::events(config, router))
    } else {
        Router::new()
            .route(&args.path, post(receive))
            .route_layer(VerifyWebhookLayer::new(config.clone()))
            .with_state(config)
    };
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("axum-listener: cannot listen on {}: {e}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        eprintln!(
            "axum-listener: {} deliveries on http://{addr}{} (replay store: {})",
            args.provider.name(),
            args.path,
            if args.redis.is_some() {
                "redis"
            } else {
                "memory"
            },
        );
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axum-listener: {e}");
            ExitCode::FAILURE
        }
    }
}
