//! Fixtures shared by the comparison benchmarks (`benches/compare.rs`) and the bins that
//! measure HTTP throughput (`http-target`), the replay stores (`replay-latency`) and write
//! BENCHMARKS.md (`bench-report`). `scripts/bench.sh` runs all of them.
//!
//! Every body is realistic JSON of an exact size: a provider's event whose free-text field
//! is padded with words, so parsers see the same shape at every size.

pub mod chart;

use std::collections::HashMap;

use serde::Deserialize;

/// The body sizes every comparison runs at: 256 B, 1 KiB, 16 KiB, 1 MiB.
pub const SIZES: [usize; 4] = [256, 1024, 16 * 1024, 1024 * 1024];

/// A Stripe endpoint secret (the whole text is the HMAC key).
pub const STRIPE_SECRET: &str = "whsec_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH";
/// A Standard Webhooks / Svix secret (base64 after `whsec_`).
pub const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// A GitHub webhook secret (the raw text is the HMAC key).
pub const GITHUB_SECRET: &str = "It's a Secret to Everybody";
/// The Standard Webhooks message id.
pub const STANDARD_MSG_ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
/// The Stripe event id inside [`stripe_event`].
pub const STRIPE_EVENT_ID: &str = "evt_1NG8Du2eZvKYlo2CUI79vXWy";

/// Words the padding is made of: plain ASCII, nothing JSON has to escape.
const FILLER: &[u8] = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod ";

/// Fills the `@` placeholder in `template` with words so the result is exactly `len` bytes.
///
/// # Panics
///
/// When `template` without the placeholder is already longer than `len`.
#[must_use]
pub fn pad_to(template: &str, len: usize) -> String {
    let (head, tail) = template.split_once('@').expect("a template with one `@`");
    let fixed = head.len() + tail.len();
    assert!(
        fixed <= len,
        "the template is {fixed} bytes, more than the {len} asked for"
    );
    let mut out = String::with_capacity(len);
    out.push_str(head);
    out.extend(
        FILLER
            .iter()
            .cycle()
            .take(len - fixed)
            .map(|&b| char::from(b)),
    );
    out.push_str(tail);
    debug_assert_eq!(out.len(), len);
    out
}

/// A Stripe `customer.created` event of exactly `len` bytes (at least 256), created at
/// `created`; the padding is in `data.object.metadata.note`.
///
/// From 1 KiB up the event and the customer carry the fields Stripe sends (API version,
/// request, address, invoice settings, locales, ...); below, only the required ones fit.
/// The JSON parses as [`StripeEvent`] and as `async-stripe-webhook`'s event (whose
/// `data.object` becomes a typed `Customer`).
#[must_use]
pub fn stripe_event(len: usize, created: i64) -> String {
    let template = if len >= 1024 {
        format!(
            r#"{{"id":"{STRIPE_EVENT_ID}","object":"event","api_version":"2026-09-30.endive","created":{created},"data":{{"object":{{"id":"cus_NffrFeUfNV2Hib","object":"customer","address":{{"city":"South San Francisco","country":"US","line1":"354 Oyster Point Blvd","line2":null,"postal_code":"94080","state":"CA"}},"balance":0,"created":1680893993,"currency":"usd","default_source":null,"delinquent":false,"description":"Enterprise plan","email":"jenny.rosen@example.com","invoice_prefix":"0759376C","invoice_settings":{{"custom_fields":null,"default_payment_method":null,"footer":null,"rendering_options":null}},"livemode":false,"metadata":{{"order_id":"6735","note":"@"}},"name":"Jenny Rosen","next_invoice_sequence":1,"phone":"+14155550123","preferred_locales":["en-US"],"shipping":null,"tax_exempt":"none","test_clock":null}}}},"livemode":false,"pending_webhooks":1,"request":{{"id":"req_PxJGEn8ilQnLKC","idempotency_key":"9b0c6b5e-3f4e-4c2b-9a57-2f4d0c8f3e11"}},"type":"customer.created"}}"#
        )
    } else {
        format!(
            r#"{{"id":"{STRIPE_EVENT_ID}","created":{created},"data":{{"object":{{"id":"cus_NffrFeUfNV2Hib","created":1680893993,"livemode":false,"metadata":{{"note":"@"}}}}}},"livemode":false,"pending_webhooks":1,"type":"customer.created"}}"#
        )
    };
    pad_to(&template, len)
}

/// A Standard Webhooks `{type,timestamp,data}` event of exactly `len` bytes; the padding
/// is in `data.description`.
#[must_use]
pub fn standard_event(len: usize) -> String {
    pad_to(
        r#"{"type":"invoice.paid","timestamp":"2026-11-23T14:00:00Z","data":{"id":"inv_1a2b3c","customer":"cus_9s6XKzkNRiz8i3","amount":4200,"currency":"usd","description":"@"}}"#,
        len,
    )
}

/// A GitHub `issues` event (`opened`) of exactly `len` bytes; the padding is the issue body.
#[must_use]
pub fn github_event(len: usize) -> String {
    pad_to(
        r#"{"action":"opened","issue":{"id":1,"number":1347,"title":"Found a bug","state":"open","body":"@","user":{"login":"octocat","id":1}},"repository":{"id":1296269,"full_name":"octocat/Hello-World"}}"#,
        len,
    )
}

