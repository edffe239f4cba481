//! Microsoft Graph change notifications: **a shared secret, not a signature.** Each
//! notification in the body's `value` array carries the `clientState` given when the
//! subscription was created; every one of them must equal the configured value (compared
//! in constant time). Nothing covers the body: whoever learns the `clientState` can send
//! any notification, so treat notifications as hints and read the changed resource from
//! Graph (with your own credentials) before acting on it. The receive path answers Graph's
//! subscription validation (`POST ?validationToken=…`, echoed as `text/plain`; see
//! [`crate::receive`]).
//!
//! Source: Microsoft Graph docs "Receive change notifications through webhooks"
//! (learn.microsoft.com/graph/change-notifications-delivery-webhooks: notification
//! payload, `clientState`, validation request; `microsoftgraph/microsoft-graph-docs-contrib`)
//! and Microsoft's tutorial `microsoftgraph/msgraph-training-changenotifications`.

use serde_json::Value;

use super::{
    Algorithm, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat, Spec,
    TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

pub(super) static MICROSOFT_GRAPH: Spec = Spec {
    name: name("microsoft-graph"),
    names: Names {
        signature: name("clientState"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Token,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::VersionedList,
    message: Message::Scheme(&CLIENT_STATE),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    // Notifications carry no delivery id: the replay key is the body.
    id: IdSource::None,
    event_type: EventTypeSource::Json("/value/0/changeType"),
};

/// The shared value travels in the body, one copy per notification.
static CLIENT_STATE: Scheme = Scheme {
    verify: verify_client_state,
    sign: None,
    needs_url: false,
    replay_label: None,
    mismatch_hint: Some(
        "Microsoft Graph compares clientState, the value given when the subscription was created",
    ),
};

/// Every notification's `clientState` must be the same configured value.
fn verify_client_state(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let bad = |reason| Error::MalformedBody { reason };
    // Read strictly: a key twice is refused, so every reader sees the checked values.
    let root: Value = crate::json::strict_value(ctx.body())
        .map_err(|_| bad("not JSON, or a key appears twice"))?;
    let items = root
        .get("value")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad("no notifications in value"))?;
    let mut index = None;
    let mut all = true;
    for item in items {
        let sent = item
            .get("clientState")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("a notification has no clientState"))?;
        // Every item is compared (no early exit): the time does not tell which one failed.
        let found = ctx.find_token(sent.as_bytes());
        match (found, index) {
            (Some(i), None) => index = Some(i),
            (Some(i), Some(first)) => all &= i == first,
            (None, _) => all = false,
        }
    }
    let index = index.filter(|_| all).ok_or(Error::SignatureMismatch)?;
    ctx.verified(index, None, None, false, SigBytes::new())
}
