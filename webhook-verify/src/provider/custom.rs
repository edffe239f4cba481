//! A provider assembled from parts, for senders that are not built in.

use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use alloc::vec::Vec;

use super::{
    Algorithm, Encoding, EventTypeSource, FIVE_MINUTES, IdSource, KeyForm, Message, Names, Part,
    Provider, SigFormat, Spec, TimestampSource, TsFormat,
};
use crate::{Error, Tolerance};

/// The most parts a signed-content template may have.
const MAX_PARTS: usize = 16;

/// Builds a [`Provider`] for an HMAC sender that is not built in.
///
/// Required: [`signature_header`](Self::signature_header). Everything else has a default
/// that matches the most common scheme: HMAC-SHA256 of the body, lowercase hex, no prefix,
/// the secret text as the key, no timestamp.
///
/// ```
/// use std::time::Duration;
/// use webhook_verify::{Algorithm, Delivery, Encoding, KeyForm, Provider, Signer, SignOptions, Verifier};
///
/// let provider = Provider::custom("acme")
///     .signature_header("X-Acme-Signature")
///     .prefix("v1=")
///     .encoding(Encoding::Base64)
///     .algorithm(Algorithm::HmacSha256)
///     .key_form(KeyForm::Utf8)
///     .timestamp_header("X-Acme-Timestamp")
///     .id_header("X-Acme-Delivery")
///     .signed_content("{id}.{timestamp}.{body}")
///     .tolerance(Duration::from_secs(120))
///     .build()?;
///
/// let headers = Signer::new(&provider, "s3cret")?
///     .sign(b"{}", &SignOptions::new().timestamp(1_700_000_000).id("d-1"))?;
/// let verifier = Verifier::builder(provider)
///     .secret("s3cret")
///     .clock(webhook_verify::FixedClock::from_unix(1_700_000_010))
///     .build()?;
/// let verified = verifier.verify(&Delivery::new(&headers, &b"{}"[..]))?;
/// assert_eq!(verified.id(), Some("d-1"));
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct CustomProvider {
    name: String,
    signature_header: Option<String>,
    prefix: String,
    encoding: Encoding,
    algorithm: Algorithm,
    key_form: KeyForm,
    timestamp_header: Option<String>,
    id_header: Option<String>,
    event_type_header: Option<String>,
    template: String,
    tolerance: Option<Tolerance>,
}

impl CustomProvider {
    pub(super) fn new(name: String) -> Self {
        Self {
            name,
            signature_header: None,
            prefix: String::new(),
            encoding: Encoding::Hex,
            algorithm: Algorithm::HmacSha256,
            key_form: KeyForm::Utf8,
            timestamp_header: None,
            id_header: None,
            event_type_header: None,
            template: "{body}".to_owned(),
            tolerance: None,
        }
    }

    /// The header that carries the signature. Required.
    pub fn signature_header(mut self, name: impl Into<String>) -> Self {
        self.signature_header = Some(name.into());
        self
    }

    /// Text before the encoded signature, such as `sha256=`. Defaults to none.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How the signature is encoded. Defaults to [`Encoding::Hex`].
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// The MAC. Defaults to [`Algorithm::HmacSha256`]; Ed25519 is not available here.
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// How the key is derived from the secret text. Defaults to [`KeyForm::Utf8`].
    pub fn key_form(mut self, key_form: KeyForm) -> Self {
        self.key_form = key_form;
        self
    }

    /// The header with the Unix timestamp (seconds) that `{timestamp}` stands for.
    /// Defaults to none.
    pub fn timestamp_header(mut self, name: impl Into<String>) -> Self {
        self.timestamp_header = Some(name.into());
        self
    }

    /// The header with the message id that `{id}` stands for. Defaults to none.
    pub fn id_header(mut self, name: impl Into<String>) -> Self {
        self.id_header = Some(name.into());
        self
    }

    /// The header that names the event type. Defaults to none.
    pub fn event_type_header(mut self, name: impl Into<String>) -> Self {
        self.event_type_header = Some(name.into());
        self
    }

