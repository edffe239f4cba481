//! Providers: each one's signature scheme, described as data.
//!
//! One file per provider, named after it (`stripe.rs`, `linear.rs`, `zoom.rs`, ...); each
//! file's docs say where the scheme comes from. `hmac.rs` holds the builder the one-header
//! HMAC schemes share, `standard.rs` the Standard Webhooks scheme Svix and its users reuse,
//! and `custom.rs` the run-time [`CustomProvider`].
//!
//! A scheme says which headers carry the signature, timestamp and message id, how the key is
//! derived from the secret text, which bytes are signed, how signatures are encoded and
//! listed, and the default timestamp tolerance. Built-in providers are `static` values; a
//! [`CustomProvider`] is the same description assembled at run time.

use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;
use core::time::Duration;

mod adyen;
mod aftership;
mod airwallex;
mod alchemy;
mod asana;
mod aws_sns;
mod bitbucket;
mod r#box;
mod brex;
mod calendly;
mod chargebee;
mod circleci;
mod clerk;
mod coinbase;
mod contentful;
mod cursor;
mod custom;
mod describe;
mod discord;
mod docusign;
mod dropbox;
mod frameio;
mod fusionauth;
mod github;
mod gitlab;
mod handshake;
mod hmac;
mod hubspot;
mod intercom;
mod lemonsqueezy;
mod linear;
mod lithic;
mod mailgun;
mod mandrill;
mod meta;
mod msgraph;
mod mux;
mod okta;
mod openai;
mod orb;
mod paddle;
mod pagerduty;
mod paypal;
mod postmark;
mod razorpay;
mod replicate;
mod resend;
mod segment;
mod sendgrid;
mod sentry;
mod shopify;
mod slack;
mod square;
mod standard;
mod stripe;
mod svix;
mod telnyx;
mod tiktok;
mod twilio;
mod twitch;
mod typeform;
mod vercel;
mod webflow;
mod woocommerce;
mod workos;
mod x;
mod xero;
mod zendesk;
pub mod zoom;

#[cfg(feature = "fetch")]
pub(crate) use aws_sns::SnsMessage;

pub use custom::CustomProvider;
pub use handshake::Handshake;

use crate::tolerance::Tolerance;
use crate::verifier::SchemeContext;
use crate::{Error, Verified};

/// A webhook sender's signature scheme.
///
/// Use one of the constants, look one up by name, or assemble a [`CustomProvider`].
///
/// ```
/// use webhook_verify::Provider;
///
/// let stripe: Provider = "stripe".parse()?;
/// assert_eq!(stripe, Provider::STRIPE);
/// assert_eq!(stripe.signature_header(), "stripe-signature");
/// assert!(Provider::all().iter().any(|p| p.name() == "github"));
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone)]
pub struct Provider {
    spec: SpecRef,
}

