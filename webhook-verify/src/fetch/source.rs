//! [`CertificateSource`]: certificates fetched from checked URLs, kept for a while.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{FetchError, KeyFetcher, KeyUrlRule, ReqwestFetcher};
use crate::certificate::{MAX_PEM_LEN, RsaKey};
use crate::{Error, Secret};

/// The longest response read: 64 KiB (a certificate chain is a few KiB).
///
/// ```
/// assert_eq!(webhook_verify::fetch::DEFAULT_MAX_BYTES, 64 * 1024);
/// ```
pub const DEFAULT_MAX_BYTES: usize = MAX_PEM_LEN;

/// The time one fetch may take, connection included: 5 s.
///
/// ```
/// assert_eq!(webhook_verify::fetch::DEFAULT_TIMEOUT.as_secs(), 5);
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a fetched certificate is kept: 1 hour. Senders rotate certificates to a new
/// URL, so a kept certificate is never stale; the limit bounds how long a revoked one is
/// trusted.
///
/// ```
/// assert_eq!(webhook_verify::fetch::DEFAULT_TTL.as_secs(), 3600);
/// ```
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// How many URLs are kept at most: 64 (a sender uses one or two at a time).
///
/// ```
/// assert_eq!(webhook_verify::fetch::DEFAULT_MAX_ENTRIES, 64);
/// ```
pub const DEFAULT_MAX_ENTRIES: usize = 64;

/// Signing certificates fetched from the URL a delivery names (AWS SNS `SigningCertURL`,
/// PayPal `PAYPAL-CERT-URL`), checked by a [`KeyUrlRule`] before any fetch, bounded in size
/// and time, kept for a TTL in a bounded cache. Cheap to clone and share.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use webhook_verify::fetch::{CertificateSource, KeyUrlRule, TestFetcher};
///
/// let url = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem";
/// # let pem = include_str!("../../tests/data/certs/signing-cert.pem");
/// let fetcher = TestFetcher::new().serve(url, pem);
/// let source = CertificateSource::builder(KeyUrlRule::aws_sns())
///     .fetcher(fetcher.clone())
///     .build()?;
/// let certificate = source.certificate(url).await?;
/// let again = source.certificate(url).await?; // kept: no second fetch
/// assert_eq!(fetcher.fetches(), 1);
/// // Another host is refused without a fetch.
/// let err = source.certificate("https://evil.example/cert.pem").await.unwrap_err();
/// assert_eq!(err.status(), 401);
/// assert_eq!(fetcher.fetches(), 1);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CertificateSource {
    inner: Arc<Inner>,
}

struct Inner {
    rule: KeyUrlRule,
    fetcher: Arc<dyn KeyFetcher>,
    timeout: Duration,
    max_bytes: usize,
    ttl: Duration,
    max_entries: usize,
    cache: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    certificate: Secret,
    expires: Instant,
}

impl fmt::Debug for CertificateSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("CertificateSource")
            .field("rule", &inner.rule)
            .field("fetcher", &inner.fetcher)
            .field("timeout", &inner.timeout)
            .field("max_bytes", &inner.max_bytes)
            .field("ttl", &inner.ttl)
            .field("max_entries", &inner.max_entries)
            .finish_non_exhaustive()
    }
}

/// Configures a [`CertificateSource`]. Created by [`CertificateSource::builder`].
///
/// ```
/// use std::time::Duration;
/// use webhook_verify::fetch::{CertificateSource, KeyUrlRule, TestFetcher};
///
/// let source = CertificateSource::builder(KeyUrlRule::paypal())
///     .fetcher(TestFetcher::new())
///     .timeout(Duration::from_secs(2))
///     .max_bytes(16 * 1024)
///     .ttl(Duration::from_secs(600))
///     .max_entries(8)
///     .build()?;
/// assert_eq!(source.cached_len(), 0);
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[must_use]
pub struct CertificateSourceBuilder {
    rule: KeyUrlRule,
    fetcher: Option<Arc<dyn KeyFetcher>>,
    timeout: Duration,
    max_bytes: usize,
    ttl: Duration,
    max_entries: usize,
}

impl fmt::Debug for CertificateSourceBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateSourceBuilder")
            .field("rule", &self.rule)
            .finish_non_exhaustive()
    }
}

impl CertificateSourceBuilder {
    /// The fetcher. Defaults to a [`ReqwestFetcher`].
    pub fn fetcher(mut self, fetcher: impl KeyFetcher) -> Self {
        self.fetcher = Some(Arc::new(fetcher));
        self
    }

