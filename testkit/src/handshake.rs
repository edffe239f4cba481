//! Handshake challenges as requests, genuine and forged, with the answers they must get:
//! one list every crate's challenge tests run (the core in process, each adapter in
//! process and over a real socket).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;
use webhook_verify::receive::Receiver;
use webhook_verify::replay::{Claim, MemoryStore, Replay, ReplayStore, StoreFuture};
use webhook_verify::{FixedClock, Provider, Verifier};

use crate::{NOW, signed, verifier_secret};

/// The verify token the handshake receivers are configured with (Meta's `hub.verify_token`).
pub const META_VERIFY_TOKEN: &str = "meta-verify-token";

/// The X CRC token the cases send (shaped like X's: base64 of a UUID).
pub const X_CRC_TOKEN: &str = "M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0";

/// What a handshake case must be answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// 200 with this text (`text/plain`, `nosniff`).
    Text(String),
    /// 200 with this JSON (`application/json`).
    Json(serde_json::Value),
    /// A refusal: this status and body text.
    Refused(u16, &'static str),
}

/// One handshake request and its answer.
#[derive(Debug, Clone)]
pub struct Case {
    /// A short name for messages.
    pub name: &'static str,
    /// The sender.
    pub provider: Provider,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path and query, from `/`.
    pub path_and_query: String,
    /// The headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The answer.
    pub expected: Expected,
}

impl Case {
    /// A receiver for this case's provider: the testkit's secret, a clock at [`NOW`], the
    /// verify token [`META_VERIFY_TOKEN`], and `replay`.
    ///
    /// # Panics
    ///
    /// Never for the testkit's secrets.
    #[must_use]
    pub fn receiver(&self, replay: Replay) -> Receiver {
        let verifier = Verifier::builder(self.provider.clone())
            .secret(verifier_secret(&self.provider))
            .clock(FixedClock::from_unix(NOW))
            .build()
            .expect("the testkit's secrets");
        Receiver::builder(verifier)
            .verify_token(META_VERIFY_TOKEN)
            .expect("a token")
            .replay(replay)
            .build()
    }

    /// Whether the answer is a handshake's (200) rather than a refusal.
    #[must_use]
    pub fn answered(&self) -> bool {
        !matches!(self.expected, Expected::Refused(..))
    }

    /// Checks a response: status, body, content type and `nosniff` on answers, `Allow` on
    /// a 405. Returns a message on mismatch.
    ///
    /// # Errors
    ///
    /// What differs.
    pub fn check(
        &self,
        status: u16,
        content_type: Option<&str>,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
    ) -> Result<(), String> {
        let text = String::from_utf8_lossy(body);
        let fail = |what: &str| Err(format!("{}: {what}: {status} {text:?}", self.name));
        match &self.expected {
            Expected::Text(expected) => {
                if status != 200 || text != *expected {
                    return fail(&format!("expected 200 {expected:?}"));
                }
                if !content_type.is_some_and(|c| c.starts_with("text/plain")) {
                    return fail(&format!("content type {content_type:?}"));
                }
                if header("x-content-type-options").as_deref() != Some("nosniff") {
                    return fail("no nosniff");
                }
            }
            Expected::Json(expected) => {
                let value: Option<serde_json::Value> = serde_json::from_slice(body).ok();
                if status != 200 || value.as_ref() != Some(expected) {
                    return fail(&format!("expected 200 {expected}"));
                }
                if content_type != Some("application/json") {
                    return fail(&format!("content type {content_type:?}"));
                }
            }
            Expected::Refused(expected, reason) => {
                if status != *expected || text != *reason {
                    return fail(&format!("expected {expected} {reason:?}"));
                }
                if status == 405 && header("allow").is_none() {
                    return fail("405 without Allow");
                }
            }
        }
        Ok(())
    }
}

