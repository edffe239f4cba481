//! [`JwksSource`]: Standard Webhooks `v1a` (Ed25519) public keys from a JWKS document at a
//! URL you configure.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;

use super::{
    DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, DEFAULT_TTL, FetchError, KeyFetcher, KeyUrlRule,
    ReqwestFetcher, Url,
};
use crate::{Error, Secret};

/// The most keys read from one document (a sender lists its current and next key).
///
/// ```
/// assert_eq!(webhook_verify::fetch::MAX_JWKS_KEYS, 16);
/// ```
pub const MAX_JWKS_KEYS: usize = 16;

/// Standard Webhooks `v1a` public keys fetched from a JWKS document (RFC 7517) at a URL
/// you configure: each `{"kty":"OKP","crv":"Ed25519","x":…}` key (RFC 8037) becomes a
/// `whpk_…` secret for [`Provider::STANDARD_WEBHOOKS`](crate::Provider::STANDARD_WEBHOOKS);
/// other keys are skipped. The URL must be https on the default port (a
/// [`KeyUrlRule::host`] of its own host), the document is size- and time-limited, kept for
/// a TTL, and a failure answers 503.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use webhook_verify::fetch::{JwksSource, TestFetcher};
/// use webhook_verify::{Provider, Verifier};
///
/// let url = "https://keys.example.com/.well-known/webhooks.json";
/// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"1",
///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
/// let fetcher = TestFetcher::new().serve(url, jwks);
/// let source = JwksSource::builder(url).fetcher(fetcher.clone()).build()?;
/// let keys = source.keys().await?;
/// assert_eq!(keys.len(), 1);
/// let mut builder = Verifier::builder(Provider::STANDARD_WEBHOOKS);
/// for key in keys {
///     builder = builder.secret(key);
/// }
/// let verifier = builder.build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct JwksSource {
    inner: Arc<Inner>,
}

struct Inner {
    url: Url,
    fetcher: Arc<dyn KeyFetcher>,
    timeout: Duration,
    max_bytes: usize,
    ttl: Duration,
    kept: Mutex<Option<(Instant, Vec<Secret>)>>,
}

impl fmt::Debug for JwksSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksSource")
            .field("url", &self.inner.url.as_str())
            .field("timeout", &self.inner.timeout)
            .field("ttl", &self.inner.ttl)
            .finish_non_exhaustive()
    }
}

/// Configures a [`JwksSource`]. Created by [`JwksSource::builder`].
///
/// ```
/// use std::time::Duration;
/// use webhook_verify::fetch::{JwksSource, KeyUrlRule, TestFetcher};
///
/// let source = JwksSource::builder("https://keys.example.com/jwks.json")
///     .rule(KeyUrlRule::host("keys.example.com"))
///     .fetcher(TestFetcher::new())
///     .timeout(Duration::from_secs(2))
///     .max_bytes(8 * 1024)
///     .ttl(Duration::from_secs(600))
///     .build()?;
/// # let _ = source;
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[must_use]
pub struct JwksSourceBuilder {
    url: String,
    rule: Option<KeyUrlRule>,
    fetcher: Option<Arc<dyn KeyFetcher>>,
    timeout: Duration,
    max_bytes: usize,
    ttl: Duration,
}

impl fmt::Debug for JwksSourceBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksSourceBuilder")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl JwksSourceBuilder {
    /// The fetcher. Defaults to a [`ReqwestFetcher`].
    pub fn fetcher(mut self, fetcher: impl KeyFetcher) -> Self {
        self.fetcher = Some(Arc::new(fetcher));
        self
    }

    /// The rule the URL is checked with. Defaults to [`KeyUrlRule::host`] of the URL's
    /// own host (https, default port).
    pub fn rule(mut self, rule: KeyUrlRule) -> Self {
        self.rule = Some(rule);
        self
    }

    /// The time one fetch may take. Defaults to [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest document read. Defaults to [`DEFAULT_MAX_BYTES`].
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// How long the keys are kept. Defaults to [`DEFAULT_TTL`].
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Checks the URL and builds the source.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the URL is not https to a host name on the default port (or
    /// does not pass the rule given), or the default fetcher cannot be built.
    pub fn build(self) -> Result<JwksSource, Error> {
        let host = Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .ok_or_else(|| Error::config("the JWKS URL is not a URL with a host"))?;
        let rule = self.rule.unwrap_or_else(|| KeyUrlRule::host(host));
        let url = rule
            .check(&self.url)
            .map_err(|e| Error::config(format!("the JWKS URL: {e}")))?;
        let fetcher = match self.fetcher {
            Some(f) => f,
            None => Arc::new(ReqwestFetcher::new()?),
        };
        Ok(JwksSource {
            inner: Arc::new(Inner {
                url,
                fetcher,
                timeout: self.timeout,
                max_bytes: self.max_bytes,
                ttl: self.ttl,
                kept: Mutex::new(None),
            }),
        })
    }
}

