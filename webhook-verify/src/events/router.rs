//! Routing verified deliveries to typed async handlers by event name.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use std::panic::AssertUnwindSafe;

use super::envelope::Meta;
use super::handler::{Call, CatchUnwind, ErasedHandler, Handler, erase, panic_message};
use super::{Ack, Envelope, PayloadError};
use crate::receive::{Outcome, Reply, claim};
use crate::replay::Replay;
use crate::{Body, Error, Provider, Verified};

type ErrorHook = Arc<dyn Fn(&Failure<'_>) + Send + Sync + 'static>;

/// What to do with a verified delivery whose payload does not parse as the handler's type
/// (or has no event type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum InvalidPayload {
    /// Answer 400 `invalid payload`; the provider retries (and, with replay protection,
    /// the claim is released, so a retry after a fix is handled). The default.
    #[default]
    Reject,
    /// Answer 200 and log a warning: the delivery is dropped, the provider stops retrying.
    AcceptAndLog,
}

/// Why a delivery was not handled successfully, as given to the
/// [`on_error`](EventRouterBuilder::on_error) hook.
#[derive(Debug)]
#[non_exhaustive]
pub enum Failure<'a> {
    /// The payload did not parse; the error has the raw body, the event type and the
    /// field path.
    InvalidPayload(&'a PayloadError),
    /// A handler returned an error.
    Handler {
        /// The event's name.
        event: &'a str,
        /// The route that ran (`invoice.paid`, `invoice.*`, `<any>`, `<fallback>`).
        route: &'a str,
        /// The delivery.
        verified: &'a Verified,
        /// The handler's error.
        error: &'a (dyn std::error::Error + Send + Sync + 'static),
    },
    /// A handler panicked.
    Panic {
        /// The event's name.
        event: &'a str,
        /// The route that ran.
        route: &'a str,
        /// The delivery.
        verified: &'a Verified,
        /// The panic message, when it was a string.
        message: &'a str,
    },
}

#[derive(Clone, PartialEq, Eq)]
enum Pattern {
    /// The whole name, or the type of an event with an action.
    Exact(String),
    /// `prefix*`.
    Prefix(String),
}

impl Pattern {
    fn parse(text: &str) -> Result<Self, Error> {
        if text.is_empty() {
            return Err(Error::config("an event pattern cannot be empty"));
        }
        match text.find('*') {
            None => Ok(Self::Exact(text.to_owned())),
            Some(i) if i + 1 == text.len() => Ok(Self::Prefix(text[..i].to_owned())),
            Some(_) => Err(Error::config(format!(
                "event pattern {text:?}: '*' may only end a pattern (`invoice.*`)"
            ))),
        }
    }

    /// How well this pattern matches: exact name, then type of an event with an action,
    /// then the longest prefix.
    fn score(&self, meta: &Meta<'_>, name: &str) -> Option<(u8, usize)> {
        match self {
            Self::Exact(p) if p == name => Some((3, p.len())),
            Self::Exact(p) if meta.action.is_some() && *p == meta.event_type => Some((2, p.len())),
            Self::Exact(_) => None,
            Self::Prefix(p) => name.starts_with(p.as_str()).then_some((1, p.len())),
        }
    }
}

struct Route {
    pattern: Pattern,
    label: Arc<str>,
    handler: ErasedHandler,
}

