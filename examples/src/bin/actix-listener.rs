//! Receives webhook deliveries with actix-web, verifies them and prints one JSON line per
//! verified delivery on stdout: `{"provider","id","timestamp","event_type"}`.
//!
//! ```text
//! actix-listener --provider stripe --secret whsec_... [--secret OLD] \
//!     [--addr 127.0.0.1:8080] [--path /] [--max-body 1048576]
//! ```
//!
//! Verified deliveries get 200; refused ones get the adapter's status and short text body
//! (400 bad headers, 401 bad signature or stale timestamp, 413 over `--max-body`).
//! For Twilio, the signed URL is rebuilt as `http://{Host}{path and query}`.

use std::process::ExitCode;

use actix_web::{App, HttpResponse, HttpServer, web};
use clap::Parser as _;
use webhook_actix::{RawWebhook, WebhookConfig};
use webhook_examples::{ListenerArgs, delivery_line};

async fn receive(webhook: RawWebhook) -> HttpResponse {
    println!("{}", delivery_line(&webhook));
    HttpResponse::Ok().finish()
}

#[actix_web::main]
async fn main() -> ExitCode {
    let args = ListenerArgs::parse();
    let verifier = match args.verifier() {
        Ok(verifier) => verifier,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let config = WebhookConfig::new(verifier).max_body(args.max_body);
    let path = args.path.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(config.clone())
            .route(&path, web::post().to(receive))
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
        eprintln!("listening on http://{addr}{}", args.path);
    }
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
