//! Mounting a Redis Stream handoff as an axum route (feature `redis`).

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use tracing::Instrument as _;
use webhook_verify::queue::{Handoff, Queue};

use crate::config::WebhookConfig;
use crate::rejection::reply_response;
use crate::request::read_and_verify;

/// A `POST` route that verifies each delivery with `config`, claims it in the config's
/// replay store and appends it to `queue` for [workers](webhook_verify::queue::Worker):
/// `202 queued` once Redis acknowledged the append, 503 (and the claim released) when it
/// failed. Verification answers, body limit, `on_rejection` hook and tracing span are the
/// config's, as for [`events`](crate::events()); duplicates get `200 duplicate` once a
/// worker has handled the delivery, `409 in progress` before.
///
/// Give the config the Redis replay store the workers use
/// ([`WebhookConfigBuilder::replay`](crate::WebhookConfigBuilder::replay)).
///
/// ```no_run
/// use axum::Router;
/// use webhook_axum::{RedisStore, Replay, WebhookConfig};
/// use webhook_verify::queue::Queue;
/// use webhook_verify::{Provider, Verifier};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let url = "redis://127.0.0.1:6379/";
/// let config = WebhookConfig::builder(Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?)
///     .replay(Replay::new(RedisStore::connect(url).await?))
///     .build();
/// let queue = Queue::connect(url, "webhooks").await?;
/// let app: Router = Router::new().route("/webhooks/stripe", webhook_axum::queue(config, queue));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
pub fn queue<S>(config: WebhookConfig, queue: Queue) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    let handoff = Handoff::new(config.receiver().clone(), queue);
    post(move |request: Request| handle(config, handoff, request))
}

async fn handle(config: WebhookConfig, handoff: Handoff, request: Request) -> Response {
    let delivery = handoff.receiver().receive();
    let span = delivery.span().clone();
    async {
        let (parts, body) = request.into_parts();
        match read_and_verify(&config, &delivery, &parts, body).await {
            Ok(verified) => reply_response(&handoff.enqueue(&delivery, verified).await),
            Err(rejection) => rejection.into_response(),
        }
    }
    .instrument(span)
    .await
}
