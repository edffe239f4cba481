//! Mounting an [`EventRouter`] as an actix-web route.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, Route, web};
use tracing::Instrument as _;
use webhook_verify::events::{EventRouter, Reply};

use crate::verify::{TARGET, verify_in_span, webhook_span};
use crate::{WebhookConfig, WebhookError};

/// A `POST` route that verifies each delivery with `config` and hands it to `router`: the
/// one-line way to mount typed event handlers.
///
/// ```text
/// App::new().route("/webhooks/stripe", webhook_actix::events(config, router))
/// ```
///
/// Per request:
///
/// 1. the body is read up to the config's [limit](WebhookConfig::max_body) and verified
///    exactly as the extractors do: the same 400, 401 and 413 answers, through the config's
///    [error handler](WebhookConfig::error_handler), in the same `webhook` span;
/// 2. the [`Verified`](webhook_verify::Verified) delivery goes to
///    [`EventRouter::dispatch_claimed`] when the config has
///    [replay protection](WebhookConfig::replay) (claimed before the handlers run,
///    committed when they succeed, released when they fail: 200 `duplicate`, 409
///    `in progress` with `Retry-After`, 503 `service unavailable`), else to
///    [`EventRouter::dispatch`];
/// 3. the router's [`Reply`] is the answer: the handler's 2xx and body, 200 for event types
///    without a route (or the fallback's answer), 200 with `{"challenge": …}` for Slack's
///    `url_verification`, 400 `invalid payload` when the data does not match the handler's
///    type, 500 `internal server error` when a handler fails or panics. The span's
///    `outcome` is the reply's [`Outcome`](webhook_verify::events::Outcome)
///    (`handled`, `unrouted`, `duplicate`, …).
///
/// The config's [`retry_after`](WebhookConfig::retry_after), when set, is the
/// `Retry-After` of 409 answers, as with the middleware. The router's answers do not go
/// through the error handler; shape them with the router's own hooks
/// ([`on_error`](webhook_verify::events::EventRouterBuilder::on_error),
/// [`invalid_payload`](webhook_verify::events::EventRouterBuilder::invalid_payload)).
///
/// The router must be built for the verifier's provider
/// (`EventRouter::builder(Provider::STRIPE)` with `Verifier::new(Provider::STRIPE, …)`):
/// the provider decides how the event type and id are read. A router for another provider
/// is a programming error; every delivery then gets 500 `internal server error` (through the
/// error handler) and an ERROR log line, before its body is read.
///
/// ```no_run
/// use actix_web::{App, HttpServer};
/// use serde::Deserialize;
/// use webhook_actix::{Event, EventRouter, WebhookConfig};
/// use webhook_verify::replay::{MemoryStore, Replay};
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
/// let replay = Replay::new(MemoryStore::new()).covering(&verifier);
/// let config = WebhookConfig::new(verifier).replay(replay);
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
    web::post().to(move |req: HttpRequest, payload: web::Payload| {
        let config = config.clone();
        let router = router.clone();
        async move { handle(&config, &router, &req, payload).await }
    })
}

/// Verifies one request and dispatches it, inside its `webhook` span.
async fn handle(
    config: &WebhookConfig,
    router: &EventRouter,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let span = webhook_span(config);
    async {
        let provider = config.verifier().provider();
        if router.provider() != provider {
            let err = WebhookError::Verify(webhook_verify::Error::Config {
                reason: "event router and verifier providers differ".into(),
            });
            span.record("outcome", err.kind_str());
            tracing::error!(
                target: TARGET,
                router = %router.provider(),
                verifier = %provider,
                path = req.path(),
                "the event router was built for another provider than the verifier's: \
                 webhook refused with 500",
            );
            return Err(config.handle_error(err, req));
        }
        let mut payload = payload.into_inner();
        let verified = verify_in_span(config, req, &mut payload, None)
            .await
            .map_err(|err| config.handle_error(err, req))?;
        let reply = match config.get_replay() {
            Some(replay) => router.dispatch_claimed(verified, replay).await,
            None => router.dispatch(verified).await,
        };
        span.record("outcome", reply.outcome().as_str());
        tracing::debug!(
            target: TARGET,
            status = reply.status(),
            event = reply.event().unwrap_or_default(),
            route = reply.route().unwrap_or_default(),
            "webhook event dispatched",
        );
        Ok(reply_response(config, &reply))
    }
    .instrument(span.clone())
    .await
}

/// The HTTP response for a router's [`Reply`]: its status, content type, body and
/// `Retry-After` (the config's, in whole seconds).
fn reply_response(config: &WebhookConfig, reply: &Reply) -> HttpResponse {
    let status = StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    if let Some(content_type) = reply.content_type() {
        response.insert_header((CONTENT_TYPE, content_type));
    }
    if reply.retry_after().is_some() {
        let in_flight = WebhookError::InFlight {
            retry_after: config.get_retry_after(),
        };
        if let Some(secs) = in_flight.retry_after_secs() {
            response.insert_header((RETRY_AFTER, secs));
        }
    }
    response.body(reply.body().clone())
}
