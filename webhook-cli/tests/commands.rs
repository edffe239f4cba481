//! `sign`, `verify` and `providers` through the built binary: round trips for every
//! provider, usage errors, the clock flags, byte-exact bodies, and secrets kept quiet.

mod common;

use common::{TempFile, first_line, header_lines, sample_body, webhook};
use predicates::prelude::*;
use webhook_testkit::{
    DISCORD_PUBLIC, DISCORD_SEED, NOW, STANDARD_SECRET, STRIPE_SECRET, URL, WHPK, WHSK, key_forms,
    signs_body, verifier_secret,
};
use webhook_verify::Provider;

/// `webhook sign` for `body` at `ts`, id `msg_test_1` (and [`URL`] where signed).
fn sign_command(p: &Provider, secret: &str, body: &TempFile, ts: i64) -> assert_cmd::Command {
    let mut cmd = webhook();
    cmd.args(["sign", "--provider", p.name(), "--secret", secret])
        .args(["--timestamp", &ts.to_string(), "--id", "msg_test_1"])
        .args(["--body-file", body.path()]);
    if p.needs_url() {
        cmd.args(["--url", URL]);
    }
    cmd
}

/// The headers `webhook sign` prints; panics unless it exits 0.
fn sign(p: &Provider, secret: &str, body: &TempFile, ts: i64) -> Vec<String> {
    let out = sign_command(p, secret, body, ts).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: sign failed: {}",
        p.name(),
        String::from_utf8_lossy(&out.stderr)
    );
    header_lines(&out.stdout)
}

