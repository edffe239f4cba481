//! The command line, as clap types. Parsing problems become clap errors (exit 2).

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use webhook_verify::{Provider, Secret};

use crate::Failure;

/// The listener's default body limit: 1 MiB.
pub(crate) const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// Verify, sign, send and receive webhook deliveries.
#[derive(Debug, Parser)]
#[command(name = "webhook", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 success, 1 not verified (send: non-2xx answer), 2 usage error."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verify a captured delivery: headers (-H) and the raw body (--body-file).
    ///
    /// Prints one JSON line {"provider","id","timestamp","event_type"} and exits 0 when
    /// the delivery verifies; otherwise prints why on stderr, with hints, and exits 1.
    Verify(VerifyArgs),
    /// Print the headers a provider would attach to a body, one 'Name: value' per line.
    Sign(SignArgs),
    /// Sign a body and POST it to URL; print the status and the response body.
    Send(SendArgs),
    /// Receive deliveries over HTTP, verify them, print one line for each; optionally
    /// forward them to a local app, record them, and show them in a local inspector page.
    Listen(ListenArgs),
    /// Send recorded deliveries (from `listen --record`) again, as recorded or re-signed.
    Replay(ReplayArgs),
    /// Summarise a file of recorded deliveries: one row each, counts by provider, event
    /// type and outcome.
    Inspect(InspectArgs),
    /// List the providers: headers, key form, scheme, default tolerance, id source and
    /// handshake.
    Providers(ProvidersArgs),
}

/// `webhook providers`.
#[derive(Debug, Args)]
pub(crate) struct ProvidersArgs {
    /// Print the README's Markdown tables (providers, then handshakes) instead.
    #[arg(long)]
    pub(crate) markdown: bool,
}

/// `webhook verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The sender's signature scheme. With --delivery, defaults to the recorded provider.
    #[arg(long, value_parser = ProviderParser, required_unless_present = "delivery")]
    pub(crate) provider: Option<Provider>,
    /// The secrets or public keys as the provider's dashboard shows them; several may be
    /// given (key rotation).
    #[command(flatten)]
    pub(crate) secrets: SecretSources,
    /// A request header as captured, 'Name: value'; repeat for each header.
    #[arg(short = 'H', long = "header", value_name = "'NAME: VALUE'", value_parser = parse_header)]
    pub(crate) headers: Vec<(String, String)>,
    /// The public URL the delivery was sent to (providers that sign the URL: Twilio). With
    /// --delivery, defaults to the recorded URL.
    #[arg(long)]
    pub(crate) url: Option<String>,
    /// The timestamp tolerance in seconds (keeps the provider's direction). Defaults to the
    /// provider's own.
    #[arg(long, value_name = "SECS")]
    pub(crate) tolerance: Option<u64>,
    /// Verify as if the current time were this Unix time (for captured deliveries). With
    /// --delivery, defaults to the time the delivery was received.
    #[arg(long, value_name = "UNIX_SECS", allow_negative_numbers = true)]
    pub(crate) now: Option<i64>,
    /// The raw body, read byte for byte; '-' reads standard input. Without it the body is
    /// empty.
    #[arg(long, value_name = "PATH|-")]
    pub(crate) body_file: Option<PathBuf>,
    /// A delivery recorded by `listen --record`: FILE (its only delivery) or FILE:N (the
    /// delivery on line N, from 1). Replaces -H and --body-file.
    #[arg(long, value_name = "FILE[:N]", conflicts_with_all = ["headers", "body_file"])]
    pub(crate) delivery: Option<String>,
    /// Also explain, on stderr: the headers read, the key form, the shape of the signed
    /// string (never the expected signature), the clock skew and the likely causes of a
    /// failure.
    #[arg(long)]
    pub(crate) explain: bool,
}

