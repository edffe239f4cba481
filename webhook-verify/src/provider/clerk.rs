//! Clerk: sends its webhooks through Svix (`svix-*` headers, Standard Webhooks signatures).
//!
//! Source: Clerk's docs (webhooks are delivered by Svix) and Svix's libraries.

use super::Spec;
use super::standard::scheme;

pub(super) static CLERK: Spec = scheme("clerk", "svix");
