//! Correctly signed requests for any provider, to test a receiving endpoint: the part both
//! adapters share; each turns the [`SignedParts`] into its framework's request.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;

use crate::{Error, Provider, SignOptions, Signer};

/// Where [`SignedRequest`] sends requests unless told otherwise: `http://localhost`.
///
/// ```
/// assert_eq!(webhook_verify::receive::DEFAULT_BASE_URL, "http://localhost");
/// ```
pub const DEFAULT_BASE_URL: &str = "http://localhost";

/// Turns the parts of a signed request into a framework's request type: implemented by
/// each adapter (`webhook_axum::test_helpers`, `webhook_actix::test_helpers`), whose
/// `SignedRequest` is [`SignedRequest`] with its own builder.
pub trait BuildRequest {
    /// The request type built.
    type Request;

    /// Builds the request.
    ///
    /// # Errors
    ///
    /// A configuration [`Error`] when a part is not valid for the framework (a header
    /// value with a line break, a malformed URI).
    fn build(parts: SignedParts) -> Result<Self::Request, Error>;
}

/// The parts of a signed request: [`SignedRequest::into_parts`], or what a
/// [`BuildRequest`] gets.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedParts {
    /// The method (`POST` unless set).
    pub method: String,
    /// The path and query.
    pub uri: String,
    /// The `Host` header: the base URL's authority, when it has one.
    pub host: Option<String>,
    /// The signature headers, then the extra headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

/// A correctly signed request for any provider that can sign (every HMAC and Ed25519
/// provider), to test your own endpoints. The adapters' `test_helpers::SignedRequest` is
/// this type with their framework's [`BuildRequest`]; `B = ()` only gives the parts.
///
/// ```
/// use webhook_verify::receive::SignedRequest;
/// use webhook_verify::Provider;
///
/// let parts = SignedRequest::<()>::new(&Provider::TWILIO, "auth-token")
///     .base_url("https://hooks.example.com")
///     .uri("/sms?x=1")
///     .body("Body=hi")
///     .header("content-type", "application/x-www-form-urlencoded")
///     .into_parts()?;
/// assert_eq!(parts.host.as_deref(), Some("hooks.example.com"));
/// assert_eq!(parts.headers[0].0, "x-twilio-signature");
/// assert_eq!(parts.headers[1].1, "application/x-www-form-urlencoded");
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[must_use]
pub struct SignedRequest<B = ()> {
    provider: Provider,
    signer: Result<Signer, Error>,
    method: String,
    base_url: String,
    uri: String,
    body: Bytes,
    options: SignOptions,
    headers: Vec<(String, String)>,
    build: PhantomData<fn() -> B>,
}

impl<B> fmt::Debug for SignedRequest<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("provider", &self.provider.name())
            .field("signer", &self.signer)
            .field("method", &self.method)
            .field("base_url", &self.base_url)
            .field("uri", &self.uri)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl<B> SignedRequest<B> {
    /// A `POST /` to [`DEFAULT_BASE_URL`] with an empty body, signed for `provider` with
    /// `secret` (the text the provider's dashboard shows; for Ed25519 providers, the
    /// private key). An unusable secret is reported by [`headers`](Self::headers) and
    /// `build`.
    pub fn new(provider: &Provider, secret: &str) -> Self {
        Self {
            provider: provider.clone(),
            signer: Signer::new(provider, secret),
            method: "POST".to_owned(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            uri: "/".to_owned(),
            body: Bytes::new(),
            options: SignOptions::new(),
            headers: Vec::new(),
            build: PhantomData,
        }
    }

    /// The body. Defaults to empty.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// The path and query the request is sent to. Defaults to `/`.
    pub fn uri(mut self, path_and_query: impl Into<String>) -> Self {
        self.uri = path_and_query.into();
        self
    }

    /// The scheme and authority the sender uses (`https://hooks.example.com`): the URL
    /// signed for providers that sign it, and the `Host` header. Defaults to
    /// [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The method (an `http::Method`, or its name). Defaults to `POST`.
    pub fn method(mut self, method: impl AsRef<str>) -> Self {
        method.as_ref().clone_into(&mut self.method);
        self
    }

    /// The signing time, Unix seconds. Defaults to now.
    pub fn timestamp(mut self, secs: i64) -> Self {
        self.options = self.options.timestamp(secs);
        self
    }

    /// The message id, for providers that sign one. Defaults to a fresh one.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.options = self.options.id(id);
        self
    }

    /// Adds a header after the signature headers (a content type, an event name).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The full URL: base URL, then path and query.
    #[must_use]
    pub fn url(&self) -> String {
        format!("{}{}", self.base_url, self.uri)
    }

    /// The body.
    #[must_use]
    pub fn body_bytes(&self) -> &Bytes {
        &self.body
    }

    /// The headers to send: the signature headers, then the extra ones.
    ///
    /// # Errors
    ///
    /// The [`Signer`]'s error for an unusable secret or a provider that cannot sign.
    pub fn headers(&self) -> Result<Vec<(String, String)>, Error> {
        let signer = self.signer.as_ref().map_err(Clone::clone)?;
        let options = if self.provider.needs_url() {
            self.options.clone().url(self.url())
        } else {
            self.options.clone()
        };
        let mut headers = signer.sign(&self.body, &options)?;
        headers.extend(self.headers.iter().cloned());
        Ok(headers)
    }

    /// The request's parts, signed.
    ///
    /// # Errors
    ///
    /// As [`headers`](Self::headers).
    pub fn into_parts(self) -> Result<SignedParts, Error> {
        let headers = self.headers()?;
        let authority = self
            .base_url
            .split_once("://")
            .map_or(&*self.base_url, |(_, rest)| rest);
        let authority = authority.split('/').next().unwrap_or(authority);
        Ok(SignedParts {
            method: self.method,
            uri: self.uri,
            host: (!authority.is_empty()).then(|| authority.to_owned()),
            headers,
            body: self.body,
        })
    }
}

impl<B: BuildRequest> SignedRequest<B> {
    /// Builds the framework's request.
    ///
    /// # Errors
    ///
    /// As [`headers`](Self::headers), and the framework's refusal of a part.
    pub fn build(self) -> Result<B::Request, Error> {
        B::build(self.into_parts()?)
    }
}
