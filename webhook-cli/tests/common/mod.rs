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

/// The body signed in round trips: JSON with an id and a type, or a form for providers
/// that sign the URL (Twilio form deliveries).
pub fn sample_body(p: &Provider) -> Vec<u8> {
    if p.needs_url() {
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
