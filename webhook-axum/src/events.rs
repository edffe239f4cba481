//! Mounting an [`EventRouter`] as an axum route.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post_service};
use http::{HeaderValue, Request, StatusCode, header};
use tower_service::Service;
use tracing::Instrument as _;
use webhook_verify::events::{EventRouter, Reply};
use webhook_verify::{Error, Verified};

use crate::extract::verify_body;
use crate::{WebhookConfig, WebhookRejection};

/// A `POST` route that verifies each delivery with `config` and hands it to `router`: the
/// one-line way to mount typed event handlers.
///
/// The body limit, verification answers (400, 401, 413), `on_rejection` hook and tracing
/// span are the config's, as for the extractors. With [`replay`](crate::WebhookConfigBuilder::replay)
/// configured, each delivery is claimed before its handlers run, committed when they
/// succeed and released when they fail ([`EventRouter::dispatch_claimed`]). The router's
/// answers follow the same status policy: the handler's 2xx, 500 when it fails, 400
/// `invalid payload` when the data does not match its type, 200 for event types without a
/// route.
///
/// The router must be built for the verifier's provider; otherwise every delivery gets
/// 500 and an ERROR log.
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
pub fn events<S>(config: WebhookConfig, router: EventRouter) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    post_service(EventService::new(config, router))
}

/// The service behind [`events`]: verifies with a [`WebhookConfig`], then dispatches to an
/// [`EventRouter`]. Use it directly with `Router::route_service` or any tower stack.
#[derive(Clone)]
pub struct EventService {
    config: WebhookConfig,
    router: EventRouter,
}

impl fmt::Debug for EventService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventService")
            .field("config", &self.config)
            .field("router", &self.router)
            .finish()
    }
}

impl EventService {
    /// A service verifying with `config` and routing with `router`.
    #[must_use]
    pub fn new(config: WebhookConfig, router: EventRouter) -> Self {
        Self { config, router }
    }

    /// Verifies one request and dispatches it.
    async fn handle<B>(self, request: Request<B>) -> Response
    where
        B: http_body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let span = self.config.span();
        async {
            let provider = self.config.verifier().provider();
            if self.router.provider() != provider {
                span.record("outcome", "config");
                tracing::error!(
                    router = %self.router.provider(),
                    verifier = %provider,
                    "the event router was built for another provider than the verifier's"
                );
                let error = Error::Config {
                    reason: "event router and verifier providers differ".into(),
                };
                return self
                    .config
                    .attach(WebhookRejection::from(error))
                    .into_response();
            }
            let (parts, body) = request.into_parts();
            let verified: Verified = match verify_body(&self.config, &span, &parts, body).await {
                Ok(verified) => verified,
                Err(rejection) => return rejection.into_response(),
            };
            let reply = match self.config.replay() {
                Some(replay) => self.router.dispatch_claimed(verified, replay).await,
                None => self.router.dispatch(verified).await,
            };
            span.record("outcome", reply.outcome().as_str());
            tracing::debug!(
                status = reply.status(),
                event = reply.event().unwrap_or_default(),
                route = reply.route().unwrap_or_default(),
                "webhook event dispatched"
            );
            reply_response(reply)
        }
        .instrument(span.clone())
        .await
    }
}

/// The HTTP response for a router's [`Reply`].
fn reply_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Body::from(reply.body().clone()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some(content_type) = reply.content_type() {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if let Some(secs) = reply.retry_after() {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

impl<B> Service<Request<B>> for EventService
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(request).await) })
    }
}
