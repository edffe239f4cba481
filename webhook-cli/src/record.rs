//! Recorded deliveries: one JSON object per line (NDJSON), written by `listen --record`,
//! read by `replay`, `verify --delivery` and `inspect`.
//!
//! A line holds what is needed to send or verify the delivery again (every header in
//! order, the raw body in base64, the URL) and what happened to it (provider, outcome,
//! status, id, event type, the app's status). Signature values are masked unless the
//! listener was asked to keep them; secrets are never written.

use std::fs::File;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use webhook_verify::Provider;

use crate::Failure;

/// What replaces a masked value.
pub(crate) const MASK: &str = "[masked]";

/// One recorded delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Record {
    /// When it arrived, RFC 3339 in UTC with milliseconds.
    pub(crate) received_at: String,
    /// The request method.
    #[serde(default = "post")]
    pub(crate) method: String,
    /// The URL the sender called, as the listener saw it (`http://host/path?query`).
    pub(crate) url: String,
    /// The provider the listener verified with.
    pub(crate) provider: String,
    /// What happened: `verified`, `handled`, `signature_mismatch`, `duplicate`, ...
    pub(crate) outcome: String,
    /// The status the sender got.
    pub(crate) status: u16,
    /// The delivery's id (verified, or as the headers claim for a failure).
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// The event type (verified, or as the delivery claims for a failure).
    #[serde(default)]
    pub(crate) event_type: Option<String>,
    /// Why it did not verify (the short error text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    /// The verifier's diagnosis of a failure (no secret, no signature).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) diagnosis: Vec<String>,
    /// The app's status, when the delivery was forwarded and answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) app_status: Option<u16>,
    /// How long the app took, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) latency_ms: Option<u64>,
    /// Whether signature values were replaced by [`MASK`].
    #[serde(default)]
    pub(crate) signatures_masked: bool,
    /// Every header, in the order received.
    pub(crate) headers: Vec<(String, String)>,
    /// The raw body, base64 (standard alphabet, padded).
    pub(crate) body_base64: String,
}

fn post() -> String {
    "POST".to_owned()
}

impl Record {
    /// The raw body.
    pub(crate) fn body(&self) -> Result<Vec<u8>, String> {
        BASE64
            .decode(&self.body_base64)
            .map_err(|e| format!("body_base64: {e}"))
    }

    /// When it arrived, in Unix seconds.
    pub(crate) fn received_unix(&self) -> Result<i64, String> {
        OffsetDateTime::parse(&self.received_at, &Rfc3339)
            .map(OffsetDateTime::unix_timestamp)
            .map_err(|e| format!("received_at: {e}"))
    }

    /// The recorded provider, when this build knows it.
    pub(crate) fn provider(&self) -> Option<Provider> {
        Provider::from_name(&self.provider)
    }

    /// `given` (`--provider`), else the recorded provider; a usage error naming `line`
    /// when neither is known.
    pub(crate) fn provider_or(
        &self,
        given: Option<&Provider>,
        line: usize,
    ) -> Result<Provider, Failure> {
        match given {
            Some(p) => Ok(p.clone()),
            None => self.provider().ok_or_else(|| {
                Failure::usage(format!(
                    "line {line}: unknown provider {:?}: pass --provider",
                    self.provider
                ))
            }),
        }
    }

    /// One line of NDJSON, without the line break.
    pub(crate) fn to_line(&self) -> String {
        serde_json::to_string(self).expect("strings and numbers serialize")
    }
}

/// `time` as RFC 3339 in UTC with milliseconds, always three digits
/// (`2026-11-29T19:20:01.120Z`), so that lines sort and align as text.
pub(crate) fn rfc3339(time: OffsetDateTime) -> String {
    let t = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// `body` in base64, as records hold it.
pub(crate) fn encode_body(body: &[u8]) -> String {
    BASE64.encode(body)
}

/// Whether a header's whole value is a credential: never kept, whatever the flags.
fn is_credential(name: &str) -> bool {
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-gitlab-token",
    ]
    .iter()
    .any(|n| name.eq_ignore_ascii_case(n))
}

/// Whether `name` carries a signature for `provider` or for any provider this build knows.
pub(crate) fn is_signature_header(name: &str, provider: Option<&Provider>) -> bool {
    provider
        .into_iter()
        .chain(Provider::all())
        .any(|p| p.signature_header().eq_ignore_ascii_case(name))
}

/// `headers` with signature values masked (every provider's signature header; within them
/// the labels, versions and timestamps stay: `t=1700000000,v1=[masked]`) and credentials
/// (`Authorization`, `Cookie`, GitLab's token) masked whole.
pub(crate) fn mask_headers(
    headers: &[(String, String)],
    provider: Option<&Provider>,
) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if is_credential(name) {
                MASK.to_owned()
            } else if is_signature_header(name, provider) {
                mask_signature_value(value)
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect()
}

