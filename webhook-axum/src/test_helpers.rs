//! Correctly signed requests for any provider, to test your own endpoints.
//!
//! ```
//! use axum::{Router, body::Body, routing::post};
//! use tower::ServiceExt as _;
//! use webhook_axum::{VerifiedWebhook, WebhookConfig, test_helpers::SignedRequest};
//! use webhook_verify::{Provider, Verifier};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let app = Router::new()
//!     .route("/hooks", post(|_: VerifiedWebhook| async { "ok" }))
//!     .with_state(WebhookConfig::new(Verifier::new(Provider::STANDARD_WEBHOOKS, secret)?));
//!
//! let request = SignedRequest::new(&Provider::STANDARD_WEBHOOKS, secret)
//!     .uri("/hooks")
//!     .body(r#"{"type":"user.created"}"#)
//!     .build()?;
//! let response = app.oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(()) }
//! ```

use axum::body::Body;
use http::Request;
use webhook_verify::Error;
use webhook_verify::receive::{BuildRequest, SignedParts};

#[doc(no_inline)]
pub use webhook_verify::receive::DEFAULT_BASE_URL;

/// A correctly signed request for any provider that can sign, built as an
/// `http::Request<axum::body::Body>`: [`webhook_verify::receive::SignedRequest`] with
/// axum's [`BuildRequest`]. The same builder as `webhook_actix::test_helpers`.
///
/// ```
/// use webhook_axum::test_helpers::SignedRequest;
/// use webhook_verify::Provider;
///
/// let request = SignedRequest::new(&Provider::GITHUB, "It's a Secret")
///     .method(http::Method::PUT)
///     .base_url("https://hooks.example.com")
///     .uri("/github")
///     .header("X-GitHub-Event", "ping")
///     .body(r#"{"zen":"hi"}"#)
///     .build()?;
/// assert_eq!(request.method(), http::Method::PUT);
/// assert_eq!(request.headers()["host"], "hooks.example.com");
/// assert!(request.headers().contains_key("x-hub-signature-256"));
/// # Ok::<(), webhook_verify::Error>(())
/// ```
pub type SignedRequest = webhook_verify::receive::SignedRequest<Axum>;

/// Builds [`SignedRequest`]s as axum requests.
#[derive(Debug)]
pub enum Axum {}

impl BuildRequest for Axum {
    type Request = Request<Body>;

    fn build(parts: SignedParts) -> Result<Request<Body>, Error> {
        let mut request = Request::builder()
            .method(parts.method.as_str())
            .uri(&parts.uri);
        if let Some(host) = &parts.host {
            request = request.header(http::header::HOST, host);
        }
        for (name, value) in parts.headers {
            request = request.header(name, value);
        }
        request
            .body(Body::from(parts.body))
            .map_err(|error| Error::Config {
                reason: format!("test request: {error}").into(),
            })
    }
}
