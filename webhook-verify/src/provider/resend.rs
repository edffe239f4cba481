//! Resend: sends its webhooks through Svix (`svix-*` headers, Standard Webhooks signatures).
//!
//! Source: Resend's docs (verifying webhooks with Svix) and Svix's libraries.

use super::Spec;
use super::standard::scheme;

pub(super) static RESEND: Spec = scheme("resend", "svix");
