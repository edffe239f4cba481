//! Building correctly signed requests for testing your own endpoints.
//!
//! ```
//! use actix_web::{App, test, web};
//! use webhook_actix::{RawWebhook, WebhookConfig};
//! use webhook_verify::{Provider, SignOptions, Signer, Verifier};
//!
//! # actix_web::rt::System::new().block_on(async {
//! let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let config = WebhookConfig::new(Verifier::new(Provider::STANDARD_WEBHOOKS, secret)?);
//! let app = test::init_service(
//!     App::new()
//!         .app_data(config)
//!         .route("/hook", web::post().to(|w: RawWebhook| async move {
//!             w.id().unwrap_or_default().to_owned()
//!         })),
//! )
//! .await;
//!
//! let signer = Signer::new(&Provider::STANDARD_WEBHOOKS, secret)?;
//! let req = webhook_actix::test::signed_request(&signer, r#"{"type":"ping"}"#, &SignOptions::new().id("msg_1"))?
//!     .uri("/hook")
//!     .to_request();
//! let body = test::call_and_read_body(&app, req).await;
//! assert_eq!(body, "msg_1");
//! # Ok::<(), webhook_verify::Error>(())
//! # }).unwrap();
//! ```

use actix_web::http::Uri;
use actix_web::http::header::HOST;
use actix_web::test::TestRequest;
use bytes::Bytes;
use webhook_verify::{Error, SignOptions, Signer};

/// A `POST /` request carrying `body` and the headers `signer` produces for it with
/// `options` (timestamp now unless set). Chain `.uri(..)`, `.insert_header(..)` and so on
/// before `.to_request()`; changing the body or the signed headers afterwards makes the
/// request fail verification, as it should.
///
/// For providers that sign the URL (Twilio), use [`signed_request_to`] instead.
///
/// ```
/// use webhook_verify::{Provider, SignOptions, Signer};
///
/// let signer = Signer::new(&Provider::GITHUB, "s3cret")?;
/// let req = webhook_actix::test::signed_request(&signer, "{}", &SignOptions::new())?
///     .uri("/webhooks/github")
///     .to_http_request();
/// assert!(req.headers().contains_key("x-hub-signature-256"));
/// # Ok::<(), webhook_verify::Error>(())
/// ```
///
/// # Errors
///
/// As [`Signer::sign`]: a negative timestamp, or a URL-signing provider (use
/// [`signed_request_to`]).
pub fn signed_request(
    signer: &Signer,
    body: impl Into<Bytes>,
    options: &SignOptions,
) -> Result<TestRequest, Error> {
    let body = body.into();
    let headers = signer.sign(&body, options)?;
    Ok(with_headers(TestRequest::post(), headers).set_payload(body))
}

/// A `POST` request to `url` (its path and query as the request target, its host as the
/// `Host` header) carrying `body`, signed for that URL: what Twilio sends. Works for every
/// provider. The adapter rebuilds the URL as `http://{Host}{path and query}` unless
/// [`WebhookConfig::public_base_url`](crate::WebhookConfig::public_base_url) is set, so
/// sign `http://…` URLs, or the public base URL you configured.
///
/// ```
/// use webhook_verify::{Provider, SignOptions, Signer};
///
/// let signer = Signer::new(&Provider::TWILIO, "twilio_auth_token")?;
/// let req = webhook_actix::test::signed_request_to(
///     &signer,
///     "http://hooks.example.com/twilio?from=test",
///     "Digits=1234&From=%2B15551234567",
///     &SignOptions::new(),
/// )?
/// .to_http_request();
/// assert_eq!(req.path(), "/twilio");
/// assert_eq!(req.headers().get("host").unwrap(), "hooks.example.com");
/// # Ok::<(), webhook_verify::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Config`] when `url` is not an absolute URL; otherwise as [`Signer::sign`].
pub fn signed_request_to(
    signer: &Signer,
    url: &str,
    body: impl Into<Bytes>,
    options: &SignOptions,
) -> Result<TestRequest, Error> {
    let uri: Uri = url.parse().map_err(|_| Error::Config {
        reason: "the URL is not valid".into(),
    })?;
    let (Some(authority), Some(path)) = (uri.authority(), uri.path_and_query()) else {
        return Err(Error::Config {
            reason: "the URL must be absolute (scheme, host and path)".into(),
        });
    };
    let body = body.into();
    let headers = signer.sign(&body, &options.clone().url(url))?;
    Ok(with_headers(TestRequest::post(), headers)
        .uri(path.as_str())
        .insert_header((HOST, authority.as_str()))
        .set_payload(body))
}

fn with_headers(mut req: TestRequest, headers: Vec<(String, String)>) -> TestRequest {
    for header in headers {
        req = req.append_header(header);
    }
    req
}
