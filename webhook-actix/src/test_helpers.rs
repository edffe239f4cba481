//! Correctly signed requests for any provider, to test your own endpoints.
//!
//! ```
//! use actix_web::{App, test, web};
//! use webhook_actix::{VerifiedWebhook, WebhookConfig, test_helpers::SignedRequest};
//! use webhook_verify::{Provider, Verifier};
//!
//! # actix_web::rt::System::new().block_on(async {
//! let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let config = WebhookConfig::new(Verifier::new(Provider::STANDARD_WEBHOOKS, secret)?);
//! let app = test::init_service(
//!     App::new()
//!         .app_data(config)
//!         .route("/hooks", web::post().to(|_: VerifiedWebhook| async { "ok" })),
//! )
//! .await;
//!
//! let request = SignedRequest::new(&Provider::STANDARD_WEBHOOKS, secret)
//!     .uri("/hooks")
//!     .body(r#"{"type":"user.created"}"#)
//!     .build()?;
//! let response = test::call_service(&app, request.to_request()).await;
//! assert_eq!(response.status(), 200);
//! # Ok::<(), webhook_verify::Error>(())
//! # }).unwrap();
//! ```

use actix_web::http::header::{HOST, HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::test::TestRequest;
use bytes::Bytes;
use webhook_verify::{Error, Provider, SignOptions, Signer};

/// The base URL a [`SignedRequest`] is signed for unless told otherwise.
///
/// ```
/// assert_eq!(webhook_actix::test_helpers::DEFAULT_BASE_URL, "http://localhost");
/// ```
pub const DEFAULT_BASE_URL: &str = "http://localhost";

/// Builds an `actix_web::test::TestRequest` signed the way `provider` signs deliveries.
///
/// ```
/// use webhook_actix::test_helpers::SignedRequest;
/// use webhook_verify::Provider;
///
/// let request = SignedRequest::new(&Provider::STRIPE, "whsec_test_secret")
///     .uri("/stripe")
///     .body(r#"{"id":"evt_1","type":"charge.succeeded"}"#)
///     .timestamp(1_700_000_000)
///     .build()?;
/// assert!(request.to_http_request().headers().contains_key("stripe-signature"));
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct SignedRequest {
    signer: Result<Signer, Error>,
    method: Method,
    base_url: String,
    uri: String,
    body: Bytes,
    options: SignOptions,
    headers: Vec<(String, String)>,
}

impl SignedRequest {
    /// A request for `provider`, to be signed with `secret` (the text the provider shows;
    /// for Ed25519 schemes, the private key [`Signer`] takes). An unusable secret is
    /// reported by [`build`](Self::build).
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let request = SignedRequest::new(&Provider::GITHUB, "s").build()?;
    /// assert_eq!(request.to_http_request().method(), "POST");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn new(provider: &Provider, secret: &str) -> Self {
        Self {
            signer: Signer::new(provider, secret),
            method: Method::POST,
            base_url: DEFAULT_BASE_URL.to_owned(),
            uri: "/".to_owned(),
            body: Bytes::new(),
            options: SignOptions::new(),
            headers: Vec::new(),
        }
    }

    /// The body to sign and send. Defaults to empty.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let request = SignedRequest::new(&Provider::GITHUB, "s").body(vec![0xff, 0x00]).build()?;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// The path and query. Defaults to `/`.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let request = SignedRequest::new(&Provider::GITHUB, "s").uri("/hooks?x=1").build()?;
    /// assert_eq!(request.to_http_request().uri(), "/hooks?x=1");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn uri(mut self, path_and_query: impl Into<String>) -> Self {
        self.uri = path_and_query.into();
        self
    }

    /// The scheme and authority the request is sent to (and signed for, by providers that
    /// sign the URL), e.g. `http://127.0.0.1:3000`. Its authority becomes the `Host` header.
    /// Defaults to [`DEFAULT_BASE_URL`].
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let request = SignedRequest::new(&Provider::TWILIO, "token")
    ///     .base_url("https://example.com")
    ///     .uri("/sms")
    ///     .body("Body=hi&From=%2B15550001111")
    ///     .build()?;
    /// assert_eq!(request.to_http_request().headers().get("host").unwrap(), "example.com");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The HTTP method. Defaults to `POST`.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let request = SignedRequest::new(&Provider::GITHUB, "s").method(actix_web::http::Method::PUT).build()?;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// The Unix timestamp (seconds) to sign, for providers that sign one. Defaults to now.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let request = SignedRequest::new(&Provider::SLACK, "s").timestamp(1_700_000_000).build()?;
    /// assert_eq!(request.to_http_request().headers().get("x-slack-request-timestamp").unwrap(), "1700000000");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn timestamp(mut self, secs: i64) -> Self {
        self.options = self.options.timestamp(secs);
        self
    }

    /// The message id, for providers that sign one. Defaults to one derived from the
    /// timestamp and body.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let request = SignedRequest::new(&Provider::STANDARD_WEBHOOKS, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    ///     .id("msg_1")
    ///     .build()?;
    /// assert_eq!(request.to_http_request().headers().get("webhook-id").unwrap(), "msg_1");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.options = self.options.id(id);
        self
    }

    /// Adds a header that is sent but not signed (e.g. `Content-Type`, `X-GitHub-Event`).
    /// Defaults to none.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let request = SignedRequest::new(&Provider::GITHUB, "s")
    ///     .header("X-GitHub-Event", "ping")
    ///     .build()?;
    /// assert_eq!(request.to_http_request().headers().get("x-github-event").unwrap(), "ping");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The full URL: the base URL followed by the path and query.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let r = SignedRequest::new(&Provider::GITHUB, "s").uri("/hooks");
    /// assert_eq!(r.url(), "http://localhost/hooks");
    /// ```
    #[must_use]
    pub fn url(&self) -> String {
        format!("{}{}", self.base_url, self.uri)
    }

    /// The body that will be sent.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let r = SignedRequest::new(&Provider::GITHUB, "s").body("{}");
    /// assert_eq!(r.body_bytes().as_ref(), b"{}");
    /// ```
    #[must_use]
    pub fn body_bytes(&self) -> &Bytes {
        &self.body
    }

    /// Every header to send, signed ones first: what to give another HTTP client.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let headers = SignedRequest::new(&Provider::GITHUB, "s").body("{}").headers()?;
    /// assert_eq!(headers[0].0, "x-hub-signature-256");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Signer::new`] and [`Signer::sign`]: an unusable secret, a negative timestamp.
    pub fn headers(&self) -> Result<Vec<(String, String)>, Error> {
        let signer = self.signer.as_ref().map_err(Clone::clone)?;
        // Providers that do not sign the URL ignore it.
        let options = self.options.clone().url(self.url());
        let mut headers = signer.sign(&self.body, &options)?;
        headers.extend(self.headers.iter().cloned());
        Ok(headers)
    }

    /// Builds the request: the method, the path and query as its URI, a `Host` header from
    /// the base URL, the signed headers, the extra headers, and the body.
    ///
    /// ```
    /// # use webhook_actix::test_helpers::SignedRequest;
    /// # use webhook_verify::Provider;
    /// let request = SignedRequest::new(&Provider::GITHUB, "s").build()?;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`headers`](Self::headers), and [`Error::Config`] when the URI, the base URL or
    /// a header is not valid HTTP.
    pub fn build(self) -> Result<TestRequest, Error> {
        let headers = self.headers()?;
        let bad = |what: &str| Error::Config {
            reason: format!("test request: invalid {what}").into(),
        };
        let base: Uri = self.base_url.parse().map_err(|_| bad("base url"))?;
        // Checked here: `TestRequest` panics on an invalid URI or header.
        self.uri.parse::<Uri>().map_err(|_| bad("uri"))?;
        let mut request = TestRequest::default()
            .method(self.method)
            .uri(&self.uri)
            .set_payload(self.body);
        if let Some(host) = base.authority() {
            request = request.insert_header((HOST, host.as_str()));
        }
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("header name"))?;
            let value = HeaderValue::from_str(&value).map_err(|_| bad("header value"))?;
            request = request.append_header((name, value));
        }
        Ok(request)
    }
}