/// `webhook sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The sender's signature scheme.
    #[arg(long, value_parser = ProviderParser)]
    pub(crate) provider: Provider,
    /// The signing secret (for Ed25519 schemes the private key: Standard Webhooks 'whsk_…',
    /// Discord the 32-byte seed in hex); exactly one.
    #[command(flatten)]
    pub(crate) secret: SecretSources,
    /// The Unix timestamp to sign. Defaults to now.
    #[arg(long, value_name = "UNIX_SECS")]
    pub(crate) timestamp: Option<i64>,
    /// The message id, for providers that sign one. Defaults to a hash of the timestamp
    /// and body.
    #[arg(long)]
    pub(crate) id: Option<String>,
    /// The URL the delivery will be sent to (providers that sign the URL: Twilio).
    #[arg(long)]
    pub(crate) url: Option<String>,
    /// The body to sign, read byte for byte; '-' reads standard input. Without it the body
    /// is empty.
    #[arg(long, value_name = "PATH|-")]
    pub(crate) body_file: Option<PathBuf>,
}

/// `webhook send`.
#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// The sender's signature scheme.
    #[arg(long, value_parser = ProviderParser)]
    pub(crate) provider: Provider,
    /// The signing secret (for Ed25519 schemes the private key, as for `sign`); exactly one.
    #[command(flatten)]
    pub(crate) secret: SecretSources,
    /// An extra request header, 'Name: value'; repeat for each header.
    #[arg(short = 'H', long = "header", value_name = "'NAME: VALUE'", value_parser = parse_header)]
    pub(crate) headers: Vec<(String, String)>,
    /// The body to send, read byte for byte; '-' reads standard input. Without it the body
    /// is empty.
    #[arg(long, value_name = "PATH|-")]
    pub(crate) body_file: Option<PathBuf>,
    /// Where to POST the delivery (plain http://).
    pub(crate) url: String,
}

/// `webhook listen`.
#[derive(Debug, Args)]
pub(crate) struct ListenArgs {
    /// The sender's signature scheme.
    #[arg(long, value_parser = ProviderParser)]
    pub(crate) provider: Provider,
    /// The secrets or public keys as the provider's dashboard shows them; several may be
    /// given while rotating keys.
    #[command(flatten)]
    pub(crate) secrets: SecretSources,
    /// The address to listen on (port 0 picks a free port; the address is printed on
    /// stderr).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) addr: SocketAddr,
    /// The path deliveries are posted to.
    #[arg(long, default_value = "/")]
    pub(crate) path: String,
    /// The largest body accepted, in bytes; larger ones get 413.
    #[arg(long = "max-body", value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY)]
    pub(crate) max_body: usize,
    /// Remember handled deliveries in this Redis server (`redis://host:port/`) instead of in
    /// memory; a duplicate gets 200 `duplicate`, one still being handled 409.
    #[arg(long, value_name = "URL")]
    pub(crate) redis: Option<String>,
    /// Hand each verified delivery to workers: append it to this Redis Stream (on the
    /// --redis server) and answer 202 `queued` once Redis has it; 503 when it cannot.
    #[arg(
        long,
        value_name = "STREAM",
        requires = "redis",
        conflicts_with = "forward_to"
    )]
    pub(crate) queue: Option<String>,
    /// Forward each verified delivery (exact body bytes and headers) to this local app
    /// (plain http://) and pass its answer back to the sender; 502 when it cannot be
    /// reached.
    #[arg(long, value_name = "URL")]
    pub(crate) forward_to: Option<String>,
    /// Forward deliveries that do not verify too, marked with a
    /// `Webhook-Verify-Unverified: <reason>` header.
    #[arg(long, requires = "forward_to")]
    pub(crate) forward_unverified: bool,
    /// Append every delivery to this file as one JSON line (headers, body in base64, URL,
    /// time received, outcome). Signature values are masked unless --record-signatures.
    #[arg(long, value_name = "FILE")]
    pub(crate) record: Option<PathBuf>,
    /// Record signature header values as received, so that `webhook verify --delivery`
    /// can check the deliveries later. Secrets are never written.
    #[arg(long, requires = "record")]
    pub(crate) record_signatures: bool,
    /// Serve the local inspector page on this address (e.g. 127.0.0.1:4040): a live list
    /// of deliveries, their details and a replay button. Loopback addresses only unless
    /// --ui-allow-remote.
    #[arg(long, value_name = "ADDR")]
    pub(crate) ui: Option<SocketAddr>,
    /// Allow --ui on an address other machines can reach. The page shows deliveries'
    /// bodies and can re-send them: keep it off networks you do not trust.
    #[arg(long, requires = "ui")]
    pub(crate) ui_allow_remote: bool,
    /// The scheme and host (and path prefix) the sender calls, e.g. a tunnel's
    /// `https://abc.example.dev`, for providers that sign the URL (Twilio, Square): the
    /// request's path and query are appended to it.
    #[arg(long, value_name = "URL")]
    pub(crate) public_url: Option<String>,
    /// The verify token Meta's subscription handshake must present (`hub.verify_token`, as
    /// typed in the app dashboard). Handshakes are answered by the listener, not forwarded.
    #[arg(long, value_name = "TOKEN")]
    pub(crate) verify_token: Option<String>,
    /// Print one JSON line per delivery, whatever its outcome: time, provider, event type,
    /// id, outcome, status, app status, latency. Without it and without --forward-to, each
    /// verified delivery is printed as `verify` prints it.
    #[arg(long)]
    pub(crate) json: bool,
    /// Serve Prometheus metrics on this address at `/metrics`: deliveries by provider and
    /// outcome (`webhook_deliveries_total`), verify and handler time, claims in flight.
    #[arg(long, value_name = "ADDR")]
    pub(crate) metrics_addr: Option<std::net::SocketAddr>,
}

