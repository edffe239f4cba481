//! WooCommerce: `X-WC-Webhook-Signature: <base64 HMAC-SHA256>` over the body, keyed by the
//! webhook's secret.
//!
//! Source: `woocommerce/woocommerce` `plugins/woocommerce/includes/class-wc-webhook.php`
//! (`generate_signature`: `base64_encode(hash_hmac('sha256', $payload, $secret, true))`).
//! WooCommerce decodes HTML entities in the stored secret (`wp_specialchars_decode`) before
//! signing: give the secret as WooCommerce shows it.

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
