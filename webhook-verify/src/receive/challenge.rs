//! Handshake challenges, answered once, here, for both adapters, the router and the CLI's
//! listener: which sender's handshake a request is, whether it is genuine, and the answer.
//!
//! Two steps of [`Reception`]:
//! - [`Reception::challenge`], before the body is read: handshakes that are plain requests
//!   (Meta, X, Dropbox, Microsoft Graph, Okta), and `405` for any other `GET`;
//! - [`Reception::answer`], after the delivery verified: handshakes that are signed
//!   deliveries (Slack, Zoom, Discord, Twitch). AWS SNS's `SubscriptionConfirmation`
//!   belongs with these: answered only once the message verified.
//!
//! An answered handshake never reaches a handler and claims nothing in the replay store.

use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Reception, Reply, RequestUrl};
use crate::{Delivery, Error, Handshake, Headers, Secret, Verified, Verifier, json};

/// The longest challenge value echoed or answered, in bytes; longer ones get `400 invalid
/// challenge`. Senders' challenges are a few dozen bytes.
pub(crate) const MAX_CHALLENGE: usize = 1024;

/// The longest X CRC token answered (X's are base64 text of a few dozen characters).
const MAX_CRC_TOKEN: usize = 256;

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

const ALLOW_POST: &[(&str, &str)] = &[("allow", "POST")];
const ALLOW_GET_POST: &[(&str, &str)] = &[("allow", "GET, POST")];

impl Reception {
    /// Answers a handshake that arrives as a plain request, before any body is read:
    /// Meta's `GET ?hub.mode=subscribe` (the verify token compared in constant time with
    /// [`ReceiverBuilder::verify_token`](super::ReceiverBuilder::verify_token)), X's `GET
    /// ?crc_token=` (answered with the verifier's first secret), Dropbox's `GET
    /// ?challenge=`, Microsoft Graph's `POST ?validationToken=`, Okta's one-time
    /// verification `GET` (only with the configured credential). Any other `GET` or `HEAD`
    /// gets `405 method not allowed` with `Allow`. `None`: not a handshake, go on reading
    /// and verifying the body.
    ///
    /// A `Some` reply is the whole answer: send it; the handler does not run and nothing
    /// is claimed. Its outcome is recorded on the delivery's span.
    ///
    /// ```
    /// use webhook_verify::receive::{Outcome, Receiver, RequestUrl};
    /// use webhook_verify::{Provider, Verifier};
    ///
    /// let receiver = Receiver::builder(Verifier::new(Provider::META, "app-secret")?)
    ///     .verify_token("my-token")?
    ///     .build();
    /// let no_headers: &[(&str, &str)] = &[];
    /// let url = RequestUrl::new("/meta?hub.mode=subscribe&hub.verify_token=my-token&hub.challenge=1158201444");
    /// let reply = receiver.receive().challenge("GET", &no_headers, &url).unwrap();
    /// assert_eq!((reply.status(), reply.body_text().as_ref()), (200, "1158201444"));
    /// assert_eq!(reply.outcome(), Outcome::Challenge);
    ///
    /// let forged = RequestUrl::new("/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1");
    /// assert_eq!(receiver.receive().challenge("GET", &no_headers, &forged).unwrap().status(), 403);
    /// // A POST is a delivery: read and verify its body.
    /// assert!(receiver.receive().challenge("POST", &no_headers, &RequestUrl::new("/meta")).is_none());
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn challenge(
        &self,
        method: &str,
        headers: &dyn Headers,
        url: &RequestUrl<'_>,
    ) -> Option<Reply> {
        let _entered = self.span().enter();
        let receiver = self.receiver();
        // The keys in force now (none when they are resolved per tenant).
        let verifier = receiver.verifier();
        let verifier = verifier.as_ref();
        let handshake = receiver.provider().handshake();
        let get = method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD");
        let query = url.query().unwrap_or("");
        let answer = match handshake {
            Some(Handshake::MetaSubscribe) if get => {
                meta(query, receiver.verify_token()).transpose()
            }
            Some(Handshake::XCrc) if get => x_crc(query, verifier).transpose(),
            Some(Handshake::DropboxChallenge) if get => dropbox(query).transpose(),
            Some(Handshake::OktaVerification) if get => okta(headers, verifier).transpose(),
            Some(Handshake::GraphValidation) if method.eq_ignore_ascii_case("POST") => {
                return graph(query).map(|r| self.settle(r.unwrap_or_else(|e| e)));
            }
            _ => None,
        };
        match answer {
            Some(answer) => Some(self.settle(answer.unwrap_or_else(|refused| refused))),
            None if get => {
                let allow = match handshake {
                    Some(h) if !h.after_verification() => ALLOW_GET_POST,
                    _ => ALLOW_POST,
                };
                Some(self.refuse(Reply::method_not_allowed(allow)))
            }
            None => None,
        }
    }

