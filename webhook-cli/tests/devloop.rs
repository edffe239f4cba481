//! The local development loop over real sockets on 127.0.0.1: a sender, `webhook listen
//! --forward-to`, and a local app that verifies each delivery itself; recording, replay
//! (as recorded and re-signed), `verify --delivery [--explain]` and `inspect`.

#[path = "support/app.rs"]
mod app;
mod common;

use app::{App, now, post_signed};
use common::{ListenProcess, TempFile, temp_path, webhook};
use predicates::prelude::*;
use webhook_verify::Provider;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Bodies whose bytes a re-encoding would change: spacing, key order, escapes, non-ASCII,
/// a final newline.
fn body(n: usize) -> Vec<u8> {
    format!(
        "{{ \"type\" : \"invoice.paid\",\"id\":\"evt_{n}\",  \"data\": {{\"name\":\"Zo\u{eb} \\u00e9\",\"n\":{n}.50}} }}\n"
    )
    .into_bytes()
}

fn listen(app: &App, extra: &[&str]) -> ListenProcess {
    let mut args = vec![
        "--provider",
        "standard",
        "--secret",
        SECRET,
        "--path",
        "/in",
        "--forward-to",
        &app.url,
    ];
    args.extend_from_slice(extra);
    ListenProcess::start(&args)
}

#[test]
fn forwarding_keeps_the_bytes_and_passes_the_apps_answer_back() {
    let mut app = App::start(Provider::STANDARD_WEBHOOKS, SECRET);
    let listener = listen(&app, &[]);
    let p = Provider::STANDARD_WEBHOOKS;

    let (status, x_app, text, sent) =
        post_signed(&p, SECRET, &listener.url, &body(1), "msg_1", now(), false);
    assert_eq!(
        (status, x_app.as_deref(), text.as_str()),
        (201, Some("yes"), "handled msg_1")
    );
    let got = app.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].verified, "the app's own verification failed");
    assert_eq!(got[0].body, body(1), "the body changed on the way");
    for (name, value) in &sent {
        assert_eq!(got[0].header(name), Some(value.as_str()), "{name}");
    }
    assert_eq!(got[0].header("user-agent"), Some("test-sender/1"));
    assert_eq!(got[0].header("content-type"), Some("application/json"));

    // A tampered delivery is answered by the listener (401) and never reaches the app.
    let (status, x_app, text, _) =
        post_signed(&p, SECRET, &listener.url, &body(2), "msg_2", now(), true);
    assert_eq!(
        (status, x_app, text.as_str()),
        (401, None, "invalid signature")
    );
    assert_eq!(app.received().len(), 1);

    // The same delivery again is a duplicate, answered without the app.
    let (status, _, text, _) =
        post_signed(&p, SECRET, &listener.url, &body(1), "msg_1", now(), false);
    assert_eq!((status, text.as_str()), (200, "duplicate"));
    assert_eq!(app.received().len(), 1);

    // The app is down: the sender gets 502, and the line says why.
    app.stop();
    let (status, _, text, _) =
        post_signed(&p, SECRET, &listener.url, &body(3), "msg_3", now(), false);
    assert_eq!((status, text.as_str()), (502, "bad gateway"));

    let lines = listener.wait_lines(4);
    assert_eq!(lines.len(), 4, "{lines:?}\n{}", listener.stderr());
    let first: Vec<&str> = lines[0].split_whitespace().collect();
    // time, provider, event type, id, outcome, app status, latency
    assert!(first[0].ends_with('Z'), "{}", lines[0]);
    assert_eq!(
        &first[1..7],
        ["standard", "invoice.paid", "msg_1", "handled", "app", "201"],
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with(" ms"), "{}", lines[0]);
    assert!(
        lines[1].contains("msg_2")
            && lines[1].contains("signature_mismatch")
            && lines[1].contains("app -"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains("duplicate"), "{}", lines[2]);
    assert!(
        lines[3].contains("app_unreachable")
            && lines[3].contains("app unreachable: ")
            && lines[3].contains("502"),
        "{}",
        lines[3]
    );
}

