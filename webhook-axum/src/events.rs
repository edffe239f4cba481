//! Mounting an [`EventRouter`] as an axum route.

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use tracing::Instrument as _;
use webhook_verify::EventRouter;
use webhook_verify::receive::Endpoint;

use crate::config::WebhookConfig;
use crate::rejection::reply_response;
use crate::request::read_and_verify;

/// A `GET` and `POST` route that verifies each delivery with `config` and hands it to `router`: the
/// one-line way to mount typed event handlers.
///
/// The body limit and timeout, verification answers (400, 401, 408, 413),
/// `on_rejection` hook and tracing span are the config's, as for the extractors. With
/// replay protection (the default), each delivery is claimed before its handler runs,
/// committed when it succeeds and released when it fails, so the provider's retry runs
/// it again: at least once, never twice after a success. The router's answers follow the
/// same status policy: the handler's 2xx, 500 when it fails, 400 `invalid payload` when
/// the data does not match its type, 200 for event types without a route, `200
/// duplicate` / `409 in progress` / `503` from the replay claim. Handshake challenges
/// (Meta, X, Dropbox, Microsoft Graph, Okta, Slack, Zoom, Discord, Twitch) are answered by
/// the core's receive path without running a handler; a `GET` that is no handshake gets
/// `405`.
///
/// ```no_run
/// use axum::Router;
/// use serde::Deserialize;
/// use webhook_axum::WebhookConfig;
/// use webhook_verify::{Event, EventRouter, Provider, Verifier};
///
/// #[derive(Deserialize)]
/// struct Invoice { id: String, amount_paid: u64 }
///
/// async fn invoice_paid(event: Event<Invoice>) -> Result<(), std::io::Error> {
///     println!("{} paid {}", event.data().id, event.data().amount_paid);
///     Ok(())
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::new(Provider::STRIPE, std::env::var("STRIPE_WEBHOOK_SECRET")?)?;
/// let router = EventRouter::builder(Provider::STRIPE)
///     .on("invoice.paid", invoice_paid)
///     .build()?;
/// let app: Router = Router::new()
///     .route("/webhooks/stripe", webhook_axum::events(WebhookConfig::new(verifier), router));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
///
/// # Panics
///
/// When `router` was built for another provider than `config`'s verifier, like axum's
/// conflicting routes: a mistake to see at start-up, not on every delivery.
///
/// ```should_panic
/// use webhook_axum::WebhookConfig;
/// use webhook_verify::{EventRouter, Provider, Verifier};
///
/// let config = WebhookConfig::new(Verifier::new(Provider::STRIPE, "whsec_x")?);
/// let github = EventRouter::builder(Provider::GITHUB).build()?;
/// let _: axum::routing::MethodRouter = webhook_axum::events(config, github); // panics
/// # Ok::<(), webhook_verify::Error>(())
/// ```
pub fn events<S>(config: WebhookConfig, router: EventRouter) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    let endpoint = Endpoint::new(config.receiver().clone(), router)
        .unwrap_or_else(|error| panic!("webhook_axum::events: {error}"));
    // GET too: handshakes (Meta, X, Dropbox, Okta) arrive as GET requests.
    on(
        MethodFilter::GET.or(MethodFilter::POST),
        move |request: Request| handle(config, endpoint, request),
    )
}

/// Reads and verifies one request, then dispatches it.
async fn handle(config: WebhookConfig, endpoint: Endpoint, request: Request) -> Response {
    let delivery = endpoint.receiver().receive();
    let span = delivery.span().clone();
    async {
        let (parts, body) = request.into_parts();
        match read_and_verify(&config, &delivery, &parts, body).await {
            Ok(verified) => reply_response(&endpoint.dispatch(&delivery, verified).await),
            Err(rejection) => rejection.into_response(),
        }
    }
    .instrument(span)
    .await
}
