//! Which URLs a key may be fetched from, checked before anything is fetched.

use core::fmt;
use core::net::IpAddr;

use reqwest::Url;
use url::Host;

use super::FetchError;

/// The longest key URL considered.
///
/// ```
/// assert_eq!(webhook_verify::fetch::MAX_URL_LEN, 2048);
/// ```
pub const MAX_URL_LEN: usize = 2048;

/// Where keys may be fetched from: the sender's documented hosts, or one host you
/// configure. A URL that does not fit is refused before anything is fetched.
///
/// Every rule requires `https` on the default port, no user name or password, and a host
/// name (never an IP address); the sender's rules also check the path:
///
/// | rule | host | path |
/// |---|---|---|
/// | [`aws_sns`](Self::aws_sns) | `sns.<region>.amazonaws.com`, `sns.<region>.amazonaws.com.cn` | ends with `.pem`, no query |
/// | [`paypal`](Self::paypal) | `api.paypal.com`, `api.sandbox.paypal.com` | starts with `/v1/notifications/certs/`, no query |
/// | [`host`](Self::host) | exactly the host given | any |
///
/// ```
/// use webhook_verify::fetch::KeyUrlRule;
///
/// let sns = KeyUrlRule::aws_sns();
/// assert!(sns.check("https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem").is_ok());
/// assert!(sns.check("https://sns.us-east-2.amazonaws.com.evil.example/x.pem").is_err());
/// assert!(sns.check("http://sns.us-east-2.amazonaws.com/x.pem").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct KeyUrlRule {
    kind: Kind,
}

#[derive(Clone, PartialEq, Eq)]
enum Kind {
    AwsSns,
    PayPal,
    Host(String),
    /// `http` or `https` to a loopback address only: tests.
    Loopback,
}

impl fmt::Debug for KeyUrlRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::AwsSns => f.write_str("KeyUrlRule::aws_sns"),
            Kind::PayPal => f.write_str("KeyUrlRule::paypal"),
            Kind::Host(h) => f.debug_tuple("KeyUrlRule::host").field(h).finish(),
            Kind::Loopback => f.write_str("KeyUrlRule::loopback (dangerous)"),
        }
    }
}

/// PayPal's API hosts, live and sandbox, as its SDKs name them.
const PAYPAL_HOSTS: &[&str] = &["api.paypal.com", "api.sandbox.paypal.com"];

/// The path PayPal's certificates are served under.
const PAYPAL_PATH: &str = "/v1/notifications/certs/";

impl KeyUrlRule {
    /// AWS SNS signing certificates: `https://sns.<region>.amazonaws.com/….pem` (and
    /// `.amazonaws.com.cn`), the pattern of AWS's own validators
    /// (`^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$`, a path ending in `.pem`).
    #[must_use]
    pub fn aws_sns() -> Self {
        Self { kind: Kind::AwsSns }
    }

    /// PayPal's certificates: `https://api.paypal.com/v1/notifications/certs/…` or the
    /// same on `api.sandbox.paypal.com`.
    ///
    /// ```
    /// use webhook_verify::fetch::KeyUrlRule;
    /// let rule = KeyUrlRule::paypal();
    /// assert!(rule.check("https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77").is_ok());
    /// assert!(rule.check("https://www.paypal.com/v1/notifications/certs/CERT-1").is_err());
    /// ```
    #[must_use]
    pub fn paypal() -> Self {
        Self { kind: Kind::PayPal }
    }

    /// Exactly `host` (compared after lowercasing), over https on the default port, any
    /// path: a key URL you configure (Standard Webhooks `v1a` keys).
    ///
    /// ```
    /// use webhook_verify::fetch::KeyUrlRule;
    /// let rule = KeyUrlRule::host("keys.example.com");
    /// assert!(rule.check("https://keys.example.com/.well-known/jwks.json").is_ok());
    /// assert!(rule.check("https://keys.example.com:8443/jwks.json").is_err());
    /// assert!(rule.check("https://example.com/jwks.json").is_err());
    /// ```
    #[must_use]
    pub fn host(host: impl Into<String>) -> Self {
        Self {
            kind: Kind::Host(
                host.into()
                    .trim()
                    .trim_end_matches('.')
                    .to_ascii_lowercase(),
            ),
        }
    }

    /// `http` or `https` to 127.0.0.0/8, `::1` or `localhost`, any port and path. Only for
    /// tests against a local server: reached through
    /// [`dangerous::loopback_key_urls`](crate::dangerous::loopback_key_urls).
    pub(crate) fn loopback() -> Self {
        Self {
            kind: Kind::Loopback,
        }
    }

    /// Parses `url` and checks it against the rule.
    ///
    /// # Errors
    ///
    /// [`FetchError::Refused`] when `url` is not a URL this rule allows.
    pub fn check(&self, url: &str) -> Result<Url, FetchError> {
        self.checked(url, true)
    }

    /// [`check`](Self::check) without the sender's path rules: the scheme, port and host
    /// only (AWS SNS's `SubscribeURL` is on the certificates' hosts, at another path).
    pub(crate) fn check_host_only(&self, url: &str) -> Result<Url, FetchError> {
        self.checked(url, false)
    }