    /// Answers a verified delivery that is a handshake: Slack's `url_verification`, Zoom's
    /// `endpoint.url_validation` (with the secret that verified it), Discord's PING,
    /// Twitch's `webhook_callback_verification`. `None`: a delivery for the handler.
    ///
    /// Each is recognised by its signed body, never by an unsigned header (Twitch's
    /// message-type header is not signed; its verification body carries `challenge`,
    /// which no notification does). A `Some` reply is the whole answer: send it; the
    /// handler does not run and nothing is claimed.
    ///
    /// ```
    /// use webhook_verify::receive::{Receiver, RequestUrl};
    /// use webhook_verify::{FixedClock, Provider, SignOptions, Signer, Verifier};
    ///
    /// let verifier = Verifier::builder(Provider::SLACK)
    ///     .secret("8f742231b10e8888abcd99yyyzzz85a5")
    ///     .clock(FixedClock::from_unix(1_700_000_000))
    ///     .build()?;
    /// let receiver = Receiver::new(verifier);
    /// let body = br#"{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    /// let headers = Signer::new(&Provider::SLACK, "8f742231b10e8888abcd99yyyzzz85a5")?
    ///     .sign(body, &SignOptions::new().timestamp(1_700_000_000))?;
    /// let delivery = receiver.receive();
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let verified = delivery.verify(&headers, &RequestUrl::new("/slack"), body.to_vec().into()).await.unwrap();
    /// let reply = delivery.answer(&verified).unwrap();
    /// assert_eq!(reply.body_text(), r#"{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#);
    /// # });
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn answer(&self, verified: &Verified) -> Option<Reply> {
        let _entered = self.span().enter();
        let verifier = self.receiver().verifier();
        let reply = signed_answer(verified, verifier.as_ref())?;
        Some(self.settle(reply))
    }

    /// Records a handshake's answer (or its refusal) on the span.
    fn settle(&self, reply: Reply) -> Reply {
        if reply.outcome() == super::Outcome::Challenge {
            self.finish(&reply);
            reply
        } else {
            self.refuse(reply)
        }
    }
}

/// The answer to a verified delivery that is a handshake. `verifier` gives the secret a
/// Zoom answer is computed with; without it (the router alone) Zoom's is not answered.
pub(crate) fn signed_answer(verified: &Verified, verifier: Option<&Verifier>) -> Option<Reply> {
    // A delivery shadow mode let through unverified is never answered: an answer to an
    // unsigned Zoom challenge would be an HMAC oracle.
    if !verified.is_authentic() {
        return None;
    }
    let handshake = verified.provider().handshake()?;
    let body = verified.body();
    match handshake {
        Handshake::SlackUrlVerification => {
            if top_string(body, "type")? != "url_verification" {
                return None;
            }
            let challenge = top_string(body, "challenge")?;
            Some(
                bounded(&challenge).map_or_else(Reply::invalid_challenge, |challenge| {
                    json_reply(&serde_json::json!({ "challenge": challenge }))
                }),
            )
        }
        Handshake::ZoomUrlValidation => {
            if top_string(body, "event")? != "endpoint.url_validation" {
                return None;
            }
            let secret = verifier?.secrets().get(verified.key().index())?;
            let plain = string_at(body, "/payload/plainToken");
            let plain = plain.as_deref().and_then(bounded);
            let mac = plain.and_then(|plain| Some((plain, hmac_sha256(secret, plain.as_bytes())?)));
            Some(match mac {
                Some((plain, mac)) => json_reply(&serde_json::json!({
                    "plainToken": plain,
                    "encryptedToken": hex::encode(mac),
                })),
                None => Reply::invalid_challenge(),
            })
        }
        Handshake::DiscordPing => {
            let doc = json::document(body).ok()?;
            let pointer = json::Pointer::parse("/type").ok()?;
            let kind = json::lookup(doc, pointer.segments()).ok()??;
            (kind.get() == "1").then(|| Reply::challenge(Bytes::from_static(b"{\"type\":1}"), JSON))
        }
        Handshake::TwitchCallbackVerification => {
            let challenge = top_string(body, "challenge")?;
            Some(match bounded(&challenge) {
                Some(challenge) => Reply::challenge(challenge.to_owned(), TEXT),
                None => Reply::invalid_challenge(),
            })
        }
        // AWS SNS `SubscriptionConfirmation` belongs here: a message answered only after
        // its signature verified (and only when confirmation is opted in).
        _ => None,
    }
}

