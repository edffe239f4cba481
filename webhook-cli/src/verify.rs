//! `webhook verify`: is this captured delivery authentic, and if not, why not?

use std::time::Duration;

use serde::Serialize;
use webhook_verify::{
    Clock as _, Delivery, Error, FixedClock, Provider, SystemClock, Verified, Verifier,
};

use crate::Failure;
use crate::cli::VerifyArgs;
use crate::explain::explain_lines;
use crate::input::read_body;
use crate::record::{self, MASK};

/// The line printed for a verified delivery, fields in this order; `null` for what the
/// provider does not send.
#[derive(Debug, Serialize)]
pub(crate) struct DeliveryLine<'a> {
    provider: &'a str,
    id: Option<&'a str>,
    timestamp: Option<i64>,
    event_type: Option<&'a str>,
}

impl<'a> DeliveryLine<'a> {
    pub(crate) fn new(verified: &'a Verified) -> Self {
        Self {
            provider: verified.provider().name(),
            id: verified.id(),
            timestamp: verified.timestamp(),
            event_type: verified.event_type(),
        }
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).expect("strings and numbers serialize")
    }
}

/// What to verify: from the flags, or from a recorded delivery.
struct Input {
    provider: Provider,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    url: Option<String>,
    now: Option<i64>,
    /// Set when the delivery was recorded with its signature values masked.
    masked: bool,
}

fn input(args: &VerifyArgs) -> Result<Input, Failure> {
    let Some(selector) = &args.delivery else {
        let provider = args
            .provider
            .clone()
            .ok_or_else(|| Failure::usage("--provider is required"))?;
        return Ok(Input {
            provider,
            headers: args.headers.clone(),
            body: read_body(args.body_file.as_deref())?,
            url: args.url.clone(),
            now: args.now,
            masked: false,
        });
    };
    let mut records = record::load(selector)?;
    if records.len() != 1 {
        return Err(Failure::usage(format!(
            "{selector} holds {} deliveries: pick one with {selector}:N (N = its line number)",
            records.len()
        )));
    }
    let (line, record) = records.remove(0);
    let provider = record.provider_or(args.provider.as_ref(), line)?;
    let body = record
        .body()
        .map_err(|e| Failure::usage(format!("line {line}: {e}")))?;
    let received = record
        .received_unix()
        .map_err(|e| Failure::usage(format!("line {line}: {e}")))?;
    let masked = record.signatures_masked
        && record
            .headers
            .iter()
            .any(|(n, v)| record::is_signature_header(n, Some(&provider)) && v.contains(MASK));
    Ok(Input {
        provider,
        headers: record.headers,
        body,
        url: args.url.clone().or(Some(record.url)),
        now: args.now.or(Some(received)),
        masked,
    })
}

pub(crate) fn run(args: VerifyArgs) -> Result<(), Failure> {
    let input = input(&args)?;
    let mut builder = args
        .secrets
        .resolve()?
        .iter()
        .fold(Verifier::builder(input.provider.clone()), |b, s| {
            b.secret(s)
        });
    if let Some(secs) = args.tolerance {
        builder = builder.tolerance(Duration::from_secs(secs));
    }
    if let Some(now) = input.now {
        builder = builder.clock(FixedClock::from_unix(now));
    }
    let verifier = builder
        .build()
        .map_err(|e| Failure::usage(format!("{e} (provider {})", input.provider.name())))?;

    let mut delivery = Delivery::new(&input.headers, input.body.clone());
    if let Some(url) = &input.url {
        delivery = delivery.with_url(url);
    }
    let result = verifier.verify(&delivery);
    if args.explain {
        let now = input
            .now
            .unwrap_or_else(|| SystemClock.now_unix_millis().div_euclid(1000));
        for line in explain_lines(&verifier, &delivery, result.as_ref().err(), now) {
            eprintln!("{line}");
        }
    }
    match result {
        Ok(verified) => {
            println!("{}", DeliveryLine::new(&verified).to_json());
            Ok(())
        }
        Err(err) => {
            let mut lines = hints(&verifier, &delivery, &err, &args);
            if input.masked {
                lines.push(
                    "hint: this delivery was recorded with its signature values masked: record \
                     with `listen --record FILE --record-signatures` to verify deliveries later"
                        .to_owned(),
                );
            }
            Err(Failure::Failed(lines))
        }
    }
}

/// The error line, then one line per hint: the core's diagnosis and what to do with this
/// command's flags.
fn hints(
    verifier: &Verifier,
    delivery: &Delivery<'_>,
    err: &Error,
    args: &VerifyArgs,
) -> Vec<String> {
    let mut lines = vec![format!("not verified: {err}")];
    let diagnosis = verifier.diagnose(delivery, err);
    lines.extend(diagnosis.hints().iter().map(|h| format!("hint: {h}")));
    match err {
        Error::TimestampTooOld { .. } | Error::TimestampInFuture { .. }
            if args.now.is_none() && args.delivery.is_none() =>
        {
            lines.push(
                "hint: to check a captured delivery, pass --now with the Unix time it was \
                 received (or widen --tolerance)"
                    .to_owned(),
            );
        }
        Error::MissingUrl { .. } => {
            lines.push("hint: pass --url with the exact public URL the sender called".to_owned());
        }
        Error::MissingHeader { .. } if args.headers.is_empty() && args.delivery.is_none() => {
            lines.push(format!(
                "hint: give the captured headers with -H 'Name: value' (provider {} reads {})",
                verifier.provider().name(),
                verifier.provider().headers().join(", ")
            ));
        }
        _ => {}
    }
    lines
}
