//! The example listeners as processes on 127.0.0.1: keys reloaded from a file on `SIGHUP`,
//! and the two-tenant app.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, ChildStderr, Command, Stdio};

use webhook_verify::{Provider, SignOptions, Signer};

/// A child process killed on drop, and its stderr.
struct Process {
    child: Child,
    stderr: BufReader<ChildStderr>,
}

impl Process {
    /// Starts `binary` on a free port; returns it and its `http://127.0.0.1:PORT`.
    fn start(binary: &str, args: &[&str]) -> (Self, String) {
        let mut child = Command::new(binary)
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let mut process = Self { child, stderr };
        let line = process.line();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        (process, origin)
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.stderr.read_line(&mut line).unwrap();
        line
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn post(url: &str, provider: &Provider, secret: &str, body: &[u8]) -> u16 {
    post_text(url, provider, secret, body).await.0
}

async fn post_text(url: &str, provider: &Provider, secret: &str, body: &[u8]) -> (u16, String) {
    let mut request = reqwest::Client::new().post(url).body(body.to_vec());
    for (name, value) in Signer::new(provider, secret)
        .unwrap()
        .sign(body, &SignOptions::new())
        .unwrap()
    {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn keys_reload_from_the_secrets_file_on_sighup() {
    let dir = std::env::temp_dir().join(format!("webhook-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("secrets");
    std::fs::write(&file, "# rotated by the secret manager\n2025=old-secret\n").unwrap();
    let (mut listener, origin) = Process::start(
        env!("CARGO_BIN_EXE_axum-listener"),
        &[
            "--provider",
            "github",
            "--secrets-file",
            file.to_str().unwrap(),
            "--path",
            "/hooks",
        ],
    );
    let url = format!("{origin}/hooks");
    let github = Provider::GITHUB;
    assert_eq!(post(&url, &github, "old-secret", b"{\"n\":1}").await, 200);
    assert_eq!(post(&url, &github, "new-secret", b"{\"n\":2}").await, 401);

    // Both keys while rotating, then the new one alone.
    std::fs::write(&file, "2025=old-secret\n2026=new-secret\n").unwrap();
    let hup = |pid: u32| {
        let status = Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    hup(listener.child.id());
    assert!(listener.line().contains("keys reloaded"));
    assert_eq!(post(&url, &github, "new-secret", b"{\"n\":3}").await, 200);
    assert_eq!(post(&url, &github, "old-secret", b"{\"n\":4}").await, 200);

    std::fs::write(&file, "2026=new-secret\n").unwrap();
    hup(listener.child.id());
    assert!(listener.line().contains("keys reloaded"));
    assert_eq!(post(&url, &github, "old-secret", b"{\"n\":5}").await, 401);
    assert_eq!(post(&url, &github, "new-secret", b"{\"n\":6}").await, 200);

    // A file that does not load keeps the keys in force.
    std::fs::write(&file, "# nothing\n").unwrap();
    hup(listener.child.id());
    assert!(listener.line().contains("keys not reloaded"));
    assert_eq!(post(&url, &github, "new-secret", b"{\"n\":7}").await, 200);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_two_tenant_app_verifies_each_tenant_with_its_own_secret() {
    let (_app, origin) = Process::start(
        env!("CARGO_BIN_EXE_tenants"),
        &[
            "--provider",
            "stripe",
            "--tenant",
            "acme=whsec_acme",
            "--tenant",
            "globex=whsec_globex",
        ],
    );
    let stripe = Provider::STRIPE;
    let body = br#"{"id":"evt_1","type":"invoice.paid","object":"event"}"#;
    let acme = format!("{origin}/hooks/acme");
    let globex = format!("{origin}/hooks/globex");
    let ok = (200, "ok".to_owned());
    assert_eq!(post_text(&acme, &stripe, "whsec_acme", body).await, ok);
    // The same event id from another tenant is that tenant's own delivery, not a duplicate.
    assert_eq!(post_text(&globex, &stripe, "whsec_globex", body).await, ok);
    assert_eq!(
        post_text(&globex, &stripe, "whsec_globex", body).await,
        (200, "duplicate".to_owned())
    );
    assert_eq!(post(&acme, &stripe, "whsec_globex", body).await, 401);
    assert_eq!(post(&globex, &stripe, "whsec_acme", body).await, 401);
    assert_eq!(
        post(
            &format!("{origin}/hooks/initech"),
            &stripe,
            "whsec_acme",
            body
        )
        .await,
        401
    );
}