/// Meta: `hub.mode=subscribe`, the verify token, `hub.challenge` echoed.
fn meta(query: &str, token: Option<&Secret>) -> Result<Option<Reply>, Reply> {
    let Some(mode) = param(query, "hub.mode")? else {
        return Ok(None);
    };
    if mode != "subscribe" {
        return Err(Reply::invalid_challenge());
    }
    let Some(expected) = token else {
        return Err(Reply::rejected(Error::config(
            "a Meta handshake arrived but no verify token is configured (ReceiverBuilder::verify_token)",
        )));
    };
    let sent = param(query, "hub.verify_token")?.unwrap_or_default();
    if !same_secret(sent.as_bytes(), expected.expose_bytes()) {
        return Err(Reply::challenge_forbidden());
    }
    let challenge = param(query, "hub.challenge")?.ok_or_else(Reply::invalid_challenge)?;
    let challenge = bounded(&challenge).ok_or_else(Reply::invalid_challenge)?;
    Ok(Some(Reply::challenge(challenge.to_owned(), TEXT)))
}

/// X: the CRC token's HMAC under the consumer secret (the verifier's first secret).
///
/// X does not sign the CRC request, and the answer is exactly the signature X would send
/// for a body equal to the token. So only tokens shaped like X's are answered: base64 text
/// (`A-Z a-z 0-9 + / = - _`), at most 256 bytes, and not a JSON document. Such a body is
/// never a JSON delivery: the answer cannot be used to forge one.
fn x_crc(query: &str, verifier: Option<&Verifier>) -> Result<Option<Reply>, Reply> {
    let Some(token) = param(query, "crc_token")? else {
        return Ok(None);
    };
    let shaped = !token.is_empty()
        && token.len() <= MAX_CRC_TOKEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
        && serde_json::from_str::<serde::de::IgnoredAny>(&token).is_err();
    if !shaped {
        return Err(Reply::invalid_challenge());
    }
    let mac = verifier
        .ok_or_else(no_fixed_keys)?
        .secrets()
        .first()
        .and_then(|secret| hmac_sha256(secret, token.as_bytes()))
        .ok_or_else(Reply::invalid_challenge)?;
    use base64::Engine as _;
    let mac = base64::engine::general_purpose::STANDARD.encode(mac);
    Ok(Some(json_reply(
        &serde_json::json!({ "response_token": format!("sha256={mac}") }),
    )))
}

/// Dropbox: `challenge` echoed as text.
fn dropbox(query: &str) -> Result<Option<Reply>, Reply> {
    let Some(challenge) = param(query, "challenge")? else {
        return Ok(None);
    };
    let challenge = bounded(&challenge).ok_or_else(Reply::invalid_challenge)?;
    Ok(Some(Reply::challenge(challenge.to_owned(), TEXT)))
}

/// Microsoft Graph: `validationToken` (URL-decoded) echoed as text.
fn graph(query: &str) -> Option<Result<Reply, Reply>> {
    let token = match param(query, "validationToken") {
        Ok(token) => token?,
        Err(refused) => return Some(Err(refused)),
    };
    Some(match bounded(&token) {
        Some(token) => Ok(Reply::challenge(token.to_owned(), TEXT)),
        None => Err(Reply::invalid_challenge()),
    })
}

/// Okta: the credential header checked as for a delivery, then `{"verification": …}`.
fn okta(headers: &dyn Headers, verifier: Option<&Verifier>) -> Result<Option<Reply>, Reply> {
    let mut values = Vec::new();
    headers.for_each_value("x-okta-verification-challenge", &mut |v| values.push(v));
    let value = match values.as_slice() {
        [] => return Ok(None),
        [value] => *value,
        _ => return Err(Reply::invalid_challenge()),
    };
    // The same constant-time credential check as a delivery's (400 without it, 401 wrong).
    verifier
        .ok_or_else(no_fixed_keys)?
        .check(&Delivery::new(headers, &b""[..]))
        .map_err(Reply::rejected)?;
    let value = core::str::from_utf8(value)
        .ok()
        .and_then(bounded)
        .ok_or_else(Reply::invalid_challenge)?;
    Ok(Some(json_reply(
        &serde_json::json!({ "verification": value }),
    )))
}

