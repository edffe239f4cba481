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

use actix_web::http::Uri;
use actix_web::http::header::{HOST, HeaderName, HeaderValue};
use actix_web::test::TestRequest;
use webhook_verify::Error;
use webhook_verify::receive::{BuildRequest, SignedParts};

#[doc(no_inline)]
pub use webhook_verify::receive::DEFAULT_BASE_URL;

/// A correctly signed request for any provider that can sign, built as an actix
/// [`TestRequest`]: [`webhook_verify::receive::SignedRequest`] with actix's
/// [`BuildRequest`]. The same builder as `webhook_axum::test_helpers`.
///
/// ```
/// use actix_web::http::Method;
/// use webhook_actix::test_helpers::SignedRequest;
/// use webhook_verify::Provider;
///
/// let request = SignedRequest::new(&Provider::GITHUB, "It's a Secret")
///     .method(Method::PUT)
///     .base_url("https://hooks.example.com")
///     .uri("/github")
///     .header("X-GitHub-Event", "ping")
///     .body(r#"{"zen":"hi"}"#)
///     .build()?
///     .to_http_request();
/// assert_eq!(request.method(), Method::PUT);
/// assert_eq!(request.headers().get("host").unwrap(), "hooks.example.com");
/// assert!(request.headers().contains_key("x-hub-signature-256"));
/// # Ok::<(), webhook_verify::Error>(())
/// ```
pub type SignedRequest = webhook_verify::receive::SignedRequest<Actix>;

/// Builds [`SignedRequest`]s as actix [`TestRequest`]s.
#[derive(Debug)]
pub enum Actix {}

impl BuildRequest for Actix {
    type Request = TestRequest;

    fn build(parts: SignedParts) -> Result<TestRequest, Error> {
        let bad = |what: &str| Error::Config {
            reason: format!("test request: invalid {what}").into(),
        };
        // Checked here: `TestRequest` panics on an invalid method, URI or header.
        let method = parts.method.parse().map_err(|_| bad("method"))?;
        parts.uri.parse::<Uri>().map_err(|_| bad("uri"))?;
        let mut request = TestRequest::default()
            .method(method)
            .uri(&parts.uri)
            .set_payload(parts.body);
        if let Some(host) = &parts.host {
            let host = HeaderValue::from_str(host).map_err(|_| bad("base url"))?;
            request = request.insert_header((HOST, host));
        }
        for (name, value) in parts.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("header name"))?;
            let value = HeaderValue::from_str(&value).map_err(|_| bad("header value"))?;
            request = request.append_header((name, value));
        }
        Ok(request)
    }
}
