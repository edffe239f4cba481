//! Which handshake (subscription challenge) each built-in sender uses, described as data:
//! the request, the answer and what is checked. The receive path answers them
//! ([`crate::receive`]); this file only says which is which, so the CLI and the README list
//! them from the same place.

use alloc::string::String;
use core::fmt;
use core::fmt::Write as _;

use super::Spec;

/// A sender's handshake: a request sent to the endpoint (when it is registered, and for
/// some senders periodically) that must be answered in the sender's own way before
/// deliveries flow. [`Provider::handshake`](super::Provider::handshake) says which one a
/// provider uses; the receive path answers it without running the handler and without a
/// replay claim, and only where the request is authenticated or the answer reveals nothing.
///
/// ```
/// use webhook_verify::{Handshake, Provider};
///
/// let meta = Provider::META.handshake().unwrap();
/// assert_eq!(meta, Handshake::MetaSubscribe);
/// assert!(!meta.after_verification());
/// assert_eq!(Provider::DISCORD.handshake(), Some(Handshake::DiscordPing));
/// assert_eq!(Provider::STRIPE.handshake(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Handshake {
    /// Slack Events API `url_verification`: a signed POST whose body has `type:
    /// url_verification`; answered `{"challenge": …}`.
    SlackUrlVerification,
    /// Zoom `endpoint.url_validation`: a signed POST with `payload.plainToken`; answered
    /// with the token and its HMAC under the secret token.
    ZoomUrlValidation,
    /// Discord interactions PING: a signed POST with `type: 1`; answered `{"type":1}`.
    DiscordPing,
    /// Twitch EventSub `webhook_callback_verification`: a signed POST; the body's
    /// `challenge` is echoed as `text/plain`.
    TwitchCallbackVerification,
    /// Meta `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: the verify token
    /// is compared with the receiver's; `hub.challenge` is echoed.
    MetaSubscribe,
    /// X (Twitter) challenge-response check `GET ?crc_token=…`: answered with the token's
    /// HMAC under the consumer secret.
    XCrc,
    /// Dropbox `GET ?challenge=…`: echoed as `text/plain`.
    DropboxChallenge,
    /// Microsoft Graph subscription validation `POST ?validationToken=…`: echoed as
    /// `text/plain`.
    GraphValidation,
    /// Okta event hook one-time verification: `GET` with `X-Okta-Verification-Challenge`
    /// and the configured credential; answered `{"verification": …}`.
    OktaVerification,
    // AWS SNS `SubscriptionConfirmation` belongs here as a handshake answered after the
    // message's signature verified (`after_verification` true), with confirmation opt-in.
}

