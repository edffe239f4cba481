//! [`HttpsFetcher`]: keys over HTTPS with hyper and rustls.

use std::sync::Arc;

use http_body_util::BodyExt as _;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls_platform_verifier::BuilderVerifierExt;

use super::{BoxFuture, FetchError, KeyFetcher, Url};
use crate::Error;

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// Fetches keys over HTTPS: hyper with rustls (the *ring* provider, configured here, so no
/// process-wide provider is needed or installed) and the system's root certificates,
/// HTTP/1.1, no redirects followed, no proxy, and the body read frame by frame up to the
/// limit. Plain `http://` is only reached when a [`KeyUrlRule`](super::KeyUrlRule) allows
/// it (loopback, for tests, through [`dangerous`](crate::dangerous)).
///
/// ```
/// use webhook_verify::fetch::HttpsFetcher;
/// let fetcher = HttpsFetcher::new()?;
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone)]
pub struct HttpsFetcher {
    client: Client<Connector, http_body_util::Empty<bytes::Bytes>>,
}

impl std::fmt::Debug for HttpsFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsFetcher").finish_non_exhaustive()
    }
}

impl HttpsFetcher {
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
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self { client })
    }
}

impl KeyFetcher for HttpsFetcher {
    fn fetch<'a>(
        &'a self,
        url: &'a Url,
        max_bytes: usize,
    ) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
        Box::pin(async move {
            let transport = |reason: &str| FetchError::Transport {
                reason: reason.into(),
            };
            let request = http::Request::get(url.as_str())
                .header(
                    http::header::USER_AGENT,
                    concat!("webhook-verify/", env!("CARGO_PKG_VERSION")),
                )
                .body(http_body_util::Empty::new())
                .map_err(|_| transport("not a valid request URL"))?;
            let response = self.client.request(request).await.map_err(|e| {
                if e.is_connect() {
                    transport("cannot connect")
                } else {
                    transport("no valid response")
                }
            })?;
            // Redirects are never followed: a 3xx is just not the key.
            if response.status() != http::StatusCode::OK {
                return Err(FetchError::Status {
                    status: response.status().as_u16(),
                });
            }
            let too_large = FetchError::TooLarge { limit: max_bytes };
            let declared = response
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|n| n > max_bytes as u64) {
                return Err(too_large);
            }
            let mut body = response.into_body();
            let mut out = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|_| transport("no valid response"))?;
                if let Some(chunk) = frame.data_ref() {
                    if out.len() + chunk.len() > max_bytes {
                        return Err(too_large);
                    }
                    out.extend_from_slice(chunk);
                }
            }
            Ok(out)
        })
    }
}
