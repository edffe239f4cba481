//! `verify --explain`: what the verifier read and expected, in plain words. Never the
//! expected signature, never the secret: header values that carry signatures are shown
//! as their shape only (labels kept, signatures as their length).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use webhook_verify::{Delivery, Error, Provider, Verifier};

/// The shape of the string a provider signs, from its published scheme. The core keeps
/// its templates private; this table follows `webhook-verify/src/provider/`.
pub(crate) fn signed_shape(provider: &Provider) -> &'static str {
    match provider.name() {
        "standard" | "svix" | "clerk" | "resend" | "openai" | "replicate" | "brex" | "lithic" => {
            "{id}.{timestamp}.{body}"
        }
        "stripe" | "calendly" | "mux" => "{t}.{body}  (t from the signature header)",
        "workos" => "{t}.{body}  (t, in milliseconds, from the signature header)",
        "hubspot" => "POST{url}{body}{timestamp}  (timestamp in milliseconds)",
        "zendesk" => "{timestamp}{body}  (timestamp in RFC 3339)",
        "airwallex" => "{timestamp}{body}  (timestamp in milliseconds)",
        "webflow" => "{timestamp}:{body}  (timestamp in milliseconds)",
        "mandrill" => "{url} followed by each form parameter's name and value, sorted by name",
        "chargebee" => {
            "no signature: the Authorization header carries the basic-auth credential \
             (username:password) itself"
        }
        "docusign" => "{body}  (one signature per active key: X-DocuSign-Signature-1, -2, ...)",
        "slack" | "zoom" => "v0:{timestamp}:{body}",
        "paddle" => "{ts}:{body}  (ts from the signature header)",
        "discord" | "sendgrid" => "{timestamp}{body}",
        "twitch" => "{id}{timestamp}{body}",
        "square" => "{url}{body}  (the notification URL exactly as configured)",
        "twilio" => {
            "{url} followed by each form parameter's name and value, sorted by name (JSON \
             bodies: the URL with its bodySHA256 query parameter)"
        }
        "mailgun" => "{timestamp}{token}  (both from the body's signature fields)",
        "gitlab" => {
            "no signature: the X-Gitlab-Token header is the secret itself (or, with \
             webhook-signature, Standard Webhooks' {id}.{timestamp}.{body})"
        }
        "adyen" => {
            "{body} with the HmacSignature header; classic notifications: each item's \
             pspReference:originalReference:merchantAccountCode:merchantReference:value:\
             currency:eventCode:success"
        }
        "tiktok" => "{t}.{body}  (t from the signature header)",
        "orb" => "v1:{timestamp}:{body}",
        "frameio" => "v0:{timestamp}:{body}",
        "telnyx" => "{timestamp}|{body}",
        "box" => "{body}{timestamp}  (the box-delivery-timestamp text)",
        "contentful" => "POST\\n{path and query, encoded}\\n{signed headers name:value;…}\\n{body}",
        "fusionauth" => "a JWT whose request_body_sha256 claim is the body's base64 SHA-256",
        "postmark" => "no signature: the Authorization header carries the basic auth credentials",
        "okta" => "no signature: the Authorization header carries the configured value itself",
        "microsoft-graph" => {
            "no signature: each notification's clientState is the configured value itself"
        }
        "aws-sns" => {
            "Name\nvalue\n for the message's signed fields (Message, MessageId, Subject, \
             Timestamp, TopicArn, Type; confirmations: SubscribeURL and Token too)"
        }
        "paypal" => "{transmission id}|{transmission time}|{webhook id}|{crc32 of the body}",
        _ => "{body}",
    }
}

/// A header value with every signature-like run replaced by its length
/// (`t=1700000000,v1=<64 chars>`).
fn shape(value: &str) -> String {
    crate::record::mask_signature_value(value)
        .split(crate::record::MASK)
        .collect::<Vec<_>>()
        .join("<signature>")
}

