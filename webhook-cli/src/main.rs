//! `webhook`: verify captured webhook deliveries, sign and send test deliveries, and run a
//! receiver that verifies what it gets, for every provider `webhook-verify` knows.
//!
//! ```text
//! webhook verify    --provider P --secret S [-H 'Name: value' ...] [--body-file PATH|-]
//! webhook sign      --provider P --secret S [--timestamp T] [--id ID] [--url URL]
//! webhook send      --provider P --secret S [-H ...] [--body-file F] URL
//! webhook listen    --provider P --secret S [--addr 127.0.0.1:8080] [--path /] [--redis URL]
//!                   [--queue STREAM]
//!                   [--forward-to URL [--forward-unverified] [--json]]
//!                   [--record FILE [--record-signatures]] [--ui 127.0.0.1:4040]
//! webhook replay    FILE[:N] --to URL [--resign [--provider P] --secret S] [--json]
//! webhook verify    --delivery FILE[:N] --secret S [--explain]
//! webhook inspect   FILE[:N] [--json]
//! webhook providers
//! ```
//!
//! Every `--secret S` can also be given as `--secret-env NAME` (read from an environment
//! variable) or `--secret-file PATH` (a file's content without its final line break), which
//! keep the secret out of the process list and the shell history; without any of them the
//! secret is read from the `WEBHOOK_SECRET` environment variable.
//!
//! Exit codes: 0 success, 1 not verified (or, for `send`, a non-2xx answer), 2 usage error.
//! Secrets are never printed: not in errors, not in `--help`, not in debug output.

#![forbid(unsafe_code)]

mod cli;
mod explain;
mod forward;
mod input;
mod inspect;
mod listen;
mod providers;
mod queue;
mod record;
mod replay;
mod send;
mod sign;
mod term;
mod ui;
mod verify;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};

/// Exit code: the delivery verified, or the command did what it was asked.
const EXIT_OK: u8 = 0;
/// Exit code: the delivery did not verify (or `send` got a non-2xx answer).
const EXIT_FAILED: u8 = 1;
/// Exit code: the command line or an input file could not be used.
const EXIT_USAGE: u8 = 2;

/// Why a command did not succeed; `main` prints it and picks the exit code.
#[derive(Debug)]
enum Failure {
    /// Not verified / not accepted: the lines to print on stderr (exit 1).
    Failed(Vec<String>),
    /// A usage error: the line to print on stderr (exit 2).
    Usage(String),
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self::Usage(message.into())
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version on stdout (exit 0) and errors on stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let result = match cli.command {
        Command::Verify(args) => verify::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Send(args) => send::run(args),
        Command::Listen(args) => listen::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Providers(args) => providers::run(&args),
    };
    let mut stderr = std::io::stderr().lock();
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(Failure::Failed(lines)) => {
            for line in lines {
                let _ = writeln!(stderr, "{line}");
            }
            ExitCode::from(EXIT_FAILED)
        }
        Err(Failure::Usage(message)) => {
            let _ = writeln!(stderr, "error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