#[test]
fn unverified_deliveries_are_forwarded_marked_only_when_asked() {
    let app = App::start(Provider::STANDARD_WEBHOOKS, SECRET);
    let listener = listen(&app, &["--forward-unverified", "--json"]);
    let p = Provider::STANDARD_WEBHOOKS;
    let (status, x_app, text, _) =
        post_signed(&p, SECRET, &listener.url, &body(1), "msg_1", now(), true);
    // The app refuses it itself, and its answer is what the sender gets.
    assert_eq!((status, x_app.as_deref()), (401, Some("yes")), "{text}");
    let got = app.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].header("webhook-verify-unverified"),
        Some("signature_mismatch")
    );
    assert!(!got[0].verified);

    let lines = listener.wait_lines(1);
    let line: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(line["outcome"], "signature_mismatch");
    assert_eq!(line["app_status"], 401);
    assert_eq!(line["id"], "msg_1");
    assert_eq!(line["event_type"], "invoice.paid");
    assert_eq!(line["error"], "invalid signature");
}

/// Three deliveries through `listen --record`: two good, one tampered. Returns the
/// listener's record file, the headers sent, and the app.
fn record_three(
    extra: &[&str],
    timestamp: i64,
) -> (std::path::PathBuf, Vec<Vec<(String, String)>>, App) {
    let app = App::start(Provider::STANDARD_WEBHOOKS, SECRET);
    let file = temp_path("deliveries.ndjson");
    let file_arg = file.to_str().unwrap().to_owned();
    let mut args = vec!["--record", file_arg.as_str()];
    args.extend_from_slice(extra);
    let listener = listen(&app, &args);
    let p = Provider::STANDARD_WEBHOOKS;
    let mut sent = Vec::new();
    for (n, tamper) in [(1, false), (2, false), (3, true)] {
        let id = format!("msg_{n}");
        let (_, _, _, headers) =
            post_signed(&p, SECRET, &listener.url, &body(n), &id, timestamp, tamper);
        sent.push(headers);
    }
    assert_eq!(listener.wait_lines(3).len(), 3);
    drop(listener);
    (file, sent, app)
}

fn signature_values(sent: &[Vec<(String, String)>]) -> Vec<String> {
    sent.iter()
        .flatten()
        .filter(|(n, _)| n == "webhook-signature")
        .map(|(_, v)| v.trim_start_matches("v1,").to_owned())
        .collect()
}

#[test]
fn recorded_files_hold_no_secret_and_no_signature_unless_asked() {
    let (file, sent, _app) = record_three(&[], now());
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(!text.contains(SECRET) && !text.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    let signatures = signature_values(&sent);
    assert_eq!(signatures.len(), 3);
    for sig in &signatures {
        assert!(!text.contains(sig.as_str()), "signature {sig} written");
    }
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["provider"], "standard");
    assert_eq!(first["outcome"], "handled");
    assert_eq!(first["status"], 201);
    assert_eq!(first["app_status"], 201);
    assert_eq!(first["id"], "msg_1");
    assert_eq!(first["event_type"], "invoice.paid");
    assert_eq!(first["signatures_masked"], true);
    assert!(first["url"].as_str().unwrap().ends_with("/in"));
    assert!(first["received_at"].as_str().unwrap().ends_with('Z'));
    let headers = first["headers"].as_array().unwrap();
    assert!(
        headers
            .iter()
            .any(|h| h[0] == "webhook-signature" && h[1] == "v1,[masked]")
    );
    assert!(
        headers
            .iter()
            .any(|h| h[0] == "webhook-id" && h[1] == "msg_1")
    );
    let third: serde_json::Value = serde_json::from_str(text.lines().nth(2).unwrap()).unwrap();
    assert_eq!(third["outcome"], "signature_mismatch");
    assert_eq!(third["status"], 401);
    assert_eq!(third["error"], "invalid signature");
    assert!(!third["diagnosis"].as_array().unwrap().is_empty());

    // With --record-signatures the values are kept (and still no secret).
    let (file, sent, _app) = record_three(&["--record-signatures"], now());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    for sig in signature_values(&sent) {
        assert!(text.contains(sig.as_str()), "signature {sig} missing");
    }
}

