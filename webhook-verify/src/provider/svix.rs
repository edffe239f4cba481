//! Svix: Standard Webhooks under `svix-id`, `svix-timestamp`, `svix-signature`, falling back
//! to the `webhook-*` headers (white-labelled accounts).
//!
//! Source: Svix's libraries, `svix/svix-webhooks` `rust/src/webhooks.rs` and
//! `javascript/src/webhook.ts`; docs.svix.com "verifying payloads manually".

use super::Spec;
use super::standard::scheme;

pub(super) static SVIX: Spec = scheme("svix", "svix");