/// A handshake answered with the key, on a receiver whose keys are resolved per tenant.
fn no_fixed_keys() -> Reply {
    Reply::rejected(Error::config(
        "this handshake is answered with the receiver's key; keys resolved per tenant have none before the delivery",
    ))
}

/// The value of query parameter `name`, decoded; a parameter given twice is refused.
fn param(query: &str, name: &str) -> Result<Option<String>, Reply> {
    let mut found = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key == name {
            if found.is_some() {
                return Err(Reply::invalid_challenge());
            }
            found = Some(value.into_owned());
        }
    }
    Ok(found)
}

/// A top-level string field of a JSON body.
fn top_string(body: &[u8], key: &str) -> Option<String> {
    string_at(body, &format!("/{key}"))
}

/// A string at a JSON pointer of a body, read like every other body field (a key twice is
/// refused, not read two ways).
fn string_at(body: &[u8], pointer: &str) -> Option<String> {
    let doc = json::document(body).ok()?;
    let pointer = json::Pointer::parse(pointer).ok()?;
    json::string_text(json::lookup(doc, pointer.segments()).ok()??)
}

/// A challenge that is not empty and not longer than [`MAX_CHALLENGE`].
fn bounded(value: &str) -> Option<&str> {
    (!value.is_empty() && value.len() <= MAX_CHALLENGE).then_some(value)
}

fn json_reply(value: &serde_json::Value) -> Reply {
    match serde_json::to_vec(value) {
        Ok(body) => Reply::challenge(body, JSON),
        Err(_) => Reply::invalid_challenge(),
    }
}

fn hmac_sha256(secret: &Secret, message: &[u8]) -> Option<[u8; 32]> {
    // HMAC takes keys of any length: this never fails.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose_bytes()).ok()?;
    mac.update(message);
    Some(mac.finalize().into_bytes().into())
}

/// Equal secrets, compared in constant time (as digests, so the length does not show).
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let (a, b): ([u8; 32], [u8; 32]) = (Sha256::digest(a).into(), Sha256::digest(b).into());
    a.ct_eq(&b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table in this module's docs (`receive/mod.rs`) is the one made from
    /// [`Handshake`]'s description. To update it, paste the text printed on failure.
    #[test]
    fn module_docs_table_is_current() {
        let docs = include_str!("mod.rs");
        let start = "//! <!-- handshakes:start -->\n";
        let end = "//! <!-- handshakes:end -->\n";
        let expected: String = Handshake::markdown_table()
            .lines()
            .map(|line| format!("//! {line}\n"))
            .collect();
        let found = docs
            .split_once(start)
            .and_then(|(_, rest)| rest.split_once(end))
            .map(|(table, _)| table);
        assert_eq!(
            found,
            Some(expected.as_str()),
            "receive/mod.rs's handshake table is out of date; replace it with:\n{start}{expected}{end}"
        );
    }

    #[test]
    fn params_are_decoded_and_never_read_two_ways() {
        assert_eq!(param("a=1&b=x%20y", "b").unwrap().as_deref(), Some("x y"));
        assert_eq!(param("a=1", "b").unwrap(), None);
        assert_eq!(param("b=1&b=2", "b").unwrap_err().status(), 400);
        assert_eq!(
            param("%ff%fe=1&b=%ff", "b").unwrap().as_deref(),
            Some("\u{fffd}")
        );
    }

    #[test]
    fn crc_tokens_that_could_be_a_body_are_refused() {
        let verifier = Verifier::new(crate::Provider::X, "consumer-secret").unwrap();
        let verifier = Some(&verifier);
        for bad in [
            "crc_token=",
            "crc_token=123",
            "crc_token=null",
            "crc_token=%7B%7D",
            "crc_token=a%20b",
            &format!("crc_token={}", "a".repeat(MAX_CRC_TOKEN + 1)),
        ] {
            let reply = x_crc(bad, verifier).unwrap_err();
            assert_eq!(reply.status(), 400, "{bad}");
        }
        assert!(x_crc("other=1", verifier).unwrap().is_none());
        let ok = x_crc("crc_token=M2RkODJkZmMtYjlk&nonce=MTc2", verifier)
            .unwrap()
            .unwrap();
        assert_eq!(ok.status(), 200);
    }

    #[test]
    fn secrets_compare_whatever_their_lengths() {
        assert!(same_secret(b"token", b"token"));
        assert!(!same_secret(b"token", b"token2"));
        assert!(!same_secret(b"", b"token"));
    }
}
