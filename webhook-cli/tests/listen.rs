//! `webhook send` against a `webhook listen` child process on 127.0.0.1: a good delivery
//! gets 200 and is printed as a JSON line, a wrong secret gets 401, an oversized body 413.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use common::{TempFile, webhook};
use predicates::prelude::*;
use webhook_testkit::{StoreKind, for_each_store};

/// A `webhook listen` child on 127.0.0.1 with a free port; killed on drop.
struct Listener {
    child: Child,
    url: String,
}

impl Listener {
    fn start(provider: &str, secret: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("webhook"))
            .args(["listen", "--provider", provider, "--secret", secret])
            .args(["--addr", "127.0.0.1:0", "--path", "/hooks/in"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The first stderr line says where it listens: "listening on http://ADDR/path ...".
        let mut line = String::new();
        BufReader::new(child.stderr.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Self { child, url }
    }

    /// Stops the listener and returns what it printed on stdout.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let out = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap())
            .wait_with_output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed handshake is answered by the listener through the core (Slack's
/// `url_verification`), and a forged one refused.
#[test]
fn listen_answers_a_signed_handshake() {
    let secret = "8f742231b10e8888abcd99yyyzzz85a5";
    let listener = Listener::start("slack", secret, &[]);
    let body = TempFile::new(br#"{"token":"t","challenge":"c-123","type":"url_verification"}"#);
    webhook()
        .args(["send", "--provider", "slack", "--secret", secret])
        .args(["--body-file", body.path(), &listener.url])
        .assert()
        .success()
        .stdout("200 OK\n{\"challenge\":\"c-123\"}\n");
    webhook()
        .args(["send", "--provider", "slack", "--secret", "not the secret"])
        .args(["--body-file", body.path(), &listener.url])
        .assert()
        .code(1)
        .stdout("401 Unauthorized\ninvalid signature\n");
    // A handshake is no delivery: nothing is printed for it.
    assert_eq!(listener.stop(), "");
}

/// One raw HTTP/1.1 GET to the listener: status line and body.
fn get(url: &str) -> (String, String) {
    use std::io::{Read as _, Write as _};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

/// GET handshakes are answered by the listener through the core: X's CRC with the secret,
/// Meta's with `--verify-token` (a wrong token is refused), any other GET gets 405.
#[test]
fn listen_answers_get_handshakes() {
    let listener = Listener::start("x", "consumer-secret", &[]);
    let (status, body) = get(&format!("{}?crc_token=M2RkODJkZmMtYjlk", listener.url));
    assert_eq!(status, "HTTP/1.1 200 OK");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        answer["response_token"]
            .as_str()
            .unwrap()
            .starts_with("sha256="),
        "{body}"
    );
    let (status, _) = get(&listener.url);
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
    assert_eq!(listener.stop(), "");

    let listener = Listener::start("meta", "app-secret", &["--verify-token", "vt-1"]);
    let ok = "?hub.mode=subscribe&hub.verify_token=vt-1&hub.challenge=1158201444";
    let (status, body) = get(&format!("{}{ok}", listener.url));
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("HTTP/1.1 200 OK", "1158201444")
    );
    let forged = "?hub.mode=subscribe&hub.verify_token=vt-2&hub.challenge=1158201444";
    let (status, body) = get(&format!("{}{forged}", listener.url));
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("HTTP/1.1 403 Forbidden", "invalid verify token")
    );
}

#[test]
fn send_to_listen_gets_200_and_a_wrong_secret_401() {
    let listener = Listener::start("github", "It's a Secret to Everybody", &[]);
    let body = TempFile::new(br#"{"action":"opened","number":1}"#);

    webhook()
        .args([
            "send",
            "--provider",
            "github",
            "--secret",
            "It's a Secret to Everybody",
        ])
        .args([
            "-H",
            "X-GitHub-Event: issues",
            "-H",
            "X-GitHub-Delivery: 72d3162e-cc78-11e3-81ab-4c9367dc0958",
        ])
        .args(["--body-file", body.path(), &listener.url])
        .assert()
        .success()
        .stdout("200 OK\nok\n");

    webhook()
        .args(["send", "--provider", "github", "--secret", "not the secret"])
        .args(["--body-file", body.path(), &listener.url])
        .assert()
        .code(1)
        .stdout("401 Unauthorized\ninvalid signature\n")
        .stderr(predicate::str::contains("401"));

    // The wrong path is not the endpoint.
    let elsewhere = listener.url.replace("/hooks/in", "/other");
    webhook()
        .args([
            "send",
            "--provider",
            "github",
            "--secret",
            "It's a Secret to Everybody",
        ])
        .args(["--body-file", body.path(), &elsewhere])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("404"));

    let printed = listener.stop();
    assert_eq!(
        printed,
        "{\"provider\":\"github\",\"id\":\"72d3162e-cc78-11e3-81ab-4c9367dc0958\",\"timestamp\":null,\"event_type\":\"issues\"}\n"
    );
}

#[test]
fn listen_follows_the_status_policy() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let listener = Listener::start("standard", secret, &["--max-body", "64"]);
    let small = TempFile::new(br#"{"type":"user.created"}"#);
    let large = TempFile::new(&[b'x'; 65]);

    webhook()
        .args([
            "send",
            "--provider",
            "standard",
            "--secret",
            secret,
            "--body-file",
            small.path(),
            &listener.url,
        ])
        .assert()
        .success()
        .stdout("200 OK\nok\n");
    webhook()
        .args([
            "send",
            "--provider",
            "standard",
            "--secret",
            secret,
            "--body-file",
            large.path(),
            &listener.url,
        ])
        .assert()
        .code(1)
        .stdout("413 Payload Too Large\npayload too large\n");
    // A header a proxy mangled: 400 with the header's name.
    webhook()
        .args([
            "send",
            "--provider",
            "svix",
            "--secret",
            secret,
            "--body-file",
            small.path(),
            &listener.url,
        ])
        .assert()
        .code(1)
        .stdout("400 Bad Request\nmissing header webhook-signature\n");

    let printed = listener.stop();
    assert_eq!(printed.lines().count(), 1, "{printed}");
    let line: serde_json::Value = serde_json::from_str(printed.trim_end()).unwrap();
    assert_eq!(line["provider"], "standard");
    assert_eq!(line["event_type"], "user.created");
}

#[test]
fn send_to_a_closed_port_fails_with_exit_1() {
    webhook()
        .args([
            "send",
            "--provider",
            "github",
            "--secret",
            "s",
            "http://127.0.0.1:1/",
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with("not sent: "));
}

/// Sends the same GitHub delivery (same body, so the same signature) and returns what
/// `send` printed.
fn send_github(url: &str, body: &TempFile) -> String {
    let out = webhook()
        .args(["send", "--provider", "github", "--secret", "s3cret"])
        .args([
            "-H",
            "X-GitHub-Event: ping",
            "--body-file",
            body.path(),
            url,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// With the in-memory store (the default) and with `--redis`: the same delivery twice is
/// handled once, then acknowledged as a duplicate.
#[tokio::test]
async fn listen_answers_a_repeated_delivery_with_duplicate() {
    let mut stores = Vec::new();
    for_each_store(|store| {
        stores.push(store.kind());
        async move {
            let extra: Vec<String> = match store.redis_url() {
                Some(url) => vec!["--redis".to_owned(), url],
                None => Vec::new(),
            };
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            let listener = Listener::start("github", "s3cret", &extra);
            let body = TempFile::new(br#"{"zen":"Keep it logically awesome."}"#);
            let first = send_github(&listener.url, &body);
            assert_eq!(first, "200 OK\nok\n", "{extra:?}");
            let second = send_github(&listener.url, &body);
            assert_eq!(second, "200 OK\nduplicate\n", "{extra:?}");
            let printed = listener.stop();
            assert_eq!(printed.lines().count(), 1, "{extra:?}: {printed}");
        }
    })
    .await;
    assert_eq!(stores, [StoreKind::Memory, StoreKind::Redis]);
}

#[test]
fn listen_with_an_unreachable_redis_is_a_usage_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    webhook()
        .args(["listen", "--provider", "github", "--secret", "s3cret"])
        .args([
            "--addr",
            "127.0.0.1:0",
            "--redis",
            &format!("redis://127.0.0.1:{port}/"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--redis"));
}

#[test]
fn listen_and_send_read_secrets_from_a_file_and_the_environment() {
    let secret = "It's a Secret to Everybody";
    let file = TempFile::new(format!("{secret}\n").as_bytes());
    // An old secret on the command line, the current one from a file (rotation).
    let listener = Listener::start("github", "old-secret", &["--secret-file", file.path()]);
    let body = TempFile::new(br#"{"zen":"ok"}"#);
    webhook()
        .env("WEBHOOK_TEST_SEND_SECRET", secret)
        .args(["send", "--provider", "github"])
        .args(["--secret-env", "WEBHOOK_TEST_SEND_SECRET"])
        .args(["--body-file", body.path(), &listener.url])
        .assert()
        .success()
        .stdout("200 OK\nok\n");
    let printed = listener.stop();
    assert!(printed.starts_with("{\"provider\":\"github\""), "{printed}");
}

/// `--metrics-addr` serves Prometheus metrics: each delivery counted by outcome.
#[test]
fn listen_serves_metrics() {
    use std::io::{Read as _, Write as _};
    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let listener = Listener::start("github", "s3cret", &["--metrics-addr", &metrics_addr]);
    let body = TempFile::new(br#"{"zen":"Approachable is better than simple."}"#);
    assert_eq!(send_github(&listener.url, &body), "200 OK\nok\n");
    assert_eq!(send_github(&listener.url, &body), "200 OK\nduplicate\n");
    webhook()
        .args(["send", "--provider", "github", "--secret", "wrong"])
        .args(["--body-file", body.path(), &listener.url])
        .assert()
        .code(1);
    let mut stream = std::net::TcpStream::connect(&metrics_addr).unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    for (outcome, count) in [("verified", 1), ("duplicate", 1), ("signature_mismatch", 1)] {
        let line = format!(
            "webhook_deliveries_total{{provider=\"github\",outcome=\"{outcome}\"}} {count}"
        );
        assert!(text.lines().any(|l| l == line), "{line} not in:\n{text}");
    }
    assert!(
        text.contains("webhook_verify_duration_seconds_count{provider=\"github\"} 3"),
        "{text}"
    );
}