#[derive(Clone)]
enum SpecRef {
    Static(&'static Spec),
    Custom(Arc<Spec>),
    /// A built-in scheme with a value the user configures (PayPal's webhook id).
    Param(&'static Spec, Arc<str>),
}

impl Provider {
    /// [Standard Webhooks](https://www.standardwebhooks.com/): `webhook-id`,
    /// `webhook-timestamp`, `webhook-signature` with `v1` (HMAC-SHA256, secret `whsec_…`)
    /// and `v1a` (Ed25519, public key `whpk_…`) signatures; ±300 s.
    pub const STANDARD_WEBHOOKS: Provider = Provider::builtin(&standard::STANDARD);
    /// Svix: Standard Webhooks with `svix-*` headers, falling back to `webhook-*`; ±300 s.
    pub const SVIX: Provider = Provider::builtin(&svix::SVIX);
    /// Clerk (sends through Svix).
    pub const CLERK: Provider = Provider::builtin(&clerk::CLERK);
    /// Resend (sends through Svix).
    pub const RESEND: Provider = Provider::builtin(&resend::RESEND);
    /// Stripe: `Stripe-Signature: t=…,v1=…`; the key is the whole `whsec_…` text; 300 s,
    /// past only.
    pub const STRIPE: Provider = Provider::builtin(&stripe::STRIPE);
    /// GitHub: `X-Hub-Signature-256: sha256=…` over the body; no timestamp.
    pub const GITHUB: Provider = Provider::builtin(&github::GITHUB);
    /// GitHub's legacy `X-Hub-Signature: sha1=…` header. Use only for senders that cannot
    /// send `X-Hub-Signature-256`; [`Provider::GITHUB`] never reads this header.
    pub const GITHUB_LEGACY_SHA1: Provider = Provider::builtin(&github::GITHUB_SHA1);
    /// Slack request signing: `X-Slack-Signature: v0=…` over `v0:{timestamp}:{body}`; ±300 s.
    /// The id is the signed body's `event_id` (Events API), so a retry re-signed at a new
    /// timestamp is recognised as the same event.
    pub const SLACK: Provider = Provider::builtin(&slack::SLACK);
    /// Shopify: `X-Shopify-Hmac-Sha256` (base64) over the body; no timestamp.
    pub const SHOPIFY: Provider = Provider::builtin(&shopify::SHOPIFY);
    /// Twilio: `X-Twilio-Signature` (HMAC-SHA1, base64) over the request URL and the sorted
    /// form parameters, or over the URL with `bodySHA256=` for JSON bodies. Needs the URL
    /// ([`Delivery::with_url`](crate::Delivery::with_url)). Twilio's form signature covers
    /// the decoded parameters, not the raw body bytes: parse the form from the verified
    /// body, never from a re-encoded copy.
    pub const TWILIO: Provider = Provider::builtin(&twilio::TWILIO);
    /// Discord: Ed25519 `X-Signature-Ed25519` over timestamp ‖ body; the secret is the
    /// application's public key in hex. No tolerance by default, like Discord's own library.
    pub const DISCORD: Provider = Provider::builtin(&discord::DISCORD);
    /// Paddle Billing: `Paddle-Signature: ts=…;h1=…` over `{ts}:{body}`; 5 s, past only.
    pub const PADDLE: Provider = Provider::builtin(&paddle::PADDLE);
    /// Linear: hex `Linear-Signature` over the body; the signed body's `webhookTimestamp`
    /// (milliseconds) is checked after verification, ±60 s. Linear signs no delivery id (its
    /// `Linear-Delivery` header is not signed), so the replay key is the signed body: a
    /// retry that carries a new `webhookTimestamp` is a new body and a new key; make the
    /// handler idempotent on the entity (`data.id`, `action`, `updatedAt`).
    pub const LINEAR: Provider = Provider::builtin(&linear::LINEAR);
    /// Zoom: `x-zm-signature: v0=…` over `v0:{timestamp}:{body}`; ±300 s. The receive path
    /// answers the endpoint URL-validation challenge; see [`zoom`] to answer it by hand.
    pub const ZOOM: Provider = Provider::builtin(&zoom::ZOOM);
    /// Square: base64 `x-square-hmacsha256-signature` over the notification URL followed by
    /// the body. Needs the URL exactly as configured in the subscription.
    pub const SQUARE: Provider = Provider::builtin(&square::SQUARE);
    /// Mailgun: the body's `signature.{timestamp,token,signature}` (JSON) or the form fields
    /// `timestamp`, `token`, `signature`; HMAC-SHA256 over timestamp ‖ token.
    ///
    /// The fields are read in their exact forms: the timestamp decimal Unix seconds (ASCII
    /// digits, no sign, no leading zero), the token 50 lowercase letters and digits, all
    /// three strings in JSON, and a JSON body with a key twice is refused. Because the
    /// token's length is fixed, digits cannot move between the timestamp and the token.
    /// ±300 s by default (Mailgun's SDKs check no age; its docs ask for a recent timestamp
    /// and unused tokens).
    ///
    /// **Residual risk: the body itself is not signed**, only the timestamp and token are.
    /// Whoever captures one delivery can attach its signature fields to any body of their
    /// own for as long as the tolerance lasts, and once (the replay key is the token,
    /// [`Verified::id`](crate::Verified::id)): use replay protection, keep the tolerance
    /// short, and treat the event data as a hint to fetch from Mailgun's API (with your API
    /// key) before acting on it.
    pub const MAILGUN: Provider = Provider::builtin(&mailgun::MAILGUN);
    /// SendGrid signed event webhook: ECDSA P-256 (base64 DER) over timestamp ‖ body; the
    /// secret is the base64 DER verification public key. No tolerance by default. ECDSA
    /// signatures are malleable (s and n − s both verify): the replay key is made of the
    /// signed body, never of the signature.
    pub const SENDGRID: Provider = Provider::builtin(&sendgrid::SENDGRID);
    /// Twitch EventSub: `sha256=` hex over message id ‖ timestamp (RFC 3339) ‖ body;
    /// 10 minutes, past only.
    pub const TWITCH: Provider = Provider::builtin(&twitch::TWITCH);
    /// Intercom: `X-Hub-Signature: sha1=…` over the body.
    pub const INTERCOM: Provider = Provider::builtin(&intercom::INTERCOM);
    /// Typeform: `Typeform-Signature: sha256=<base64>` over the body.
    pub const TYPEFORM: Provider = Provider::builtin(&typeform::TYPEFORM);
    /// Calendly: `Calendly-Webhook-Signature: t=…,v1=…` over `{t}.{body}`; 3 minutes,
    /// past only.
    pub const CALENDLY: Provider = Provider::builtin(&calendly::CALENDLY);
    /// GitLab: the `X-Gitlab-Token` secret token compared in constant time, or, when the
    /// request carries `webhook-signature`, GitLab's Standard Webhooks signing token.
    pub const GITLAB: Provider = Provider::builtin(&gitlab::GITLAB);
    /// Razorpay: hex `X-Razorpay-Signature` over the body.
    pub const RAZORPAY: Provider = Provider::builtin(&razorpay::RAZORPAY);
    /// Lemon Squeezy: hex `X-Signature` over the body.
    pub const LEMON_SQUEEZY: Provider = Provider::builtin(&lemonsqueezy::LEMON_SQUEEZY);
    /// Adyen: the key is the hex HMAC key. Balance Platform webhooks carry a base64
    /// `HmacSignature` header over the body; classic notifications carry
    /// `additionalData.hmacSignature` in each `NotificationRequestItem`, over its
    /// colon-joined fields, and every item must verify.
    pub const ADYEN: Provider = Provider::builtin(&adyen::ADYEN);
    /// HubSpot signature v3: base64 `X-HubSpot-Signature-v3` over
    /// `POST{url}{body}{timestamp}`, `X-HubSpot-Request-Timestamp` in milliseconds; 300 s,
    /// past only. Needs the URL ([`Delivery::with_url`](crate::Delivery::with_url)).
    pub const HUBSPOT: Provider = Provider::builtin(&hubspot::HUBSPOT);
    /// DocuSign Connect: base64 HMAC-SHA256 of the body in `X-DocuSign-Signature-1`,
    /// `-2`, … (one per active key); any of them made with any configured key verifies.
    /// No timestamp.
    pub const DOCUSIGN: Provider = Provider::builtin(&docusign::DOCUSIGN);
    /// Mandrill (Mailchimp Transactional): base64 HMAC-SHA1 `X-Mandrill-Signature` over the
    /// webhook URL followed by the sorted form parameters. Needs the URL
    /// ([`Delivery::with_url`](crate::Delivery::with_url)); no timestamp.
    pub const MANDRILL: Provider = Provider::builtin(&mandrill::MANDRILL);
    /// Coinbase Commerce: hex `X-CC-Webhook-Signature` over the body; no timestamp.
    pub const COINBASE: Provider = Provider::builtin(&coinbase::COINBASE);
    /// Zendesk: base64 `X-Zendesk-Webhook-Signature` over timestamp ‖ body, the
    /// `X-Zendesk-Webhook-Signature-Timestamp` in RFC 3339; ±300 s.
    pub const ZENDESK: Provider = Provider::builtin(&zendesk::ZENDESK);
    /// Vercel: hex HMAC-SHA1 `x-vercel-signature` over the body; no timestamp.
    pub const VERCEL: Provider = Provider::builtin(&vercel::VERCEL);
    /// OpenAI: Standard Webhooks (`webhook-*` headers, secret `whsec_…`); ±300 s.
    pub const OPENAI: Provider = Provider::builtin(&openai::OPENAI);
    /// Replicate: Standard Webhooks (`webhook-*` headers, secret `whsec_…`); ±300 s.
    pub const REPLICATE: Provider = Provider::builtin(&replicate::REPLICATE);
    /// Brex: Standard Webhooks signatures (`Webhook-*` headers, base64 secret); ±300 s.
    pub const BREX: Provider = Provider::builtin(&brex::BREX);
    /// Lithic: Standard Webhooks (`webhook-*` headers, secret `whsec_…`); ±300 s.
    pub const LITHIC: Provider = Provider::builtin(&lithic::LITHIC);
    /// Airwallex: hex `x-signature` over `x-timestamp` (milliseconds) ‖ body; ±300 s.
    pub const AIRWALLEX: Provider = Provider::builtin(&airwallex::AIRWALLEX);
    /// Bitbucket Cloud: `X-Hub-Signature: sha256=…` over the body; no timestamp.
    pub const BITBUCKET: Provider = Provider::builtin(&bitbucket::BITBUCKET);
    /// Chargebee: HTTP basic authentication (`Authorization: Basic …`), the secret being
    /// `username:password`, compared in constant time. **Not a signature**: it does not
    /// protect the body, nor tell when it was sent.
    pub const CHARGEBEE: Provider = Provider::builtin(&chargebee::CHARGEBEE);
    /// WorkOS: `WorkOS-Signature: t=…, v1=…` over `{t}.{body}`, `t` in milliseconds;
    /// 180 s, past only.
    pub const WORKOS: Provider = Provider::builtin(&workos::WORKOS);
    /// Sentry integration platform: hex `Sentry-Hook-Signature` over the body; no
    /// timestamp (`Sentry-Hook-Timestamp` is not signed).
    pub const SENTRY: Provider = Provider::builtin(&sentry::SENTRY);
    /// Webflow: hex `x-webflow-signature` over `{x-webflow-timestamp}:{body}`, the
    /// timestamp in milliseconds; 300 s, past only.
    pub const WEBFLOW: Provider = Provider::builtin(&webflow::WEBFLOW);
    /// Mux: `Mux-Signature: t=…,v1=…` over `{t}.{body}`; 300 s, past only.
    pub const MUX: Provider = Provider::builtin(&mux::MUX);
    /// Meta (Facebook, Instagram, WhatsApp, Messenger): `X-Hub-Signature-256: sha256=…`
    /// (hex) over the body with the app secret; no timestamp. Also known as `facebook`,
    /// `instagram`, `whatsapp`, `messenger`. The subscription handshake needs the verify
    /// token on the receiver ([`ReceiverBuilder::verify_token`](crate::receive::ReceiverBuilder::verify_token)).
    pub const META: Provider = Provider::builtin(&meta::META);
    /// X (Twitter) Account Activity: `x-twitter-webhooks-signature: sha256=…` (base64) over
    /// the body with the consumer secret; no timestamp. Also known as `twitter`. The
    /// receive path answers X's CRC with the same secret.
    pub const X: Provider = Provider::builtin(&x::X);
    /// Dropbox: hex `X-Dropbox-Signature` over the body with the app secret; no timestamp.
    pub const DROPBOX: Provider = Provider::builtin(&dropbox::DROPBOX);
    /// Okta event hooks: **a credential check, not a signature**: the `Authorization`
    /// header must equal the configured value (constant time); the body is not covered.
    pub const OKTA: Provider = Provider::builtin(&okta::OKTA);
    /// Microsoft Graph change notifications: **a shared secret, not a signature**: every
    /// notification's `clientState` must equal the configured value (constant time); the
    /// body is not covered. Also known as `msgraph`.
    pub const MICROSOFT_GRAPH: Provider = Provider::builtin(&msgraph::MICROSOFT_GRAPH);
    /// AWS SNS: the message JSON's `Signature` (base64 RSA, SHA1withRSA for
    /// `SignatureVersion` 1, SHA256withRSA for 2) over the fields AWS signs for its `Type`
    /// (`Notification`, `SubscriptionConfirmation`, `UnsubscribeConfirmation`). The secret
    /// is the signing certificate (PEM), or fetched from `SigningCertURL` with the `fetch`
    /// feature. The id is `MessageId`; the `Timestamp` field may be 1 hour old (SNS's
    /// HTTP/S retries last at most an hour) and 5 minutes ahead.
    pub const AWS_SNS: Provider = Provider::builtin(&aws_sns::AWS_SNS);
    /// PayPal: `PAYPAL-TRANSMISSION-SIG` (base64 SHA256withRSA) over
    /// `{transmission id}|{transmission time}|{webhook id}|{CRC32 of the body}`. The
    /// webhook id is the user's: use [`Provider::paypal`]; this constant, without one,
    /// verifies nothing. The secret is PayPal's certificate (PEM), or fetched from
    /// `PAYPAL-CERT-URL` with the `fetch` feature. The transmission time may be 3 days old
    /// (PayPal's retries) and 5 minutes ahead.
    ///
    /// **The body is signed only through its CRC32**, which anyone can match with another
    /// body: a captured delivery's headers verify any body of the same CRC32. The signed
    /// transmission id is the replay key, so with replay protection on (the default) in a
    /// store that remembers for the tolerance, such a body under a handled delivery's
    /// headers is a duplicate and never reaches the handler; keep it on for PayPal.
    pub const PAYPAL: Provider = Provider::builtin(&paypal::PAYPAL);

    /// [`Provider::PAYPAL`] for the webhook `webhook_id` (the id PayPal's dashboard shows
    /// for the webhook, part of what PayPal signs).
    ///
    /// ```
    /// use webhook_verify::Provider;
    /// let paypal = Provider::paypal("96605875FF6516633");
    /// assert_eq!(paypal, Provider::PAYPAL);
    /// assert_eq!(paypal.param(), Some("96605875FF6516633"));
    /// ```
    pub fn paypal(webhook_id: impl Into<Arc<str>>) -> Provider {
        Provider {
            spec: SpecRef::Param(&paypal::PAYPAL, webhook_id.into()),
        }
    }

    /// The value configured for this provider's scheme, if it takes one (PayPal's webhook
    /// id).
    ///
    /// ```
    /// use webhook_verify::Provider;
    /// assert_eq!(Provider::paypal("WH-1").param(), Some("WH-1"));
    /// assert_eq!(Provider::STRIPE.param(), None);
    /// ```
    #[must_use]
    pub fn param(&self) -> Option<&str> {
        match &self.spec {
            SpecRef::Param(_, value) => Some(value),
            _ => None,
        }
    }

    /// CircleCI: `circleci-signature: v1=<hex>` (a comma-separated list) over the body; no
    /// timestamp.
    pub const CIRCLECI: Provider = Provider::builtin(&circleci::CIRCLECI);
    /// FusionAuth: `X-FusionAuth-Signature-JWT`, a JWT (HS256, HS384, HS512 or ES256) whose
    /// `request_body_sha256` claim is the body's base64 SHA-256; the secret is the HMAC
    /// signing key's secret, or the EC key's public key (PEM or base64 DER).
    pub const FUSIONAUTH: Provider = Provider::builtin(&fusionauth::FUSIONAUTH);
    /// Orb: `X-Orb-Signature: v1=<hex>` over `v1:{timestamp}:{body}`, the timestamp in
    /// `X-Orb-Timestamp` (ISO 8601, UTC); ±300 s.
    pub const ORB: Provider = Provider::builtin(&orb::ORB);
    /// Postmark: HTTP basic authentication; the secret is `user:password`. **Not a
    /// signature**: the credentials do not cover the body (see the provider's docs in
    /// `provider/postmark.rs`, and use HTTPS and replay protection).
    pub const POSTMARK: Provider = Provider::builtin(&postmark::POSTMARK);
    /// Segment: `X-Signature` (hex HMAC-SHA1) over the body.
    pub const SEGMENT: Provider = Provider::builtin(&segment::SEGMENT);
    /// Telnyx: Ed25519 `telnyx-signature-ed25519` (base64) over `{telnyx-timestamp}|{body}`;
    /// the secret is the base64 public key; ±300 s.
    pub const TELNYX: Provider = Provider::builtin(&telnyx::TELNYX);
    /// TikTok: `TikTok-Signature: t=…,s=<hex>` over `{t}.{body}`; 300 s, past only.
    pub const TIKTOK: Provider = Provider::builtin(&tiktok::TIKTOK);
    /// WooCommerce: `X-WC-Webhook-Signature` (base64) over the body.
    pub const WOOCOMMERCE: Provider = Provider::builtin(&woocommerce::WOOCOMMERCE);
    /// Xero: `x-xero-signature` (base64) over the body. Xero's "intent to receive"
    /// handshake is answered by verifying (a bad signature is 401).
    pub const XERO: Provider = Provider::builtin(&xero::XERO);
    /// AfterShip: `aftership-hmac-sha256` (base64) over the body.
    pub const AFTERSHIP: Provider = Provider::builtin(&aftership::AFTERSHIP);
    /// Alchemy Notify: `X-Alchemy-Signature` (hex) over the body.
    pub const ALCHEMY: Provider = Provider::builtin(&alchemy::ALCHEMY);
    /// Cursor: `X-Webhook-Signature: sha256=<hex>` over the body.
    pub const CURSOR: Provider = Provider::builtin(&cursor::CURSOR);
    /// PagerDuty: `X-PagerDuty-Signature: v1=<hex>[,v1=…]` over the body.
    pub const PAGERDUTY: Provider = Provider::builtin(&pagerduty::PAGERDUTY);
    /// Contentful: `x-contentful-signature` (hex) over the method, path, signed headers
    /// (with `x-contentful-timestamp`, milliseconds) and body; 30 s, past only. Needs the
    /// URL ([`Delivery::with_url`](crate::Delivery::with_url)).
    pub const CONTENTFUL: Provider = Provider::builtin(&contentful::CONTENTFUL);
    /// Box: `box-signature-primary` / `box-signature-secondary` (base64) over the body
    /// followed by `box-delivery-timestamp` (RFC 3339); configure both keys; 10 minutes,
    /// past only.
    pub const BOX: Provider = Provider::builtin(&r#box::BOX);
    /// Frame.io: `X-Frameio-Signature: v0=<hex>` over `v0:{timestamp}:{body}`; ±300 s.
    pub const FRAMEIO: Provider = Provider::builtin(&frameio::FRAMEIO);
    /// Asana: `X-Hook-Signature` (hex) over the body.
    pub const ASANA: Provider = Provider::builtin(&asana::ASANA);

    const fn builtin(spec: &'static Spec) -> Self {
        Self {
            spec: SpecRef::Static(spec),
        }
    }

    pub(crate) fn from_spec(spec: Spec) -> Self {
        Self {
            spec: SpecRef::Custom(Arc::new(spec)),
        }
    }

    /// Every built-in provider, in a stable order.
    #[must_use]
    pub fn all() -> &'static [Provider] {
        BUILTIN
    }

    /// Looks a built-in provider up by name or alias (case-insensitive): `standard`,
    /// `standard-webhooks`, `svix`, `clerk`, `resend`, `stripe`, `github`, `github-sha1`,
    /// `slack`, `shopify`, `twilio`, `discord`, `paddle`, `linear`, `zoom`, `square`,
    /// `mailgun`, `sendgrid`, `twitch`, `intercom`, `typeform`, `calendly`, `gitlab`,
    /// `razorpay`, `lemonsqueezy` (or `lemon-squeezy`), `adyen`, `hubspot`, `docusign`,
    /// `mandrill` (or `mailchimp-transactional`), `coinbase` (or `coinbase-commerce`),
    /// `zendesk`, `vercel`, `openai`, `replicate`, `brex`, `lithic`, `airwallex`,
    /// `bitbucket`, `chargebee`, `workos`, `sentry`, `webflow`, `mux`, `circleci`,
    /// `fusionauth`, `orb`, `postmark`, `segment`, `telnyx`, `tiktok`, `woocommerce` (or
    /// `woo`), `xero`, `aftership`, `alchemy`, `cursor`, `pagerduty`, `contentful`, `box`,
    /// `frameio` (or `frame.io`), `asana`, `meta` (or `facebook`, `instagram`, `whatsapp`,
    /// `messenger`), `x` (or `twitter`), `dropbox`, `okta`, `microsoft-graph` (or `msgraph`).
    ///
    /// ```
    /// use webhook_verify::Provider;
    /// assert_eq!(Provider::from_name("Standard"), Some(Provider::STANDARD_WEBHOOKS));
    /// assert_eq!(Provider::from_name("nope"), None);
    /// // PayPal with its webhook id: `paypal:<webhook id>`.
    /// assert_eq!(Provider::from_name("paypal:WH-1").unwrap().param(), Some("WH-1"));
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Provider> {
        let name = name.trim();
        if let Some((base, id)) = name.split_once(':') {
            return (base.eq_ignore_ascii_case("paypal") && !id.is_empty())
                .then(|| Self::paypal(id));
        }
        ALIASES
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
            .map(|(_, p)| p)
            .or_else(|| BUILTIN.iter().find(|p| p.name().eq_ignore_ascii_case(name)))
            .cloned()
    }

    /// The other names [`from_name`](Self::from_name) accepts for this provider.
    ///
    /// ```
    /// use webhook_verify::Provider;
    /// assert!(Provider::META.aliases().contains(&"whatsapp"));
    /// assert_eq!(Provider::from_name("twitter"), Some(Provider::X));
    /// ```
    #[must_use]
    pub fn aliases(&self) -> Vec<&'static str> {
        ALIASES
            .iter()
            .filter(|(_, p)| p.same_scheme(self))
            .map(|(a, _)| *a)
            .collect()
    }

    /// The handshake (subscription challenge) the sender uses, answered by the receive
    /// path; `None` for senders without one and for custom providers.
    ///
    /// ```
    /// use webhook_verify::{Handshake, Provider};
    /// assert_eq!(Provider::X.handshake(), Some(Handshake::XCrc));
    /// assert_eq!(Provider::GITHUB.handshake(), None);
    /// ```
    #[must_use]
    pub fn handshake(&self) -> Option<Handshake> {
        match &self.spec {
            SpecRef::Static(spec) | SpecRef::Param(spec, _) => handshake::of(spec),
            SpecRef::Custom(_) => None,
        }
    }

    /// Whether both are the same built-in scheme (a custom provider is only itself).
    fn same_scheme(&self, other: &Self) -> bool {
        core::ptr::eq(self.spec(), other.spec())
    }

    /// Starts a custom HMAC provider for a sender that is not built in.
    ///
    /// ```
    /// use webhook_verify::{Provider, Encoding};
    /// let acme = Provider::custom("acme")
    ///     .signature_header("X-Acme-Signature")
    ///     .prefix("sha256=")
    ///     .encoding(Encoding::Hex)
    ///     .timestamp_header("X-Acme-Timestamp")
    ///     .signed_content("{timestamp}.{body}")
    ///     .build()?;
    /// assert_eq!(acme.name(), "acme");
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    pub fn custom(name: impl Into<String>) -> CustomProvider {
        CustomProvider::new(name.into())
    }

    pub(crate) fn spec(&self) -> &Spec {
        match &self.spec {
            SpecRef::Static(s) | SpecRef::Param(s, _) => s,
            SpecRef::Custom(s) => s,
        }
    }

    /// The provider's short name, as accepted by [`Provider::from_name`].
    #[must_use]
    pub fn name(&self) -> &str {
        &self.spec().name
    }

    /// The (lowercase) name of the header that carries the signature.
    #[must_use]
    pub fn signature_header(&self) -> &str {
        &self.spec().names.signature
    }

    /// The (lowercase) name of the header that carries the timestamp, when it has its own.
    #[must_use]
    pub fn timestamp_header(&self) -> Option<&str> {
        self.spec().names.timestamp.as_deref()
    }

    /// The (lowercase) name of the header that carries the message id, when there is one.
    #[must_use]
    pub fn id_header(&self) -> Option<&str> {
        match &self.spec().id {
            IdSource::Header { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Every header this provider's deliveries are read from, lowercase, signature first.
    #[must_use]
    pub fn headers(&self) -> Vec<&str> {
        let spec = self.spec();
        let mut out = vec![&*spec.names.signature];
        out.extend(spec.names.timestamp.as_deref());
        if let IdSource::Header { name, .. } = &spec.id {
            out.push(name);
        }
        if let EventTypeSource::Header(name) = &spec.event_type {
            out.push(name);
        }
        for other in spec.fallback.iter().chain(spec.alternate.map(|a| &a.names)) {
            for name in [
                Some(&other.signature),
                other.timestamp.as_ref(),
                other.id.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                if !out.contains(&&**name) {
                    out.push(name);
                }
            }
        }
        out
    }

    /// The timestamp tolerance verifiers use unless told otherwise.
    #[must_use]
    pub fn default_tolerance(&self) -> Tolerance {
        self.spec().tolerance
    }

    /// Whether the signature covers a timestamp at all.
    #[must_use]
    pub fn has_timestamp(&self) -> bool {
        !matches!(self.spec().timestamp, TimestampSource::None)
    }

    /// Whether the provider signs the request URL, so verification needs
    /// [`Delivery::with_url`](crate::Delivery::with_url).
    #[must_use]
    pub fn needs_url(&self) -> bool {
        self.spec().needs_url()
    }

    /// A one-line description of what the secret looks like and how the key is derived.
    #[must_use]
    pub fn key_description(&self) -> &'static str {
        self.spec().key.description()
    }

    /// Where the event type is found: `header <name>`, `json <field>`, or `none`.
    #[must_use]
    pub fn event_type_location(&self) -> String {
        match &self.spec().event_type {
            EventTypeSource::None => "none".to_owned(),
            EventTypeSource::Header(h) => format!("header {h}"),
            EventTypeSource::Json(p) => format!("json {p}"),
        }
    }
}

impl PartialEq for Provider {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Provider {}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Provider").field(&self.name()).finish()
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Provider {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| {
            crate::Error::config(format!(
                "unknown provider {s:?}; known: {}",
                BUILTIN
                    .iter()
                    .map(Provider::name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}

static BUILTIN: &[Provider] = &[
    Provider::STANDARD_WEBHOOKS,
    Provider::SVIX,
    Provider::CLERK,
    Provider::RESEND,
    Provider::STRIPE,
    Provider::GITHUB,
    Provider::GITHUB_LEGACY_SHA1,
    Provider::SLACK,
    Provider::SHOPIFY,
    Provider::TWILIO,
    Provider::DISCORD,
    Provider::PADDLE,
    Provider::LINEAR,
    Provider::ZOOM,
    Provider::SQUARE,
    Provider::MAILGUN,
    Provider::SENDGRID,
    Provider::TWITCH,
    Provider::INTERCOM,
    Provider::TYPEFORM,
    Provider::CALENDLY,
    Provider::GITLAB,
    Provider::RAZORPAY,
    Provider::LEMON_SQUEEZY,
    Provider::ADYEN,
    Provider::HUBSPOT,
    Provider::DOCUSIGN,
    Provider::MANDRILL,
    Provider::COINBASE,
    Provider::ZENDESK,
    Provider::VERCEL,
    Provider::OPENAI,
    Provider::REPLICATE,
    Provider::BREX,
    Provider::LITHIC,
    Provider::AIRWALLEX,
    Provider::BITBUCKET,
    Provider::CHARGEBEE,
    Provider::WORKOS,
    Provider::SENTRY,
    Provider::WEBFLOW,
    Provider::MUX,
    Provider::CIRCLECI,
    Provider::FUSIONAUTH,
    Provider::ORB,
    Provider::POSTMARK,
    Provider::SEGMENT,
    Provider::TELNYX,
    Provider::TIKTOK,
    Provider::WOOCOMMERCE,
    Provider::XERO,
    Provider::AFTERSHIP,
    Provider::ALCHEMY,
    Provider::CURSOR,
    Provider::PAGERDUTY,
    Provider::CONTENTFUL,
    Provider::BOX,
    Provider::FRAMEIO,
    Provider::ASANA,
    Provider::META,
    Provider::X,
    Provider::DROPBOX,
    Provider::OKTA,
    Provider::MICROSOFT_GRAPH,
    Provider::AWS_SNS,
    Provider::PAYPAL,
];

/// Other names [`Provider::from_name`] accepts, besides each provider's own.
static ALIASES: &[(&str, Provider)] = &[
    ("standard-webhooks", Provider::STANDARD_WEBHOOKS),
    ("lemon-squeezy", Provider::LEMON_SQUEEZY),
    ("mailchimp-transactional", Provider::MANDRILL),
    ("coinbase-commerce", Provider::COINBASE),
    ("woo", Provider::WOOCOMMERCE),
    ("frame.io", Provider::FRAMEIO),
    ("facebook", Provider::META),
    ("instagram", Provider::META),
    ("whatsapp", Provider::META),
    ("messenger", Provider::META),
    ("twitter", Provider::X),
    ("msgraph", Provider::MICROSOFT_GRAPH),
];

// ---------------------------------------------------------------------------------------
// The scheme description.

/// A provider's scheme as data. Built-ins are `static`; custom providers own theirs.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) name: Cow<'static, str>,
    pub(crate) names: Names,
    /// Header names tried when `names.signature` is absent (Svix's `webhook-*`).
    pub(crate) fallback: Option<Names>,
    /// Another scheme of the same provider, used when its signature header is present
    /// (GitLab's signing token, Adyen's Balance Platform header).
    pub(crate) alternate: Option<&'static Spec>,
    pub(crate) key: KeyForm,
    pub(crate) algorithm: Algorithm,
    pub(crate) signature: SigFormat,
    pub(crate) message: Message,
    pub(crate) timestamp: TimestampSource,
    pub(crate) timestamp_format: TsFormat,
    pub(crate) tolerance: Tolerance,
    pub(crate) id: IdSource,
    pub(crate) event_type: EventTypeSource,
}

impl Spec {
    pub(crate) fn needs_url(&self) -> bool {
        match &self.message {
            Message::Scheme(scheme) => scheme.needs_url,
            Message::Template(parts) => parts.iter().any(|p| matches!(p, Part::Url)),
        }
    }

    pub(crate) fn needs_id(&self) -> bool {
        match &self.message {
            Message::Template(parts) => parts.iter().any(|p| matches!(p, Part::Id)),
            _ => false,
        }
    }
}

/// Header names for one role set (lowercase).
#[derive(Debug, Clone)]
pub(crate) struct Names {
    pub(crate) signature: Cow<'static, str>,
    pub(crate) timestamp: Option<Cow<'static, str>>,
    /// Only used for alternate sets; the primary id header lives in [`IdSource`].
    pub(crate) id: Option<Cow<'static, str>>,
}

/// How the key bytes are derived from the secret text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyForm {
    /// The secret text's UTF-8 bytes are the key (Stripe, GitHub, Slack and most others).
    Utf8,
    /// Base64 after an optional prefix such as `whsec_` (Standard Webhooks, Svix); padded
    /// or not.
    Base64 {
        /// The prefix removed before decoding when present.
        prefix: &'static str,
    },
    /// Hex-decoded (Adyen).
    Hex,
    /// Standard Webhooks: `whsec_…` HMAC secrets or `whpk_…` Ed25519 public keys.
    StandardWebhooks,
    /// An Ed25519 public key in hex (Discord's application public key).
    Ed25519Hex,
    /// An ECDSA P-256 public key, base64 DER SubjectPublicKeyInfo (SendGrid).
    P256Base64Der,
    /// A shared token compared as it is (GitLab's `X-Gitlab-Token`); line breaks removed.
    Token,
    /// An Ed25519 public key in standard base64 (Telnyx's public key).
    Ed25519Base64,
    /// An RSA public key (2048 to 4096 bits) in an X.509 certificate, PEM (AWS SNS,
    /// PayPal); the first certificate of a chain.
    X509Pem,
}

impl KeyForm {
    pub(crate) fn description(self) -> &'static str {
        match self {
            Self::Utf8 => "secret text used as the key",
            Self::Base64 { .. } => "base64 after the prefix",
            Self::Hex => "hex-decoded key",
            Self::StandardWebhooks => "whsec_ + base64 (HMAC) or whpk_ + base64 (Ed25519)",
            Self::Ed25519Hex => "Ed25519 public key, hex",
            Self::P256Base64Der => "ECDSA P-256 public key, base64 DER",
            Self::Token => "shared token compared as it is",
            Self::Ed25519Base64 => "Ed25519 public key, base64",
            Self::X509Pem => "X.509 certificate (PEM) with an RSA public key",
        }
    }
}

/// The MAC or signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA256.
    HmacSha256,
    /// HMAC-SHA1 (legacy schemes only).
    HmacSha1,
    /// Ed25519 (Discord).
    Ed25519,
    /// ECDSA P-256 with SHA-256, DER signatures (SendGrid).
    EcdsaP256Sha256,
    /// RSA PKCS#1 v1.5 with SHA-256 (PayPal, AWS SNS `SignatureVersion` 2).
    RsaPkcs1Sha256,
    /// RSA PKCS#1 v1.5 with SHA-1 (AWS SNS `SignatureVersion` 1).
    RsaPkcs1Sha1,
}

impl Algorithm {
    pub(crate) const fn tag_len(self) -> usize {
        match self {
            Self::HmacSha256 => 32,
            Self::HmacSha1 => 20,
            Self::Ed25519 => 64,
            Self::EcdsaP256Sha256 => 72,
            Self::RsaPkcs1Sha256 | Self::RsaPkcs1Sha1 => crate::certificate::MAX_SIGNATURE_LEN,
        }
    }
}

/// How a signature is written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// Lowercase hexadecimal.
    Hex,
    /// Standard base64 with padding (canonical: non-zero trailing bits are rejected).
    Base64,
}

/// How signatures appear in the signature header.
#[derive(Debug, Clone)]
pub(crate) enum SigFormat {
    /// One signature, after a fixed prefix (`sha256=`, `v0=` or none).
    Single {
        prefix: Cow<'static, str>,
        encoding: Encoding,
    },
    /// Standard Webhooks: space-separated `v1,<base64>` / `v1a,<base64>` entries.
    VersionedList,
    /// `key=value` elements separated by `separator`: the timestamp under `timestamp_key`,
    /// hex signatures under `signature_key` (Stripe `t`/`v1` with `,`; Paddle `ts`/`h1`
    /// with `;`). Other keys are ignored.
    KeyValue {
        separator: u8,
        timestamp_key: &'static str,
        signature_key: &'static str,
    },
    /// Entries separated by `separator` (spaces around each are ignored), each
    /// `{prefix}{signature}`; entries with another prefix (another version) are skipped, and
    /// at least one must carry `prefix` (PagerDuty's and CircleCI's `v1=…,v1=…`, Orb's
    /// `v1=… v1=…`).
    List {
        separator: u8,
        prefix: &'static str,
        encoding: Encoding,
    },
}

/// What the signature covers.
#[derive(Debug, Clone)]
pub(crate) enum Message {
    /// The concatenation of these parts (almost every provider).
    Template(Cow<'static, [Part]>),
    /// Signed bytes the provider's own file builds and checks (signed URLs and form
    /// parameters, signatures carried in the body, shared tokens).
    Scheme(&'static Scheme),
}

impl Message {
    /// The provider's own scheme, when the signed bytes are not a template.
    pub(crate) fn scheme(&self) -> Option<&'static Scheme> {
        match self {
            Self::Scheme(scheme) => Some(scheme),
            Self::Template(_) => None,
        }
    }
}

/// A scheme whose signed bytes are not a template of [`Part`]s, written in its provider's
/// file. The verifier hands [`verify`](Self::verify) a [`SchemeContext`]: the delivery, the
/// keys, and the steps every scheme shares (reading and parsing the signature, checking a
/// timestamp, finding the key, building the [`Verified`]). Template schemes never come
/// here: their path has no indirection.
pub(crate) struct Scheme {
    /// Verifies a delivery.
    pub(crate) verify: VerifyFn,
    /// What a sender signs, or the headers it sends; `None` when the signature travels in
    /// the body, where headers cannot carry it (the provider's alternate scheme signs, if it
    /// has one).
    pub(crate) sign: Option<SignFn>,
    /// Whether the signature covers the request URL.
    pub(crate) needs_url: bool,
    /// For a scheme whose replay material is a digest of what its signatures cover: the
    /// label of its replay keys, `{provider}:{label}:{digest}`.
    pub(crate) replay_label: Option<&'static str>,
    /// A hint a diagnosis adds when no key matched.
    pub(crate) mismatch_hint: Option<&'static str>,
}

/// [`Scheme::verify`].
pub(crate) type VerifyFn = fn(&SchemeContext<'_>) -> Result<Verified<()>, Error>;

/// [`Scheme::sign`].
pub(crate) type SignFn = fn(&SignInput<'_>) -> Result<Signing, Error>;

impl Scheme {
    /// Whether the signature travels in the body rather than in a header.
    pub(crate) fn in_body(&self) -> bool {
        self.sign.is_none()
    }
}

impl fmt::Debug for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheme")
            .field("needs_url", &self.needs_url)
            .field("in_body", &self.in_body())
            .finish_non_exhaustive()
    }
}

/// What [`Scheme::sign`] is given.
pub(crate) struct SignInput<'a> {
    pub(crate) spec: &'a Spec,
    pub(crate) body: &'a [u8],
    pub(crate) url: Option<&'a str>,
    /// The shared token, when the signing key is one.
    pub(crate) token: Option<&'a [u8]>,
    /// The Unix time (seconds) to sign at.
    pub(crate) timestamp: i64,
    /// The signer's HMAC of a message, when its key is an HMAC key.
    pub(crate) mac: &'a dyn Fn(&[u8]) -> Option<Vec<u8>>,
}

/// What a [`Scheme`] signs.
pub(crate) enum Signing {
    /// These bytes, signed and written like a template scheme's.
    Message(Vec<u8>),
    /// These headers, as they are (a shared token).
    Headers(Vec<(String, String)>),
}

/// One piece of the signed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    Literal(Cow<'static, str>),
    Timestamp,
    Id,
    Body,
    Url,
}

/// Where the timestamp comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimestampSource {
    None,
    /// `names.timestamp`, decimal Unix seconds.
    Header,
    /// The `timestamp_key` element of a [`SigFormat::KeyValue`] header.
    SignatureHeader,
    /// A field of the signed JSON body (a JSON pointer), checked after verification.
    BodyJson(&'static str),
}

/// How a timestamp is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TsFormat {
    UnixSeconds,
    UnixMillis,
    Rfc3339,
    /// RFC 3339, where a timestamp without an offset is UTC (Orb's `2024-03-27T15:42:29.551`).
    Rfc3339OrUtc,
}

impl TsFormat {
    /// Whether the timestamp is a date and time in text (its end is fixed by its shape).
    pub(crate) const fn is_text(self) -> bool {
        matches!(self, Self::Rfc3339 | Self::Rfc3339OrUtc)
    }
}

/// Where the message id comes from.
#[derive(Debug, Clone)]
pub(crate) enum IdSource {
    None,
    /// A header; `signed` when the signature covers it.
    Header {
        name: Cow<'static, str>,
        signed: bool,
    },
    /// A string or number in the (signed) JSON body, as a JSON pointer.
    Json(&'static str),
    /// A value the signature covers, found while verifying (Mailgun's token).
    Signed,
}

/// Where the event type comes from.
#[derive(Debug, Clone)]
pub(crate) enum EventTypeSource {
    None,
    Header(Cow<'static, str>),
    /// A string or number in the JSON body, as a JSON pointer.
    Json(&'static str),
}

/// Shorthand for the `static` specs.
pub(crate) const fn lit(s: &'static str) -> Part {
    Part::Literal(Cow::Borrowed(s))
}

pub(crate) const fn name(s: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(s)
}

/// Default tolerance used by several providers.
pub(crate) const FIVE_MINUTES: Duration = Duration::from_secs(300);