    fn checked(&self, url: &str, paths: bool) -> Result<Url, FetchError> {
        let refused = |reason| FetchError::Refused { reason };
        if url.len() > MAX_URL_LEN {
            return Err(refused("the URL is too long"));
        }
        let parsed = Url::parse(url).map_err(|_| refused("not a URL"))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(refused("the URL carries credentials"));
        }
        if self.kind == Kind::Loopback {
            let loopback = match parsed.host() {
                Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                Some(Host::Domain(d)) => d == "localhost",
                None => false,
            };
            if !matches!(parsed.scheme(), "http" | "https") || !loopback {
                return Err(refused("not a loopback URL"));
            }
            return Ok(parsed);
        }
        if parsed.scheme() != "https" {
            return Err(refused("not https"));
        }
        if parsed.port().is_some() {
            return Err(refused("not the default https port"));
        }
        let Some(Host::Domain(host)) = parsed.host() else {
            return Err(refused("the host is not a domain name"));
        };
        let no_query = !paths || (parsed.query().is_none() && parsed.fragment().is_none());
        let path = |ok: bool| !paths || ok;
        let allowed = match &self.kind {
            Kind::AwsSns => is_sns_host(host) && path(parsed.path().ends_with(".pem")) && no_query,
            Kind::PayPal => {
                PAYPAL_HOSTS.contains(&host)
                    && path(
                        parsed.path().len() > PAYPAL_PATH.len()
                            && parsed.path().starts_with(PAYPAL_PATH),
                    )
                    && no_query
            }
            Kind::Host(expected) => host == expected,
            Kind::Loopback => false,
        };
        if allowed {
            Ok(parsed)
        } else {
            Err(refused("not a host or path the sender serves keys from"))
        }
    }
}

/// `sns.<region>.amazonaws.com` or `sns.<region>.amazonaws.com.cn`, the region at least
/// three letters, digits or hyphens (the URL parser has lowercased the host).
fn is_sns_host(host: &str) -> bool {
    let Some(rest) = host.strip_prefix("sns.") else {
        return false;
    };
    let region = rest
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| rest.strip_suffix(".amazonaws.com"));
    region.is_some_and(|r| {
        r.len() >= 3
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sns_urls() {
        let rule = KeyUrlRule::aws_sns();
        for ok in [
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            "https://SNS.US-EAST-1.AMAZONAWS.COM/x.pem",
            "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
            "https://sns.us-east-1.amazonaws.com:443/x.pem",
        ] {
            assert!(rule.check(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://sns.us-east-1.amazonaws.com/x.pem",
            "https://sns.us-east-1.amazonaws.com:8443/x.pem",
            "https://sns.us-east-1.amazonaws.com/x.pem?x=1",
            "https://sns.us-east-1.amazonaws.com/x.pem#f",
            "https://sns.us-east-1.amazonaws.com/x.pe",
            "https://sns.us-east-1.amazonaws.com/x.pem/",
            "https://sns.us.amazonaws.com/x.pem",
            "https://sns.us_east.amazonaws.com/x.pem",
            "https://sns.a.b.amazonaws.com/x.pem",
            "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
            "https://evil.example/sns.us-east-1.amazonaws.com/x.pem",
            "https://user@sns.us-east-1.amazonaws.com/x.pem",
            "https://evil.example\\@sns.us-east-1.amazonaws.com/x.pem",
            "https://sns.us-east-1.amazonaws.com@evil.example/x.pem",
            "https://xsns.us-east-1.amazonaws.com/x.pem",
            "https://sns.us-east-1.amazonaws.co/x.pem",
            "https://52.94.0.1/x.pem",
            "file:///etc/x.pem",
            "sns.us-east-1.amazonaws.com/x.pem",
            "",
        ] {
            assert!(
                matches!(rule.check(bad), Err(FetchError::Refused { .. })),
                "{bad}"
            );
        }
        let long = format!(
            "https://sns.us-east-1.amazonaws.com/{}.pem",
            "a".repeat(MAX_URL_LEN)
        );
        assert!(rule.check(&long).is_err());
    }

    #[test]
    fn paypal_urls() {
        let rule = KeyUrlRule::paypal();
        assert!(
            rule.check("https://api.paypal.com/v1/notifications/certs/CERT-1")
                .is_ok()
        );
        for bad in [
            "https://api.paypal.com/v1/notifications/certs/",
            "https://api.paypal.com/v1/other/CERT-1",
            "https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1",
            "https://paypal.com/v1/notifications/certs/CERT-1",
            "http://api.paypal.com/v1/notifications/certs/CERT-1",
            "https://api.paypal.com/v1/notifications/certs/CERT-1?x",
        ] {
            assert!(rule.check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_only_when_asked() {
        let url = "http://127.0.0.1:8080/cert.pem";
        assert!(KeyUrlRule::loopback().check(url).is_ok());
        assert!(KeyUrlRule::loopback().check("http://[::1]:1/x").is_ok());
        assert!(KeyUrlRule::loopback().check("http://10.0.0.1/x").is_err());
        assert!(KeyUrlRule::loopback().check("ftp://127.0.0.1/x").is_err());
        for rule in [
            KeyUrlRule::aws_sns(),
            KeyUrlRule::paypal(),
            KeyUrlRule::host("127.0.0.1"),
        ] {
            assert!(rule.check(url).is_err(), "{rule:?}");
        }
    }
}
