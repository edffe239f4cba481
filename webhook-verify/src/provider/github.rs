//! GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body (and the legacy SHA-1 header).
//!
//! Source: GitHub's docs "Validating webhook deliveries" and `octokit/webhooks-methods.js`
//! (`src/node/sign.ts`, `verify.ts`).

use super::hmac::{BODY, simple};
use super::{Algorithm, Encoding, EventTypeSource, IdSource, Spec, name};

// The delivery GUID is not signed: replay keys must not rely on it alone.
const DELIVERY: IdSource = IdSource::Header {
    name: name("x-github-delivery"),
    signed: false,
};
const EVENT: EventTypeSource = EventTypeSource::Header(name("x-github-event"));

pub(super) static GITHUB: Spec = simple(
    "github",
    "x-hub-signature-256",
    "sha256=",
    Encoding::Hex,
    Algorithm::HmacSha256,
    BODY,
    DELIVERY,
    EVENT,
);

pub(super) static GITHUB_SHA1: Spec = simple(
    "github-sha1",
    "x-hub-signature",
    "sha1=",
    Encoding::Hex,
    Algorithm::HmacSha1,
    BODY,
    DELIVERY,
    EVENT,
);
