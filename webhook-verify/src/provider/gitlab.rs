//! GitLab: the `X-Gitlab-Token` secret token (no MAC), or GitLab 19's Standard Webhooks
//! signing token when the request carries `webhook-signature`.
//!
//! Source: `gitlabhq/gitlabhq` `app/services/web_hook_service.rb` and `lib/gitlab/web_hooks.rb`;
//! merge request gitlab-org/gitlab!230944 for the signing token.

use alloc::borrow::Cow;
use alloc::string::{String, ToString};

use super::{
    Algorithm, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part, Scheme,
    SigFormat, SignInput, Signing, Spec, TimestampSource, TsFormat, lit, name,
};
use crate::delivery::SigBytes;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

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
    message: Message::Scheme(&TOKEN),
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

/// No signature: the header carries the shared token itself.
pub(super) static TOKEN: Scheme = Scheme {
    verify: verify_token,
    sign: Some(sign_token),
    needs_url: false,
    replay_label: None,
    mismatch_hint: None,
};

/// The header must equal one of the configured tokens (compared in constant time).
fn verify_token(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let sent = ctx.signature_header()?;
    let index = ctx.find_token(sent).ok_or(Error::SignatureMismatch)?;
    let header_id = ctx.header_id()?;
    ctx.verified(index, None, header_id, false, SigBytes::new())
}

/// The token header, as GitLab sends it.
fn sign_token(input: &SignInput<'_>) -> Result<Signing, Error> {
    match input.token {
        Some(token) => Ok(Signing::Headers(vec![(
            input.spec.names.signature.to_string(),
            String::from_utf8_lossy(token).into_owned(),
        )])),
        None => Err(Error::secret("no token to send")),
    }
}

/// GitLab's Standard Webhooks signing token, used when `webhook-signature` is present.
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
