//! Shared pieces of the example listeners: the command line both take, and the JSON line
//! both print for each verified delivery.

use std::net::SocketAddr;

use clap::Parser;
use webhook_verify::replay::{MemoryStore, RedisStore, Replay, StoreError};
use webhook_verify::{Provider, Verified, Verifier};

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
    #[arg(long = "secret", required = true)]
    pub secrets: Vec<String>,
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
}

fn parse_provider(name: &str) -> Result<Provider, String> {
    name.parse::<Provider>().map_err(|e| e.to_string())
}

impl ListenerArgs {
    /// The verifier these arguments describe.
    ///
    /// # Errors
    ///
    /// When a secret cannot be used with the provider.
    pub fn verifier(&self) -> Result<Verifier, webhook_verify::Error> {
        self.secrets
            .iter()
            .fold(Verifier::builder(self.provider.clone()), |b, s| b.secret(s))
            .build()
    }
}

impl ListenerArgs {
    /// Replay protection: the Redis store with `--redis`, the in-memory store otherwise;
    /// handled deliveries are remembered at least as long as `verifier` accepts them.
    ///
    /// # Errors
    ///
    /// When the Redis server cannot be reached.
    pub async fn replay(&self, verifier: &Verifier) -> Result<Replay, StoreError> {
        let replay = match &self.redis {
            Some(url) => Replay::new(RedisStore::connect(url).await?),
            None => Replay::new(MemoryStore::new()),
        };
        Ok(replay.covering(verifier))
    }
}

/// The line printed for a verified delivery:
/// `{"provider","id","timestamp","event_type"}`, with `null` for what the provider does not
/// send. `id` is the delivery's replay key ([`Verified::replay_key`]).
#[must_use]
pub fn delivery_line(verified: &Verified) -> String {
    serde_json::json!({
        "provider": verified.provider().name(),
        "id": verified.replay_key(),
        "timestamp": verified.timestamp(),
        "event_type": verified.event_type(),
    })
    .to_string()
}
