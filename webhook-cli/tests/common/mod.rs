//! Fixtures shared by the CLI tests: the binary, key pairs per provider, file helpers.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use assert_cmd::Command;
use webhook_verify::Provider;

/// The fixed "now" of the tests.
pub const NOW: i64 = 1_700_000_000;

/// Standard Webhooks Ed25519 key pair (the svix README's).
pub const WHSK: &str =
    "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
pub const WHPK: &str = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";

/// Discord: a private seed and its public key (as in the core's derived vectors).
pub const DISCORD_SEED: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
pub const DISCORD_PUBLIC: &str = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

/// The URL deliveries are signed for, for providers that sign the URL.
pub const URL: &str = "http://127.0.0.1:9/hook?x=1";

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

/// Candidate (signing secret, verifying secret) pairs for `p`, most likely first, chosen
/// from the key form the provider describes.
pub fn key_pairs(p: &Provider) -> Vec<(String, String)> {
    let text = || {
        (
            format!("{}-signing-secret", p.name()),
            format!("{}-signing-secret", p.name()),
        )
    };
    let whsec = || {
        let s = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned();
        (s.clone(), s)
    };
    let hex = || {
        let s = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00".to_owned();
        (s.clone(), s)
    };
    let description = p.key_description();
    if p.name() == "discord" || description.contains("Ed25519 public key") {
        return vec![(DISCORD_SEED.into(), DISCORD_PUBLIC.into())];
    }
    if description.contains("whsec_") || description.contains("base64") {
        return vec![whsec(), text(), hex()];
    }
    if description.contains("hex") {
        return vec![hex(), text(), whsec()];
    }
    vec![text(), hex(), whsec()]
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

/// Whether `p`'s signature covers the body: not for a shared token (GitLab) or Mailgun's
/// signature over its timestamp and token.
pub fn signs_body(p: &Provider) -> bool {
    !p.key_description().contains("token") && p.name() != "mailgun"
}