fn hmac_sha256(key: &str, message: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn h(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// A signed POST of `body` for `p` (at [`NOW`]), with `extra` headers.
fn signed_post(
    name: &'static str,
    p: &Provider,
    body: &str,
    extra: &[(&str, &str)],
    expected: Expected,
) -> Case {
    let signed = signed(p, body.as_bytes(), NOW);
    let mut headers = signed.headers;
    headers.extend(extra.iter().map(|(n, v)| h(n, v)));
    Case {
        name,
        provider: p.clone(),
        method: "POST",
        path_and_query: "/hook".to_owned(),
        headers,
        body: signed.body,
        expected,
    }
}

/// The same request with its signature header's last signature character changed.
fn forged(mut case: Case, name: &'static str) -> Case {
    let signature = case.provider.signature_header().to_owned();
    let (_, value) = case
        .headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(&signature))
        .expect("a signature header");
    let last = value.pop().expect("a signature");
    value.push(if last == '0' { '1' } else { '0' });
    case.name = name;
    case.expected = Expected::Refused(401, "invalid signature");
    case
}

fn get(
    name: &'static str,
    p: Provider,
    path_and_query: &str,
    headers: &[(&str, &str)],
    expected: Expected,
) -> Case {
    Case {
        name,
        provider: p,
        method: "GET",
        path_and_query: path_and_query.to_owned(),
        headers: headers.iter().map(|(n, v)| h(n, v)).collect(),
        body: Vec::new(),
        expected,
    }
}

/// Every handshake, genuine (answered) and forged (refused by the status policy), plus a
/// `GET` that is no handshake.
#[must_use]
pub fn cases() -> Vec<Case> {
    let slack = signed_post(
        "slack url_verification",
        &Provider::SLACK,
        r#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#,
        &[],
        Expected::Json(serde_json::json!({
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
        })),
    );
    let zoom_secret = verifier_secret(&Provider::ZOOM);
    let zoom = signed_post(
        "zoom endpoint.url_validation",
        &Provider::ZOOM,
        r#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#,
        &[],
        Expected::Json(serde_json::json!({
            "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
            "encryptedToken": hex::encode(hmac_sha256(&zoom_secret, "qgg8vlvZRS6UYooatFL8Aw")),
        })),
    );
    let discord = signed_post(
        "discord ping",
        &Provider::DISCORD,
        r#"{"application_id":"1","id":"787053080478613555","token":"t","type":1,"version":1}"#,
        &[],
        Expected::Json(serde_json::json!({ "type": 1 })),
    );
    let twitch = signed_post(
        "twitch webhook_callback_verification",
        &Provider::TWITCH,
        r#"{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"webhook_callback_verification_pending","type":"channel.follow","version":"1"}}"#,
        &[(
            "twitch-eventsub-message-type",
            "webhook_callback_verification",
        )],
        Expected::Text("pogchamp-kappa-360noscope-vohiyo".to_owned()),
    );
    let x_secret = verifier_secret(&Provider::X);
    let crc = base64::engine::general_purpose::STANDARD.encode(hmac_sha256(&x_secret, X_CRC_TOKEN));
    let okta_secret = verifier_secret(&Provider::OKTA);
    vec![
        forged(slack.clone(), "slack url_verification, bad signature"),
        slack,
        forged(zoom.clone(), "zoom url_validation, bad signature"),
        zoom,
        forged(discord.clone(), "discord ping, bad signature"),
        discord,
        forged(twitch.clone(), "twitch verification, bad signature"),
        twitch,
        get(
            "meta subscribe",
            Provider::META,
            &format!("/hook?hub.mode=subscribe&hub.verify_token={META_VERIFY_TOKEN}&hub.challenge=1158201444"),
            &[],
            Expected::Text("1158201444".to_owned()),
        ),
        get(
            "meta subscribe, wrong verify token",
            Provider::META,
            "/hook?hub.mode=subscribe&hub.verify_token=meta-verify-tokem&hub.challenge=1158201444",
            &[],
            Expected::Refused(403, "invalid verify token"),
        ),
        get(
            "meta GET without a handshake",
            Provider::META,
            "/hook",
            &[],
            Expected::Refused(405, "method not allowed"),
        ),
        get(
            "x crc",
            Provider::X,
            &format!("/hook?crc_token={X_CRC_TOKEN}&nonce=MTc2OTUxODI5MjkxNA"),
            &[],
            Expected::Json(serde_json::json!({ "response_token": format!("sha256={crc}") })),
        ),
        get(
            "x crc, a token that is a JSON body",
            Provider::X,
            "/hook?crc_token=%7B%22for_user_id%22%3A%221%22%7D",
            &[],
            Expected::Refused(400, "invalid challenge"),
        ),
        get(
            "dropbox challenge",
            Provider::DROPBOX,
            "/hook?challenge=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            &[],
            Expected::Text("<script>alert(1)</script>".to_owned()),
        ),
        Case {
            name: "microsoft graph validationToken",
            provider: Provider::MICROSOFT_GRAPH,
            method: "POST",
            path_and_query:
                "/hook?validationToken=Validation%3A%20Testing%20client%20application%20reachability"
                    .to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            expected: Expected::Text(
                "Validation: Testing client application reachability".to_owned(),
            ),
        },
        get(
            "okta verification",
            Provider::OKTA,
            "/hook",
            &[
                ("x-okta-verification-challenge", "X6qd0Ty1x5Ghw7DHCb3b"),
                ("authorization", &okta_secret),
            ],
            Expected::Json(serde_json::json!({ "verification": "X6qd0Ty1x5Ghw7DHCb3b" })),
        ),
        get(
            "okta verification, wrong credential",
            Provider::OKTA,
            "/hook",
            &[
                ("x-okta-verification-challenge", "X6qd0Ty1x5Ghw7DHCb3b"),
                ("authorization", &format!("{okta_secret}x")),
            ],
            Expected::Refused(401, "invalid signature"),
        ),
        get(
            "okta verification, no credential",
            Provider::OKTA,
            "/hook",
            &[("x-okta-verification-challenge", "X6qd0Ty1x5Ghw7DHCb3b")],
            Expected::Refused(400, "missing header authorization"),
        ),
        get(
            "stripe GET",
            Provider::STRIPE,
            "/hook?challenge=1",
            &[],
            Expected::Refused(405, "method not allowed"),
        ),
    ]
}

/// A replay store that counts the calls made to it (claims, commits, releases), over a
/// [`MemoryStore`]; clones share the count. A handshake must leave it at zero.
///
/// ```
/// use webhook_testkit::handshake::CountingStore;
/// let store = CountingStore::default();
/// let _replay = store.replay();
/// assert_eq!(store.calls(), 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct CountingStore {
    inner: Arc<MemoryStore>,
    calls: Arc<AtomicUsize>,
}

impl CountingStore {
    /// Replay protection over this store.
    #[must_use]
    pub fn replay(&self) -> Replay {
        Replay::new(self.clone())
    }

    /// The calls made so far.
    #[must_use]
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ReplayStore for CountingStore {
    fn claim<'a>(&'a self, key: &'a str, ticket: u128, lease: Duration) -> StoreFuture<'a, Claim> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.claim(key, ticket, lease)
    }

    fn commit<'a>(
        &'a self,
        key: &'a str,
        ticket: u128,
        retention: Duration,
    ) -> StoreFuture<'a, ()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.commit(key, ticket, retention)
    }

    fn release<'a>(&'a self, key: &'a str, ticket: u128) -> StoreFuture<'a, ()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.release(key, ticket)
    }
}
