//! `--secret-env NAME` and `--secret-file PATH` in every subcommand that takes `--secret`:
//! the same secrets, kept out of the process list and shell history.

mod common;

use common::{TempFile, header_lines, webhook};
use predicates::prelude::*;
use webhook_testkit::NOW;

const SECRET: &str = "It's a Secret to Everybody";

/// Signs `{}` for GitHub with the secret given by `args`; the header lines.
fn sign_with(args: &[&str], env: Option<(&str, &str)>) -> assert_cmd::assert::Assert {
    let body = TempFile::new(b"{}");
    let mut cmd = webhook();
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    cmd.args(["sign", "--provider", "github"])
        .args(args)
        .args(["--body-file", body.path()]);
    cmd.assert()
}

fn verify_with(
    args: &[&str],
    env: Option<(&str, &str)>,
    headers: &[String],
) -> assert_cmd::assert::Assert {
    let body = TempFile::new(b"{}");
    let mut cmd = webhook();
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    cmd.args(["verify", "--provider", "github"])
        .args(args)
        .args(["--now", &NOW.to_string(), "--body-file", body.path()]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    cmd.assert()
}

fn reference_headers() -> Vec<String> {
    let out = sign_with(&["--secret", SECRET], None).success();
    header_lines(&out.get_output().stdout)
}

#[test]
fn sign_reads_the_secret_from_the_environment_or_a_file() {
    let expected = reference_headers();
    let out = sign_with(
        &["--secret-env", "WEBHOOK_TEST_SECRET"],
        Some(("WEBHOOK_TEST_SECRET", SECRET)),
    )
    .success();
    assert_eq!(header_lines(&out.get_output().stdout), expected);
    // A final line break (as `echo` writes) is not part of the secret; CRLF too.
    for content in [
        SECRET.to_owned(),
        format!("{SECRET}\n"),
        format!("{SECRET}\r\n"),
    ] {
        let file = TempFile::new(content.as_bytes());
        let out = sign_with(&["--secret-file", file.path()], None).success();
        assert_eq!(
            header_lines(&out.get_output().stdout),
            expected,
            "{content:?}"
        );
    }
}

#[test]
fn verify_reads_secrets_from_every_source_for_rotation() {
    let headers = reference_headers();
    let file = TempFile::new(format!("{SECRET}\n").as_bytes());
    verify_with(&["--secret-file", file.path()], None, &headers).success();
    verify_with(
        &["--secret-env", "WEBHOOK_TEST_SECRET"],
        Some(("WEBHOOK_TEST_SECRET", SECRET)),
        &headers,
    )
    .success();
    // Old secret on the command line, new one from the environment: either may match.
    verify_with(
        &["--secret", "old", "--secret-env", "WEBHOOK_TEST_SECRET"],
        Some(("WEBHOOK_TEST_SECRET", SECRET)),
        &headers,
    )
    .success();
    // A file with a wrong secret does not verify.
    let wrong = TempFile::new(b"wrong\n");
    verify_with(&["--secret-file", wrong.path()], None, &headers).code(1);
}

#[test]
fn unusable_secret_sources_are_usage_errors_that_never_print_the_secret() {
    let headers = reference_headers();
    // No source at all.
    verify_with(&[], None, &headers).code(2);
    sign_with(&[], None).code(2);
    // An unset variable names the variable.
    verify_with(
        &["--secret-env", "WEBHOOK_TEST_UNSET_VARIABLE"],
        None,
        &headers,
    )
    .code(2)
    .stderr(predicate::str::contains("WEBHOOK_TEST_UNSET_VARIABLE"));
    // An unreadable file.
    verify_with(
        &["--secret-file", "/nonexistent/webhook-secret"],
        None,
        &headers,
    )
    .code(2)
    .stderr(predicate::str::contains("/nonexistent/webhook-secret"));
    // An empty file or variable.
    let empty = TempFile::new(b"\n");
    verify_with(&["--secret-file", empty.path()], None, &headers).code(2);
    verify_with(
        &["--secret-env", "WEBHOOK_TEST_EMPTY"],
        Some(("WEBHOOK_TEST_EMPTY", "")),
        &headers,
    )
    .code(2);
    // Signing takes exactly one secret.
    let file = TempFile::new(SECRET.as_bytes());
    sign_with(&["--secret", SECRET, "--secret-file", file.path()], None)
        .code(2)
        .stderr(predicate::str::contains("exactly one"));
    // The secret itself is never printed, whatever fails.
    let secret_file = TempFile::new(b"s3cr3t-from-a-file");
    let out = verify_with(
        &[
            "--secret-file",
            secret_file.path(),
            "--secret-env",
            "WEBHOOK_TEST_S",
        ],
        Some(("WEBHOOK_TEST_S", "s3cr3t-from-env")),
        &["X-Hub-Signature-256: sha256=00".to_owned()],
    )
    .code(1);
    let output = out.get_output();
    let all = [&output.stdout[..], &output.stderr[..]].concat();
    let all = String::from_utf8_lossy(&all);
    assert!(!all.contains("s3cr3t"), "{all}");
}
