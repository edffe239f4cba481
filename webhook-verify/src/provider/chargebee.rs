//! Chargebee: HTTP basic authentication only. Chargebee signs nothing: a webhook configured
//! with a username and password sends `Authorization: Basic base64(username:password)`, and
//! that credential is what is checked here, in constant time.
//!
//! **This is not a signature.** It proves the sender knew the credential, not that the body
//! is the one Chargebee sent, nor when it was sent: whoever sees one delivery (a logging
//! proxy, a leaked request) can send any body with it, as often as they like. Use HTTPS,
//! replay protection, and treat the event as a hint: fetch the event from Chargebee's API
//! (`GET /api/v2/events/{id}`) before acting on it.
//!
//! The secret is the text `username:password`, exactly as it is configured; the header's
//! scheme name must be spelled `Basic` as Chargebee sends it, its base64 must be canonical, and the decoded
//! credential must hold a colon (RFC 7617's `user-id:password`).
//!
//! Source: Chargebee's API reference, "Create a webhook endpoint" (the username and
//! password for basic authentication that secure webhook delivery),
//! <https://apidocs.chargebee.com/docs/api/webhook_endpoints/create-a-webhook-endpoint>,
//! and RFC 7617 (the Basic scheme).

use alloc::string::String;
use alloc::vec;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::{
    Algorithm, EventTypeSource, IdSource, KeyForm, Message, Names, Scheme, SigFormat, SignInput,
    Signing, Spec, TimestampSource, TsFormat, name,
};
use crate::delivery::SigBytes;
use crate::verifier::SchemeContext;
use crate::{Error, Tolerance, Verified};

pub(super) static CHARGEBEE: Spec = Spec {
    name: name("chargebee"),
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
    message: Message::Scheme(&BASIC),
    timestamp: TimestampSource::None,
    timestamp_format: TsFormat::UnixSeconds,
    tolerance: Tolerance::NONE,
    // The body's event id is not covered by anything: replay keys must not rely on it.
    id: IdSource::None,
    event_type: EventTypeSource::Json("/event_type"),
};

/// No signature: the header carries the credential.
static BASIC: Scheme = Scheme {
    verify: verify_basic,
    sign: Some(sign_basic),
    needs_url: false,
    replay_label: None,
    mismatch_hint: Some(
        "Chargebee sends the webhook's basic-auth username and password: the secret is \
         `username:password`",
    ),
};

/// The decoded `username:password` must equal one of the configured credentials.
fn verify_basic(ctx: &SchemeContext<'_>) -> Result<Verified<()>, Error> {
    let header = ctx.signature_header()?;
    let bad = |reason| Error::malformed(ctx.spec().names.signature.clone(), reason);
    // One spelling, as Chargebee sends it (and as Postmark's check reads it): a header
    // that differs in any byte is another header, never the same credential.
    let Some(encoded) = header.strip_prefix(b"Basic ") else {
        return Err(bad("not Basic credentials"));
    };
    let credential = Zeroizing::new(
        STANDARD
            .decode(encoded)
            .map_err(|_| bad("credentials are not canonical base64"))?,
    );
    // RFC 7617: `user-id ":" password`.
    if !credential.contains(&b':') {
        return Err(bad("credentials are not username:password"));
    }
    let index = ctx
        .find_token(&credential)
        .ok_or(Error::SignatureMismatch)?;
    ctx.verified(index, None, None, false, SigBytes::new())
}

/// The `Authorization` header Chargebee sends for this credential.
fn sign_basic(input: &SignInput<'_>) -> Result<Signing, Error> {
    match input.token {
        Some(token) => Ok(Signing::Headers(vec![(
            input.spec.names.signature.clone().into_owned(),
            String::from("Basic ") + &STANDARD.encode(token),
        )])),
        None => Err(Error::secret("no credential to send")),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Delivery, ErrorKind, Provider, SignOptions, Signer, Verifier};

    fn check(secret: &str, authorization: &str) -> Result<(), ErrorKind> {
        let headers = [("Authorization", authorization)];
        Verifier::new(Provider::CHARGEBEE, secret)
            .unwrap()
            .verify(&Delivery::new(&headers, &b"{}"[..]))
            .map(|_| ())
            .map_err(|e| e.kind())
    }

    #[test]
    fn basic_credentials_are_checked() {
        // RFC 7617's example.
        let sent = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
        assert_eq!(check("Aladdin:open sesame", sent), Ok(()));
        // One spelling: the scheme's name as Chargebee writes it.
        for other in ["basic", "BASIC", "BasIc"] {
            assert_eq!(
                check(
                    "Aladdin:open sesame",
                    &format!("{other} QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
                ),
                Err(ErrorKind::MalformedHeader),
                "{other}"
            );
        }
        assert_eq!(
            check("Aladdin:open sesam", sent),
            Err(ErrorKind::SignatureMismatch)
        );
        assert_eq!(check("Aladdin", sent), Err(ErrorKind::SignatureMismatch));
    }

    #[test]
    fn other_schemes_and_encodings_are_malformed() {
        let secret = "Aladdin:open sesame";
        for sent in [
            "Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            "Basic",
            "Basic ",
            "BasicQWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            // Unpadded, and non-zero trailing bits.
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ",
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZR==",
            "Basic  QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            // `Aladdin`, no colon.
            "Basic QWxhZGRpbg==",
            "",
        ] {
            assert_eq!(
                check(secret, sent),
                Err(ErrorKind::MalformedHeader),
                "{sent:?}"
            );
        }
        let none: [(&str, &str); 0] = [];
        let err = Verifier::new(Provider::CHARGEBEE, secret)
            .unwrap()
            .verify(&Delivery::new(&none, &b"{}"[..]))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingHeader);
    }

    #[test]
    fn the_signer_writes_the_header_chargebee_sends() {
        let headers = Signer::new(&Provider::CHARGEBEE, "Aladdin:open sesame")
            .unwrap()
            .sign(b"{}", &SignOptions::new())
            .unwrap();
        assert_eq!(
            headers,
            [(
                "authorization".into(),
                "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".into()
            )]
        );
    }
}
