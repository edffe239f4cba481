//! Fetched keys as [`TenantKeys`] resolvers: the "tenant" is the certificate URL a delivery
//! names (AWS SNS, PayPal), or one fixed name for a configured JWKS URL.

use crate::key_source::{
    BoxFuture, ResolveError, ResolveKeys, TenantFrom, TenantKeys, TenantKeysBuilder, TenantSecrets,
};
use std::time::Duration;

use crate::Provider;

use super::{CertificateSource, FetchError, JwksSource};

/// The JSON pointer of an AWS SNS message's certificate URL, the tenant of
/// [`CertificateSource::aws_sns_keys`].
///
/// ```
/// assert_eq!(webhook_verify::fetch::SNS_CERT_URL_FIELD, "/SigningCertURL");
/// ```
pub const SNS_CERT_URL_FIELD: &str = "/SigningCertURL";

/// The header naming PayPal's certificate URL, the tenant of
/// [`CertificateSource::paypal_keys`].
///
/// ```
/// assert_eq!(webhook_verify::fetch::PAYPAL_CERT_URL_HEADER, "paypal-cert-url");
/// ```
pub const PAYPAL_CERT_URL_HEADER: &str = "paypal-cert-url";

/// A refused URL is an unknown tenant (`401`, as a bad signature); any other failure is
/// the key server's (`503`, the sender retries).
fn answer(
    result: Result<TenantSecrets, FetchError>,
) -> Result<Option<TenantSecrets>, ResolveError> {
    match result {
        Ok(secrets) => Ok(Some(secrets)),
        Err(e) if e.is_refused() => Ok(None),
        Err(e) => Err(ResolveError::unavailable(e.to_string())),
    }
}

/// The tenant is the certificate's URL: checked by the source's rule (refused: no fetch,
/// `401`), fetched (failure: `503`), its PEM the tenant's one secret.
impl ResolveKeys for CertificateSource {
    fn resolve<'a>(
        &'a self,
        tenant: &'a str,
    ) -> BoxFuture<'a, Result<Option<TenantSecrets>, ResolveError>> {
        Box::pin(async move {
            answer(
                self.certificate(tenant)
                    .await
                    .map(|pem| TenantSecrets::new().secret(pem)),
            )
        })
    }
}

/// The document's keys, whatever the tenant (use [`TenantFrom::Fixed`]).
impl ResolveKeys for JwksSource {
    fn resolve<'a>(
        &'a self,
        _tenant: &'a str,
    ) -> BoxFuture<'a, Result<Option<TenantSecrets>, ResolveError>> {
        Box::pin(async move {
            answer(self.keys().await.map(|keys| {
                keys.into_iter()
                    .fold(TenantSecrets::new(), TenantSecrets::secret)
            }))
        })
    }
}

impl CertificateSource {
    /// AWS SNS keys for a [`Receiver`](crate::receive::Receiver): each message's
    /// certificate fetched from its `SigningCertURL` (read from the body before
    /// verification, checked against [`KeyUrlRule::aws_sns`](super::KeyUrlRule::aws_sns) before any fetch), cached by
    /// [`TenantKeys`] per URL.
    ///
    /// ```
    /// use webhook_verify::fetch::{CertificateSource, KeyUrlRule};
    /// use webhook_verify::receive::Receiver;
    ///
    /// let keys = CertificateSource::builder(KeyUrlRule::aws_sns()).build()?.aws_sns_keys().build()?;
    /// let receiver = Receiver::builder(keys).build();
    /// # let _ = receiver;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn aws_sns_keys(self) -> TenantKeysBuilder {
        let timeout = resolve_timeout(self.timeout());
        TenantKeys::builder(
            Provider::AWS_SNS,
            TenantFrom::Json(SNS_CERT_URL_FIELD.into()),
            self,
        )
        .resolve_timeout(timeout)
    }

    /// PayPal keys for a [`Receiver`](crate::receive::Receiver), for the webhook
    /// `webhook_id`: each delivery's certificate fetched from its `PAYPAL-CERT-URL` header
    /// (checked against [`KeyUrlRule::paypal`](super::KeyUrlRule::paypal) before any fetch), cached by
    /// [`TenantKeys`] per URL.
    ///
    /// ```
    /// use webhook_verify::fetch::{CertificateSource, KeyUrlRule};
    /// use webhook_verify::receive::Receiver;
    ///
    /// let source = CertificateSource::builder(KeyUrlRule::paypal()).build()?;
    /// let keys = source.paypal_keys("1JE4291016473214C").build()?;
    /// let receiver = Receiver::builder(keys).build();
    /// # let _ = receiver;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn paypal_keys(self, webhook_id: &str) -> TenantKeysBuilder {
        let timeout = resolve_timeout(self.timeout());
        TenantKeys::builder(
            Provider::paypal(webhook_id),
            TenantFrom::Header(PAYPAL_CERT_URL_HEADER.into()),
            self,
        )
        .resolve_timeout(timeout)
    }
}

impl JwksSource {
    /// Standard Webhooks keys for a [`Receiver`](crate::receive::Receiver), from this
    /// document: one fixed tenant, cached by [`TenantKeys`].
    ///
    /// ```
    /// use webhook_verify::fetch::JwksSource;
    /// use webhook_verify::receive::Receiver;
    ///
    /// let keys = JwksSource::builder("https://keys.example.com/webhooks.jwks").build()?.standard_webhooks_keys().build()?;
    /// let receiver = Receiver::builder(keys).build();
    /// # let _ = receiver;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn standard_webhooks_keys(self) -> TenantKeysBuilder {
        let timeout = resolve_timeout(self.timeout());
        TenantKeys::builder(
            Provider::STANDARD_WEBHOOKS,
            TenantFrom::Fixed("jwks".into()),
            self,
        )
        .resolve_timeout(timeout)
    }
}

/// The resolver's limit: a little longer than the fetch's own, which answers first.
fn resolve_timeout(fetch: Duration) -> Duration {
    fetch.saturating_add(Duration::from_secs(1))
}