    /// The time one fetch may take; past it the delivery is answered 503. Defaults to
    /// [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest response read; a longer one is answered 503. Defaults to
    /// [`DEFAULT_MAX_BYTES`].
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// How long a fetched certificate is kept. Defaults to [`DEFAULT_TTL`].
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How many URLs are kept at most (the oldest goes first). Defaults to
    /// [`DEFAULT_MAX_ENTRIES`].
    pub fn max_entries(mut self, max_entries: usize) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// Builds the source.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the default fetcher cannot be built (see
    /// [`ReqwestFetcher::new`]).
    pub fn build(self) -> Result<CertificateSource, Error> {
        let fetcher = match self.fetcher {
            Some(f) => f,
            None => Arc::new(ReqwestFetcher::new()?),
        };
        Ok(CertificateSource {
            inner: Arc::new(Inner {
                rule: self.rule,
                fetcher,
                timeout: self.timeout,
                max_bytes: self.max_bytes,
                ttl: self.ttl,
                max_entries: self.max_entries,
                cache: Mutex::new(HashMap::new()),
            }),
        })
    }
}

impl CertificateSource {
    /// Starts a source that fetches from URLs `rule` allows.
    pub fn builder(rule: KeyUrlRule) -> CertificateSourceBuilder {
        CertificateSourceBuilder {
            rule,
            fetcher: None,
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
            ttl: DEFAULT_TTL,
            max_entries: DEFAULT_MAX_ENTRIES,
        }
    }

    /// The time one fetch may take.
    pub(crate) fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The rule URLs are checked with.
    #[must_use]
    pub fn rule(&self) -> &KeyUrlRule {
        &self.inner.rule
    }

    /// The certificate (PEM) at `url`, as a secret for [`Provider::AWS_SNS`] or
    /// [`Provider::PAYPAL`](crate::Provider::PAYPAL): kept from an earlier fetch, or
    /// fetched now, once the URL passed the rule.
    ///
    /// [`Provider::AWS_SNS`]: crate::Provider::AWS_SNS
    ///
    /// # Errors
    ///
    /// [`FetchError::Refused`] (401) without any fetch when the rule refuses `url`; every
    /// other [`FetchError`] (503) when the fetch fails, takes longer than the timeout,
    /// returns more than the limit or something that is not an RSA certificate.
    pub async fn certificate(&self, url: &str) -> Result<Secret, FetchError> {
        let inner = &*self.inner;
        let url = inner.rule.check(url)?;
        if let Some(found) = self.cached(url.as_str()) {
            return Ok(found);
        }
        let body = tokio::time::timeout(inner.timeout, inner.fetcher.fetch(&url, inner.max_bytes))
            .await
            .map_err(|_| FetchError::TimedOut)??;
        if body.len() > inner.max_bytes {
            return Err(FetchError::TooLarge {
                limit: inner.max_bytes,
            });
        }
        RsaKey::from_pem(&body).map_err(|e| FetchError::InvalidKey {
            reason: e.to_string(),
        })?;
        let invalid = |reason: &str| FetchError::InvalidKey {
            reason: reason.to_owned(),
        };
        let text = String::from_utf8(body).map_err(|_| invalid("not text"))?;
        let certificate = Secret::new(text).map_err(|_| invalid("empty"))?;
        self.keep(url.into(), certificate.clone());
        Ok(certificate)
    }

    /// How many certificates are kept now.
    #[must_use]
    pub fn cached_len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn cached(&self, url: &str) -> Option<Secret> {
        let mut cache = self.lock();
        match cache.get(url) {
            Some(e) if e.expires > Instant::now() => Some(e.certificate.clone()),
            Some(_) => {
                cache.remove(url);
                None
            }
            None => None,
        }
    }

    fn keep(&self, url: String, certificate: Secret) {
        let inner = &*self.inner;
        if inner.max_entries == 0 {
            return;
        }
        let now = Instant::now();
        let mut cache = self.lock();
        if !cache.contains_key(&url) && cache.len() >= inner.max_entries {
            cache.retain(|_, e| e.expires > now);
            while cache.len() >= inner.max_entries {
                let oldest = cache
                    .iter()
                    .min_by_key(|(_, e)| e.expires)
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => cache.remove(&k),
                    None => break,
                };
            }
        }
        cache.insert(
            url,
            Entry {
                certificate,
                expires: now + inner.ttl,
            },
        );
    }
}
