//! `webhook listen`: an axum receiver, built on `webhook-axum`, that verifies each delivery
//! and prints it as one JSON line.

use axum::Router;
use axum::routing::post;
use webhook_axum::{VerifiedWebhook, VerifyWebhookLayer, WebhookConfig};
use webhook_verify::Verifier;
use webhook_verify::replay::{MemoryStore, RedisStore, Replay};

use crate::Failure;
use crate::cli::ListenArgs;
use crate::verify::DeliveryLine;

pub(crate) fn run(args: ListenArgs) -> Result<(), Failure> {
    if !args.path.starts_with('/') {
        return Err(Failure::usage(format!(
            "--path must start with '/' (got {:?})",
            args.path
        )));
    }
    let verifier = args
        .secrets
        .resolve()?
        .iter()
        .fold(Verifier::builder(args.provider.clone()), |b, s| b.secret(s))
        .build()
        .map_err(|e| Failure::usage(format!("{e} (provider {})", args.provider.name())))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the runtime: {e}")))?;
    // Replay protection: in memory, or shared through Redis with --redis.
    let replay = runtime.block_on(async {
        match &args.redis {
            Some(url) => RedisStore::connect(url)
                .await
                .map(Replay::new)
                .map_err(|e| Failure::usage(format!("--redis: {e}"))),
            None => Ok(Replay::new(MemoryStore::new())),
        }
    })?;
    let config = WebhookConfig::builder(verifier.clone())
        .max_body(args.max_body)
        .replay(replay.covering(&verifier))
        .on_rejection(|rejection| {
            // One line per refused delivery on stderr; the sender gets the usual short text.
            eprintln!(
                "rejected {}: {}",
                rejection.status().as_u16(),
                rejection.body_text()
            );
            rejection.default_response()
        })
        .build();
    let app = Router::new()
        .route(&args.path, post(receive))
        .route_layer(VerifyWebhookLayer::new(config.clone()))
        .with_state(config);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| Failure::usage(format!("cannot listen on {}: {e}", args.addr)))?;
        let local = listener
            .local_addr()
            .map_err(|e| Failure::usage(format!("cannot listen on {}: {e}", args.addr)))?;
        eprintln!(
            "listening on http://{local}{} for provider {}",
            args.path,
            args.provider.name()
        );
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Failure::Failed(vec![format!("the server stopped: {e}")]))
    })
}

/// Prints the verified delivery and answers 200 (duplicates are answered by the layer and
/// not printed).
async fn receive(VerifiedWebhook(verified): VerifiedWebhook) -> &'static str {
    println!("{}", DeliveryLine::new(&verified).to_json());
    "ok"
}
