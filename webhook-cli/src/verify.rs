//! `webhook verify`: is this captured delivery authentic, and if not, why not?

use std::time::Duration;

use serde::Serialize;
use webhook_verify::{Delivery, Error, FixedClock, Verified, Verifier};

use crate::Failure;
use crate::cli::VerifyArgs;
use crate::input::read_body;

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

pub(crate) fn run(args: VerifyArgs) -> Result<(), Failure> {
    let body = read_body(args.body_file.as_deref())?;
    let mut builder = args
        .secrets
        .resolve()?
        .iter()
        .fold(Verifier::builder(args.provider.clone()), |b, s| b.secret(s));
    if let Some(secs) = args.tolerance {
        builder = builder.tolerance(Duration::from_secs(secs));
    }
    if let Some(now) = args.now {
        builder = builder.clock(FixedClock::from_unix(now));
    }
    let verifier = builder
        .build()
        .map_err(|e| Failure::usage(format!("{e} (provider {})", args.provider.name())))?;

    let mut delivery = Delivery::new(&args.headers, body);
    if let Some(url) = &args.url {
        delivery = delivery.with_url(url);
    }
    match verifier.verify(&delivery) {
        Ok(verified) => {
            println!("{}", DeliveryLine::new(&verified).to_json());
            Ok(())
        }
        Err(err) => Err(Failure::Failed(explain(&verifier, &delivery, &err, &args))),
    }
}

/// The error line, then one line per hint: the core's diagnosis and what to do with this
/// command's flags.
fn explain(
    verifier: &Verifier,
    delivery: &Delivery<'_>,
    err: &Error,
    args: &VerifyArgs,
) -> Vec<String> {
    let mut lines = vec![format!("not verified: {err}")];
    let diagnosis = verifier.diagnose(delivery, err);
    lines.extend(diagnosis.hints().iter().map(|h| format!("hint: {h}")));
    match err {
        Error::TimestampTooOld { .. } | Error::TimestampInFuture { .. } if args.now.is_none() => {
            lines.push(
                "hint: to check a captured delivery, pass --now with the Unix time it was \
                 received (or widen --tolerance)"
                    .to_owned(),
            );
        }
        Error::MissingUrl { .. } => {
            lines.push("hint: pass --url with the exact public URL the sender called".to_owned());
        }
        Error::MissingHeader { .. } if args.headers.is_empty() => {
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