    /// What is signed: literal text with the placeholders `{body}` (required, once),
    /// `{timestamp}`, `{id}` and `{url}`; `{{` and `}}` stand for braces. Two placeholders
    /// must be separated by literal text (`{timestamp}.{body}`, not `{timestamp}{body}`):
    /// otherwise bytes could move from one to the other under the same signature, and
    /// [`build`](Self::build) refuses the template. Defaults to `{body}`.
    pub fn signed_content(mut self, template: impl Into<String>) -> Self {
        self.template = template.into();
        self
    }

    /// The timestamp tolerance, both ways. Defaults to 300 s when there is a timestamp header.
    pub fn tolerance(mut self, window: core::time::Duration) -> Self {
        self.tolerance = Some(Tolerance::both(window));
        self
    }

    /// Checks the parts and builds the provider.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the signature header is missing, the template is malformed or
    /// ambiguous (two placeholders with nothing between them), uses `{timestamp}`/`{id}`
    /// without the matching header (or the header without the placeholder), or the
    /// algorithm is not an HMAC.
    pub fn build(self) -> Result<Provider, Error> {
        let signature = self
            .signature_header
            .ok_or_else(|| Error::config("a custom provider needs a signature header"))?;
        if self.name.trim().is_empty() {
            return Err(Error::config("a custom provider needs a name"));
        }
        // Only what this builder can verify: HMAC over a template with a secret-text key.
        // Public-key algorithms need key forms and signature formats it does not offer.
        if !matches!(self.algorithm, Algorithm::HmacSha256 | Algorithm::HmacSha1) {
            return Err(Error::config(
                "custom providers support HMAC algorithms only (HmacSha256, HmacSha1)",
            ));
        }
        if !matches!(
            self.key_form,
            KeyForm::Utf8 | KeyForm::Base64 { .. } | KeyForm::Hex
        ) {
            return Err(Error::config(
                "custom providers take Utf8, Base64 or Hex keys",
            ));
        }
        let parts = parse_template(&self.template)?;
        let uses = |p: &Part| parts.contains(p);
        match (&self.timestamp_header, uses(&Part::Timestamp)) {
            (Some(_), false) => {
                return Err(Error::config(
                    "timestamp header set but {timestamp} not signed",
                ));
            }
            (None, true) => {
                return Err(Error::config("{timestamp} used without a timestamp header"));
            }
            _ => {}
        }
        if uses(&Part::Id) && self.id_header.is_none() {
            return Err(Error::config("{id} used without an id header"));
        }
        let header = |h: String| -> Result<Cow<'static, str>, Error> {
            let h = h.trim().to_ascii_lowercase();
            if h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                return Err(Error::config("invalid header name"));
            }
            Ok(Cow::Owned(h))
        };
        let timestamp = self.timestamp_header.map(header).transpose()?;
        let id = self.id_header.map(header).transpose()?;
        let has_ts = timestamp.is_some();
        Ok(Provider::from_spec(Spec {
            name: Cow::Owned(self.name),
            names: Names {
                signature: header(signature)?,
                timestamp,
                id: id.clone().filter(|_| uses(&Part::Id)),
            },
            fallback: None,
            alternate: None,
            key: self.key_form,
            algorithm: self.algorithm,
            signature: SigFormat::Single {
                prefix: Cow::Owned(self.prefix),
                encoding: self.encoding,
            },
            message: Message::Template(Cow::Owned(parts.clone())),
            timestamp: if has_ts {
                TimestampSource::Header
            } else {
                TimestampSource::None
            },
            timestamp_format: TsFormat::UnixSeconds,
            tolerance: match (has_ts, self.tolerance) {
                (false, _) => Tolerance::NONE,
                (true, Some(t)) => t,
                (true, None) => Tolerance::both(FIVE_MINUTES),
            },
            id: match id {
                Some(name) => IdSource::Header {
                    name,
                    signed: uses(&Part::Id),
                },
                None => IdSource::None,
            },
            event_type: match self.event_type_header {
                Some(h) => EventTypeSource::Header(header(h)?),
                None => EventTypeSource::None,
            },
        }))
    }
}

