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
/// use axum::{Router, body::Body};
/// use webhook_axum::{ResponseFuture, VerifyWebhook};
///
/// type Future = <VerifyWebhook<Router> as tower::Service<http::Request<Body>>>::Future;
/// let same: fn(Future) -> ResponseFuture<std::convert::Infallible> = |future| future;
/// # let _ = same;
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
