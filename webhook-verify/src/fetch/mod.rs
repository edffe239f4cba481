//! Public keys fetched from a URL (feature `fetch`): AWS SNS and PayPal signing
//! certificates, named by each delivery ([`CertificateSource`]), and Standard Webhooks
//! `v1a` keys from a JWKS document at a URL you configure ([`JwksSource`]).
//!
//! A forged delivery can name any URL, so the URL is the dangerous part:
//!
//! - [`KeyUrlRule`] checks it **before anything is fetched**: https on the default port, the
//!   sender's documented host (`sns.<region>.amazonaws.com`, `api.paypal.com`,
//!   `api.sandbox.paypal.com`) and path, or exactly the host you configure. A refused URL
//!   answers 401 and costs no request.
//! - A [`KeyFetcher`] reads at most [`DEFAULT_MAX_BYTES`] within [`DEFAULT_TIMEOUT`]
//!   ([`ReqwestFetcher`]: reqwest over rustls with the system's roots, no redirects).
//! - [`CertificateSource`] keeps what it fetched for [`DEFAULT_TTL`], at most
//!   [`DEFAULT_MAX_ENTRIES`] URLs, and checks a response is a usable certificate before
//!   keeping it. Any failure to fetch answers **503** (the sender retries later): a
//!   delivery is never accepted without its key.
//!
//! In a [`Receiver`](crate::receive::Receiver), each source resolves keys for
//! [`TenantKeys`](crate::key_source::TenantKeys): the "tenant" is the certificate URL the
//! delivery names (SNS's `SigningCertURL` field, PayPal's `PAYPAL-CERT-URL` header), so a
//! certificate is fetched once per URL and TTL, and a refused URL answers `401 invalid
//! signature` like a bad signature:
//!
//! ```
//! use webhook_verify::fetch::{CertificateSource, KeyUrlRule};
//! use webhook_verify::receive::Receiver;
//!
//! let sns = CertificateSource::builder(KeyUrlRule::aws_sns()).build()?;
//! let receiver = Receiver::builder(sns.aws_sns_keys().build()?).build();
//!
//! let paypal = CertificateSource::builder(KeyUrlRule::paypal()).build()?;
//! let receiver = Receiver::builder(paypal.paypal_keys("1JE4291016473214C").build()?).build();
//! # Ok::<(), webhook_verify::Error>(())
//! ```
//!
//! Or by hand, for one delivery:
//!
//! ```no_run
//! use webhook_verify::fetch::{CertificateSource, KeyUrlRule};
//! use webhook_verify::{Delivery, Provider, Verifier};
//!
//! # async fn run(body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let certificates = CertificateSource::builder(KeyUrlRule::aws_sns()).build()?;
//! // The certificate URL the (not yet verified) message names; refused unless on SNS's host.
//! let url = "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";
//! let certificate = certificates.certificate(url).await?;
//! let verifier = Verifier::new(Provider::AWS_SNS, certificate)?;
//! let headers: &[(&str, &str)] = &[];
//! let verified = verifier.verify(&Delivery::new(&headers, body))?;
//! # Ok(()) }
//! ```
//!
//! AWS SNS subscriptions are confirmed only when asked, for a verified message:
//! [`confirm_sns_subscription`].
//!
//! Tests need no network: [`TestFetcher`] serves fixed responses and counts requests;
//! [`dangerous::loopback_key_urls`](crate::dangerous::loopback_key_urls) allows a local
//! test server.

mod jwks;
mod reqwest;
mod sns;
mod source;
mod tenants;
mod testing;
mod url;

use core::future::Future;
use core::pin::Pin;

pub use self::jwks::{JwksSource, JwksSourceBuilder, MAX_JWKS_KEYS};
pub use self::reqwest::ReqwestFetcher;
pub use self::url::{KeyUrlRule, MAX_URL_LEN};
pub use sns::confirm_sns_subscription;
pub use source::{
    CertificateSource, CertificateSourceBuilder, DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES,
    DEFAULT_TIMEOUT, DEFAULT_TTL,
};
pub use tenants::{PAYPAL_CERT_URL_HEADER, SNS_CERT_URL_FIELD};
pub use testing::TestFetcher;

#[doc(no_inline)]
pub use ::reqwest::{Client, Url};

/// A boxed, `Send` future, as [`KeyFetcher::fetch`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Fetches a key's bytes. [`ReqwestFetcher`] over the network, [`TestFetcher`] in tests, or
/// your own (a proxy, a cache shared between instances).
///
/// Callers check the URL with a [`KeyUrlRule`] first and bound the time themselves
/// ([`CertificateSource`] does both); an implementation must not read more than
/// `max_bytes` of the body, and must not follow redirects.
///
/// ```
/// use webhook_verify::fetch::{BoxFuture, FetchError, KeyFetcher, Url};
///
/// #[derive(Debug)]
/// struct Offline;
///
/// impl KeyFetcher for Offline {
///     fn fetch<'a>(&'a self, _url: &'a Url, _max_bytes: usize) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
///         Box::pin(async { Err(FetchError::Transport { reason: "offline".into() }) })
///     }
/// }
/// ```
pub trait KeyFetcher: Send + Sync + core::fmt::Debug + 'static {
    /// The body of a successful (200) response to a GET of `url`, at most `max_bytes`.
    ///
    /// # Errors
    ///
    /// [`FetchError::TooLarge`] past `max_bytes`, [`FetchError::Status`] for another
    /// status, [`FetchError::Transport`] when no response came.
    fn fetch<'a>(
        &'a self,
        url: &'a Url,
        max_bytes: usize,
    ) -> BoxFuture<'a, Result<Vec<u8>, FetchError>>;
}

/// Why no key was fetched. [`status`](Self::status) is the answer to the delivery: 401 for
/// a URL the rule refuses (the delivery cannot be authentic), 503 for everything else (the
/// sender retries later). Never carries the key or the response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not one the rule allows; nothing was fetched.
    #[error("key URL refused: {reason}")]
    Refused {
        /// What did not fit.
        reason: &'static str,
    },
    /// No complete answer within the time allowed.
    #[error("key fetch timed out")]
    TimedOut,
    /// The response was longer than allowed.
    #[error("key response larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The server answered with a status other than 200.
    #[error("key server answered {status}")]
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// No response (connection, TLS, protocol).
    #[error("key fetch failed: {reason}")]
    Transport {
        /// A short description.
        reason: String,
    },
    /// The response is not a usable key.
    #[error("fetched key unusable: {reason}")]
    InvalidKey {
        /// Why.
        reason: String,
    },
}

impl FetchError {
    /// The HTTP status the delivery is answered with: 401 for [`FetchError::Refused`], 503
    /// otherwise.
    ///
    /// ```
    /// use webhook_verify::fetch::FetchError;
    /// assert_eq!(FetchError::TimedOut.status(), 503);
    /// assert_eq!(FetchError::Refused { reason: "x" }.status(), 401);
    /// ```
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::Refused { .. } => 401,
            _ => 503,
        }
    }

    /// Whether the URL was refused (no fetch was made).
    ///
    /// ```
    /// use webhook_verify::fetch::{FetchError, KeyUrlRule};
    /// let err = KeyUrlRule::aws_sns().check("https://evil.example/x.pem").unwrap_err();
    /// assert!(err.is_refused());
    /// assert!(!FetchError::TimedOut.is_refused());
    /// ```
    #[must_use]
    pub fn is_refused(&self) -> bool {
        matches!(self, Self::Refused { .. })
    }
}