impl Handshake {
    /// Every handshake, in the order of the documentation table.
    pub const ALL: &'static [Handshake] = &[
        Self::SlackUrlVerification,
        Self::ZoomUrlValidation,
        Self::DiscordPing,
        Self::TwitchCallbackVerification,
        Self::MetaSubscribe,
        Self::XCrc,
        Self::DropboxChallenge,
        Self::GraphValidation,
        Self::OktaVerification,
    ];

    /// Whether the handshake arrives as a signed delivery, answered after its signature
    /// verified (Slack, Zoom, Discord, Twitch), rather than as a request answered before
    /// any body is read (Meta, X, Dropbox, Microsoft Graph, Okta).
    ///
    /// ```
    /// use webhook_verify::Handshake;
    /// assert!(Handshake::TwitchCallbackVerification.after_verification());
    /// assert!(!Handshake::XCrc.after_verification());
    /// ```
    #[must_use]
    pub const fn after_verification(self) -> bool {
        matches!(
            self,
            Self::SlackUrlVerification
                | Self::ZoomUrlValidation
                | Self::DiscordPing
                | Self::TwitchCallbackVerification
        )
    }

    /// A short name (`meta-subscribe`, `x-crc`, ...).
    ///
    /// ```
    /// assert_eq!(webhook_verify::Handshake::XCrc.as_str(), "x-crc");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SlackUrlVerification => "slack-url-verification",
            Self::ZoomUrlValidation => "zoom-url-validation",
            Self::DiscordPing => "discord-ping",
            Self::TwitchCallbackVerification => "twitch-callback-verification",
            Self::MetaSubscribe => "meta-subscribe",
            Self::XCrc => "x-crc",
            Self::DropboxChallenge => "dropbox-challenge",
            Self::GraphValidation => "graph-validation",
            Self::OktaVerification => "okta-verification",
        }
    }

    /// The sender, as the documentation names it.
    ///
    /// ```
    /// assert_eq!(webhook_verify::Handshake::XCrc.sender(), "X (Twitter)");
    /// ```
    #[must_use]
    pub const fn sender(self) -> &'static str {
        match self {
            Self::SlackUrlVerification => "Slack",
            Self::ZoomUrlValidation => "Zoom",
            Self::DiscordPing => "Discord",
            Self::TwitchCallbackVerification => "Twitch",
            Self::MetaSubscribe => "Meta",
            Self::XCrc => "X (Twitter)",
            Self::DropboxChallenge => "Dropbox",
            Self::GraphValidation => "Microsoft Graph",
            Self::OktaVerification => "Okta",
        }
    }

    /// Every handshake as a Markdown table (sender, request, answer, what is checked): the
    /// table of the README and of the [`receive`](crate::receive) module's docs, made from
    /// this one description.
    ///
    /// ```
    /// let table = webhook_verify::Handshake::markdown_table();
    /// assert!(table.starts_with("| sender | request | answer | checked |"));
    /// assert_eq!(table.lines().count(), 2 + webhook_verify::Handshake::ALL.len());
    /// ```
    #[must_use]
    pub fn markdown_table() -> String {
        let mut out = String::from("| sender | request | answer | checked |\n|---|---|---|---|\n");
        for h in Self::ALL {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                h.sender(),
                h.request(),
                h.answer(),
                h.checked()
            );
        }
        out
    }

    /// The request the sender makes.
    ///
    /// ```
    /// assert!(webhook_verify::Handshake::DropboxChallenge.request().starts_with("GET"));
    /// ```
    #[must_use]
    pub const fn request(self) -> &'static str {
        match self {
            Self::SlackUrlVerification => "POST, signed, body `type` = `url_verification`",
            Self::ZoomUrlValidation => {
                "POST, signed, body `event` = `endpoint.url_validation` with `payload.plainToken`"
            }
            Self::DiscordPing => "POST, signed, body `type` = 1",
            Self::TwitchCallbackVerification => {
                "POST, signed, `webhook_callback_verification`: the signed body carries `challenge`"
            }
            Self::MetaSubscribe => "GET `?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`",
            Self::XCrc => "GET `?crc_token=…`",
            Self::DropboxChallenge => "GET `?challenge=…`",
            Self::GraphValidation => "POST `?validationToken=…` (empty body)",
            Self::OktaVerification => {
                "GET with `X-Okta-Verification-Challenge` and the credential header"
            }
        }
    }

    /// The answer the receive path sends.
    ///
    /// ```
    /// assert!(webhook_verify::Handshake::DiscordPing.answer().contains("{\"type\":1}"));
    /// ```
    #[must_use]
    pub const fn answer(self) -> &'static str {
        match self {
            Self::SlackUrlVerification => "200 `{\"challenge\": …}` (JSON)",
            Self::ZoomUrlValidation => {
                "200 `{\"plainToken\": …, \"encryptedToken\": hex HMAC-SHA256(secret, plainToken)}`"
            }
            Self::DiscordPing => "200 `{\"type\":1}` (JSON)",
            Self::TwitchCallbackVerification => "200, `challenge` as `text/plain` (`nosniff`)",
            Self::MetaSubscribe => "200, `hub.challenge` as `text/plain` (`nosniff`)",
            Self::XCrc => {
                "200 `{\"response_token\": \"sha256=\" + base64 HMAC-SHA256(consumer secret, crc_token)}`"
            }
            Self::DropboxChallenge => {
                "200, `challenge` as `text/plain` with `X-Content-Type-Options: nosniff`"
            }
            Self::GraphValidation => "200, `validationToken` (decoded) as `text/plain` (`nosniff`)",
            Self::OktaVerification => "200 `{\"verification\": …}` (JSON)",
        }
    }

    /// What is checked before answering.
    ///
    /// ```
    /// assert!(webhook_verify::Handshake::MetaSubscribe.checked().contains("constant time"));
    /// ```
    #[must_use]
    pub const fn checked(self) -> &'static str {
        match self {
            Self::SlackUrlVerification
            | Self::ZoomUrlValidation
            | Self::DiscordPing
            | Self::TwitchCallbackVerification => {
                "the delivery's signature and timestamp, as for any delivery"
            }
            Self::MetaSubscribe => {
                "`hub.verify_token` equals the receiver's verify token (constant time); else 403"
            }
            Self::XCrc => {
                "nothing is signed: the token must be short base64 text that is not JSON, so the answer never signs a delivery body"
            }
            Self::DropboxChallenge => "nothing: the answer reveals nothing (an echo)",
            Self::GraphValidation => "nothing: the answer reveals nothing (an echo)",
            Self::OktaVerification => {
                "the credential header equals the configured value (constant time); else 400/401"
            }
        }
    }
}

impl fmt::Display for Handshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The handshake of a built-in scheme (never of a custom one).
pub(super) fn of(spec: &'static Spec) -> Option<Handshake> {
    use core::ptr::eq;
    Some(if eq(spec, &super::slack::SLACK) {
        Handshake::SlackUrlVerification
    } else if eq(spec, &super::zoom::ZOOM) {
        Handshake::ZoomUrlValidation
    } else if eq(spec, &super::discord::DISCORD) {
        Handshake::DiscordPing
    } else if eq(spec, &super::twitch::TWITCH) {
        Handshake::TwitchCallbackVerification
    } else if eq(spec, &super::meta::META) {
        Handshake::MetaSubscribe
    } else if eq(spec, &super::x::X) {
        Handshake::XCrc
    } else if eq(spec, &super::dropbox::DROPBOX) {
        Handshake::DropboxChallenge
    } else if eq(spec, &super::msgraph::MICROSOFT_GRAPH) {
        Handshake::GraphValidation
    } else if eq(spec, &super::okta::OKTA) {
        Handshake::OktaVerification
    } else {
        return None;
    })
}
