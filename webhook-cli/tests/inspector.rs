//! The inspector page (`listen --ui`) in a real browser: headless Chromium (Debian's
//! `chromium` package, installed by scripts/setup.sh) loads the page served by the
//! listener after good and tampered deliveries went through it, and the rendered DOM must
//! show each delivery with its outcome and, for failures, the diagnosis. A screenshot is
//! saved under the target directory. Without Chromium this test fails: it never skips.

#[path = "support/app.rs"]
mod app;
mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use app::{App, now, post_signed};
use common::{ListenProcess, temp_path, webhook};
use predicates::prelude::*;
use webhook_verify::Provider;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// `WEBHOOK_TEST_CHROMIUM`, `/usr/bin/chromium`, or `chromium` on the PATH.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("WEBHOOK_TEST_CHROMIUM") {
        return PathBuf::from(path);
    }
    let default = Path::new("/usr/bin/chromium");
    if default.exists() {
        return default.to_owned();
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("chromium"))
                .find(|p| p.exists())
        })
        .unwrap_or_else(|| {
            panic!(
                "the inspector test needs headless Chromium and none was found (looked at \
                 $WEBHOOK_TEST_CHROMIUM, /usr/bin/chromium and the PATH): run \
                 `bash scripts/setup.sh` or `apt-get install -y chromium`"
            )
        })
}

/// Runs headless Chromium on `url` with a fresh profile and a 60 s limit; returns stdout.
fn chromium_run(url: &str, extra: &[&str]) -> String {
    let profile = temp_path("chromium-profile");
    let out = assert_cmd::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("chromium could not be started");
    assert!(
        out.status.success(),
        "chromium failed or timed out: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(profile.parent().unwrap());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn dump_dom(url: &str) -> String {
    chromium_run(url, &["--dump-dom"])
}

/// The rendered row of delivery `seq`: its `<tr …>…</tr>`.
fn row(dom: &str, seq: u64) -> &str {
    let start = dom
        .find(&format!("<tr data-seq=\"{seq}\""))
        .unwrap_or_else(|| panic!("no row for delivery {seq} in\n{dom}"));
    let end = dom[start..].find("</tr>").unwrap() + start;
    &dom[start..end]
}

fn body(kind: &str, n: u32) -> Vec<u8> {
    format!("{{\"type\":\"{kind}\",\"data\":{{\"n\":{n},\"note\":\"<b>not markup</b>\"}}}}")
        .into_bytes()
}

fn http(method: &str, url: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = client.request(method.parse().unwrap(), url);
    for (n, v) in headers {
        request = request.header(*n, *v);
    }
    rt.block_on(async {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    })
}

#[test]
fn the_inspector_shows_each_delivery_its_outcome_and_diagnosis_in_a_browser() {
    let app = App::start(Provider::STANDARD_WEBHOOKS, SECRET);
    let listener = ListenProcess::start(&[
        "--provider",
        "standard",
        "--secret",
        SECRET,
        "--forward-to",
        &app.url,
        "--ui",
        "127.0.0.1:0",
    ]);
    let ui = listener.ui.clone().unwrap();
    let p = Provider::STANDARD_WEBHOOKS;
    let mut signatures = Vec::new();
    for (n, kind, tamper) in [
        (1, "invoice.paid", false),
        (2, "customer.created", false),
        (3, "invoice.paid", true),
    ] {
        let (_, _, _, headers) = post_signed(
            &p,
            SECRET,
            &listener.url,
            &body(kind, n),
            &format!("msg_{n}"),
            now(),
            tamper,
        );
        signatures.extend(
            headers
                .into_iter()
                .filter(|(h, _)| h == "webhook-signature")
                .map(|(_, v)| v.trim_start_matches("v1,").to_owned()),
        );
    }
    assert_eq!(listener.wait_lines(3).len(), 3, "{}", listener.stderr());

    // The list: every delivery, its provider, type, id, outcome; the failure's diagnosis.
    let dom = dump_dom(&format!("{ui}/"));
    let one = row(&dom, 1);
    assert!(one.contains("data-outcome=\"handled\""), "{one}");
    for text in [
        "standard",
        "invoice.paid",
        "msg_1",
        ">handled<",
        "201 from app · ",
    ] {
        assert!(one.contains(text), "{text:?} not in {one}");
    }
    let two = row(&dom, 2);
    assert!(
        two.contains("customer.created") && two.contains("msg_2") && two.contains(">handled<"),
        "{two}"
    );
    let three = row(&dom, 3);
    for text in [
        "data-outcome=\"signature_mismatch\"",
        "msg_3",
        ">signature_mismatch<",
        "class=\"diagnosis\">invalid signature",
        ">401<",
    ] {
        assert!(three.contains(text), "{text:?} not in {three}");
    }
    assert!(dom.contains("id=\"count-accepted\">2<"), "counts");
    assert!(dom.contains("id=\"count-failed\">1<"), "counts");
    // The chart has bars for both outcomes.
    assert!(dom.contains("class=\"bar accepted\"") && dom.contains("class=\"bar failed\""));

    // The detail view: headers with the signature masked, the body pretty-printed (as
    // text: the markup in it is not rendered).
    let detail = dump_dom(&format!("{ui}/#/delivery/1"));
    assert!(
        detail.contains("<td>webhook-signature</td><td>v1,[masked]</td>"),
        "{detail}"
    );
    assert!(detail.contains("<td>webhook-id</td><td>msg_1</td>"));
    assert!(
        detail.contains(">{\n  \"type\": \"invoice.paid\",\n  \"data\": {\n    \"n\": 1,"),
        "{detail}"
    );
    assert!(detail.contains("&lt;b&gt;not markup&lt;/b&gt;"));
    for sig in &signatures {
        assert!(!dom.contains(sig.as_str()) && !detail.contains(sig.as_str()));
    }
    assert!(!detail.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));

    // A screenshot of the list with the failed delivery open, kept as a test artefact.
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("inspector.png");
    let _ = std::fs::remove_file(&shot);
    chromium_run(
        &format!("{ui}/#/delivery/3"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,900",
        ],
    );
    let png = std::fs::read(&shot).expect("no screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    eprintln!("screenshot: {}", shot.display());

    // The replay button's route: re-signed and forwarded; the app verifies it.
    let (status, text) = http("POST", &format!("{ui}/api/deliveries/1/replay"), &[]);
    assert_eq!(status, 403, "{text}");
    let (status, text) = http(
        "POST",
        &format!("{ui}/api/deliveries/1/replay"),
        &[("x-webhook-inspector", "1")],
    );
    assert_eq!(status, 200, "{text}");
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["status"], 201);
    assert_eq!(answer["resigned"], true);
    let got = app.received();
    assert_eq!(got.len(), 3);
    assert!(got[2].verified && got[2].id.as_deref() == Some("msg_1"));

    // Polling: only what is newer than `after`.
    let (_, text) = http("GET", &format!("{ui}/api/deliveries?after=2"), &[]);
    let list: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(list["deliveries"].as_array().unwrap().len(), 1);
    assert_eq!(list["deliveries"][0]["id"], "msg_3");

    // Another host name (DNS rebinding) is refused.
    let (status, _) = http("GET", &format!("{ui}/"), &[("host", "attacker.example")]);
    assert_eq!(status, 403);
}

