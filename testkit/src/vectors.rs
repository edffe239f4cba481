//! The test vectors (`webhook-verify/tests/data/*.json`, copied from the providers' docs
//! and SDK tests) and the one mapping from their provider names to [`Provider`].
//!
//! ```
//! use webhook_testkit::vectors;
//! let official = vectors::official();
//! assert_eq!(official.len(), 42);
//! assert!(official.iter().all(|v| v.provider().is_some()));
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use webhook_verify::{Delivery, Headers, Provider};

/// Vector names whose timestamp is in milliseconds (Linear's body field; HubSpot's,
/// Airwallex's and Webflow's headers; WorkOS's `t=`).
///
/// ```
/// assert!(webhook_testkit::vectors::MILLIS.contains(&"hubspot"));
/// ```
pub const MILLIS: &[&str] = &["linear", "hubspot", "airwallex", "webflow", "workos"];

/// Vector names that are not deliveries to verify (Zoom's endpoint validation and X's
/// CRC are challenges and their responses).
///
/// ```
/// assert!(webhook_testkit::vectors::NOT_DELIVERIES.contains(&"zoom-url-validation"));
/// ```
pub const NOT_DELIVERIES: &[&str] = &["zoom-url-validation", "x-crc"];

/// Vector names of providers the core does not implement (derived vectors only; none at
/// present). A test should check that none of them maps to a provider, so the list stays
/// true.
///
/// ```
/// for name in webhook_testkit::vectors::UNSUPPORTED {
///     assert!(webhook_testkit::vectors::provider(name).is_none());
/// }
/// ```
pub const UNSUPPORTED: &[&str] = &[];

/// The provider a vector's `provider` name stands for; `None` for [`NOT_DELIVERIES`],
/// [`UNSUPPORTED`] and unknown names.
///
/// ```
/// use webhook_testkit::vectors::provider;
/// use webhook_verify::Provider;
/// assert_eq!(provider("standard-webhooks-v1a"), Some(Provider::STANDARD_WEBHOOKS));
/// assert_eq!(provider("gitlab-token"), Some(Provider::GITLAB));
/// assert_eq!(provider("vercel"), Some(Provider::VERCEL));
/// assert_eq!(provider("unknown"), None);
/// ```
#[must_use]
pub fn provider(name: &str) -> Option<Provider> {
    Some(match name {
        "standard-webhooks" | "standard-webhooks-v1a" => Provider::STANDARD_WEBHOOKS,
        "svix" => Provider::SVIX,
        "stripe" => Provider::STRIPE,
        "github" => Provider::GITHUB,
        "github-legacy-sha1" => Provider::GITHUB_LEGACY_SHA1,
        "slack" => Provider::SLACK,
        "shopify" => Provider::SHOPIFY,
        "twilio" | "twilio-bodysha256" => Provider::TWILIO,
        "discord" => Provider::DISCORD,
        "paddle" => Provider::PADDLE,
        "linear" => Provider::LINEAR,
        "zoom" => Provider::ZOOM,
        "square" => Provider::SQUARE,
        "mailgun" => Provider::MAILGUN,
        "sendgrid" => Provider::SENDGRID,
        "twitch" => Provider::TWITCH,
        "intercom" => Provider::INTERCOM,
        "typeform" => Provider::TYPEFORM,
        "calendly" => Provider::CALENDLY,
        "gitlab-token" => Provider::GITLAB,
        "razorpay" => Provider::RAZORPAY,
        "lemonsqueezy" => Provider::LEMON_SQUEEZY,
        "adyen" | "adyen-balanceplatform" => Provider::ADYEN,
        "hubspot" => Provider::HUBSPOT,
        "docusign" => Provider::DOCUSIGN,
        "mandrill" => Provider::MANDRILL,
        "coinbase" => Provider::COINBASE,
        "zendesk" => Provider::ZENDESK,
        "vercel" => Provider::VERCEL,
        "openai" => Provider::OPENAI,
        "replicate" => Provider::REPLICATE,
        "brex" => Provider::BREX,
        "lithic" => Provider::LITHIC,
        "airwallex" => Provider::AIRWALLEX,
        "bitbucket" => Provider::BITBUCKET,
        "chargebee" => Provider::CHARGEBEE,
        "workos" => Provider::WORKOS,
        "sentry" => Provider::SENTRY,
        "webflow" => Provider::WEBFLOW,
        "mux" => Provider::MUX,
        "circleci" => Provider::CIRCLECI,
        "fusionauth" => Provider::FUSIONAUTH,
        "orb" => Provider::ORB,
        "postmark" => Provider::POSTMARK,
        "segment" => Provider::SEGMENT,
        "telnyx" => Provider::TELNYX,
        "tiktok" => Provider::TIKTOK,
        "woocommerce" => Provider::WOOCOMMERCE,
        "xero" => Provider::XERO,
        "aftership" => Provider::AFTERSHIP,
        "alchemy" => Provider::ALCHEMY,
        "cursor" => Provider::CURSOR,
        "pagerduty" => Provider::PAGERDUTY,
        "contentful" => Provider::CONTENTFUL,
        "box" => Provider::BOX,
        "frameio" => Provider::FRAMEIO,
        "asana" => Provider::ASANA,
        "meta" => Provider::META,
        "x" => Provider::X,
        "dropbox" => Provider::DROPBOX,
        "okta" => Provider::OKTA,
        "microsoft-graph" => Provider::MICROSOFT_GRAPH,
        "aws-sns" => Provider::AWS_SNS,
        "paypal" => Provider::PAYPAL,
        _ => return None,
    })
}