/// Routes verified deliveries to typed async handlers by event name, the way
/// `@octokit/webhooks`' `on("issues.opened", …)` does, without failing on what the
/// provider adds later.
///
/// - [`on("invoice.paid", handler)`](EventRouterBuilder::on): the handler's argument type
///   says how to parse the data. `on("invoice.*")` matches by prefix; for events with an
///   action, `on("issues")` matches every action. The most specific route runs: the exact
///   name, then the type, then the longest prefix.
/// - [`on_any`](EventRouterBuilder::on_any): runs for every event before its route (audit,
///   metrics), with the data as `serde_json::Value`.
/// - [`fallback`](EventRouterBuilder::fallback): runs for events no route matches; without
///   one they are acknowledged with 200, so a new event type never fails a delivery.
/// - [`on_error`](EventRouterBuilder::on_error): sees every failure (handler error, panic,
///   payload that does not parse) with the raw body and the field path.
///
/// Answers follow the HTTP status policy: the handler's 2xx (200 for `()`), 500 when a
/// handler fails or panics, 400 `invalid payload` when the data does not match the
/// handler's type ([`InvalidPayload`] changes that). Handshakes that arrive as signed
/// deliveries (Slack's `url_verification`, Discord's PING, Twitch's callback verification)
/// are answered automatically, as the [receive path](crate::receive#handshake-challenges)
/// answers them; Zoom's needs the secret and is answered by the receive path.
///
/// Registration happens once, on the builder; the built router is immutable, cheap to
/// clone and shared by every request.
///
/// ```
/// use serde::Deserialize;
/// use webhook_verify::events::{EventRouter, Outcome};
/// use webhook_verify::{Event, Provider};
/// # use webhook_verify::{Signer, SignOptions, Verifier, Delivery, FixedClock};
///
/// #[derive(Deserialize)]
/// struct Invoice { id: String, amount_paid: u64 }
///
/// async fn invoice_paid(event: Event<Invoice>) -> Result<(), std::io::Error> {
///     println!("{} paid {}", event.data().id, event.data().amount_paid);
///     Ok(())
/// }
///
/// let router = EventRouter::builder(Provider::STRIPE)
///     .on("invoice.paid", invoice_paid)
///     .on("invoice.*", |event: Event| async move {
///         println!("other invoice event: {}", event.name());
///         Ok::<_, std::io::Error>(())
///     })
///     .build()?;
///
/// # let body = r#"{"id":"evt_1","type":"invoice.paid","data":{"object":{"id":"in_1","amount_paid":500}}}"#;
/// # let headers = Signer::new(&Provider::STRIPE, "whsec_test")?.sign(body.as_bytes(), &SignOptions::new().timestamp(1_700_000_000))?;
/// # let verifier = Verifier::builder(Provider::STRIPE).secret("whsec_test").clock(FixedClock::from_unix(1_700_000_000)).build()?;
/// let verified = verifier.verify(&Delivery::new(&headers, body))?;
/// # let reply = futures_block_on(router.dispatch(verified));
/// // let reply = router.dispatch(verified).await;
/// assert_eq!(reply.status(), 200);
/// assert_eq!(reply.outcome(), Outcome::Handled);
/// assert_eq!(reply.route(), Some("invoice.paid"));
/// # fn futures_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     let mut f = std::pin::pin!(f);
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct EventRouter {
    inner: Arc<Inner>,
}

struct Inner {
    provider: Provider,
    envelope: Envelope,
    routes: Vec<Route>,
    any: Vec<ErasedHandler>,
    fallback: Option<ErasedHandler>,
    on_error: Option<ErrorHook>,
    invalid_payload: InvalidPayload,
}

impl fmt::Debug for EventRouter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventRouter")
            .field("provider", &self.inner.provider.name())
            .field("envelope", &self.inner.envelope)
            .field(
                "routes",
                &self
                    .inner
                    .routes
                    .iter()
                    .map(|r| &*r.label)
                    .collect::<Vec<_>>(),
            )
            .field("on_any", &self.inner.any.len())
            .field("fallback", &self.inner.fallback.is_some())
            .field("invalid_payload", &self.inner.invalid_payload)
            .finish()
    }
}

/// Builds an [`EventRouter`]: register handlers, then [`build`](Self::build).
#[must_use]
pub struct EventRouterBuilder<S = ()> {
    state: S,
    provider: Provider,
    envelope: Envelope,
    routes: Vec<(String, Result<Pattern, Error>, ErasedHandler)>,
    any: Vec<ErasedHandler>,
    fallback: Option<ErasedHandler>,
    on_error: Option<ErrorHook>,
    invalid_payload: InvalidPayload,
}