/// The Stripe event envelope, typed: what a handler of [`stripe_event`] deserializes.
#[derive(Debug, Deserialize)]
pub struct StripeEvent {
    /// `evt_…`.
    pub id: String,
    /// Always `event`.
    pub object: Option<String>,
    /// The API version the payload is rendered in.
    pub api_version: Option<String>,
    /// Unix seconds.
    pub created: i64,
    /// The object the event is about.
    pub data: StripeEventData,
    /// Live or test mode.
    pub livemode: bool,
    /// Deliveries still pending.
    pub pending_webhooks: i64,
    /// The API request that caused the event.
    pub request: Option<StripeRequest>,
    /// The event type, e.g. `customer.created`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `data` of a [`StripeEvent`].
#[derive(Debug, Deserialize)]
pub struct StripeEventData {
    /// The customer.
    pub object: Customer,
}

/// `request` of a [`StripeEvent`].
#[derive(Debug, Deserialize)]
pub struct StripeRequest {
    /// `req_…`, if the event came from an API request.
    pub id: Option<String>,
    /// The request's idempotency key.
    pub idempotency_key: Option<String>,
}

/// A Stripe customer with the fields [`stripe_event`] carries.
#[derive(Debug, Deserialize)]
pub struct Customer {
    /// `cus_…`.
    pub id: String,
    /// Always `customer`.
    pub object: Option<String>,
    /// Postal address.
    pub address: Option<Address>,
    /// Balance in the smallest currency unit.
    pub balance: Option<i64>,
    /// Unix seconds.
    pub created: i64,
    /// Three-letter ISO code.
    pub currency: Option<String>,
    /// Default payment source id.
    pub default_source: Option<String>,
    /// Whether an invoice is overdue.
    pub delinquent: Option<bool>,
    /// Free text.
    pub description: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Prefix of invoice numbers.
    pub invoice_prefix: Option<String>,
    /// Invoice settings.
    pub invoice_settings: Option<InvoiceSettings>,
    /// Live or test mode.
    pub livemode: bool,
    /// Key-value pairs attached by the merchant.
    pub metadata: HashMap<String, String>,
    /// Full name.
    pub name: Option<String>,
    /// Next invoice number.
    pub next_invoice_sequence: Option<i64>,
    /// Phone number.
    pub phone: Option<String>,
    /// Preferred languages.
    #[serde(default)]
    pub preferred_locales: Vec<String>,
    /// Shipping details.
    pub shipping: Option<serde_json::Value>,
    /// `none`, `exempt` or `reverse`.
    pub tax_exempt: Option<String>,
    /// Test clock id.
    pub test_clock: Option<String>,
}

/// A postal address.
#[derive(Debug, Deserialize)]
pub struct Address {
    /// City.
    pub city: Option<String>,
    /// Two-letter country code.
    pub country: Option<String>,
    /// First line.
    pub line1: Option<String>,
    /// Second line.
    pub line2: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// State or region.
    pub state: Option<String>,
}

/// A customer's invoice settings.
#[derive(Debug, Deserialize)]
pub struct InvoiceSettings {
    /// Custom fields shown on invoices.
    pub custom_fields: Option<serde_json::Value>,
    /// Default payment method id.
    pub default_payment_method: Option<String>,
    /// Invoice footer.
    pub footer: Option<String>,
    /// Rendering options.
    pub rendering_options: Option<serde_json::Value>,
}

/// Seconds since the Unix epoch, from the system clock.
///
/// # Panics
///
/// When the clock is before 1970.
#[must_use]
pub fn unix_now() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    i64::try_from(secs).expect("a time before year 292 billion")
}

/// An `http::HeaderMap` from (name, value) pairs, e.g. what `Signer::sign` returns.
///
/// # Panics
///
/// When a name or value is not valid in HTTP.
#[must_use]
pub fn header_map(pairs: &[(String, String)]) -> http::HeaderMap {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                k.parse::<http::HeaderName>().expect("a header name"),
                v.parse::<http::HeaderValue>().expect("a header value"),
            )
        })
        .collect()
}

/// The headers of a real delivery: the provider's (`provider`, e.g. what `Signer::sign`
/// returns) after the ones every sender's HTTP client adds (`content-type`, `user-agent`,
/// `content-length` of a `body_len`-byte body, `accept`), as an `http::HeaderMap`, the way
/// a server hands them over.
///
/// # Panics
///
/// When a name or value is not valid in HTTP.
#[must_use]
pub fn delivery_headers(
    user_agent: &str,
    body_len: usize,
    provider: &[(String, String)],
) -> http::HeaderMap {
    let mut pairs = vec![
        (
            "content-type".to_owned(),
            "application/json; charset=utf-8".to_owned(),
        ),
        ("user-agent".to_owned(), user_agent.to_owned()),
        ("content-length".to_owned(), body_len.to_string()),
        (
            "accept".to_owned(),
            "*/*; q=0.5, application/xml".to_owned(),
        ),
        ("accept-encoding".to_owned(), "gzip".to_owned()),
    ];
    pairs.extend_from_slice(provider);
    header_map(&pairs)
}

/// User agents of the senders benchmarked.
pub mod user_agent {
    /// Stripe's.
    pub const STRIPE: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";
    /// Svix's (Standard Webhooks).
    pub const SVIX: &str =
        "Svix-Webhooks/1.71.0 (sender-jdp4w; +https://www.svix.com/http-sender/)";
    /// GitHub's.
    pub const GITHUB: &str = "GitHub-Hookshot/9e4fd2e";
}
