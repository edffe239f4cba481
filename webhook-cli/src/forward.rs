//! Sending a delivery on: to the local app (`listen --forward-to`, the inspector's replay
//! button) and to any URL (`replay`), as received or re-signed at the current time.

use std::time::{Duration, Instant};

use webhook_verify::{Provider, Secret, SignOptions};

use crate::Failure;
use crate::send::error_chain;
use crate::sign::sign;

/// How long the app may take to answer a forwarded delivery.
pub(crate) const FORWARD_TIMEOUT: Duration = Duration::from_secs(30);

/// The header that marks a delivery forwarded although it did not verify
/// (`listen --forward-unverified`); its value is the reason.
pub(crate) const UNVERIFIED_HEADER: &str = "webhook-verify-unverified";

/// Headers that belong to one connection, or that the client sets itself: never copied
/// from one request or response to another.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "content-length",
    "expect",
    "host",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Whether a header is copied when forwarding a request or passing an answer back.
pub(crate) fn is_forwarded(name: &str) -> bool {
    !HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// The app's answer.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) body: Vec<u8>,
    pub(crate) latency: Duration,
}

/// An HTTP client for one target URL: plain http://, no proxy (a local app is reached
/// directly whatever `HTTP_PROXY` says).
#[derive(Debug, Clone)]
pub(crate) struct Forwarder {
    client: reqwest::Client,
    url: reqwest::Url,
}

impl Forwarder {
    /// A client for `url`; `flag` names the option in errors.
    pub(crate) fn new(url: &str, flag: &str) -> Result<Self, Failure> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| Failure::usage(format!("{flag}: invalid URL {url:?}: {e}")))?;
        if parsed.scheme() != "http" {
            return Err(Failure::usage(format!(
                "{flag}: only http:// URLs are supported (got {}://)",
                parsed.scheme()
            )));
        }
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(FORWARD_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Failure::usage(format!("cannot start an HTTP client: {e}")))?;
        Ok(Self {
            client,
            url: parsed,
        })
    }

    /// The target URL.
    pub(crate) fn url(&self) -> &str {
        self.url.as_str()
    }

    /// POSTs (or sends with `method`) the exact `body` with `headers` (hop-by-hop ones
    /// left out). The error is one line saying why the app could not be reached.
    pub(crate) async fn send(
        &self,
        method: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<Answer, String> {
        let method =
            reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut request = self.client.request(method, self.url.clone());
        for (name, value) in headers.iter().filter(|(n, _)| is_forwarded(n)) {
            request = request.header(name.as_str(), value.as_str());
        }
        let started = Instant::now();
        let result = async {
            let response = request.body(body).send().await?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter(|(n, _)| is_forwarded(n.as_str()))
                .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
                .collect();
            let body = response.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>((status, headers, body))
        }
        .await;
        let latency = started.elapsed();
        match result {
            Ok((status, headers, body)) => Ok(Answer {
                status,
                headers,
                body,
                latency,
            }),
            Err(e) => Err(error_chain(&e)),
        }
    }
}

/// `headers` with `provider`'s headers replaced by a fresh signature of `body` at the
/// current time, keeping the recorded message id. `url` is signed by providers that sign
/// it (Twilio, Square).
pub(crate) fn resign(
    provider: &Provider,
    secret: &Secret,
    headers: &[(String, String)],
    body: &[u8],
    id: Option<&str>,
    url: &str,
) -> Result<Vec<(String, String)>, Failure> {
    let mut options = SignOptions::new().url(url.to_owned());
    if let Some(id) = id {
        options = options.id(id.to_owned());
    }
    let signed = sign(provider, secret, body, &options)?;
    // The signature header and whatever the signer sets (timestamp, id) are replaced;
    // the rest (the event type header, content type) stays as recorded.
    let mut out: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| {
            !provider.signature_header().eq_ignore_ascii_case(name)
                && !signed.iter().any(|(s, _)| s.eq_ignore_ascii_case(name))
        })
        .cloned()
        .collect();
    out.extend(signed);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resigning_replaces_the_providers_headers_only() {
        let headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-GitHub-Event".to_owned(), "ping".to_owned()),
            (
                "X-Hub-Signature-256".to_owned(),
                "sha256=[masked]".to_owned(),
            ),
        ];
        let secret = Secret::new("s3cret").unwrap();
        let out = resign(
            &Provider::GITHUB,
            &secret,
            &headers,
            b"{}",
            None,
            "http://x/",
        )
        .unwrap();
        assert!(
            out.iter()
                .any(|(n, v)| n == "Content-Type" && v == "application/json")
        );
        assert!(
            out.iter()
                .any(|(n, v)| n == "X-GitHub-Event" && v == "ping")
        );
        let sigs: Vec<_> = out
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("x-hub-signature-256"))
            .collect();
        assert_eq!(sigs.len(), 1);
        assert!(sigs[0].1.starts_with("sha256=") && !sigs[0].1.contains("masked"));
    }

    #[test]
    fn hop_by_hop_headers_are_not_forwarded() {
        assert!(!is_forwarded("Content-Length"));
        assert!(!is_forwarded("host"));
        assert!(is_forwarded("Stripe-Signature"));
    }
}
