//! Bitbucket Cloud: `X-Hub-Signature: sha256=<hex HMAC-SHA256>` over the body, keyed with
//! the webhook's secret.
//!
//! Source: Bitbucket Cloud's docs, "Manage webhooks: Secure webhooks"
//! (<https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks>).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec, name};

pub(super) static BITBUCKET: Spec = simple(
    "bitbucket",
    "x-hub-signature",
    "sha256=",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    // The request UUID is not signed: replay keys must not rely on it alone.
    IdSource::Header {
        name: name("x-request-uuid"),
        signed: false,
    },
    EventTypeSource::Header(name("x-event-key")),
);
