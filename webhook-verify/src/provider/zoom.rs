//! Zoom: `x-zm-signature: v0=<hex>` over `v0:{x-zm-request-timestamp}:{body}` (Slack's
//! `v0` scheme under Zoom's headers), and the endpoint URL validation challenge.
//!
//! Source: Zoom's `zoom/webhook-sample` `index.js` and the developers.zoom.us changelog
//! "Webhook validation and verification changes".
//!
//! ## URL validation
//!
//! When a Zoom webhook endpoint is saved (and every 72 hours after), Zoom sends a signed
//! `endpoint.url_validation` event with a `plainToken`; the endpoint answers 200 with
//! `{"plainToken": …, "encryptedToken": hex HMAC-SHA256(secret token, plainToken)}`. The
//! receive path ([`crate::receive`]) answers it for both adapters, once the delivery
//! verified, with the secret that verified it; these functions are for code that receives
//! without it.

use alloc::borrow::ToOwned;
use alloc::string::String;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::Verified;

use super::{IdSource, Spec};

// Zoom documents no window; the same scheme as Slack's gets Slack's (±300 s). Zoom's
// payloads carry no event id (`event_ts` is a time, not unique): the replay key is the
// signed body without the timestamp.
pub(super) static ZOOM: Spec = super::slack::v0_scheme(
    "zoom",
    "x-zm-signature",
    "x-zm-request-timestamp",
    IdSource::None,
    "/event",
);

/// The answer to Zoom's URL validation challenge; serialize it as the JSON response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrlValidation {
    /// The token Zoom sent.
    #[serde(rename = "plainToken")]
    pub plain_token: String,
    /// Hex HMAC-SHA256 of the token with the app's secret token.
    #[serde(rename = "encryptedToken")]
    pub encrypted_token: String,
}

/// The response to a challenge with this `plain_token`.
///
/// **Answer only challenges that verified.** The answer is HMAC-SHA256 under the same
/// secret token Zoom signs deliveries with: an endpoint that answers any `plainToken` it is
/// sent is an HMAC oracle, and lets anyone obtain the MAC of a string of their choosing
/// under your secret. Zoom's signed messages start with `v0:{timestamp}:`, which a JSON
/// `plainToken` is unlikely to reproduce, but do not rely on that: verify the delivery
/// first and use [`challenge_response`], which takes a [`Verified`] delivery and so cannot
/// be reached by an unsigned request.
///
/// ```
/// use webhook_verify::zoom::url_validation;
/// let answer = url_validation("zoom_secret_token_123", "qgg8vlvZRS6UYooatFL8Aw");
/// assert_eq!(answer.encrypted_token, "2df5fa03ed8ac736e86fd42dfeb323dea9b55490e8b5c6dab0b21c00a852fe26");
/// ```
#[must_use]
pub fn url_validation(secret_token: &str, plain_token: &str) -> UrlValidation {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret_token.as_bytes()).expect("HMAC takes any key");
    mac.update(plain_token.as_bytes());
    UrlValidation {
        plain_token: plain_token.to_owned(),
        encrypted_token: hex::encode(mac.finalize().into_bytes()),
    }
}

/// The response to a verified Zoom delivery when it is an `endpoint.url_validation`
/// challenge, `None` for any other event.
///
/// # Example
///
/// ```no_run
/// # fn handle(verifier: &webhook_verify::Verifier, delivery: &webhook_verify::Delivery<'_>, secret: &str) -> Result<(), webhook_verify::Error> {
/// let verified = verifier.verify(delivery)?;
/// if let Some(answer) = webhook_verify::zoom::challenge_response(&verified, secret) {
///     let body = serde_json::to_string(&answer).unwrap();
///     // reply 200 with `body` as application/json
/// }
/// # Ok(()) }
/// ```
#[must_use]
pub fn challenge_response(verified: &Verified, secret_token: &str) -> Option<UrlValidation> {
    if verified.event_type() != Some("endpoint.url_validation") {
        return None;
    }
    // Read like every other body field (a key twice is refused, not read two ways).
    use crate::json;
    let doc = json::document(verified.body()).ok()?;
    let pointer = json::Pointer::parse("/payload/plainToken").ok()?;
    let plain = json::string_text(json::lookup(doc, pointer.segments()).ok()??)?;
    Some(url_validation(secret_token, &plain))
}
