//! Sentry integration platform: `Sentry-Hook-Signature: <hex HMAC-SHA256>` over the body,
//! keyed with the integration's client secret. `Sentry-Hook-Timestamp` is sent but not
//! signed, so it is not checked; `Sentry-Hook-Resource` names the resource.
//!
//! Sentry's own example signs `JSON.stringify(request.body)`, a body parsed and written
//! again; this provider checks the raw bytes Sentry sent, which is what Sentry signs.
//!
//! Source: Sentry's docs, "Integration Platform: Webhooks" (verifying the signature),
//! <https://docs.sentry.io/organization/integrations/integration-platform/webhooks/>.

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec, name};

pub(super) static SENTRY: Spec = simple(
    "sentry",
    "sentry-hook-signature",
    "",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    // Not signed: replay keys must not rely on it alone.
    IdSource::Header {
        name: name("request-id"),
        signed: false,
    },
    EventTypeSource::Header(name("sentry-hook-resource")),
);
