//! `webhook replay`: send recorded deliveries again, as recorded or re-signed now.

use serde::Serialize;

use crate::Failure;
use crate::cli::ReplayArgs;
use crate::forward::{Forwarder, resign};
use crate::record::{self, MASK};
use crate::term::{paint_status, stderr_is_terminal, stdout_colour};

/// The JSON line printed per delivery with `--json`.
#[derive(Debug, Serialize)]
struct Line<'a> {
    line: usize,
    provider: &'a str,
    event_type: Option<&'a str>,
    id: Option<&'a str>,
    resigned: bool,
    status: Option<u16>,
    latency_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

pub(crate) fn run(args: ReplayArgs) -> Result<(), Failure> {
    let records = record::load(&args.file)?;
    let forwarder = Forwarder::new(&args.to, "--to")?;
    let secret = if args.resign {
        Some(args.secret.resolve_one()?)
    } else {
        None
    };
    // Every delivery is prepared before the first is sent: a usage problem stops the
    // replay before anything reaches the app.
    let mut prepared = Vec::with_capacity(records.len());
    for (line, record) in &records {
        let body = record
            .body()
            .map_err(|e| Failure::usage(format!("line {line}: {e}")))?;
        let headers = match &secret {
            Some(secret) => {
                let provider = record.provider_or(args.provider.as_ref(), *line)?;
                resign(
                    &provider,
                    secret,
                    &record.headers,
                    &body,
                    record.id.as_deref(),
                    forwarder.url(),
                )
                .map_err(|e| match e {
                    Failure::Usage(m) => Failure::usage(format!("line {line}: {m}")),
                    other => other,
                })?
            }
            None => {
                if record.signatures_masked && record.headers.iter().any(|(_, v)| v.contains(MASK))
                {
                    eprintln!(
                        "warning: line {line} was recorded with its signature masked: the app \
                         will refuse it unless you pass --resign with the secret"
                    );
                }
                record.headers.clone()
            }
        };
        prepared.push((*line, record, headers, body));
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the runtime: {e}")))?;
    let colour = stdout_colour();
    let progress = stderr_is_terminal() && prepared.len() > 1;
    let total = prepared.len();
    let mut failed = 0usize;
    for (i, (line, record, headers, body)) in prepared.into_iter().enumerate() {
        if progress {
            eprint!("\rreplaying {}/{total}…", i + 1);
        }
        let answer = runtime.block_on(forwarder.send(&record.method, &headers, body));
        if progress {
            eprint!("\r\x1b[K");
        }
        let (status, latency_ms, error) = match &answer {
            Ok(a) => (
                Some(a.status),
                Some(u64::try_from(a.latency.as_millis()).unwrap_or(u64::MAX)),
                None,
            ),
            Err(e) => (None, None, Some(e.as_str())),
        };
        if !status.is_some_and(|s| (200..300).contains(&s)) {
            failed += 1;
        }
        if args.json {
            let out = Line {
                line,
                provider: &record.provider,
                event_type: record.event_type.as_deref(),
                id: record.id.as_deref(),
                resigned: secret.is_some(),
                status,
                latency_ms,
                error,
            };
            println!(
                "{}",
                serde_json::to_string(&out).expect("strings and numbers serialize")
            );
        } else {
            let mut text = format!(
                "line {line}  {}  {}  {}  {}  -> {}",
                record.provider,
                record.event_type.as_deref().unwrap_or("-"),
                record.id.as_deref().unwrap_or("-"),
                if secret.is_some() {
                    "re-signed"
                } else {
                    "as recorded"
                },
                paint_status(status, colour),
            );
            if let Some(ms) = latency_ms {
                text.push_str(&format!("  {ms} ms"));
            }
            if let Some(e) = error {
                text.push_str(&format!("  (not sent: {e})"));
            }
            println!("{text}");
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(Failure::Failed(vec![format!(
            "{failed} of {total} deliveries were not accepted"
        )]))
    }
}
