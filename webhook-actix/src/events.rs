//! Mounting an [`EventRouter`] as an actix-web route.

use std::rc::Rc;

use actix_web::{HttpRequest, Route, guard, web};
use tracing::Instrument as _;
use webhook_verify::EventRouter;
use webhook_verify::receive::Endpoint;

use crate::error::response;
use crate::{WebhookConfig, request};

/// A `GET` and `POST` route that verifies each delivery with `config` and hands it to `router`: the
/// one-line way to mount typed event handlers.
///
/// Per request, the body is read and verified as by the extractors (same answers, through
/// the config's [error handler](crate::WebhookConfigBuilder::error_handler)), then the
/// core's [`Endpoint`] dispatches it with the config's replay protection (claimed before
/// the handlers run, committed when they succeed, released when they fail) and its
/// [`Reply`](crate::Reply) is the answer: the handler's 2xx and body, 200 for event types
/// without a route, handshake answers, 200 `duplicate`, 409 `in
/// progress` with `Retry-After`, 400 `invalid payload`, 500 when a handler fails, 503 when
/// the store is down. The router's answers do not go through the error handler; shape
/// them with the router's own hooks. Handshake challenges (Meta, X, Dropbox, Microsoft
/// Graph, Okta, Slack, Zoom, Discord, Twitch) are answered by the core's receive path
/// without running a handler; a `GET` that is no handshake gets `405`.
///
/// # Panics
///
/// When `router` was built for another provider than the config's verifier
/// (`EventRouter::builder(Provider::STRIPE)` with a GitHub verifier): a programming error,
/// caught once when the route is built (at server start), not per request.
///
/// ```no_run
/// use actix_web::{App, HttpServer};
/// use serde::Deserialize;
/// use webhook_actix::{Event, EventRouter, WebhookConfig};
/// use webhook_verify::{Provider, Verifier};
///
/// #[derive(Deserialize)]
/// struct Invoice {
///     id: String,
///     amount_paid: u64,
/// }
///
/// async fn invoice_paid(event: Event<Invoice>) -> Result<(), std::io::Error> {
///     println!("{} paid {}", event.data().id, event.data().amount_paid);
///     Ok(())
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?;
/// let config = WebhookConfig::new(verifier);
/// let router = EventRouter::builder(Provider::STRIPE)
///     .on("invoice.paid", invoice_paid)
///     .build()?;
/// HttpServer::new(move || {
///     App::new().route(
///         "/webhooks/stripe",
///         webhook_actix::events(config.clone(), router.clone()),
///     )
/// })
/// .bind(("127.0.0.1", 8080))?
/// .run()
/// .await?;
/// # Ok(())
/// # }
/// ```
pub fn events(config: WebhookConfig, router: EventRouter) -> Route {
    let endpoint = Endpoint::new(config.receiver().clone(), router)
        .unwrap_or_else(|error| panic!("webhook_actix::events: {error}"));
    let shared = Rc::new((config, endpoint));
    // GET too: handshakes (Meta, X, Dropbox, Okta) arrive as GET requests.
    web::route()
        .guard(guard::Any(guard::Get()).or(guard::Post()))
        .to(move |req: HttpRequest, payload: web::Payload| {
            let shared = Rc::clone(&shared);
            async move {
                let (config, endpoint) = &*shared;
                let reception = endpoint.receiver().receive();
                let verified = request::verify(&reception, &req, payload.into_inner())
                    .instrument(reception.span().clone())
                    .await
                    .map_err(|reply| WebhookConfig::error(Some(config), reply, &req))?;
                let reply = endpoint.dispatch(&reception, verified).await;
                Ok::<_, actix_web::Error>(response(&reply))
            }
        })
}
