//! Handshakes in the logs: alone in its test binary, so that no other test's thread
//! registers the receive path's log sites before the capture is set up.

use webhook_testkit::handshake::{CountingStore, cases};
use webhook_verify::Provider;
use webhook_verify::receive::{Reception, Reply, RequestUrl};

/// The receive path's steps for `case`, up to its answer.
async fn run(reception: &Reception, case: &webhook_testkit::handshake::Case) -> Result<(), Reply> {
    let url = RequestUrl::new(&case.path_and_query);
    if let Some(reply) = reception.challenge(case.method, &case.headers, &url) {
        return Err(reply);
    }
    let verified = reception
        .verify(&case.headers, &url, case.body.clone().into())
        .await?;
    reception.answer(&verified).map_or(Ok(()), Err)
}

/// The verify token, the secrets and the challenges never reach a `Debug` print or a log
/// line, whatever the handshake's fate.
#[tokio::test(flavor = "current_thread")]
async fn handshakes_log_no_secret() {
    let logs = webhook_testkit::LogCapture::new(tracing::Level::TRACE);
    let _guard = logs.set_default();
    let mut printed = String::new();
    for case in cases() {
        let receiver = case.receiver(CountingStore::default().replay());
        printed += &format!("{receiver:?}\n");
        let reply = run(&receiver.receive(), &case).await.unwrap_err();
        printed += &format!("{reply:?} {reply}\n");
    }
    let secrets = [
        webhook_testkit::handshake::META_VERIFY_TOKEN.to_owned(),
        webhook_testkit::verifier_secret(&Provider::X),
        webhook_testkit::verifier_secret(&Provider::OKTA),
        webhook_testkit::verifier_secret(&Provider::ZOOM),
        "1158201444".to_owned(),
        webhook_testkit::handshake::X_CRC_TOKEN.to_owned(),
    ];
    let logged = logs.text();
    assert!(logged.contains("challenge"), "{logged}");
    for secret in secrets {
        assert!(!printed.contains(&secret), "printed: {secret}");
        assert!(!logged.contains(&secret), "logged: {secret}");
    }
}