impl<S> fmt::Debug for EventRouterBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventRouterBuilder")
            .field("provider", &self.provider.name())
            .field(
                "routes",
                &self.routes.iter().map(|r| &r.0).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl EventRouter {
    /// A router for deliveries from `provider`, reading them with
    /// [`Envelope::for_provider`].
    pub fn builder(provider: Provider) -> EventRouterBuilder<()> {
        Self::with_state(provider, ())
    }

    /// A router whose handlers may take `State<S>` (a database pool, a queue client) as
    /// their first argument; each call gets a clone of `state`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use webhook_verify::events::{EventRouter, State};
    /// use webhook_verify::{Event, Provider};
    ///
    /// #[derive(Clone, Default)]
    /// struct App { seen: Arc<AtomicUsize> }
    ///
    /// async fn count(State(app): State<App>, _event: Event) -> Result<(), std::convert::Infallible> {
    ///     app.seen.fetch_add(1, Ordering::Relaxed);
    ///     Ok(())
    /// }
    ///
    /// let router = EventRouter::with_state(Provider::STANDARD_WEBHOOKS, App::default())
    ///     .on("user.*", count)
    ///     .build()?;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn with_state<S: Clone + Send + Sync + 'static>(
        provider: Provider,
        state: S,
    ) -> EventRouterBuilder<S> {
        EventRouterBuilder {
            state,
            envelope: Envelope::for_provider(&provider),
            provider,
            routes: Vec::new(),
            any: Vec::new(),
            fallback: None,
            on_error: None,
            invalid_payload: InvalidPayload::default(),
        }
    }

    /// The provider whose deliveries this router reads.
    #[must_use]
    pub fn provider(&self) -> &Provider {
        &self.inner.provider
    }

    /// Routes one verified delivery and runs its handlers; the [`Reply`] says what to
    /// answer. Without replay protection: see [`dispatch_claimed`](Self::dispatch_claimed).
    pub async fn dispatch(&self, verified: Verified<impl Body>) -> Reply {
        self.run(verified.into_owned(), None).await
    }

    /// Like [`dispatch`](Self::dispatch), with replay protection: the delivery is claimed
    /// in `replay` after its envelope is read and before any handler runs, committed when
    /// the answer is 2xx and released otherwise, so the provider's retry runs the handlers
    /// again. Duplicates get 200 `duplicate`, deliveries in flight 409 `in progress` with
    /// `Retry-After`, and an unreachable store 503. Challenges and payloads that do not
    /// parse are answered without a claim (no handler runs for them). If the returned
    /// future is dropped while a handler runs, the claim expires after its lease.
    pub async fn dispatch_claimed(&self, verified: Verified<impl Body>, replay: &Replay) -> Reply {
        self.run(verified.into_owned(), Some(replay)).await
    }

    pub(crate) async fn run(&self, verified: Verified, replay: Option<&Replay>) -> Reply {
        let inner = &*self.inner;
        // Handshakes (Slack's `url_verification`, Discord's PING, Twitch's callback
        // verification) are answered as the receive path answers them, before any claim.
        // Zoom's needs the secret: the receive path answers it before the router runs.
        if let Some(reply) = crate::receive::signed_answer(&verified, None) {
            return reply;
        }
        let meta = match inner.envelope.read(&verified) {
            Ok(meta) => meta,
            Err(error) => return self.invalid(&error),
        };
        let name = meta.name();
        let route = inner
            .routes
            .iter()
            .filter_map(|r| r.pattern.score(&meta, &name).map(|s| (s, r)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, r)| r);

        // Parse everything before running anything: a payload that does not match the
        // handler's type runs no handler at all. Handlers are called once claimed.
        let mut calls: Vec<(Arc<str>, Call)> = Vec::with_capacity(inner.any.len() + 1);
        let any_label: Arc<str> = Arc::from("<any>");
        for handler in &inner.any {
            match handler(&meta, &verified) {
                Ok(fut) => calls.push((Arc::clone(&any_label), fut)),
                Err(error) => return self.invalid(&error),
            }
        }
        let main = match (route, &inner.fallback) {
            (Some(route), _) => Some((Arc::clone(&route.label), &route.handler)),
            (None, Some(fallback)) => Some((Arc::from("<fallback>"), fallback)),
            (None, None) => None,
        };
        let main_label = main.as_ref().map(|(label, _)| Arc::clone(label));
        if let Some((label, handler)) = main {
            match handler(&meta, &verified) {
                Ok(fut) => calls.push((label, fut)),
                Err(error) => return self.invalid(&error),
            }
        }
        drop(meta);

        let claim = match claim(replay, &verified).await {
            Ok(claim) => claim,
            Err(reply) => return reply.for_event(&name, None),
        };

        let mut reply = None;
        for (label, call) in calls {
            let started = std::panic::catch_unwind(AssertUnwindSafe(call));
            let outcome = match started {
                Ok(fut) => CatchUnwind(fut).await,
                Err(panic) => Err(panic),
            };
            match outcome {
                Ok(Ok(ack)) => {
                    if Some(&label) == main_label.as_ref() {
                        reply = Some(Reply::ack(ack, Outcome::Handled));
                    }
                }
                Ok(Err(error)) => {
                    tracing::warn!(event = %name, route = %label, %error, "webhook handler failed");
                    self.report(&Failure::Handler {
                        event: &name,
                        route: &label,
                        verified: &verified,
                        error: &*error,
                    });
                    reply = Some(failed(&label).with_error(error));
                    break;
                }
                Err(panic) => {
                    let message = panic_message(&*panic);
                    tracing::warn!(event = %name, route = %label, panic = message, "webhook handler panicked");
                    self.report(&Failure::Panic {
                        event: &name,
                        route: &label,
                        verified: &verified,
                        message,
                    });
                    let panicked = format!("handler panicked: {message}");
                    reply = Some(failed(&label).with_error(panicked.into()));
                    break;
                }
            }
        }
        let reply = match reply {
            Some(reply) => reply.for_event(&name, main_label.as_ref()),
            None => {
                tracing::debug!(event = %name, "no route for webhook event; acknowledged");
                Reply::ack(Ack::ok(), Outcome::Unrouted).for_event(&name, None)
            }
        };
        claim.settle(reply.status()).await;
        reply
    }

    fn invalid(&self, error: &PayloadError) -> Reply {
        self.report(&Failure::InvalidPayload(error));
        let name = error
            .event_name()
            .or(error.event_type())
            .unwrap_or_default()
            .to_owned();
        let reply = match self.inner.invalid_payload {
            InvalidPayload::Reject => {
                // The event and the field path, never the parser's message: it quotes
                // values from the body.
                tracing::debug!(event = %name, path = error.path().unwrap_or_default(), kind = ?error.kind(), "verified webhook payload does not parse");
                Reply::invalid_payload(error.clone())
            }
            InvalidPayload::AcceptAndLog => {
                tracing::warn!(event = %name, path = error.path().unwrap_or_default(), kind = ?error.kind(), "verified webhook payload does not parse; acknowledged and dropped");
                Reply::ack(Ack::ok(), Outcome::InvalidPayloadAccepted)
            }
        };
        if name.is_empty() {
            reply
        } else {
            reply.for_event(&name, None)
        }
    }

    fn report(&self, failure: &Failure<'_>) {
        if let Some(hook) = &self.inner.on_error {
            hook(failure);
        }
    }
}

