//! One-line descriptions of a provider's scheme and id, made from its description as data,
//! for `webhook providers` and the README's provider table.

use alloc::format;
use alloc::string::String;

use super::{Algorithm, Encoding, IdSource, KeyForm, Message, Part, Provider, SigFormat, Spec};

impl Provider {
    /// What the scheme checks, in one line: the algorithm, how the signature is written and
    /// what it covers; or, for a shared credential, that it is **not a signature**.
    ///
    /// ```
    /// use webhook_verify::Provider;
    /// assert_eq!(
    ///     Provider::GITHUB.scheme_description(),
    ///     "HMAC-SHA256, hex after `sha256=`, over `{body}`"
    /// );
    /// assert!(Provider::OKTA.scheme_description().contains("not a signature"));
    /// ```
    #[must_use]
    pub fn scheme_description(&self) -> String {
        describe(self.spec())
    }

    /// Where the message id comes from: `header <name> (signed)`, `header <name>
    /// (unsigned)`, `json <pointer>`, `signed value`, or `none`. Replay keys use it only
    /// when the signature covers it, else a digest of what is signed.
    ///
    /// ```
    /// use webhook_verify::Provider;
    /// assert_eq!(Provider::STRIPE.id_location(), "json /id");
    /// assert_eq!(Provider::GITHUB.id_location(), "header x-github-delivery (unsigned)");
    /// ```
    #[must_use]
    pub fn id_location(&self) -> String {
        match &self.spec().id {
            IdSource::None => "none".into(),
            IdSource::Header { name, signed } => {
                let signed = if *signed { "signed" } else { "unsigned" };
                format!("header {name} ({signed})")
            }
            IdSource::Json(pointer) => format!("json {pointer}"),
            IdSource::Signed => "signed value".into(),
        }
    }
}

fn describe(spec: &Spec) -> String {
    if spec.key == KeyForm::Token {
        let place = match &spec.message {
            Message::Scheme(scheme) if scheme.in_body() => "each body item's",
            _ => "header",
        };
        let mut out = format!(
            "shared credential in {place} `{}`, compared in constant time (not a signature)",
            spec.names.signature
        );
        if let Some(alt) = spec.alternate {
            out.push_str(&format!("; or {}", describe(alt)));
        }
        return out;
    }
    let algorithm = match spec.algorithm {
        Algorithm::HmacSha256 => "HMAC-SHA256",
        Algorithm::HmacSha1 => "HMAC-SHA1",
        Algorithm::Ed25519 => "Ed25519",
        Algorithm::EcdsaP256Sha256 => "ECDSA P-256 (DER)",
        Algorithm::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 SHA-256",
        Algorithm::RsaPkcs1Sha1 => "RSA PKCS#1 v1.5 SHA-1",
    };
    let written = match &spec.signature {
        SigFormat::Single { prefix, encoding } => {
            let encoding = match encoding {
                Encoding::Hex => "hex",
                Encoding::Base64 => "base64",
            };
            if prefix.is_empty() {
                encoding.into()
            } else {
                format!("{encoding} after `{prefix}`")
            }
        }
        SigFormat::VersionedList => "`v1,<base64>` list".into(),
        SigFormat::List {
            separator,
            prefix,
            encoding,
        } => {
            let encoding = match encoding {
                Encoding::Hex => "hex",
                Encoding::Base64 => "base64",
            };
            let sep = char::from(*separator);
            format!("`{prefix}<{encoding}>` list separated by `{sep}`")
        }
        SigFormat::KeyValue {
            separator,
            timestamp_key,
            signature_key,
        } => {
            let sep = char::from(*separator);
            format!("`{timestamp_key}=…{sep}{signature_key}=<hex>`")
        }
    };
    let covered = match &spec.message {
        Message::Template(parts) => {
            let mut out = String::from("`");
            for part in parts.iter() {
                match part {
                    Part::Literal(text) => out.push_str(text),
                    Part::Timestamp => out.push_str("{timestamp}"),
                    Part::Id => out.push_str("{id}"),
                    Part::Body => out.push_str("{body}"),
                    Part::Url => out.push_str("{url}"),
                }
            }
            out.push('`');
            out
        }
        Message::Scheme(scheme) if scheme.in_body() => "fields carried in the body".into(),
        Message::Scheme(scheme) if scheme.needs_url => "the URL and the form parameters".into(),
        Message::Scheme(_) => "the provider's own signed bytes".into(),
    };
    let mut out = format!("{algorithm}, {written}, over {covered}");
    if let Some(alt) = spec.alternate {
        out.push_str(&format!("; or {}", describe(alt)));
    }
    out
}