/// One vector as stored.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Vector {
    /// The vector file's provider name (see [`provider`]).
    pub provider: String,
    /// The secret a verifier takes.
    pub secret: String,
    /// The secret a signer takes, where it differs (Ed25519 schemes).
    #[serde(default)]
    pub signing_secret: Option<String>,
    /// Discord's Ed25519 seed, hex.
    #[serde(default)]
    pub private_key_seed_hex: Option<String>,
    /// The body.
    #[serde(default)]
    pub payload: String,
    /// The timestamp as stored: Unix seconds, milliseconds for the providers in
    /// [`MILLIS`], Twitch's and Zendesk's RFC 3339 string, or null. (Orb, Box and
    /// Contentful store the second their header's timestamp falls in.)
    #[serde(default)]
    pub timestamp: serde_json::Value,
    /// The headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The URL the signature covers (Twilio, Square, Contentful).
    #[serde(default)]
    pub url: Option<String>,
    /// Always true in these files.
    #[serde(default)]
    pub expected_valid: bool,
    /// Where the vector comes from.
    pub source: String,
    /// Copied from the provider (true) or derived (false).
    #[serde(default)]
    pub official: bool,
    /// Everything else (`expected_response`, `fields`, ...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Vector {
    /// The provider it is for, through [`provider`], with the vector's `webhook_id` for
    /// PayPal.
    ///
    /// ```
    /// let v = &webhook_testkit::vectors::official()[0];
    /// assert_eq!(v.provider(), Some(webhook_verify::Provider::STANDARD_WEBHOOKS));
    /// ```
    #[must_use]
    pub fn provider(&self) -> Option<Provider> {
        match (self.provider.as_str(), self.extra.get("webhook_id")) {
            ("paypal", Some(serde_json::Value::String(id))) => Some(Provider::paypal(id.as_str())),
            _ => provider(&self.provider),
        }
    }

    /// The instant (Unix seconds) the vector was signed at: its timestamp (in
    /// milliseconds for [`MILLIS`], Twitch's and Zendesk's RFC 3339
    /// `2019-11-16T10:11:12…`), else [`NOW`](crate::NOW).
    ///
    /// ```
    /// let v = &webhook_testkit::vectors::official()[0];
    /// assert_eq!(v.now(), 1_649_367_553);
    /// ```
    #[must_use]
    pub fn now(&self) -> i64 {
        match (&self.timestamp, self.provider.as_str()) {
            (serde_json::Value::Number(n), name) if MILLIS.contains(&name) => {
                n.as_i64().unwrap_or_default().div_euclid(1000)
            }
            (serde_json::Value::Number(n), _) => n.as_i64().unwrap_or_default(),
            // 2019-11-16T10:11:12Z
            (serde_json::Value::String(_), "twitch" | "zendesk") => 1_573_899_072,
            _ => crate::NOW,
        }
    }

    /// The timestamp when stored as Unix seconds.
    ///
    /// ```
    /// let v = &webhook_testkit::vectors::official()[5]; // GitHub: none
    /// assert_eq!(v.unix_seconds(), None);
    /// ```
    #[must_use]
    pub fn unix_seconds(&self) -> Option<i64> {
        if MILLIS.contains(&self.provider.as_str()) {
            return None;
        }
        self.timestamp.as_i64()
    }

    /// The headers as `(name, value)` pairs.
    ///
    /// ```
    /// let v = &webhook_testkit::vectors::official()[0];
    /// assert_eq!(v.header_pairs().len(), 3);
    /// ```
    #[must_use]
    pub fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The value of header `name` (case-insensitive).
    ///
    /// ```
    /// let v = &webhook_testkit::vectors::official()[0];
    /// assert_eq!(v.header("Webhook-Id"), Some("msg_27UH4WbU6Z5A5EzD8u03UvzRbpk"));
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A delivery of `headers` (e.g. [`header_pairs`](Self::header_pairs), or a changed
    /// copy) and `body`, with the vector's URL when it has one.
    ///
    /// ```
    /// use webhook_testkit::vectors;
    /// let v = &vectors::official()[5];
    /// let headers = v.header_pairs();
    /// let verifier = webhook_verify::Verifier::new(v.provider().unwrap(), v.secret.as_str()).unwrap();
    /// assert!(verifier.verify(&v.delivery(&headers, v.payload.as_bytes())).is_ok());
    /// ```
    #[must_use]
    pub fn delivery<'a>(&'a self, headers: &'a dyn Headers, body: &[u8]) -> Delivery<'a> {
        let d = Delivery::new(headers, body.to_vec());
        match &self.url {
            Some(url) => d.with_url(url),
            None => d,
        }
    }
}

/// `webhook-verify/tests/data`.
///
/// ```
/// assert!(webhook_testkit::vectors::data_dir().join("vectors.json").exists());
/// ```
#[must_use]
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../webhook-verify/tests/data")
}

/// The vectors of `file` in [`data_dir`].
///
/// ```
/// assert_eq!(webhook_testkit::vectors::load("vectors-derived.json").len(), 49);
/// ```
///
/// # Panics
///
/// When the file cannot be read or parsed.
#[must_use]
pub fn load(file: &str) -> Vec<Vector> {
    let path = data_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `vectors.json`: the 42 official vectors.
///
/// ```
/// assert!(webhook_testkit::vectors::official().iter().all(|v| v.official));
/// ```
#[must_use]
pub fn official() -> Vec<Vector> {
    load("vectors.json")
}

/// `vectors-derived.json`: the 49 derived vectors.
///
/// ```
/// assert!(webhook_testkit::vectors::derived().iter().all(|v| !v.official));
/// ```
#[must_use]
pub fn derived() -> Vec<Vector> {
    load("vectors-derived.json")
}
