//! Mounting a Redis Stream handoff as an actix-web route (feature `redis`).

use std::rc::Rc;

use actix_web::{HttpRequest, Route, web};
use tracing::Instrument as _;
use webhook_verify::queue::{Handoff, Queue};

use crate::error::response;
use crate::{WebhookConfig, request};

/// A `POST` route that verifies each delivery with `config`, claims it in the config's
/// replay store and appends it to `queue` for [workers](webhook_verify::queue::Worker):
/// `202 queued` once Redis acknowledged the append, 503 (and the claim released) when it
/// failed. Verification answers go through the config's
/// [error handler](crate::WebhookConfigBuilder::error_handler), as for
/// [`events`](crate::events()); duplicates get `200 duplicate` once a worker has handled
/// the delivery, `409 in progress` before.
///
/// Give the config the Redis replay store the workers use
/// ([`WebhookConfigBuilder::replay`](crate::WebhookConfigBuilder::replay)).
///
/// ```no_run
/// use actix_web::{App, HttpServer};
/// use webhook_actix::{RedisStore, Replay, WebhookConfig};
/// use webhook_verify::queue::Queue;
/// use webhook_verify::{Provider, Verifier};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let url = "redis://127.0.0.1:6379/";
/// let config = WebhookConfig::builder(Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?)
///     .replay(Replay::new(RedisStore::connect(url).await?))
///     .build();
/// let queue = Queue::connect(url, "webhooks").await?;
/// HttpServer::new(move || {
///     App::new().route("/webhooks/stripe", webhook_actix::queue(config.clone(), queue.clone()))
/// })
/// .bind(("127.0.0.1", 8080))?
/// .run()
/// .await?;
/// # Ok(()) }
/// ```
pub fn queue(config: WebhookConfig, queue: Queue) -> Route {
    let handoff = Handoff::new(config.receiver().clone(), queue);
    let shared = Rc::new((config, handoff));
    web::post().to(move |req: HttpRequest, payload: web::Payload| {
        let shared = Rc::clone(&shared);
        async move {
            let (config, handoff) = &*shared;
            let reception = handoff.receiver().receive();
            let verified = request::verify(&reception, &req, payload.into_inner())
                .instrument(reception.span().clone())
                .await
                .map_err(|reply| WebhookConfig::error(Some(config), reply, &req))?;
            let reply = handoff
                .enqueue(&reception, verified)
                .instrument(reception.span().clone())
                .await;
            Ok::<_, actix_web::Error>(response(&reply))
        }
    })
}
