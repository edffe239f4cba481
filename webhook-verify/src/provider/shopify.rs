//! Shopify: `X-Shopify-Hmac-Sha256: <base64>` over the body.
//!
//! Source: Shopify's API library, `Shopify/shopify-api-js`
//! `packages/shopify-api/lib/webhooks/validate.ts`.

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec, name};

pub(super) static SHOPIFY: Spec = simple(
    "shopify",
    "x-shopify-hmac-sha256",
    "",
    Encoding::Base64,
    Algorithm::HmacSha256,
    BODY,
    IdSource::Header {
        name: name("x-shopify-webhook-id"),
        signed: false,
    },
    EventTypeSource::Header(name("x-shopify-topic")),
);