impl JwksSource {
    /// Starts a source for the JWKS document at `url`.
    pub fn builder(url: impl Into<String>) -> JwksSourceBuilder {
        JwksSourceBuilder {
            url: url.into(),
            rule: None,
            fetcher: None,
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
            ttl: DEFAULT_TTL,
        }
    }

    /// The time one fetch may take.
    pub(crate) fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The document's Ed25519 keys as `whpk_…` secrets: kept from an earlier fetch, or
    /// fetched now.
    ///
    /// # Errors
    ///
    /// A [`FetchError`] (503) when the fetch fails, is too slow or too large, or the
    /// document is not a JWKS with at least one Ed25519 key.
    pub async fn keys(&self) -> Result<Vec<Secret>, FetchError> {
        let inner = &*self.inner;
        {
            let kept = inner.kept.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((expires, keys)) = &*kept {
                if *expires > Instant::now() {
                    return Ok(keys.clone());
                }
            }
        }
        let body = tokio::time::timeout(
            inner.timeout,
            inner.fetcher.fetch(&inner.url, inner.max_bytes),
        )
        .await
        .map_err(|_| FetchError::TimedOut)??;
        if body.len() > inner.max_bytes {
            return Err(FetchError::TooLarge {
                limit: inner.max_bytes,
            });
        }
        let keys = parse_jwks(&body)?;
        *inner.kept.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now() + inner.ttl, keys.clone()));
        Ok(keys)
    }
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default, rename = "use")]
    use_: Option<String>,
}

/// The Ed25519 signing keys of a JWKS document, as `whpk_` secrets.
fn parse_jwks(body: &[u8]) -> Result<Vec<Secret>, FetchError> {
    let invalid = |reason: &str| FetchError::InvalidKey {
        reason: reason.to_owned(),
    };
    let jwks: Jwks = serde_json::from_slice(body).map_err(|_| invalid("not a JWKS document"))?;
    if jwks.keys.len() > MAX_JWKS_KEYS {
        return Err(invalid("too many keys"));
    }
    let mut out = Vec::new();
    for key in &jwks.keys {
        let ed25519 = key.kty == "OKP"
            && key.crv.as_deref() == Some("Ed25519")
            && key.use_.as_deref().is_none_or(|u| u == "sig");
        let Some(x) = key.x.as_deref().filter(|_| ed25519) else {
            continue;
        };
        let raw = URL_SAFE_NO_PAD
            .decode(x)
            .ok()
            .filter(|r| r.len() == 32)
            .ok_or_else(|| invalid("an Ed25519 key is not 32 bytes of base64url"))?;
        let secret = Secret::new(format!("whpk_{}", STANDARD.encode(raw)))
            .map_err(|_| invalid("empty key"))?;
        out.push(secret);
    }
    if out.is_empty() {
        return Err(invalid("no Ed25519 key"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_documents() {
        let ok = br#"{"keys":[{"kty":"RSA","n":"x","e":"AQAB"},
            {"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
        let keys = parse_jwks(ok).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(
            keys[0].expose_bytes(),
            b"whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        );
        for bad in [
            &b""[..],
            b"{}",
            b"[]",
            br#"{"keys":[]}"#,
            br#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]}"#,
            br#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"not base64!"}]}"#,
            br#"{"keys":[{"kty":"OKP","crv":"Ed25519","use":"enc","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#,
        ] {
            assert!(parse_jwks(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let many = format!(
            r#"{{"keys":[{}]}}"#,
            vec![r#"{"kty":"RSA"}"#; MAX_JWKS_KEYS + 1].join(",")
        );
        assert!(parse_jwks(many.as_bytes()).is_err());
    }
}
