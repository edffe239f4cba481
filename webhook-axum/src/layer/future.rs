use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::Request;
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::WebhookRejection;
use crate::claim::Claim;

type Verifying =
    Pin<Box<dyn Future<Output = Result<(Request<Body>, Claim), WebhookRejection>> + Send>>;
type Settling = Pin<Box<dyn Future<Output = ()> + Send>>;

pin_project! {
    /// The response future of [`VerifyWebhook`](super::VerifyWebhook): reads and verifies
    /// the body, claims the delivery (with replay protection), runs the inner service's
    /// future, then commits or releases the claim before handing the response out, all
    /// inside the delivery's `webhook` tracing span. Dropped before it finishes, it
    /// releases the claim in the background.
    ///
    /// ```
    /// use axum::{Router, routing::post};
    /// use webhook_axum::{ResponseFuture, VerifyWebhook, WebhookConfig};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// type Service = VerifyWebhook<Router>;
    /// // `<Service as tower::Service<http::Request<axum::body::Body>>>::Future` is:
    /// type Future = ResponseFuture<Router, <Router as tower::Service<http::Request<axum::body::Body>>>::Future>;
    /// ```
    pub struct ResponseFuture<S, F> {
        #[pin]
        state: State<S, F>,
        span: tracing::Span,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S, F> {
        Verifying { verifying: Verifying, service: Option<S> },
        Calling { #[pin] future: F, claim: Option<Claim> },
        Settling { settling: Settling, response: Option<Response> },
    }
}

impl<S, F> ResponseFuture<S, F> {
    pub(super) fn new(verifying: Verifying, service: S, span: tracing::Span) -> Self {
        Self {
            state: State::Verifying {
                verifying,
                service: Some(service),
            },
            span,
        }
    }
}

impl<S, F> fmt::Debug for ResponseFuture<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Verifying { .. } => "verifying",
            State::Calling { .. } => "calling",
            State::Settling { .. } => "settling",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl<S, F, R, E> Future for ResponseFuture<S, F>
where
    S: Service<Request<Body>, Response = R, Error = E, Future = F>,
    F: Future<Output = Result<R, E>>,
    R: IntoResponse,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let _entered = this.span.enter();
        loop {
            match this.state.as_mut().project() {
                StateProj::Verifying { verifying, service } => {
                    let (request, claim) = match ready!(verifying.as_mut().poll(cx)) {
                        Ok(ready) => ready,
                        Err(rejection) => return Poll::Ready(Ok(rejection.into_response())),
                    };
                    let Some(mut service) = service.take() else {
                        // Only reachable if polled again after a panic in `call`.
                        return Poll::Ready(Ok(
                            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
                        ));
                    };
                    // If `call` panics, `claim` is dropped, which releases it.
                    let future = service.call(request);
                    let claim = claim.is_held().then_some(claim);
                    this.state.set(State::Calling { future, claim });
                }
                StateProj::Calling { future, claim } => {
                    // An error (or a panic) drops the claim, which releases it.
                    let response = ready!(future.poll(cx))?.into_response();
                    let Some(claim) = claim.take() else {
                        return Poll::Ready(Ok(response));
                    };
                    let success = response.status().is_success();
                    tracing::debug!(
                        status = response.status().as_u16(),
                        settle = if success { "commit" } else { "release" },
                        "webhook handled"
                    );
                    // Settled before the response goes out, so the sender's next retry
                    // already sees `duplicate` (or is handled again after a failure).
                    this.state.set(State::Settling {
                        settling: Box::pin(claim.settle(success)),
                        response: Some(response),
                    });
                }
                StateProj::Settling { settling, response } => {
                    ready!(settling.as_mut().poll(cx));
                    let response = response
                        .take()
                        .unwrap_or_else(|| http::StatusCode::INTERNAL_SERVER_ERROR.into_response());
                    return Poll::Ready(Ok(response));
                }
            }
        }
    }
}