fn parse_template(template: &str) -> Result<Vec<Part>, Error> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        literal.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            literal.push('{');
            rest = after;
            continue;
        }
        if let Some(after) = tail.strip_prefix("}}") {
            literal.push('}');
            rest = after;
            continue;
        }
        let close = tail
            .find('}')
            .filter(|_| tail.starts_with('{'))
            .ok_or_else(|| Error::config("unbalanced brace in signed content"))?;
        let part = match &tail[1..close] {
            "body" => Part::Body,
            "timestamp" => Part::Timestamp,
            "id" => Part::Id,
            "url" => Part::Url,
            _ => return Err(Error::config("unknown placeholder in signed content")),
        };
        if !literal.is_empty() {
            parts.push(Part::Literal(Cow::Owned(core::mem::take(&mut literal))));
        }
        parts.push(part);
        rest = &tail[close + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(Part::Literal(Cow::Owned(literal)));
    }
    if parts.iter().filter(|p| **p == Part::Body).count() != 1 {
        return Err(Error::config(
            "signed content must contain {body} exactly once",
        ));
    }
    if parts.len() > MAX_PARTS {
        return Err(Error::config("signed content has too many parts"));
    }
    // Two placeholders with nothing between them are ambiguous: bytes can move from one to
    // the other (a timestamp's last digits into the body) and the signature still verifies.
    if let Some(pair) = parts
        .windows(2)
        .find(|w| !matches!(w[0], Part::Literal(_)) && !matches!(w[1], Part::Literal(_)))
    {
        return Err(Error::config(format!(
            "ambiguous signed content: {} and {} have nothing between them, so bytes could \
             move from one to the other without changing the signature; put a separator \
             between them, such as {}.{}",
            placeholder(&pair[0]),
            placeholder(&pair[1]),
            placeholder(&pair[0]),
            placeholder(&pair[1]),
        )));
    }
    Ok(parts)
}

fn placeholder(part: &Part) -> &'static str {
    match part {
        Part::Timestamp => "{timestamp}",
        Part::Id => "{id}",
        Part::Body => "{body}",
        Part::Url => "{url}",
        Part::Literal(_) => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Part {
        Part::Literal(Cow::Owned(s.to_owned()))
    }

    #[test]
    fn templates() {
        assert_eq!(
            parse_template("v0:{timestamp}:{body}").unwrap(),
            vec![lit("v0:"), Part::Timestamp, lit(":"), Part::Body]
        );
        assert_eq!(
            parse_template("{{x}}{url} {body}").unwrap(),
            vec![lit("{x}"), Part::Url, lit(" "), Part::Body]
        );
        for bad in [
            "",
            "{timestamp}",
            "{body}{body}",
            "{body",
            "{nope}{body}",
            "}{body}",
            "{timestamp}{body}",
            "{url}{body}",
            "{body}{id}",
        ] {
            assert!(parse_template(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn build_checks_consistency() {
        let base = || Provider::custom("x").signature_header("X-Sig");
        assert!(base().build().is_ok());
        assert!(Provider::custom("x").build().is_err());
        assert!(base().timestamp_header("X-Ts").build().is_err());
        assert!(base().signed_content("{timestamp}{body}").build().is_err());
        assert!(base().signed_content("{id}{body}").build().is_err());
        assert!(base().algorithm(Algorithm::Ed25519).build().is_err());
        assert!(base().signature_header("bad header").build().is_err());
        let p = base()
            .timestamp_header("X-Ts")
            .signed_content("{timestamp}.{body}")
            .build()
            .unwrap();
        assert_eq!(p.timestamp_header(), Some("x-ts"));
        assert_eq!(p.default_tolerance(), Tolerance::both(FIVE_MINUTES));
    }
}
