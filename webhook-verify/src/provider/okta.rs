//! Okta event hooks: **a shared credential, not a signature.** Okta sends the header value
//! configured on the hook (by default in `Authorization`) with every request; it is compared
//! in constant time with the configured value. Nothing covers the body: whoever learns the
//! value can send any body, so keep it secret, serve the endpoint over HTTPS only, and use
//! replay protection (the replay key is the body's `eventId`, the same on Okta's retries).
//! The receive path answers Okta's one-time verification request
//! (`GET` with `X-Okta-Verification-Challenge`) only when it carries the configured value
//! (see [`crate::receive`]).
//!
//! The secret is the whole header value as configured in Okta (`Bearer …`, `Basic …`, or
//! any text).
//!
//! Source: Okta's developer docs, `okta/okta-developer-docs`
//! `packages/@okta/vuepress-site/docs/concepts/event-hooks/index.md` (one-time verification
//! request, the authentication field sent with every request) and
//! `docs/guides/event-hook-implementation/initial-verification/index.md`.

use super::{
    Algorithm, EventTypeSource, IdSource, KeyForm, Message, Names, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::Tolerance;

pub(super) static OKTA: Spec = Spec {
    name: name("okta"),
    names: Names {
        signature: name("authorization"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Token,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::VersionedList,
    // The same constant-time credential check as GitLab's `X-Gitlab-Token`.
    message: Message::Scheme(&super::gitlab::TOKEN),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    id: IdSource::Json("/eventId"),
    event_type: EventTypeSource::Json("/data/events/0/eventType"),
};
