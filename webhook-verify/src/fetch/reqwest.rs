//! [`ReqwestFetcher`]: keys over HTTPS with reqwest and rustls.

use std::sync::Arc;

use reqwest::redirect::Policy;
use rustls_platform_verifier::BuilderVerifierExt;

use super::{BoxFuture, FetchError, KeyFetcher, Url};
use crate::Error;

/// Fetches keys with [`reqwest`]: rustls with the *ring* provider and the system's root
/// certificates, HTTP/1.1, no redirects followed, no proxy from the environment, and the
/// body read chunk by chunk up to the limit.
///
/// ```
/// use webhook_verify::fetch::ReqwestFetcher;
/// let fetcher = ReqwestFetcher::new()?;
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestFetcher {
    client: reqwest::Client,
}

impl ReqwestFetcher {
    /// A fetcher with its own client (see the type's docs). The time limit is the
    /// caller's ([`CertificateSource`](super::CertificateSource) bounds every fetch).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when TLS cannot be set up (no usable root certificates).
    pub fn new() -> Result<Self, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(BuilderVerifierExt::with_platform_verifier)
            .map_err(|e| Error::config(format!("TLS for key fetching: {e}")))?
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(Policy::none())
            .no_proxy()
            .user_agent(concat!("webhook-verify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::config(format!("HTTP client for key fetching: {e}")))?;
        Ok(Self { client })
    }

    /// A fetcher with your client (a proxy, other roots). Redirects are refused whatever
    /// the client's policy: a response for another URL than the one asked is an error.
    ///
    /// This crate builds reqwest with rustls and no crypto provider of its own choosing:
    /// give the client a TLS configuration (`tls_backend_preconfigured`) or install a
    /// rustls provider first, as [`new`](Self::new) does for its own client.
    ///
    /// ```no_run
    /// use webhook_verify::fetch::{Client, ReqwestFetcher};
    ///
    /// rustls::crypto::ring::default_provider().install_default().ok();
    /// let client = Client::builder().build()?;
    /// let fetcher = ReqwestFetcher::with_client(client);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

impl KeyFetcher for ReqwestFetcher {
    fn fetch<'a>(
        &'a self,
        url: &'a Url,
        max_bytes: usize,
    ) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
        Box::pin(async move {
            let transport = |e: reqwest::Error| {
                if e.is_timeout() {
                    FetchError::TimedOut
                } else {
                    FetchError::Transport {
                        reason: if e.is_connect() {
                            "cannot connect".into()
                        } else {
                            "no valid response".into()
                        },
                    }
                }
            };
            let mut response = self
                .client
                .get(url.clone())
                .send()
                .await
                .map_err(transport)?;
            if response.url() != url {
                return Err(FetchError::Transport {
                    reason: "redirected".into(),
                });
            }
            if response.status() != reqwest::StatusCode::OK {
                return Err(FetchError::Status {
                    status: response.status().as_u16(),
                });
            }
            let too_large = FetchError::TooLarge { limit: max_bytes };
            if response
                .content_length()
                .is_some_and(|n| n > max_bytes as u64)
            {
                return Err(too_large);
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(transport)? {
                if body.len() + chunk.len() > max_bytes {
                    return Err(too_large);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body)
        })
    }
}
