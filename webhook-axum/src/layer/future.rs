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

type Verifying = Pin<Box<dyn Future<Output = Result<Request<Body>, WebhookRejection>> + Send>>;

pin_project! {
    /// The response future of [`VerifyWebhook`](super::VerifyWebhook): reads and verifies
    /// the body, then runs the inner service's future, all inside the delivery's `webhook`
    /// tracing span.
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
        Calling { #[pin] future: F },
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
                    let request = match ready!(verifying.as_mut().poll(cx)) {
                        Ok(request) => request,
                        Err(rejection) => return Poll::Ready(Ok(rejection.into_response())),
                    };
                    let Some(mut service) = service.take() else {
                        // Only reachable if polled again after a panic in `call`.
                        return Poll::Ready(Ok(
                            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
                        ));
                    };
                    let future = service.call(request);
                    this.state.set(State::Calling { future });
                }
                StateProj::Calling { future } => {
                    let response = ready!(future.poll(cx))?;
                    return Poll::Ready(Ok(response.into_response()));
                }
            }
        }
    }
}