#[test]
fn the_inspector_listens_on_loopback_unless_allowed() {
    webhook()
        .args(["listen", "--provider", "github", "--secret", "s"])
        .args(["--addr", "127.0.0.1:0", "--ui", "0.0.0.0:0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--ui-allow-remote"));
}

/// The `data-poll` attribute of delivery `seq`'s row: which poll of the page brought it.
fn poll_of(dom: &str, seq: u64) -> Option<u64> {
    let start = dom.find(&format!("<tr data-seq=\"{seq}\""))?;
    let tag = &dom[start..start + dom[start..].find('>')?];
    let value = tag.split("data-poll=\"").nth(1)?.split('"').next()?;
    value.parse().ok()
}

/// Whether a connection to 127.0.0.1:`port` is established (from /proc/net/tcp).
fn connected(port: u16) -> bool {
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return false;
    };
    let local = format!("0100007F:{port:04X}");
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 3 && fields[1] == local && fields[3] == "01"
    })
}

#[test]
fn new_deliveries_appear_in_the_open_page_without_a_reload() {
    let listener = ListenProcess::start(&[
        "--provider",
        "standard",
        "--secret",
        SECRET,
        "--ui",
        "127.0.0.1:0",
    ]);
    let ui = listener.ui.clone().unwrap();
    let ui_port: u16 = ui.rsplit(':').next().unwrap().parse().unwrap();
    let p = Provider::STANDARD_WEBHOOKS;
    let send = |n: u32, tamper: bool| {
        let id = format!("msg_{n}");
        post_signed(
            &p,
            SECRET,
            &listener.url,
            &body("invoice.paid", n),
            &id,
            now(),
            tamper,
        );
    };
    send(1, false);
    // The page stays open (20 virtual minutes of polling, a few real seconds) while more
    // deliveries arrive; they must show up in a later poll than the first. The timing of
    // a real browser is not ours: when Chromium finished before the deliveries were sent,
    // or had not polled yet, try again with more time.
    let mut seq = 1;
    for attempt in 1..=4u64 {
        let profile = temp_path("chromium-profile");
        let mut chromium = std::process::Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--virtual-time-budget=1200000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("{ui}/"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromium could not be started");
        // Wait for the page to be connected (an established connection to the inspector's
        // port, as Linux lists them), then let its first poll finish.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !connected(ui_port) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300 * attempt));
        seq += 2;
        send(seq as u32 - 1, false);
        send(seq as u32, true);
        let still_open = chromium.try_wait().unwrap().is_none();
        // Read its output aside; stop it (this child, through its handle) if it hangs.
        let mut pipe = chromium.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = std::io::Read::read_to_end(&mut pipe, &mut out);
            out
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while chromium.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = chromium.kill();
                let _ = chromium.wait();
                panic!("chromium did not finish within 60 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = reader.join().unwrap();
        let _ = std::fs::remove_dir_all(profile.parent().unwrap());
        let dom = String::from_utf8_lossy(&out).into_owned();
        let first = poll_of(&dom, 1);
        let good = poll_of(&dom, seq - 1);
        let bad = poll_of(&dom, seq);
        eprintln!("attempt {attempt}: open {still_open}, polls {first:?} {good:?} {bad:?}");
        if still_open
            && first == Some(1)
            && good.is_some_and(|p| p > 1)
            && bad.is_some_and(|p| p > 1)
        {
            assert!(row(&dom, seq).contains("data-outcome=\"signature_mismatch\""));
            assert!(row(&dom, seq - 1).contains("data-outcome=\"verified\""));
            return;
        }
    }
    panic!("deliveries sent while the page was open never appeared in it");
}
