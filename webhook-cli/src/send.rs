//! `webhook send`: sign a body and POST it, as the provider would.

use std::io::Write as _;

use webhook_verify::{Provider, SignOptions};

use crate::Failure;
use crate::cli::SendArgs;
use crate::input::read_body;
use crate::sign::sign;

pub(crate) fn run(args: SendArgs) -> Result<(), Failure> {
    let url = reqwest::Url::parse(&args.url)
        .map_err(|e| Failure::usage(format!("invalid URL {:?}: {e}", args.url)))?;
    if url.scheme() != "http" {
        return Err(Failure::usage(format!(
            "only http:// URLs can be sent to (got {}://); for others, print the headers \
             with `webhook sign` and send them with an HTTP client",
            url.scheme()
        )));
    }
    let body = read_body(args.body_file.as_deref())?;
    // URL-signing providers (Twilio) sign the URL the delivery goes to.
    let options = SignOptions::new().url(args.url.clone());
    let secret = args.secret.resolve_one()?;
    let signed = sign(&args.provider, &secret, &body, &options)?;

    let client = reqwest::Client::builder()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start an HTTP client: {e}")))?;
    let mut request = client.post(url);
    let has_content_type = args
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    if !has_content_type {
        request = request.header("content-type", content_type(&args.provider, &body));
    }
    for (name, value) in signed.iter().chain(&args.headers) {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request.body(body);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the runtime: {e}")))?;
    let (status, response_body) = runtime
        .block_on(async {
            let response = request.send().await?;
            let status = response.status();
            Ok::<_, reqwest::Error>((status, response.bytes().await?))
        })
        .map_err(|e| Failure::Failed(vec![format!("not sent: {}", error_chain(&e))]))?;

    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{status}");
    let _ = stdout.write_all(&response_body);
    if !response_body.is_empty() && !response_body.ends_with(b"\n") {
        let _ = writeln!(stdout);
    }
    let _ = stdout.flush();
    if status.is_success() {
        Ok(())
    } else {
        Err(Failure::Failed(vec![format!("not accepted: {status}")]))
    }
}

/// JSON when the body is JSON; a form for Twilio's form deliveries; bytes otherwise.
fn content_type(provider: &Provider, body: &[u8]) -> &'static str {
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        "application/json"
    } else if provider.needs_url() {
        "application/x-www-form-urlencoded"
    } else {
        "application/octet-stream"
    }
}

/// The error and its sources on one line ("error sending request: connection refused").
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(err) = source {
        let text = err.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = err.source();
    }
    out
}