fn failed(label: &Arc<str>) -> Reply {
    Reply::handler_failed().with_route(label)
}

impl<S: Clone + Send + Sync + 'static> EventRouterBuilder<S> {
    /// Reads deliveries with this envelope instead of the provider's.
    pub fn envelope(mut self, envelope: Envelope) -> Self {
        self.envelope = envelope;
        self
    }

    /// Runs `handler` for events whose name matches `pattern`: an exact name
    /// (`invoice.paid`, `issues.opened`), a type (`issues`: every action), or a prefix
    /// ending in `*` (`invoice.*`, `orders/*`, `*`). The data is parsed as the handler's
    /// `Event<T>`; see [`InvalidPayload`] for when it does not match.
    ///
    /// An invalid or repeated pattern is reported by [`build`](Self::build).
    pub fn on<T, M, H>(mut self, pattern: &str, handler: H) -> Self
    where
        T: DeserializeOwned + Send + 'static,
        H: Handler<T, S, M>,
    {
        let handler = erase(handler, self.state.clone());
        self.routes
            .push((pattern.to_owned(), Pattern::parse(pattern), handler));
        self
    }

    /// Runs `handler` for every event, before its route, with the data as
    /// `serde_json::Value`. Several may be added; they run in order. An error from one
    /// fails the delivery (500) and stops the rest.
    pub fn on_any<M, H>(mut self, handler: H) -> Self
    where
        H: Handler<serde_json::Value, S, M>,
    {
        self.any.push(erase(handler, self.state.clone()));
        self
    }

    /// Runs `handler` for events no route matches (data as `serde_json::Value`). Without a
    /// fallback such events are acknowledged with 200 and logged at DEBUG.
    pub fn fallback<M, H>(mut self, handler: H) -> Self
    where
        H: Handler<serde_json::Value, S, M>,
    {
        self.fallback = Some(erase(handler, self.state.clone()));
        self
    }

    /// Called with every [`Failure`]: a handler's error or panic, or a payload that does not
    /// parse (with its raw body, event type and field path). For reporting; the answer is
    /// decided by the status policy and [`invalid_payload`](Self::invalid_payload).
    pub fn on_error<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Failure<'_>) + Send + Sync + 'static,
    {
        self.on_error = Some(Arc::new(hook));
        self
    }

    /// What to answer when a verified payload does not parse as the handler's type.
    /// Defaults to [`InvalidPayload::Reject`] (400 `invalid payload`).
    pub fn invalid_payload(mut self, policy: InvalidPayload) -> Self {
        self.invalid_payload = policy;
        self
    }

    /// Finishes registration.
    ///
    /// # Errors
    ///
    /// [`Error`] (a configuration error) for an empty pattern, a `*` anywhere but at the
    /// end, or a pattern registered twice.
    pub fn build(self) -> Result<EventRouter, Error> {
        let mut routes: Vec<Route> = Vec::with_capacity(self.routes.len());
        for (text, pattern, handler) in self.routes {
            let pattern = pattern?;
            if routes.iter().any(|r| r.pattern == pattern) {
                return Err(Error::config(format!(
                    "event pattern {text:?} is registered twice"
                )));
            }
            routes.push(Route {
                pattern,
                label: Arc::from(text),
                handler,
            });
        }
        Ok(EventRouter {
            inner: Arc::new(Inner {
                provider: self.provider,
                envelope: self.envelope,
                routes,
                any: self.any,
                fallback: self.fallback,
                on_error: self.on_error,
                invalid_payload: self.invalid_payload,
            }),
        })
    }
}
