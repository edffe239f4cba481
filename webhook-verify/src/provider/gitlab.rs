//! GitLab: the `X-Gitlab-Token` secret token (no MAC), or GitLab 19's Standard Webhooks
//! signing token when the request carries `webhook-signature`.
//!
//! Source: `gitlabhq/gitlabhq` `app/services/web_hook_service.rb` and `lib/gitlab/web_hooks.rb`;
//! merge request gitlab-org/gitlab!230944 for the signing token.

use std::borrow::Cow;

use super::{
    Algorithm, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part, SigFormat,
    Spec, TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static GITLAB: Spec = Spec {
    name: name("gitlab"),
    names: Names {
        signature: name("x-gitlab-token"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: Some(&GITLAB_SIGNING_TOKEN),
    key: KeyForm::Token,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::VersionedList,
    message: Message::Token,
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    // Reused on retries, but not covered by anything: replay keys must not rely on it alone.
    id: IdSource::Header {
        name: name("idempotency-key"),
        signed: false,
    },
    event_type: EventTypeSource::Header(name("x-gitlab-event")),
};

static GITLAB_SIGNING_TOKEN: Spec = Spec {
    name: name("gitlab"),
    names: Names {
        signature: name("webhook-signature"),
        timestamp: Some(name("webhook-timestamp")),
        id: Some(name("webhook-id")),
    },
    fallback: None,
    alternate: None,
    key: KeyForm::StandardWebhooks,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::VersionedList,
    message: Message::Template(Cow::Borrowed(&[
        Part::Id,
        lit("."),
        Part::Timestamp,
        lit("."),
        Part::Body,
    ])),
    timestamp: TimestampSource::Header,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::both(FIVE_MINUTES),
    id: IdSource::Header {
        name: name("webhook-id"),
        signed: true,
    },
    event_type: EventTypeSource::Header(name("x-gitlab-event")),
};