/// Masks every run of base64 or hex characters that could be a signature (8 characters or
/// more, except plain numbers of up to 12 digits: timestamps), keeping separators and
/// labels (`v1,`, `sha256=`, `t=`).
pub(crate) fn mask_signature_value(value: &str) -> String {
    fn is_sig_char(c: char) -> bool {
        c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-')
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !is_sig_char(c)).unwrap_or(rest.len());
        if end == 0 {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let token = &rest[..end];
        // A label such as `v1=`, `t=`, `sha256=` stays; what follows the `=` is judged
        // on its own.
        let (label, tail) = match token.split_once('=') {
            Some((l, t)) if !l.is_empty() && l.len() <= 8 && !t.is_empty() => {
                (Some(l), t.to_owned())
            }
            _ => (None, token.to_owned()),
        };
        if let Some(l) = label {
            out.push_str(l);
            out.push('=');
        }
        let digits_only = tail.chars().all(|c| c.is_ascii_digit());
        let short = tail.trim_end_matches('=').len() < 8;
        if short || (digits_only && tail.len() <= 12) {
            out.push_str(&tail);
        } else {
            out.push_str(MASK);
        }
        rest = &rest[end..];
    }
    out
}

/// Mailgun signs fields inside the body: the `signature` value there is masked too (the
/// body is then no longer the one received, and the record says so).
pub(crate) fn mask_body_signature(provider: &Provider, body: &[u8]) -> Option<Vec<u8>> {
    if provider.name() != "mailgun" {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    let signature = if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
        json.pointer("/signature/signature")?.as_str()?.to_owned()
    } else {
        form_urlencoded_value(text, "signature")?
    };
    if signature.len() < 8 {
        return None;
    }
    Some(text.replace(&signature, MASK).into_bytes())
}

fn form_urlencoded_value(text: &str, key: &str) -> Option<String> {
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.to_owned())
    })
}

/// Appends records to a file, one line each, flushed after each.
#[derive(Debug)]
pub(crate) struct Recorder {
    file: File,
    path: PathBuf,
}

impl Recorder {
    /// Opens `path` for appending, creating it (readable by its owner only on Unix).
    pub(crate) fn open(path: &Path) -> Result<Self, Failure> {
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(|e| {
            Failure::usage(format!("--record: cannot open {}: {e}", path.display()))
        })?;
        Ok(Self {
            file,
            path: path.to_owned(),
        })
    }

    /// Appends one record; a failure is printed on stderr and does not stop the listener.
    pub(crate) fn append(&mut self, record: &Record) {
        let mut line = record.to_line();
        line.push('\n');
        if let Err(e) = self.file.write_all(line.as_bytes()) {
            eprintln!("cannot append to {}: {e}", self.path.display());
        }
    }
}

/// `FILE` or `FILE:N`: the path and the line number (from 1). A path that exists as given
/// is taken whole, so a file name may contain `:`.
pub(crate) fn split_selector(selector: &str) -> (PathBuf, Option<usize>) {
    if Path::new(selector).exists() {
        return (PathBuf::from(selector), None);
    }
    match selector.rsplit_once(':') {
        Some((path, n)) if !path.is_empty() && !n.is_empty() => match n.parse::<usize>() {
            Ok(n) => (PathBuf::from(path), Some(n)),
            Err(_) => (PathBuf::from(selector), None),
        },
        _ => (PathBuf::from(selector), None),
    }
}