/// `webhook replay`.
#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// The recorded deliveries: FILE (every line) or FILE:N (line N, from 1).
    #[arg(value_name = "FILE[:N]")]
    pub(crate) file: String,
    /// Where to POST them (plain http://).
    #[arg(long, value_name = "URL")]
    pub(crate) to: String,
    /// Sign each delivery again at the current time (with its recorded id), with the
    /// secret from --secret, --secret-env, --secret-file or WEBHOOK_SECRET.
    #[arg(long)]
    pub(crate) resign: bool,
    /// The scheme to re-sign with. Defaults to the recorded provider.
    #[arg(long, value_parser = ProviderParser, requires = "resign")]
    pub(crate) provider: Option<Provider>,
    /// The signing secret, for --resign.
    #[command(flatten)]
    pub(crate) secret: SecretSources,
    /// Print one JSON line per delivery.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `webhook inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The recorded deliveries: FILE or FILE:N.
    #[arg(value_name = "FILE[:N]")]
    pub(crate) file: String,
    /// Print one JSON object (rows and counts) instead of the tables.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The environment variable a secret is read from when no secret flag is given.
pub(crate) const SECRET_ENV: &str = "WEBHOOK_SECRET";

/// Where secrets come from: the command line (visible to other users in the process list
/// and kept in shell history), an environment variable, or a file. They are used in this
/// order: every `--secret`, then every `--secret-env`, then every `--secret-file`; when
/// none is given, the `WEBHOOK_SECRET` environment variable.
#[derive(Debug, Args)]
#[group(multiple = true)]
pub(crate) struct SecretSources {
    /// The secret itself; repeat for several. Prefer --secret-env or --secret-file: a
    /// command line is visible to other users of the machine.
    #[arg(long = "secret", value_name = "SECRET", value_parser = parse_secret)]
    secrets: Vec<Secret>,
    /// Read the secret from this environment variable, as it is; repeat for several.
    #[arg(long = "secret-env", value_name = "NAME")]
    envs: Vec<String>,
    /// Read the secret from this file: its content, without one final line break (\n or
    /// \r\n); repeat for several.
    #[arg(long = "secret-file", value_name = "PATH")]
    files: Vec<PathBuf>,
}

