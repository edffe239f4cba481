//! What only the CLI tests need: the binary, body files, its output. Secrets, NOW, key
//! forms and vectors come from `webhook_testkit`.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use assert_cmd::Command;
use webhook_verify::Provider;

/// The `webhook` binary.
pub fn webhook() -> Command {
    Command::cargo_bin("webhook").unwrap()
}

/// A file holding `bytes` exactly, removed when the returned guard drops.
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn new(bytes: &[u8]) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "webhook-cli-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, bytes).unwrap();
        Self(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The body signed in round trips: JSON with an id and a type, or a form for the
/// providers that sign form parameters (Twilio, Mandrill). HubSpot signs the URL too, but
/// its body is JSON, followed by the timestamp: it must not end in a digit.
pub fn sample_body(p: &Provider) -> Vec<u8> {
    if matches!(p.name(), "twilio" | "mandrill") {
        b"CallSid=CA123&Digits=1234&From=%2B14158675309".to_vec()
    } else {
        br#"{"id":"evt_123","type":"ping.created","event_type":"ping.created","data":{"n":1}}"#
            .to_vec()
    }
}

/// `Name: value` lines as printed by `webhook sign`.
pub fn header_lines(stdout: &[u8]) -> Vec<String> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The first line of `bytes`, as text.
pub fn first_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A `webhook listen` child with its stdout and stderr collected in the background (so
/// neither pipe fills up); killed on drop.
pub struct ListenProcess {
    child: std::process::Child,
    stdout: std::sync::Arc<std::sync::Mutex<String>>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    /// The delivery URL (`http://127.0.0.1:PORT/path`).
    pub url: String,
    /// The inspector's URL, with `--ui`.
    pub ui: Option<String>,
}

impl ListenProcess {
    /// Starts `webhook listen ARGS --addr 127.0.0.1:0` and waits for its address lines.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_env(args, &[])
    }

    /// As [`start`](Self::start), with extra environment variables.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        use std::io::{BufRead as _, BufReader, Read as _};
        use std::process::{Command, Stdio};
        use std::sync::{Arc, Mutex};

        let mut command = Command::new(assert_cmd::cargo::cargo_bin("webhook"));
        command
            .arg("listen")
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .env_remove("WEBHOOK_SECRET")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut out_pipe = child.stdout.take().unwrap();
        let out_buf = stdout.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                out_buf
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let err_pipe = child.stderr.take().unwrap();
        let err_buf = stderr.clone();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(err_pipe);
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                err_buf.lock().unwrap().push_str(&line);
                let _ = tx.send(std::mem::take(&mut line));
            }
        });
        let wants_ui = args.contains(&"--ui");
        let mut url = None;
        let mut ui = None;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while url.is_none() || (wants_ui && ui.is_none()) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Ok(line) = rx.recv_timeout(left) else {
                let _ = child.kill();
                panic!("listen did not start: {}", stderr.lock().unwrap().as_str());
            };
            let addr = line
                .split_whitespace()
                .find(|w| w.starts_with("http://127.0.0.1:"))
                .map(str::to_owned);
            if line.starts_with("listening on") {
                url = addr;
            } else if line.starts_with("inspector on") {
                ui = addr.map(|a| a.trim_end_matches('/').to_owned());
            }
        }
        Self {
            child,
            stdout,
            stderr,
            url: url.unwrap(),
            ui,
        }
    }

    /// What it printed on stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// What it printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits up to 10 s until stdout holds `n` lines; returns them.
    pub fn wait_lines(&self, n: usize) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let out = self.stdout();
            let lines: Vec<String> = out.lines().map(str::to_owned).collect();
            if lines.len() >= n || std::time::Instant::now() > deadline {
                return lines;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for ListenProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh path under the test's temporary directory (not created).
pub fn temp_path(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "webhook-cli-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}
