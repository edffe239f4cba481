//! WooCommerce: `X-WC-Webhook-Signature: <base64 HMAC-SHA256>` over the body, keyed by the
//! webhook's secret; no timestamp.
//!
//! Source: `woocommerce/woocommerce` `plugins/woocommerce/includes/class-wc-webhook.php`:
//! `deliver` sends the body `trim(wp_json_encode($payload))` with the headers
//! `X-WC-Webhook-Topic`, `-Resource`, `-Event`, `-Signature`, `-ID`, `-Delivery-ID` and
//! `-Source`; `generate_signature` is
//! `base64_encode(hash_hmac($hash_algo, $payload, wp_specialchars_decode($secret, ENT_QUOTES), true))`
//! with `$hash_algo` `sha256` unless a site changes it through the
//! `woocommerce_webhook_hash_algorithm` filter (such a site's deliveries do not verify
//! here).
//!
//! - WooCommerce decodes HTML entities in the stored secret before signing: give the secret
//!   as WooCommerce shows it.
//! - `X-WC-Webhook-Delivery-ID` (`get_new_delivery_id`: a hash of the webhook id and the
//!   current time) is the id; it is not signed.
//! - The ping WooCommerce sends when a webhook is saved (`deliver_ping`, body
//!   `webhook_id=<id>`) carries no signature and does not verify; it only needs a `200`.
//!
//! WooCommerce's own test of the signature, `test_generate_signature` in
//! `plugins/woocommerce/tests/legacy/unit-tests/webhooks/crud.php`, signs `secret` with an
//! empty secret; a verifier refuses an empty secret, so that answer is checked below
//! against the same HMAC rather than kept as a delivery vector. The delivery vector is
//! derived.

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec, name};

pub(super) static WOOCOMMERCE: Spec = simple(
    "woocommerce",
    "x-wc-webhook-signature",
    "",
    Encoding::Base64,
    Algorithm::HmacSha256,
    BODY,
    IdSource::Header {
        name: name("x-wc-webhook-delivery-id"),
        signed: false,
    },
    EventTypeSource::Header(name("x-wc-webhook-topic")),
);

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::Sha256;

    use crate::{ErrorKind, Provider, Verifier};

    /// WooCommerce's `test_generate_signature`: a new webhook (empty secret) signs `secret`.
    #[test]
    fn woocommerce_test_answer_is_base64_hmac_sha256() {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"").unwrap();
        mac.update(b"secret");
        assert_eq!(
            STANDARD.encode(mac.finalize().into_bytes()),
            "GBDo00G55h6IiV+6CxqivQPLbI//KzaOZm747971tPs="
        );
        let err = Verifier::builder(Provider::WOOCOMMERCE)
            .secret("")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidSecret);
    }
}