#[test]
fn replay_sends_the_same_deliveries_as_recorded_or_re_signed_now() {
    // Signed 120 s ago: within the tolerance, so as-recorded replays still verify.
    let signed_at = now() - 120;
    let (file, _sent, _app) = record_three(&["--record-signatures"], signed_at);
    let path = file.to_str().unwrap();

    // As recorded: the app gets the same bytes and headers; the tampered one fails there.
    let target = App::start(Provider::STANDARD_WEBHOOKS, SECRET);
    let out = webhook()
        .args(["replay", path, "--to", &target.url])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with("line 1  standard  invoice.paid  msg_1  as recorded  -> 201"),
        "{}",
        lines[0]
    );
    assert!(lines[2].contains("-> 401"), "{}", lines[2]);
    let got = target.received();
    assert_eq!(got.len(), 3);
    for (n, r) in got.iter().enumerate() {
        assert_eq!(r.body.len(), body(n + 1).len() + usize::from(n == 2));
        assert_eq!(
            r.header("webhook-timestamp"),
            Some(signed_at.to_string().as_str())
        );
    }
    assert!(got[0].verified && got[1].verified && !got[2].verified);
    assert_eq!(got[0].body, body(1));

    // Re-signed: every delivery verifies at the new time, with its recorded id. The
    // secret comes from WEBHOOK_SECRET.
    let target = App::start(Provider::STANDARD_WEBHOOKS, SECRET);
    let before = now();
    webhook()
        .args([
            "replay",
            &format!("{path}:2"),
            "--to",
            &target.url,
            "--resign",
            "--json",
        ])
        .env("WEBHOOK_SECRET", SECRET)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("\"line\":2")
                .and(predicate::str::contains("\"resigned\":true")),
        );
    let got = target.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].verified);
    assert_eq!(got[0].id.as_deref(), Some("msg_2"));
    assert_eq!(got[0].body, body(2));
    let ts = got[0].timestamp.unwrap();
    assert!(
        ts >= before && ts > signed_at + 100,
        "re-signed at {ts}, recorded {signed_at}"
    );
}

#[test]
fn replaying_a_masked_recording_needs_resign() {
    let (file, _sent, _app) = record_three(&[], now());
    let path = file.to_str().unwrap();
    let target = App::start(Provider::STANDARD_WEBHOOKS, SECRET);
    webhook()
        .args(["replay", &format!("{path}:1"), "--to", &target.url])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("signature masked"));
    assert!(!target.received()[0].verified);
    webhook()
        .args([
            "replay",
            &format!("{path}:1"),
            "--to",
            &target.url,
            "--resign",
            "--secret",
            SECRET,
        ])
        .assert()
        .success();
    assert!(target.received()[1].verified);
    assert_eq!(target.received()[1].body, body(1));
}

