//! Receives webhook deliveries with actix-web, verifies them, drops duplicates and prints
//! one JSON line per processed delivery on stdout: `{"provider","id","timestamp","event_type"}`
//! (`id` is the replay key).
//!
//! ```text
//! actix-listener --provider stripe --secret whsec_... [--secret OLD] \
//!     [--addr 127.0.0.1:8080] [--path /] [--max-body 1048576] \
//!     [--redis redis://127.0.0.1:6379/] [--public-url https://hooks.example.com] \
//!     [--router-demo]
//! ```
//!
//! Verified deliveries get 200; refused ones get the adapter's status and short text body
//! (400 bad headers, 401 bad signature or stale timestamp, 413 over `--max-body`).
//! Replay protection (in memory, or in Redis with `--redis`): a delivery already processed
//! gets 200 `duplicate` and prints nothing, one being processed gets 409 `in progress`, and
//! 503 `service unavailable` while Redis is unreachable.
//! For Twilio, the signed URL is rebuilt as `http://{Host}{path and query}` unless
//! `--public-url` gives the public origin.
//!
//! With `--queue STREAM` (and `--redis URL`), `--path` is served by `webhook_actix::queue`:
//! each verified delivery is appended to the Redis Stream for the workers (`202 queued`);
//! see the `worker` example.
//!
//! With `--router-demo`, `--path` is served by `webhook_actix::events` with the demo event
//! router (`webhook_examples::demo_router`) instead: each handled event prints
//! `{"route","event","id"}` naming the route whose handler ran (`<fallback>` for event
//! types without one), with the same verification, body limit and replay protection.
//! Event types are acknowledged with 200, data that does not parse gets 400
//! `invalid payload`, and Slack's `url_verification` challenge is answered.

use std::process::ExitCode;

use actix_web::{App, HttpResponse, HttpServer, web};
use clap::Parser as _;
use webhook_actix::{VerifiedWebhook, VerifyWebhook, WebhookConfig};
use webhook_examples::{ListenerArgs, delivery_line, demo_router};

/// Runs behind the middleware, which has verified and claimed the delivery; the 200 commits
/// it, so duplicates never reach this handler.
async fn receive(webhook: VerifiedWebhook) -> HttpResponse {
    println!("{}", delivery_line(&webhook));
    HttpResponse::Ok().finish()
}

#[actix_web::main]
async fn main() -> ExitCode {
    let args = ListenerArgs::parse();
    let keys = match args.keys() {
        Ok(keys) => keys,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = args.serve_metrics() {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let replay = match args.replay().await {
        Ok(replay) => replay,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut config = WebhookConfig::builder(keys)
        .max_body(args.max_body)
        .shadow(args.shadow)
        .replay(replay);
    if let Some(url) = &args.public_url {
        config = config.public_base_url(url);
    }
    let config = config.build();
    let router = if args.router_demo {
        match demo_router(&args.provider) {
            Ok(router) => Some(router),
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let queue = match args.queue().await {
        Ok(queue) => queue,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let path = args.path.clone();
    let server = HttpServer::new(move || match (&queue, &router) {
        (Some(queue), _) => {
            App::new().route(&path, webhook_actix::queue(config.clone(), queue.clone()))
        }
        (None, Some(router)) => {
            App::new().route(&path, webhook_actix::events(config.clone(), router.clone()))
        }
        (None, None) => App::new().service(
            web::resource(&path)
                .wrap(VerifyWebhook::new(config.clone()))
                .route(web::post().to(receive)),
        ),
    })
    .bind(args.addr);
    let server = match server {
        Ok(server) => server,
        Err(err) => {
            eprintln!("error: cannot listen on {}: {err}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    for addr in server.addrs() {
        let mode = if args.router_demo {
            " (router demo)"
        } else {
            ""
        };
        eprintln!("listening on http://{addr}{}{mode}", args.path);
    }
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
