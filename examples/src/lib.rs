//! Shared pieces of the example listeners: the command line both take, and the JSON line
//! both print for each verified delivery.

use std::io::Write as _;
use std::net::SocketAddr;

use clap::Parser;
use webhook_verify::events::{EventRouter, Failure};
use webhook_verify::key_source::{KeySource, LiveKeys};
use webhook_verify::queue::{Queue, QueueError};
use webhook_verify::replay::{MemoryStore, RedisStore, Replay, StoreError};
use webhook_verify::{Event, Provider, Verified, Verifier};

/// Default body limit of the listeners: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// The command line of `axum-listener` and `actix-listener`.
#[derive(Debug, Clone, Parser)]
#[command(about = "Receive webhook deliveries, verify them, print one JSON line for each")]
pub struct ListenerArgs {
    /// The sender: standard, svix, clerk, resend, stripe, github, github-sha1, slack,
    /// shopify, twilio, discord, paddle.
    #[arg(long, value_parser = parse_provider)]
    pub provider: Provider,
    /// The signing secret as the provider shows it; repeat while rotating keys.
    #[arg(long = "secret", required_unless_present = "secrets_file")]
    pub secrets: Vec<String>,
    /// Read the secrets from this file instead, one per line (`id=secret` to name a key;
    /// blank lines and `#` comments skipped), and read it again on `SIGHUP`: keys rotate
    /// without a restart. A file that does not load keeps the keys in force.
    #[arg(long = "secrets-file", conflicts_with = "secrets")]
    pub secrets_file: Option<std::path::PathBuf>,
    /// Serve Prometheus metrics (`webhook_deliveries_total`, ...) on this address, at
    /// `/metrics`.
    #[arg(long = "metrics-addr")]
    pub metrics_addr: Option<SocketAddr>,
    /// Shadow mode: deliveries that fail verification are still handled (and printed with
    /// `"authentic":false`); a loud warning is logged at start-up.
    #[arg(long)]
    pub shadow: bool,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The path deliveries are posted to.
    #[arg(long, default_value = "/")]
    pub path: String,
    /// The largest body accepted, in bytes; larger ones get 413.
    #[arg(long = "max-body", default_value_t = DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// Remember deliveries in this Redis server (`redis://host:port/`) instead of in
    /// memory, so several listeners share replay protection.
    #[arg(long)]
    pub redis: Option<String>,
    /// The public base URL senders post to (`https://example.com`), for providers that
    /// sign the URL (Twilio, Square); defaults to `http://{Host}`.
    #[arg(long = "public-url")]
    pub public_url: Option<String>,
    /// Route deliveries through an event router instead (see `demo_router`): each handled
    /// event prints `{"route","event","id"}`, naming the handler that ran.
    #[arg(long = "router-demo")]
    pub router_demo: bool,
    /// Hand each verified delivery to workers through this Redis Stream on the --redis
    /// server instead: 202 `queued` once Redis has it, 503 when it cannot (see the
    /// `worker` example).
    #[arg(
        long,
        value_name = "STREAM",
        requires = "redis",
        conflicts_with = "router_demo"
    )]
    pub queue: Option<String>,
    /// The number of shards of the --queue stream; the workers must use the same.
    #[arg(long, default_value_t = 1)]
    pub shards: u16,
    /// Milliseconds a claim holds a delivery (being handled, or queued for a worker)
    /// before a duplicate may take it.
    #[arg(long = "lease-ms", default_value_t = 60_000)]
    pub lease_ms: u64,
}

fn parse_provider(name: &str) -> Result<Provider, String> {
    name.parse::<Provider>().map_err(|e| e.to_string())
}

impl ListenerArgs {
    /// The keys these arguments describe: the `--secret`s, or the `--secrets-file`, read
    /// again on every `SIGHUP` (this starts the task that waits for it; call it inside the
    /// tokio runtime).
    ///
    /// # Errors
    ///
    /// When a secret cannot be used with the provider, or the file cannot be read.
    pub fn keys(&self) -> Result<KeySource, String> {
        let Some(path) = &self.secrets_file else {
            let verifier = self
                .secrets
                .iter()
                .fold(Verifier::builder(self.provider.clone()), |b, s| b.secret(s))
                .build()
                .map_err(|e| e.to_string())?;
            return Ok(verifier.into());
        };
        let live = LiveKeys::new(secrets_file(&self.provider, path)?);
        reload_on_sighup(live.clone(), self.provider.clone(), path.clone());
        Ok(live.into())
    }

    /// Replay protection: the Redis store with `--redis`, the in-memory store otherwise
    /// (the receiver keeps deliveries at least as long as its keys accept them).
    ///
    /// # Errors
    ///
    /// When the Redis server cannot be reached.
    pub async fn replay(&self) -> Result<Replay, StoreError> {
        Ok(match &self.redis {
            Some(url) => Replay::new(RedisStore::connect(url).await?),
            None => Replay::new(MemoryStore::new()),
        }
        .lease(std::time::Duration::from_millis(self.lease_ms)))
    }

    /// The queue `--queue` names, on the `--redis` server.
    ///
    /// # Errors
    ///
    /// When the Redis server cannot be reached or could drop queued deliveries.
    pub async fn queue(&self) -> Result<Option<Queue>, QueueError> {
        let (Some(stream), Some(url)) = (&self.queue, &self.redis) else {
            return Ok(None);
        };
        Ok(Some(
            Queue::connect(url, stream.as_str())
                .await?
                .shards(self.shards),
        ))
    }