/// `webhook verify` with these headers; returns the command for assertions.
fn verify(
    p: &Provider,
    secret: &str,
    headers: &[String],
    body: &TempFile,
    now: i64,
) -> assert_cmd::assert::Assert {
    let mut cmd = webhook();
    cmd.args(["verify", "--provider", p.name(), "--secret", secret])
        .args(["--now", &now.to_string(), "--body-file", body.path()]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    if p.needs_url() {
        cmd.args(["--url", URL]);
    }
    cmd.assert()
}

/// Providers `sign` refuses: Mailgun carries its signature in the body, Microsoft Graph its
/// shared `clientState`, SendGrid's verifier holds a public key only, AWS SNS and PayPal
/// sign with a certificate's private key.
const CANNOT_SIGN: &[&str] = &[
    "mailgun",
    "sendgrid",
    "microsoft-graph",
    "aws-sns",
    "paypal",
];

#[test]
fn sign_then_verify_round_trips_for_every_provider_and_key_form() {
    let mut round_trips = 0;
    for p in Provider::all() {
        let body = TempFile::new(&sample_body(p));
        let forms = key_forms(p);
        if forms.is_empty() {
            // The providers that cannot sign refuse with a usage error, and say why.
            assert!(CANNOT_SIGN.contains(&p.name()), "{}: no key form", p.name());
            sign_command(p, &verifier_secret(p), &body, NOW)
                .assert()
                .code(2)
                .stdout("")
                .stderr(predicate::str::is_empty().not());
            continue;
        }
        assert!(
            !CANNOT_SIGN.contains(&p.name()),
            "{} signs now: take it off CANNOT_SIGN",
            p.name()
        );
        // Every key form the provider takes must round-trip: none may fall back on another.
        for form in forms {
            let ctx = format!("{} ({})", p.name(), form.form);
            let headers = sign(p, &form.signing, &body, NOW);
            assert!(!headers.is_empty(), "{ctx}");
            for line in &headers {
                assert!(line.contains(": "), "{ctx}: {line}");
                // GitLab's and Okta's "signature" is the shared credential itself; no other
                // header may hold the secret.
                if ![Provider::GITLAB, Provider::OKTA].contains(p) {
                    assert!(!line.contains(&form.signing), "{ctx}: secret printed");
                }
            }
            let out = verify(p, &form.verifying, &headers, &body, NOW + 1)
                .get_output()
                .clone();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{ctx}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(line["provider"], p.name(), "{ctx}");
            // Providers whose timestamp lives in the body (Linear) report none for this body.
            if p.has_timestamp() && *p != Provider::LINEAR {
                assert_eq!(line["timestamp"], NOW, "{ctx}");
            }
            // ...and a flipped byte does not (where the signature covers the body).
            if signs_body(p) {
                let mut tampered = sample_body(p);
                tampered[3] ^= 0x01;
                let tampered = TempFile::new(&tampered);
                verify(p, &form.verifying, &headers, &tampered, NOW + 1)
                    .code(1)
                    .stdout("")
                    .stderr(predicate::str::starts_with("not verified: "));
            }
            round_trips += 1;
        }
    }
    let forms: usize = Provider::all().iter().map(|p| key_forms(p).len()).sum();
    assert_eq!(round_trips, forms);
    assert!(
        forms > Provider::all().len(),
        "several forms for some providers"
    );
}

#[test]
fn standard_webhooks_ed25519_round_trips() {
    let p = Provider::STANDARD_WEBHOOKS;
    let body = TempFile::new(br#"{"type":"user.created"}"#);
    let headers = sign(&p, WHSK, &body, NOW);
    assert!(
        headers
            .iter()
            .any(|h| h.starts_with("webhook-signature: v1a,"))
    );
    verify(&p, WHPK, &headers, &body, NOW)
        .success()
        .stdout(predicate::str::contains(r#""event_type":"user.created""#));
}

#[test]
fn discord_signs_with_the_seed_and_verifies_with_the_public_key() {
    let p = Provider::DISCORD;
    let body = TempFile::new(br#"{"type":1}"#);
    let headers = sign(&p, DISCORD_SEED, &body, NOW);
    verify(&p, DISCORD_PUBLIC, &headers, &body, NOW).success();
}

#[test]
fn sign_prints_name_value_lines() {
    let body = TempFile::new(br#"{"id":"evt_1"}"#);
    webhook()
        .args(["sign", "--provider", "stripe", "--secret", STRIPE_SECRET])
        .args(["--timestamp", "1700000000", "--body-file", body.path()])
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(r"^stripe-signature: t=1700000000,v1=[0-9a-f]{64}\n$")
                .unwrap(),
        );
    webhook()
        .args([
            "sign",
            "--provider",
            "standard",
            "--secret",
            STANDARD_SECRET,
        ])
        .args([
            "--timestamp",
            "1614265330",
            "--id",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
        ])
        .args(["--body-file", "-"])
        .write_stdin(r#"{"test": 2432232314}"#)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n",
        ))
        .stdout(predicate::str::contains(
            "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\n",
        ))
        .stdout(predicate::str::contains("webhook-timestamp: 1614265330\n"));
}

#[test]
fn rotation_any_secret_may_match() {
    let p = Provider::GITHUB;
    let body = TempFile::new(b"{}");
    let headers = sign(&p, "new-secret", &body, NOW);
    let mut cmd = webhook();
    cmd.args([
        "verify",
        "--provider",
        "github",
        "--secret",
        "old-secret",
        "--secret",
        "new-secret",
    ])
    .args(["--body-file", body.path()]);
    for h in &headers {
        cmd.args(["-H", h]);
    }
    cmd.assert().success();
    // The old secret alone does not verify it.
    let mut cmd = webhook();
    cmd.args(["verify", "--provider", "github", "--secret", "old-secret"])
        .args(["--body-file", body.path()]);
    for h in &headers {
        cmd.args(["-H", h]);
    }
    cmd.assert().code(1).stderr(predicate::str::starts_with(
        "not verified: invalid signature",
    ));
}

#[test]
fn usage_errors_exit_2() {
    let body = TempFile::new(b"{}");
    let cases: Vec<Vec<&str>> = vec![
        // unknown provider
        vec!["verify", "--provider", "nope", "--secret", "s"],
        // missing --secret
        vec!["verify", "--provider", "stripe"],
        // missing --provider
        vec!["verify", "--secret", "s"],
        // unreadable body file
        vec![
            "verify",
            "--provider",
            "stripe",
            "--secret",
            "s",
            "--body-file",
            "/nonexistent/body",
        ],
        // malformed -H
        vec![
            "verify",
            "--provider",
            "stripe",
            "--secret",
            "s",
            "-H",
            "no colon here",
        ],
        vec![
            "verify",
            "--provider",
            "stripe",
            "--secret",
            "s",
            "-H",
            ": empty name",
        ],
        vec![
            "verify",
            "--provider",
            "stripe",
            "--secret",
            "s",
            "-H",
            "bad name: v",
        ],
        // bad numbers, unknown flag, empty secret
        vec![
            "verify",
            "--provider",
            "stripe",
            "--secret",
            "s",
            "--tolerance",
            "soon",
        ],
        vec![
            "verify",
            "--provider",
            "stripe",
            "--secret",
            "s",
            "--now",
            "yesterday",
        ],
        vec![
            "verify",
            "--provider",
            "stripe",
            "--secret",
            "s",
            "--colour",
        ],
        vec!["verify", "--provider", "stripe", "--secret", ""],
        // a secret the provider cannot decode
        vec!["verify", "--provider", "standard", "--secret", "whsec_%%%"],
        // sign: unknown provider, unreadable file, URL-signing provider without --url
        vec!["sign", "--provider", "nope", "--secret", "s"],
        vec![
            "sign",
            "--provider",
            "github",
            "--secret",
            "s",
            "--body-file",
            "/nonexistent/body",
        ],
        vec![
            "sign",
            "--provider",
            "twilio",
            "--secret",
            "s",
            "--body-file",
            body.path(),
        ],
        // send: bad URL, unsupported scheme
        vec!["send", "--provider", "github", "--secret", "s", "not a url"],
        vec![
            "send",
            "--provider",
            "github",
            "--secret",
            "s",
            "ftp://127.0.0.1/",
        ],
        // listen: bad address, bad path
        vec![
            "listen",
            "--provider",
            "github",
            "--secret",
            "s",
            "--addr",
            "localhost",
        ],
        vec![
            "listen",
            "--provider",
            "github",
            "--secret",
            "s",
            "--addr",
            "127.0.0.1:0",
            "--path",
            "hook",
        ],
        // no subcommand, unknown subcommand
        vec![],
        vec!["frobnicate"],
    ];
    for args in cases {
        webhook()
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::is_empty().not());
    }
}

#[test]
fn unknown_provider_lists_the_known_ones() {
    let assert = webhook()
        .args(["verify", "--provider", "stripey", "--secret", "s"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("unknown provider \"stripey\""), "{stderr}");
    for p in Provider::all() {
        assert!(stderr.contains(p.name()), "{stderr}");
    }
}

#[test]
fn stale_and_future_timestamps_fail_with_a_hint() {
    let p = Provider::STRIPE;
    let body = TempFile::new(br#"{"id":"evt_1","type":"charge.succeeded"}"#);
    let headers = sign(&p, STRIPE_SECRET, &body, NOW);

    // 412 s after signing: outside Stripe's 300 s.
    let out = verify(&p, STRIPE_SECRET, &headers, &body, NOW + 412)
        .code(1)
        .stdout("")
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let mut lines = stderr.lines();
    assert_eq!(
        lines.next(),
        Some("not verified: timestamp outside tolerance")
    );
    let hint = lines.next().unwrap();
    assert!(hint.starts_with("hint: "), "{stderr}");
    assert!(hint.contains("412 s old (tolerance 300 s)"), "{stderr}");

    // The edge of the window still passes; --tolerance widens it.
    verify(&p, STRIPE_SECRET, &headers, &body, NOW + 300).success();
    let mut cmd = webhook();
    cmd.args(["verify", "--provider", "stripe", "--secret", STRIPE_SECRET])
        .args(["--now", &(NOW + 412).to_string(), "--tolerance", "600"])
        .args(["--body-file", body.path(), "-H", &headers[0]]);
    cmd.assert()
        .success()
        .stdout(format!(
            "{{\"provider\":\"stripe\",\"id\":\"evt_1\",\"timestamp\":{NOW},\"event_type\":\"charge.succeeded\"}}\n"
        ));

    // --tolerance narrows it too.
    let mut cmd = webhook();
    cmd.args(["verify", "--provider", "stripe", "--secret", STRIPE_SECRET])
        .args(["--now", &(NOW + 61).to_string(), "--tolerance", "60"])
        .args(["--body-file", body.path(), "-H", &headers[0]]);
    cmd.assert()
        .code(1)
        .stderr(predicate::str::contains("61 s old (tolerance 60 s)"));

    // Without --now, a captured delivery is stale; the hint says what to do.
    let mut cmd = webhook();
    cmd.args(["verify", "--provider", "stripe", "--secret", STRIPE_SECRET])
        .args(["--body-file", body.path(), "-H", &headers[0]]);
    cmd.assert()
        .code(1)
        .stderr(predicate::str::contains("s old"))
        .stderr(predicate::str::contains("--now"));

    // Standard Webhooks checks the future too.
    let p = Provider::STANDARD_WEBHOOKS;
    let secret = STANDARD_SECRET;
    let headers = sign(&p, secret, &body, NOW);
    verify(&p, secret, &headers, &body, NOW - 400)
        .code(1)
        .stderr(predicate::str::contains("400 s in the future"));
}

#[test]
fn bodies_are_byte_exact() {
    let p = Provider::GITHUB;
    for raw in [
        &b"{\"a\":1}\n"[..],
        b"{\"a\":1}\r\n",
        b"{\"a\":1}",
        b"\xff\xfe not utf-8 \x00",
        b"",
    ] {
        let body = TempFile::new(raw);
        let headers = sign(&p, "s", &body, NOW);
        verify(&p, "s", &headers, &body, NOW).success();
        // Through stdin as well.
        let mut cmd = webhook();
        cmd.args([
            "verify",
            "--provider",
            "github",
            "--secret",
            "s",
            "--body-file",
            "-",
        ])
        .write_stdin(raw.to_vec());
        for h in &headers {
            cmd.args(["-H", h]);
        }
        cmd.assert().success();
    }
    // A newline added after signing is caught, and the hint says so.
    let body = TempFile::new(b"{\"a\":1}");
    let headers = sign(&p, "s", &body, NOW);
    let with_newline = TempFile::new(b"{\"a\":1}\n");
    verify(&p, "s", &headers, &with_newline, NOW)
        .code(1)
        .stderr(predicate::str::contains(
            "not verified: invalid signature\n",
        ))
        .stderr(predicate::str::contains("trailing newline"));
}

#[test]
fn missing_headers_and_url_are_explained() {
    let body = TempFile::new(b"{}");
    webhook()
        .args([
            "verify",
            "--provider",
            "github",
            "--secret",
            "s",
            "--body-file",
            body.path(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "not verified: missing header x-hub-signature-256\n",
        ))
        .stderr(predicate::str::contains("-H 'Name: value'"));
    let headers = sign(&Provider::TWILIO, "12345", &body, NOW);
    let mut cmd = webhook();
    cmd.args([
        "verify",
        "--provider",
        "twilio",
        "--secret",
        "12345",
        "--body-file",
        body.path(),
    ]);
    for h in &headers {
        cmd.args(["-H", h]);
    }
    cmd.assert()
        .code(1)
        .stderr(predicate::str::contains("--url"));
}

#[test]
fn secrets_are_never_printed() {
    let secret = "whsec_TOPSECRETVALUE1234";
    let body = TempFile::new(br#"{"id":"evt_1"}"#);
    // Not in a failure, a usage error, or the signed headers; each run ends the way the
    // contract says (DESIGN §5), so the absence of the secret is not the absence of output.
    let runs: Vec<(i32, Vec<&str>)> = vec![
        // Not verified: the header cannot be read.
        (
            1,
            vec![
                "verify",
                "--provider",
                "stripe",
                "--secret",
                secret,
                "-H",
                "Stripe-Signature: t=1,v1=00",
                "--body-file",
                body.path(),
            ],
        ),
        // Usage errors: unreadable file, unknown provider, a secret the provider cannot
        // decode, a URL-signing provider without --url.
        (
            2,
            vec![
                "verify",
                "--provider",
                "stripe",
                "--secret",
                secret,
                "--body-file",
                "/nonexistent",
            ],
        ),
        (2, vec!["verify", "--provider", "nope", "--secret", secret]),
        (
            2,
            vec![
                "verify",
                "--provider",
                "standard",
                "--secret",
                secret,
                "--body-file",
                body.path(),
            ],
        ),
        // Signed: the headers carry a MAC, never the secret.
        (
            0,
            vec![
                "sign",
                "--provider",
                "stripe",
                "--secret",
                secret,
                "--body-file",
                body.path(),
            ],
        ),
        (
            2,
            vec![
                "sign",
                "--provider",
                "twilio",
                "--secret",
                secret,
                "--body-file",
                body.path(),
            ],
        ),
        // Not sent: nothing listens.
        (
            1,
            vec![
                "send",
                "--provider",
                "stripe",
                "--secret",
                secret,
                "--body-file",
                body.path(),
                "http://127.0.0.1:1/",
            ],
        ),
    ];
    for (code, args) in runs {
        let out = webhook().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
        // Something was said, on the stream the outcome uses.
        let said = if code == 0 { &out.stdout } else { &out.stderr };
        assert!(!said.is_empty(), "{args:?}: nothing printed");
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains("TOPSECRET"), "{args:?}: {text}");
        }
    }
    // --help shows no secret default.
    for sub in ["verify", "sign", "send", "listen"] {
        let out = webhook().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).unwrap();
        // The --secret entry: its line, and in long help its description lines below it
        // (indented further than any option).
        let mut lines = help
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("--secret <SECRET>"));
        let mut entry = lines.next().expect("--secret is documented").to_owned();
        for line in lines.take_while(|l| l.starts_with("          ")) {
            entry.push_str(line);
        }
        assert!(!entry.contains("[default"), "{sub}: {entry}");
        assert!(!entry.contains("[env"), "{sub}: {entry}");
    }
}

#[test]
fn providers_lists_every_provider() {
    let out = webhook()
        .arg("providers")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(first_line(text.as_bytes()).starts_with("PROVIDER"));
    for p in Provider::all() {
        let row = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(p.name()))
            .unwrap_or_else(|| panic!("no row for {}", p.name()));
        assert!(row.contains(p.signature_header()), "{row}");
        assert!(row.contains(p.key_description()), "{row}");
    }
    assert!(text.contains("300 s, past only"), "{text}");
}
