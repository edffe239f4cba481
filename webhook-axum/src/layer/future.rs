use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::Response;

/// The response future of [`VerifyWebhook`](super::VerifyWebhook): reads, verifies and
/// claims the delivery, runs the inner service's future, then settles the claim from the
/// response status before handing the response out, all inside the delivery's `webhook`
/// tracing span. An error, a panic or dropping it releases the claim.
///
/// ```
/// use axum::{Router, routing::post};
/// use webhook_axum::{ResponseFuture, VerifyWebhook};
///
/// // `<VerifyWebhook<Router> as tower::Service<http::Request<axum::body::Body>>>::Future` is:
/// type Future = ResponseFuture<std::convert::Infallible>;
/// ```
pub struct ResponseFuture<E> {
    pub(super) inner: Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>,
}

impl<E> fmt::Debug for ResponseFuture<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<E> Future for ResponseFuture<E> {
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}
