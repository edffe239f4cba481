//! Postmark: HTTP basic authentication on the webhook URL (`https://user:password@…`);
//! Postmark signs nothing.
//!
//! **This is not a signature.** The credentials prove only that the sender knows them;
//! they do not cover the body, a timestamp or anything else, so anyone who sees one request
//! (a proxy, a log of headers) can send any body with them, at any time. Serve the endpoint
//! over HTTPS only, use long random credentials, and use replay protection (the replay key
//! is a digest of the body).
//!
//! The secret is `user:password`, exactly as put in the webhook URL; the `Authorization:
//! Basic …` header must carry it in canonical base64, spelled as Postmark sends it, and is
//! compared in constant time.
//!
//! Source: Postmark's docs, <https://postmarkapp.com/developer/webhooks/webhooks-overview>
//! ("Protecting your webhook": basic HTTP authentication).

use alloc::string::ToString;
use alloc::vec::Vec;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::{
    Algorithm, Encoding, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat,
    SignInput, Signing, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

pub(super) static POSTMARK: Spec = Spec {
    name: name("postmark"),
    names: Names {
        signature: name("authorization"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Token,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::Single {
        prefix: name("Basic "),
        encoding: Encoding::Base64,
    },
    message: Message::Scheme(&BASIC),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    id: IdSource::None,
    event_type: EventTypeSource::Json("/RecordType"),
};

/// No signature: the header carries the credentials themselves.
static BASIC: Scheme = Scheme {
    verify,
    sign: Some(sign),
    needs_url: false,
    replay_label: None,
    mismatch_hint: Some(
        "Postmark sends the user and password of the webhook URL: the secret is user:password",
    ),
};

/// The credentials in `Authorization: Basic <base64>` must equal one of the configured
/// `user:password` secrets (compared in constant time).
fn verify(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let sent = ctx.signature_header()?;
    let credentials = basic_credentials(sent).ok_or_else(|| {
        Error::malformed(
            ctx.spec().names.signature.clone(),
            "expected Basic and base64 credentials",
        )
    })?;
    let index = ctx
        .find_token(&credentials)
        .ok_or(Error::SignatureMismatch)?;
    ctx.verified(index, None, None, false, SigBytes::new())
}

/// The decoded credentials of a `Basic` authorization value, written as Postmark writes it
/// (`Basic`, one space, canonical padded base64); `None` when it is not one.
fn basic_credentials(value: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let encoded = value.strip_prefix(b"Basic ")?;
    if encoded.is_empty() {
        return None;
    }
    STANDARD.decode(encoded).ok().map(Zeroizing::new)
}

/// The `Authorization` header Postmark sends for the configured credentials.
fn sign(input: &SignInput<'_>) -> Result<Signing, Error> {
    match input.token {
        Some(token) => Ok(Signing::Headers(alloc::vec![(
            input.spec.names.signature.to_string(),
            alloc::format!("Basic {}", STANDARD.encode(token)),
        )])),
        None => Err(Error::secret("no credentials to send")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_read_strictly() {
        let decoded = |v: &str| basic_credentials(v.as_bytes()).map(|c| c.to_vec());
        assert_eq!(
            decoded("Basic dXNlcjpwYXNz").as_deref(),
            Some(&b"user:pass"[..])
        );
        for bad in [
            "basic dXNlcjpwYXNz",
            "",
            "Basic",
            "Basic ",
            "Bearer dXNlcjpwYXNz",
            "Basic  dXNlcjpwYXNz",
            "Basic dXNlcjpwYXN",
            "Basic dXNlcjpwYXNz=",
            "Basic dXNlcjpwYXN=",
            "Basic d-Nlcjpw_XNz",
            "Basi",
        ] {
            assert_eq!(decoded(bad), None, "{bad}");
        }
    }
}