    /// Serves Prometheus metrics on `--metrics-addr`, when given (call it inside the tokio
    /// runtime).
    ///
    /// # Errors
    ///
    /// When the exporter cannot be installed or cannot listen on the address.
    pub fn serve_metrics(&self) -> Result<(), String> {
        match self.metrics_addr {
            Some(addr) => serve_metrics(addr),
            None => Ok(()),
        }
    }
}

/// Installs the Prometheus exporter as the `metrics` recorder, serving `/metrics` on
/// `addr` (inside the tokio runtime).
///
/// # Errors
///
/// When a recorder is already installed or the address cannot be bound.
pub fn serve_metrics(addr: SocketAddr) -> Result<(), String> {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(addr)
        .install()
        .map_err(|e| format!("cannot serve metrics on {addr}: {e}"))
}

/// The verifier of a secrets file: one secret per line, `id=secret` to name it, blank
/// lines and `#` comments skipped.
///
/// # Errors
///
/// When the file cannot be read, holds no secret, or a secret does not suit `provider`
/// (the message never contains a secret).
pub fn secrets_file(provider: &Provider, path: &std::path::Path) -> Result<Verifier, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut builder = Verifier::builder(provider.clone());
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        builder = match line.split_once('=') {
            // `=` also ends base64 secrets: only a short word before it is an id.
            Some((id, secret))
                if !id.is_empty()
                    && id.len() <= 64
                    && !secret.is_empty()
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) =>
            {
                builder.secret_with_id(id, secret)
            }
            _ => builder.secret(line),
        };
    }
    builder
        .build()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads `path` again on every `SIGHUP` and replaces `live`'s keys with its contents.
fn reload_on_sighup(live: LiveKeys, provider: Provider, path: std::path::PathBuf) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            eprintln!("cannot wait for SIGHUP: keys will not be reloaded");
            return;
        };
        while hangups.recv().await.is_some() {
            match secrets_file(&provider, &path)
                .and_then(|v| live.replace(v).map_err(|e| e.to_string()))
            {
                Ok(_) => eprintln!("keys reloaded from {}", path.display()),
                Err(e) => eprintln!("keys not reloaded, the old ones stay: {e}"),
            }
        }
    });
    #[cfg(not(unix))]
    let _ = (live, provider, path);
}

/// The line printed for a verified delivery:
/// `{"provider","id","timestamp","event_type"}`, with `null` for what the provider does not
/// send. `id` is the delivery's replay key ([`Verified::replay_key`]).
#[must_use]
pub fn delivery_line(verified: &Verified) -> String {
    let mut line = serde_json::json!({
        "provider": verified.provider().name(),
        "id": verified.replay_key(),
        "timestamp": verified.timestamp(),
        "event_type": verified.event_type(),
    });
    if let Some(failure) = verified.shadow_failure() {
        line["authentic"] = false.into();
        line["failure"] = failure.as_str().into();
    }
    line.to_string()
}

/// The event router of `--router-demo`: a few routes per provider, each printing which
/// handler ran as one JSON line `{"route","event","id"}` on stdout.
///
/// | provider | routes (most specific first) |
/// |---|---|
/// | stripe | `invoice.paid`, `invoice.*`, `customer.subscription.*` |
/// | github | `issues.opened`, `issues`, `pull_request.*`, `ping` |
/// | slack | `app_mention`, `message` (the challenge is answered by the router) |
/// | shopify | `orders/create`, `orders/*` |
/// | paddle | `subscription.created`, `transaction.*` |
/// | others | `*` |
///
/// Every provider also gets an `on_any` audit line on stderr and a fallback that prints
/// `<fallback>` for event types without a route.
///
/// # Errors
///
/// Never for these fixed patterns; the `Result` is the router builder's.
pub fn demo_router(provider: &Provider) -> Result<EventRouter, webhook_verify::Error> {
    let routes: &[&'static str] = match provider.name() {
        "stripe" => &["invoice.paid", "invoice.*", "customer.subscription.*"],
        "github" => &["issues.opened", "issues", "pull_request.*", "ping"],
        "slack" => &["app_mention", "message"],
        "shopify" => &["orders/create", "orders/*"],
        "paddle" => &["subscription.created", "transaction.*"],
        _ => &["*"],
    };
    let mut builder = EventRouter::builder(provider.clone())
        .on_any(|event: Event| async move {
            eprintln!("router-demo: received {}", event.name());
            Ok::<_, std::convert::Infallible>(())
        })
        .fallback(|event: Event| async move {
            print_route("<fallback>", &event);
            Ok::<_, std::convert::Infallible>(())
        })
        .on_error(|failure: &Failure<'_>| eprintln!("router-demo: {failure:?}"));
    for &route in routes {
        builder = builder.on(route, move |event: Event| async move {
            print_route(route, &event);
            Ok::<_, std::convert::Infallible>(())
        });
    }
    builder.build()
}

fn print_route(route: &str, event: &Event) {
    let line = serde_json::json!({ "route": route, "event": event.name(), "id": event.id() });
    let mut stdout = std::io::stdout().lock();
    // A closed stdout must not turn a handled delivery into an error for the sender.
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}