impl SecretSources {
    /// Every secret, in order: `--secret`, `--secret-env`, `--secret-file`. A missing
    /// variable, an unreadable file or an empty secret is a usage error naming the variable
    /// or file, never the secret.
    pub(crate) fn resolve(&self) -> Result<Vec<Secret>, Failure> {
        if self.is_empty() {
            let value = std::env::var_os(SECRET_ENV).ok_or_else(|| {
                Failure::usage(format!(
                    "no secret: pass --secret, --secret-env NAME or --secret-file PATH, or \
                     set {SECRET_ENV}"
                ))
            })?;
            let secret = match value.into_string() {
                Ok(text) => Secret::new(text),
                Err(raw) => Secret::from_bytes(raw.into_encoded_bytes()),
            }
            .map_err(|e| Failure::usage(format!("{SECRET_ENV}: {e}")))?;
            return Ok(vec![secret]);
        }
        let mut out = self.secrets.clone();
        for name in &self.envs {
            let value = std::env::var_os(name).ok_or_else(|| {
                Failure::usage(format!("--secret-env: the variable {name} is not set"))
            })?;
            let secret = match value.into_string() {
                Ok(text) => Secret::new(text),
                Err(raw) => Secret::from_bytes(raw.into_encoded_bytes()),
            }
            .map_err(|e| Failure::usage(format!("--secret-env {name}: {e}")))?;
            out.push(secret);
        }
        for path in &self.files {
            let bytes = zeroize::Zeroizing::new(std::fs::read(path).map_err(|e| {
                Failure::usage(format!(
                    "--secret-file: cannot read {}: {e}",
                    path.display()
                ))
            })?);
            let content = strip_line_break(&bytes);
            let secret = match std::str::from_utf8(content) {
                Ok(text) => Secret::new(text),
                Err(_) => Secret::from_bytes(content),
            }
            .map_err(|e| Failure::usage(format!("--secret-file {}: {e}", path.display())))?;
            out.push(secret);
        }
        Ok(out)
    }

    /// Whether no secret flag was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.secrets.is_empty() && self.envs.is_empty() && self.files.is_empty()
    }

    /// The one secret of a signing command.
    pub(crate) fn resolve_one(&self) -> Result<Secret, Failure> {
        let mut all = self.resolve()?;
        match all.len() {
            1 => Ok(all.remove(0)),
            n => Err(Failure::usage(format!(
                "give exactly one secret to sign with (got {n})"
            ))),
        }
    }
}

/// `bytes` without one final `\n` or `\r\n` (what `echo` and editors add).
fn strip_line_break(bytes: &[u8]) -> &[u8] {
    match bytes.strip_suffix(b"\n") {
        Some(rest) => rest.strip_suffix(b"\r").unwrap_or(rest),
        None => bytes,
    }
}

/// Parses `--provider` with [`Provider::from_name`]; lists the known names in `--help`.
#[derive(Debug, Clone, Copy)]
struct ProviderParser;

impl TypedValueParser for ProviderParser {
    type Value = Provider;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Provider, clap::Error> {
        let name = value.to_string_lossy();
        Provider::from_name(&name).ok_or_else(|| {
            let known: Vec<&str> = Provider::all().iter().map(Provider::name).collect();
            clap::Error::raw(
                ErrorKind::InvalidValue,
                format!(
                    "unknown provider {name:?} (known: {}; `webhook providers` lists them)\n",
                    known.join(", ")
                ),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Provider::all().iter().map(|p| PossibleValue::new(p.name())),
        ))
    }
}

/// A secret from the command line. Never echoed: the only failure is an empty value.
fn parse_secret(text: &str) -> Result<Secret, String> {
    Secret::new(text).map_err(|e| e.to_string())
}

/// `Name: value` (curl's `-H`): the name must be an HTTP token, whitespace around the value
/// is dropped.
pub(crate) fn parse_header(raw: &str) -> Result<(String, String), String> {
    let (name, value) = raw
        .split_once(':')
        .ok_or("expected 'Name: value' (no ':' found)")?;
    let name = name.trim();
    if name.is_empty() {
        return Err("expected 'Name: value' (empty name)".into());
    }
    if !name.bytes().all(is_token_byte) {
        return Err("expected 'Name: value' (the name has characters HTTP does not allow)".into());
    }
    let value = value.trim_matches([' ', '\t']);
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err("expected 'Name: value' (the value has a line break)".into());
    }
    Ok((name.to_owned(), value.to_owned()))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_split_at_the_first_colon() {
        assert_eq!(
            parse_header("Stripe-Signature: t=1,v1=ab:cd").unwrap(),
            ("Stripe-Signature".into(), "t=1,v1=ab:cd".into())
        );
        assert_eq!(parse_header("x-a:b").unwrap(), ("x-a".into(), "b".into()));
        assert_eq!(parse_header("x-a:").unwrap(), ("x-a".into(), String::new()));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for raw in [
            "no colon",
            ": value",
            "bad name: v",
            "x\u{e9}: v",
            "x: a\nb",
        ] {
            assert!(parse_header(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