/// The records selected by `FILE` (every line) or `FILE:N` (line N), each with its line
/// number. Blank lines are skipped. An unreadable file, a line that is not a record, or a
/// line number past the end is a usage error naming the file and the line.
pub(crate) fn load(selector: &str) -> Result<Vec<(usize, Record)>, Failure> {
    let (path, line) = split_selector(selector);
    if line == Some(0) {
        return Err(Failure::usage(format!(
            "{selector}: line numbers start at 1"
        )));
    }
    let file = File::open(&path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (index, text) in BufReader::new(file).lines().enumerate() {
        let number = index + 1;
        if line.is_some_and(|n| n != number) {
            continue;
        }
        let text = text.map_err(|e| {
            Failure::usage(format!("cannot read {} line {number}: {e}", path.display()))
        })?;
        if text.trim().is_empty() {
            if line.is_some() {
                return Err(Failure::usage(format!(
                    "{}:{number}: the line is empty",
                    path.display()
                )));
            }
            continue;
        }
        let record = parse_line(&text).map_err(|e| {
            Failure::usage(format!(
                "{}:{number}: not a recorded delivery: {e}",
                path.display()
            ))
        })?;
        out.push((number, record));
    }
    match line {
        Some(n) if out.is_empty() => Err(Failure::usage(format!(
            "{}: no line {n} (the file has fewer lines)",
            path.display()
        ))),
        _ => Ok(out),
    }
}

/// One line, checked: valid JSON of the right shape, a decodable body and time.
fn parse_line(text: &str) -> Result<Record, String> {
    let record: Record = serde_json::from_str(text).map_err(|e| e.to_string())?;
    for (name, value) in &record.headers {
        if name.contains(':') {
            return Err(format!("header {name:?}: a name cannot contain ':'"));
        }
        crate::cli::parse_header(&format!("{name}: {value}"))
            .map_err(|e| format!("header {name:?}: {e}"))?;
    }
    record.body()?;
    record.received_unix()?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_values_are_masked_and_labels_kept() {
        assert_eq!(
            mask_signature_value(
                "t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150"
            ),
            "t=1700000000,v1=[masked]"
        );
        assert_eq!(
            mask_signature_value("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
            "v1,[masked]"
        );
        assert_eq!(
            mask_signature_value(
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
            ),
            "sha256=[masked]"
        );
        assert_eq!(
            mask_signature_value(
                "ts=1671552777;h1=eb4d0dc8853be92b7f063b9f3ba5233eb920a09459b6e6b2c26705b4364db151"
            ),
            "ts=1671552777;h1=[masked]"
        );
        // Several signatures, separated by spaces.
        assert_eq!(
            mask_signature_value("v1,abcdefghijklmnop v1,qrstuvwxyz012345"),
            "v1,[masked] v1,[masked]"
        );
    }

    #[test]
    fn credentials_are_masked_whole() {
        let headers = vec![
            ("Authorization".to_owned(), "Bearer abc".to_owned()),
            ("X-Gitlab-Token".to_owned(), "tok".to_owned()),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ];
        let masked = mask_headers(&headers, None);
        assert_eq!(masked[0].1, MASK);
        assert_eq!(masked[1].1, MASK);
        assert_eq!(masked[2].1, "application/json");
    }

    #[test]
    fn mailguns_in_body_signature_is_masked() {
        let sig = "a".repeat(64);
        let json = format!(
            r#"{{"signature":{{"timestamp":"1","token":"t","signature":"{sig}"}},"event-data":{{}}}}"#
        );
        let masked = mask_body_signature(&Provider::MAILGUN, json.as_bytes()).unwrap();
        let masked = String::from_utf8(masked).unwrap();
        assert!(!masked.contains(&sig) && masked.contains(MASK), "{masked}");
        let form = format!("timestamp=1&token=t&signature={sig}&event=delivered");
        let masked = mask_body_signature(&Provider::MAILGUN, form.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(masked).unwrap(),
            format!("timestamp=1&token=t&signature={MASK}&event=delivered")
        );
        // Other providers' bodies are not touched.
        assert!(mask_body_signature(&Provider::GITHUB, json.as_bytes()).is_none());
    }

    #[test]
    fn selectors_split_at_the_last_colon() {
        assert_eq!(
            split_selector("/nonexistent/a.ndjson:3"),
            (PathBuf::from("/nonexistent/a.ndjson"), Some(3))
        );
        assert_eq!(
            split_selector("/nonexistent/a.ndjson"),
            (PathBuf::from("/nonexistent/a.ndjson"), None)
        );
        assert_eq!(
            split_selector("/nonexistent/a:b"),
            (PathBuf::from("/nonexistent/a:b"), None)
        );
    }

    #[test]
    fn malformed_lines_are_refused_with_a_reason() {
        assert!(parse_line("{").is_err());
        assert!(parse_line("[]").is_err());
        let good = Record {
            received_at: "2026-11-29T19:20:01.123Z".into(),
            method: "POST".into(),
            url: "http://127.0.0.1/".into(),
            provider: "github".into(),
            outcome: "verified".into(),
            status: 200,
            id: None,
            event_type: None,
            error: None,
            diagnosis: Vec::new(),
            app_status: None,
            latency_ms: None,
            signatures_masked: true,
            headers: Vec::new(),
            body_base64: encode_body(b"{}"),
        };
        let line = good.to_line();
        assert!(parse_line(&line).is_ok());
        assert!(parse_line(&line.replace("e30=", "e30")).is_err());
        assert!(
            parse_line(&line.replace("\"headers\":[]", "\"headers\":[[\"a b\",\"c\"]]")).is_err()
        );
        assert!(
            parse_line(&line.replace("\"headers\":[]", "\"headers\":[[\"a\",\"c\\r\\nx: y\"]]"))
                .is_err()
        );
        assert!(parse_line(&line.replace("\"headers\":[]", "\"headers\":[[\"a\",\"c\"]]")).is_ok());
    }

    #[test]
    fn times_are_rfc3339_with_milliseconds() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        assert_eq!(rfc3339(t), "2023-11-14T22:13:20.123Z");
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_900_000_000).unwrap();
        assert_eq!(rfc3339(t), "2023-11-14T22:13:20.900Z");
        assert_eq!(
            OffsetDateTime::parse(&rfc3339(t), &Rfc3339).unwrap(),
            t,
            "reads back"
        );
    }
}
