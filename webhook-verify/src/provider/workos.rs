//! WorkOS: `WorkOS-Signature: t=<unix milliseconds>, v1=<hex HMAC-SHA256>` over
//! `{t}.{body}`, keyed with the endpoint's secret; 180 s, past only, as WorkOS's SDK checks.
//!
//! WorkOS writes a space after the comma; the elements are read as WorkOS writes them
//! (`t` first, then ` v1`), and the timestamp is in milliseconds.
//!
//! Source: WorkOS's Node SDK, `workos/workos-node` `src/common/crypto/signature-provider.ts`
//! (`verifyHeader`, `computeSignature`) and `signature-provider.spec.ts`.

use alloc::borrow::Cow;
use core::time::Duration;

use super::{
    Algorithm, EventTypeSource, IdSource, KeyForm, Message, Names, Part, SigFormat, Spec,
    TimestampSource, TsFormat, lit, name,
};
use crate::Tolerance;

pub(super) static WORKOS: Spec = Spec {
    name: name("workos"),
    names: Names {
        signature: name("workos-signature"),
        timestamp: None,
        id: None,
    },
    fallback: None,
    alternate: None,
    key: KeyForm::Utf8,
    algorithm: Algorithm::HmacSha256,
    signature: SigFormat::KeyValue {
        separator: b',',
        timestamp_key: "t",
        // WorkOS separates the elements with ", ".
        signature_key: " v1",
    },
    message: Message::Template(Cow::Borrowed(&[Part::Timestamp, lit("."), Part::Body])),
    timestamp: TimestampSource::SignatureHeader,
    timestamp_format: TsFormat::UnixMillis,
    tolerance: Tolerance::past_only(Duration::from_secs(180)),
    id: IdSource::Json("/id"),
    event_type: EventTypeSource::Json("/event"),
};

#[cfg(test)]
mod tests {
    use crate::{Delivery, ErrorKind, FixedClock, Provider, SignOptions, Signer, Verifier};

    #[test]
    fn the_header_is_read_as_workos_writes_it() {
        let body = br#"{"id":"wh_1","event":"dsync.user.created"}"#;
        let headers = Signer::new(&Provider::WORKOS, "secret")
            .unwrap()
            .sign(body, &SignOptions::new().timestamp(1_700_000_000))
            .unwrap();
        let value = &headers[0].1;
        assert!(value.starts_with("t=1700000000000, v1="), "{value}");
        let verifier = Verifier::builder(Provider::WORKOS)
            .secret("secret")
            .clock(FixedClock::from_unix(1_700_000_100))
            .build()
            .unwrap();
        let check = |value: &str| {
            let headers = [("WorkOS-Signature", value)];
            verifier
                .verify(&Delivery::new(&headers, &body[..]))
                .map(|v| v.timestamp())
                .map_err(|e| e.kind())
        };
        assert_eq!(check(value), Ok(Some(1_700_000_000)));
        // Without WorkOS's space there is no ` v1` element.
        assert_eq!(
            check(&value.replace(", ", ",")),
            Err(ErrorKind::MalformedHeader)
        );
        // 180 s, past only: 100 s old passes, 181 s old does not.
        let stale = Verifier::builder(Provider::WORKOS)
            .secret("secret")
            .clock(FixedClock::from_unix(1_700_000_181))
            .build()
            .unwrap();
        let headers = [("WorkOS-Signature", value.as_str())];
        let err = stale
            .verify(&Delivery::new(&headers, &body[..]))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimestampTooOld);
    }
}
