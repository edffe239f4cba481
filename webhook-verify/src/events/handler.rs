//! Typed async handlers, and how the router stores and calls them without their types.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;

use super::envelope::Meta;
use super::{Ack, Event, PayloadError};
use crate::Verified;

/// The error type handlers may return: anything that converts into a boxed error
/// (`std::io::Error`, `anyhow::Error`, `String`, ...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
pub(crate) type HandlerFuture = BoxFuture<Result<Ack, BoxError>>;
/// A handler call with its event parsed, not started yet.
pub(crate) type Call = Box<dyn FnOnce() -> HandlerFuture + Send + 'static>;
pub(crate) type ErasedHandler =
    Arc<dyn Fn(&Meta<'_>, &Verified) -> Result<Call, PayloadError> + Send + Sync + 'static>;

/// The router's state, given to handlers that take it as their first argument (see
/// [`EventRouter::with_state`](super::EventRouter::with_state)).
#[derive(Debug, Clone, Copy, Default)]
pub struct State<S>(pub S);

/// An async function that handles events of one data type.
///
/// Implemented for `async fn(Event<T>) -> Result<R, E>` and, with router state,
/// `async fn(State<S>, Event<T>) -> Result<R, E>` (and closures returning futures), where
/// `T: DeserializeOwned`, `R: Into<Ack>` (`()`, [`Ack`], a string) and `E: Into<BoxError>`.
/// `M` only tells the two forms apart.
pub trait Handler<T, S, M>: Send + Sync + 'static {
    /// Runs the handler.
    fn call(
        &self,
        event: Event<T>,
        state: &S,
    ) -> impl Future<Output = Result<Ack, BoxError>> + Send + 'static;
}

impl<F, Fut, T, R, E, S> Handler<T, S, (Event<T>,)> for F
where
    F: Fn(Event<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
    R: Into<Ack>,
    E: Into<BoxError>,
{
    fn call(
        &self,
        event: Event<T>,
        _state: &S,
    ) -> impl Future<Output = Result<Ack, BoxError>> + Send + 'static {
        let fut = self(event);
        async move { fut.await.map(Into::into).map_err(Into::into) }
    }
}

impl<F, Fut, T, R, E, S> Handler<T, S, (State<S>, Event<T>)> for F
where
    F: Fn(State<S>, Event<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
    R: Into<Ack>,
    E: Into<BoxError>,
    S: Clone,
{
    fn call(
        &self,
        event: Event<T>,
        state: &S,
    ) -> impl Future<Output = Result<Ack, BoxError>> + Send + 'static {
        let fut = self(State(state.clone()), event);
        async move { fut.await.map(Into::into).map_err(Into::into) }
    }
}

pub(crate) fn erase<T, S, M, H>(handler: H, state: S) -> ErasedHandler
where
    T: DeserializeOwned + Send + 'static,
    S: Clone + Send + Sync + 'static,
    H: Handler<T, S, M>,
{
    let handler = Arc::new(handler);
    Arc::new(move |meta: &Meta<'_>, verified: &Verified| {
        let event = meta.to_event::<T, _>(verified)?;
        let handler = Arc::clone(&handler);
        let state = state.clone();
        Ok(Box::new(move || Box::pin(handler.call(event, &state)) as HandlerFuture) as Call)
    })
}

pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("non-string panic payload")
}

/// Turns a panic inside a handler's future into an error.
pub(crate) struct CatchUnwind(pub(crate) HandlerFuture);

impl Future for CatchUnwind {
    type Output = Result<Result<Ack, BoxError>, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let fut = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}