/// The explanation lines, each prefixed `explain:`.
pub(crate) fn explain_lines(
    verifier: &Verifier,
    delivery: &Delivery<'_>,
    error: Option<&Error>,
    now: i64,
) -> Vec<String> {
    let provider = verifier.provider();
    let mut lines = vec![format!(
        "provider {} (key form: {})",
        provider.name(),
        provider.key_description()
    )];
    let headers = delivery.headers();
    for name in provider.headers() {
        let mut values = Vec::new();
        headers.for_each_value(name, &mut |v| {
            values.push(String::from_utf8_lossy(v).into_owned())
        });
        let shown = match values.as_slice() {
            [] => "missing".to_owned(),
            [one] if name == provider.signature_header() => format!("present: {}", shape(one)),
            [one] => format!("present: {one}"),
            many => format!("present {} times", many.len()),
        };
        lines.push(format!("header {name}: {shown}"));
    }
    lines.push(format!("signed string: {}", signed_shape(provider)));
    if provider.needs_url() {
        lines.push(format!(
            "url signed: {}",
            delivery.url().unwrap_or("(none given: pass --url)")
        ));
    }
    lines.push(timestamp_line(provider, headers, now, verifier));
    lines.push(body_line(delivery.body(), headers));
    lines.push(match error {
        None => "result: verified".to_owned(),
        Some(e) => format!("result: not verified: {e}"),
    });
    lines.into_iter().map(|l| format!("explain: {l}")).collect()
}

/// The signed timestamp (from its header, or `t=`/`ts=` inside the signature header) and
/// how far it is from the clock, with the tolerance.
fn timestamp_line(
    provider: &Provider,
    headers: &dyn webhook_verify::Headers,
    now: i64,
    verifier: &Verifier,
) -> String {
    if !provider.has_timestamp() {
        return "timestamp: this provider signs none (no clock check)".to_owned();
    }
    let mut raw = None;
    if let Some(name) = provider.timestamp_header() {
        headers.for_each_value(name, &mut |v| {
            raw.get_or_insert_with(|| String::from_utf8_lossy(v).into_owned());
        });
    }
    if raw.is_none() {
        headers.for_each_value(provider.signature_header(), &mut |v| {
            let text = String::from_utf8_lossy(v).into_owned();
            let found = text.split([',', ';']).find_map(|part| {
                let (k, v) = part.trim().split_once('=')?;
                matches!(k, "t" | "ts").then(|| v.to_owned())
            });
            if let Some(found) = found {
                raw.get_or_insert(found);
            }
        });
    }
    let tolerance = verifier.tolerance();
    let window = match (tolerance.past(), tolerance.future()) {
        (None, None) => "not checked".to_owned(),
        (Some(p), Some(f)) if p == f => format!("±{} s", p.as_secs()),
        (Some(p), None) => format!("{} s, past only", p.as_secs()),
        (p, f) => format!(
            "{} s past, {} s future",
            p.map_or(0, |d| d.as_secs()),
            f.map_or(0, |d| d.as_secs())
        ),
    };
    let Some(raw) = raw else {
        return format!("timestamp: not found in the headers (tolerance {window})");
    };
    let secs = raw.trim().parse::<i64>().ok().or_else(|| {
        OffsetDateTime::parse(raw.trim(), &Rfc3339)
            .ok()
            .map(OffsetDateTime::unix_timestamp)
    });
    let Some(secs) = secs else {
        return format!("timestamp: {raw:?} is not a Unix time or an RFC 3339 time");
    };
    let when = OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "out of range".to_owned());
    let skew = now.saturating_sub(secs);
    let relation = match skew {
        0 => "the same second as the clock".to_owned(),
        s if s > 0 => format!("{s} s old"),
        s => format!("{} s in the future", s.unsigned_abs()),
    };
    format!("timestamp: {secs} ({when}); clock {now}: {relation}; tolerance {window}")
}

/// The body's length, form and ending: what re-encoding would change.
fn body_line(body: &[u8], headers: &dyn webhook_verify::Headers) -> String {
    let mut content_type = None;
    headers.for_each_value("content-type", &mut |v| {
        content_type.get_or_insert_with(|| String::from_utf8_lossy(v).into_owned());
    });
    let form = if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        "JSON"
    } else if std::str::from_utf8(body).is_ok() {
        "text"
    } else {
        "binary"
    };
    let ending = if body.ends_with(b"\r\n") {
        "ends with CRLF"
    } else if body.ends_with(b"\n") {
        "ends with a newline"
    } else if body.ends_with(b" ") || body.ends_with(b"\t") {
        "ends with a space"
    } else {
        "no final newline"
    };
    format!(
        "body: {} bytes, {form}, {ending}; content-type {}; signatures cover these exact \
         bytes: a proxy or framework that re-serializes JSON, changes line endings or \
         character encoding breaks them",
        body.len(),
        content_type.as_deref().unwrap_or("(none)")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_values_show_as_their_shape() {
        assert_eq!(
            shape(
                "t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150"
            ),
            "t=1700000000,v1=<signature>"
        );
    }

    #[test]
    fn every_provider_has_a_shape() {
        for p in Provider::all() {
            assert!(!signed_shape(p).is_empty(), "{}", p.name());
        }
    }
}
