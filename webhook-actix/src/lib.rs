//! actix-web adapter for webhook-verify.
