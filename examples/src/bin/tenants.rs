//! A two-tenant axum app: each customer's deliveries are posted to `/hooks/{tenant}` and
//! verified with that tenant's own secret, looked up through a resolver (here a table given
//! on the command line, standing for a secret manager) and cached.
//!
//! ```text
//! tenants --provider stripe --tenant acme=whsec_acme --tenant globex=whsec_globex --addr 127.0.0.1:8080
//! ```
//!
//! Each handled delivery prints `{"tenant","key","id"}` on stdout. A delivery signed with
//! another tenant's secret, or for a tenant not in the table, gets `401 invalid signature`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::Path;
use axum::routing::post;
use clap::Parser;
use webhook_axum::{VerifiedWebhook, WebhookConfig};
use webhook_verify::Provider;
use webhook_verify::key_source::{ResolveError, TenantFrom, TenantKeys, TenantSecrets};

/// The command line.
#[derive(Debug, Parser)]
struct Args {
    /// The sender.
    #[arg(long, value_parser = |s: &str| s.parse::<Provider>().map_err(|e| e.to_string()))]
    provider: Provider,
    /// A tenant and its secret, `name=secret`; repeat for each tenant.
    #[arg(long = "tenant", required = true)]
    tenants: Vec<String>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

async fn receive(
    Path(tenant): Path<String>,
    VerifiedWebhook(verified): VerifiedWebhook,
) -> &'static str {
    println!(
        "{}",
        serde_json::json!({
            "tenant": tenant,
            "key": verified.key().id(),
            "id": verified.replay_key(),
        })
    );
    "ok"
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut table = HashMap::new();
    for entry in &args.tenants {
        let Some((name, secret)) = entry.split_once('=') else {
            eprintln!("tenants: --tenant takes name=secret");
            return ExitCode::from(2);
        };
        table.insert(name.to_owned(), secret.to_owned());
    }
    let table = Arc::new(table);
    // The resolver: a secret manager's lookup in a real service.
    let resolver =
        move |tenant: String| {
            let table = Arc::clone(&table);
            async move {
                Ok::<_, ResolveError>(table.get(&tenant).map(|secret| {
                    TenantSecrets::new().secret_with_id(tenant.clone(), secret.as_str())
                }))
            }
        };
    let keys =
        match TenantKeys::builder(args.provider.clone(), TenantFrom::PathSegment(1), resolver)
            .build()
        {
            Ok(keys) => keys,
            Err(e) => {
                eprintln!("tenants: {e}");
                return ExitCode::from(2);
            }
        };
    let app = Router::new()
        .route("/hooks/{tenant}", post(receive))
        .with_state(WebhookConfig::new(keys));
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("tenants: cannot listen on {}: {e}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        eprintln!(
            "tenants: {} deliveries on http://{addr}/hooks/{{tenant}}",
            args.provider.name()
        );
    }
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tenants: {e}");
            ExitCode::FAILURE
        }
    }
}