#[test]
fn verify_delivery_checks_recorded_deliveries_and_explains() {
    let (file, sent, _app) = record_three(&["--record-signatures"], now());
    let path = file.to_str().unwrap();

    webhook()
        .args([
            "verify",
            "--delivery",
            &format!("{path}:1"),
            "--secret",
            SECRET,
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "{\"provider\":\"standard\",\"id\":\"msg_1\",",
        ));
    // The secret from WEBHOOK_SECRET, the provider from the record.
    webhook()
        .args(["verify", "--delivery", &format!("{path}:2")])
        .env("WEBHOOK_SECRET", SECRET)
        .assert()
        .success();
    // The tampered one: exit 1, why, and the diagnosis.
    let out = webhook()
        .args([
            "verify",
            "--delivery",
            &format!("{path}:3"),
            "--secret",
            SECRET,
            "--explain",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    for expected in [
        "explain: provider standard (key form: ",
        "explain: header webhook-signature: present: v1,<signature>",
        "explain: header webhook-id: present: msg_3",
        "explain: signed string: {id}.{timestamp}.{body}",
        "explain: timestamp: ",
        "(2026-",
        "; tolerance ±300 s",
        "explain: body: 84 bytes, JSON, ends with a space",
        "explain: result: not verified: invalid signature",
        "not verified: invalid signature",
        "hint: ",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in\n{stderr}");
    }
    for sig in signature_values(&sent) {
        assert!(!stderr.contains(sig.as_str()));
    }
    assert!(!stderr.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    // A good one explained: stdout keeps its one JSON line.
    webhook()
        .args([
            "verify",
            "--delivery",
            &format!("{path}:1"),
            "--secret",
            SECRET,
            "--explain",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with("{\"provider\":\"standard\"")
                .and(predicate::str::contains("explain").not()),
        )
        .stderr(predicate::str::contains("explain: result: verified"));
    // Several deliveries without :N, a line past the end: usage errors.
    webhook()
        .args(["verify", "--delivery", path, "--secret", SECRET])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds 3 deliveries"));
    webhook()
        .args([
            "verify",
            "--delivery",
            &format!("{path}:9"),
            "--secret",
            SECRET,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no line 9"));
    // --delivery replaces -H and --body-file.
    webhook()
        .args([
            "verify",
            "--delivery",
            path,
            "--secret",
            SECRET,
            "-H",
            "a: b",
        ])
        .assert()
        .code(2);
}

#[test]
fn a_masked_recording_does_not_verify_and_says_why() {
    let (file, _sent, _app) = record_three(&[], now());
    webhook()
        .args([
            "verify",
            "--delivery",
            &format!("{}:1", file.display()),
            "--secret",
            SECRET,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--record-signatures"));
}

/// A recorded line, as `listen --record` writes it.
fn line(provider: &str, event: Option<&str>, id: &str, outcome: &str, status: u16) -> String {
    serde_json::json!({
        "received_at": "2026-11-29T19:20:01.123Z",
        "method": "POST",
        "url": "http://127.0.0.1:8080/",
        "provider": provider,
        "outcome": outcome,
        "status": status,
        "id": id,
        "event_type": event,
        "signatures_masked": true,
        "headers": [["content-type", "application/json"]],
        "body_base64": "e30=",
    })
    .to_string()
}

#[test]
fn inspect_counts_by_provider_type_and_outcome() {
    let text = [
        line("stripe", Some("invoice.paid"), "evt_1", "handled", 200),
        line(
            "stripe",
            Some("invoice.paid"),
            "evt_2",
            "signature_mismatch",
            401,
        ),
        String::new(),
        line("github", Some("push"), "d1", "handled", 200),
        line("stripe", None, "evt_3", "duplicate", 200),
    ]
    .join("\n");
    let file = TempFile::new(text.as_bytes());
    let out = webhook()
        .args(["inspect", file.path(), "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["deliveries"], 4);
    assert_eq!(
        json["by_provider"],
        serde_json::json!({"github": 1, "stripe": 3})
    );
    assert_eq!(
        json["by_event_type"],
        serde_json::json!({"(none)": 1, "invoice.paid": 2, "push": 1})
    );
    assert_eq!(
        json["by_outcome"],
        serde_json::json!({"duplicate": 1, "handled": 2, "signature_mismatch": 1})
    );
    assert_eq!(json["rows"].as_array().unwrap().len(), 4);
    assert_eq!(json["rows"][2]["line"], 4);

    let out = webhook().args(["inspect", file.path()]).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("LINE  RECEIVED"), "{table}");
    assert!(table.contains("\n4 deliveries\n"), "{table}");
    assert!(
        table.contains("\nPROVIDER  COUNT\ngithub    1\nstripe    3\n"),
        "{table}"
    );
    assert!(table.contains("signature_mismatch  1"), "{table}");

    // One line.
    let out = webhook()
        .args(["inspect", &format!("{}:4", file.path()), "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["deliveries"], 1);
    assert_eq!(json["by_provider"], serde_json::json!({"github": 1}));
}

#[test]
fn bad_files_are_usage_errors_naming_the_line() {
    let text = format!(
        "{}\n{{\"not\": \"a delivery\"}}\n",
        line("github", None, "d", "handled", 200)
    );
    let file = TempFile::new(text.as_bytes());
    for args in [
        vec!["inspect", file.path()],
        vec!["replay", file.path(), "--to", "http://127.0.0.1:1/"],
        vec!["verify", "--delivery", file.path(), "--secret", "s"],
    ] {
        webhook()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{}:2: not a recorded delivery",
                file.path()
            )));
    }
    let garbage = TempFile::new(b"\xff\xfe not json\n");
    webhook()
        .args(["inspect", garbage.path()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 1"));
    for args in [
        vec!["inspect", "/nonexistent/deliveries.ndjson"],
        vec![
            "replay",
            "/nonexistent/deliveries.ndjson",
            "--to",
            "http://127.0.0.1:1/",
        ],
        vec![
            "verify",
            "--delivery",
            "/nonexistent/deliveries.ndjson:1",
            "--secret",
            "s",
        ],
    ] {
        webhook()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "cannot read /nonexistent/deliveries.ndjson",
            ));
    }
    // --resign without any secret source.
    let good = TempFile::new(line("github", None, "d", "handled", 200).as_bytes());
    webhook()
        .args([
            "replay",
            good.path(),
            "--to",
            "http://127.0.0.1:1/",
            "--resign",
        ])
        .env_remove("WEBHOOK_SECRET")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("WEBHOOK_SECRET"));
}

#[test]
fn listen_json_prints_every_delivery_without_forwarding() {
    let listener = ListenProcess::start(&["--provider", "standard", "--secret", SECRET, "--json"]);
    let p = Provider::STANDARD_WEBHOOKS;
    let (status, _, text, _) =
        post_signed(&p, SECRET, &listener.url, &body(1), "msg_1", now(), false);
    assert_eq!((status, text.as_str()), (200, "ok"));
    let (status, _, _, _) = post_signed(&p, SECRET, &listener.url, &body(2), "msg_2", now(), true);
    assert_eq!(status, 401);
    let lines = listener.wait_lines(2);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    let second: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(
        (
            &first["outcome"],
            &first["status"],
            &first["id"],
            &first["app_status"]
        ),
        (
            &"verified".into(),
            &200.into(),
            &"msg_1".into(),
            &serde_json::Value::Null
        )
    );
    assert_eq!(
        (&second["outcome"], &second["status"]),
        (&"signature_mismatch".into(), &401.into())
    );
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn url_signing_providers_are_verified_against_the_public_url() {
    // Square signs the notification URL: behind a tunnel, the listener must be told it.
    let secret = "square-signature-key";
    let public = "https://hooks.example.dev";
    let listener = ListenProcess::start(&[
        "--provider",
        "square",
        "--secret",
        secret,
        "--path",
        "/sq",
        "--public-url",
        public,
        "--json",
    ]);
    let signer = webhook_verify::Signer::new(&Provider::SQUARE, secret).unwrap();
    let payload = br#"{"event_id":"e1","type":"payment.created"}"#;
    let headers = signer
        .sign(
            payload,
            &webhook_verify::SignOptions::new().url(format!("{public}/sq")),
        )
        .unwrap();
    // Signed for the public URL, posted to the listener's loopback address.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        let mut request = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .post(&listener.url);
        for (n, v) in &headers {
            request = request.header(n.as_str(), v.as_str());
        }
        request
            .body(payload.to_vec())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 200, "{}", listener.stderr());
    let lines = listener.wait_lines(1);
    assert!(lines[0].contains("\"outcome\":\"verified\""), "{lines:?}");
}

#[test]
fn forwarding_takes_plain_http_urls() {
    for url in ["https://127.0.0.1:3000/", "not a url"] {
        webhook()
            .args(["listen", "--provider", "github", "--secret", "s"])
            .args(["--addr", "127.0.0.1:0", "--forward-to", url])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--forward-to"));
    }
    webhook()
        .args(["replay", "/nonexistent", "--to", "ftp://x/"])
        .assert()
        .code(2);
}

#[test]
fn explain_works_with_captured_headers_too() {
    let body = TempFile::new(b"{\"id\":\"evt_1\"}");
    webhook()
        .args(["verify", "--provider", "stripe", "--secret", "whsec_x", "--explain"])
        .args(["-H", "Stripe-Signature: t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150"])
        .args(["--body-file", body.path(), "--now", "1700000412"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("explain: header stripe-signature: present: t=1700000000,v1=<signature>")
                .and(predicate::str::contains("explain: signed string: {t}.{body}"))
                .and(predicate::str::contains("clock 1700000412: 412 s old; tolerance 300 s, past only"))
                .and(predicate::str::contains("explain: body: 14 bytes, JSON, no final newline"))
                .and(predicate::str::contains("4f1cd7fe").not())
                .and(predicate::str::contains("not verified: timestamp outside tolerance")),
        );
}
