//! Fetched certificates (feature `fetch`): URLs refused before any fetch, slow and huge
//! responses answered 503 in time, the cache bounding fetches, and AWS SNS and PayPal
//! deliveries verified with fetched certificates (tampered copies failing). One test runs
//! over a real socket on 127.0.0.1.

#![cfg(feature = "fetch")]

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use webhook_testkit::vectors::{self, Vector};
use webhook_verify::dangerous::loopback_key_urls;
use webhook_verify::fetch::{
    CertificateSource, FetchError, KeyUrlRule, ReqwestFetcher, TestFetcher,
};
use webhook_verify::{Error, FixedClock, Provider, Verifier};

const CERT: &str = include_str!("data/certs/signing-cert.pem");
const OTHER_CERT: &str = include_str!("data/certs/other-cert.pem");
const SNS_URL: &str = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem";
const PAYPAL_URL: &str =
    "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-test";

fn source(rule: KeyUrlRule, fetcher: &TestFetcher) -> CertificateSource {
    CertificateSource::builder(rule)
        .fetcher(fetcher.clone())
        .build()
        .unwrap()
}

fn derived(provider: &str) -> Vec<Vector> {
    vectors::derived()
        .into_iter()
        .filter(|v| v.provider == provider)
        .collect()
}

/// The certificate URL a delivery names: SNS's `SigningCertURL` field, PayPal's header.
fn cert_url(v: &Vector) -> String {
    match v.provider.as_str() {
        "aws-sns" => {
            let body: serde_json::Value = serde_json::from_str(&v.payload).unwrap();
            body["SigningCertURL"].as_str().unwrap().to_owned()
        }
        _ => v.header("paypal-cert-url").unwrap().to_owned(),
    }
}

/// Fetches the certificate the delivery names and verifies `body` with it.
async fn verify_fetched(source: &CertificateSource, v: &Vector, body: &[u8]) -> Result<(), Error> {
    let cert = source.certificate(&cert_url(v)).await.unwrap();
    let verifier = Verifier::builder(v.provider().unwrap())
        .secret(cert)
        .clock(FixedClock::from_unix(v.now()))
        .build()?;
    let headers = v.header_pairs();
    verifier.verify(&v.delivery(&headers, body)).map(|_| ())
}

#[tokio::test]
async fn another_host_is_refused_without_a_fetch() {
    let fetcher = TestFetcher::new()
        .serve("https://evil.example/cert.pem", CERT)
        .serve(
            "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
            CERT,
        );
    let sns = source(KeyUrlRule::aws_sns(), &fetcher);
    let paypal = source(KeyUrlRule::paypal(), &fetcher);
    for url in [
        "https://evil.example/cert.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com:444/cert.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example/cert.pem",
        "https://127.0.0.1/cert.pem",
        "http://127.0.0.1:8080/cert.pem",
        "not a url",
    ] {
        let err = sns.certificate(url).await.unwrap_err();
        assert!(err.is_refused(), "{url}: {err}");
        assert_eq!(err.status(), 401);
    }
    for url in [
        "https://evil.example/v1/notifications/certs/CERT-1",
        "https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1",
        "https://api.paypal.com/v1/other",
    ] {
        assert!(
            paypal.certificate(url).await.unwrap_err().is_refused(),
            "{url}"
        );
    }
    // Not one request was made.
    assert_eq!(fetcher.fetches(), 0);
}

#[tokio::test]
async fn a_slow_response_is_503_within_the_timeout() {
    let fetcher = TestFetcher::new()
        .serve(SNS_URL, CERT)
        .delay(Duration::from_secs(30));
    let source = CertificateSource::builder(KeyUrlRule::aws_sns())
        .fetcher(fetcher.clone())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = source.certificate(SNS_URL).await.unwrap_err();
    assert_eq!(err, FetchError::TimedOut);
    assert_eq!(err.status(), 503);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(source.cached_len(), 0);
}

#[tokio::test]
async fn a_huge_or_unusable_response_is_503_and_not_kept() {
    let huge = format!("{CERT}{}", "A".repeat(1 << 20));
    let fetcher = TestFetcher::new()
        .serve(SNS_URL, huge)
        .serve(PAYPAL_URL, "<html>not a certificate</html>");
    let sns = source(KeyUrlRule::aws_sns(), &fetcher);
    let err = sns.certificate(SNS_URL).await.unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    assert_eq!(err.status(), 503);
    let paypal = source(KeyUrlRule::paypal(), &fetcher);
    let err = paypal.certificate(PAYPAL_URL).await.unwrap_err();
    assert!(matches!(err, FetchError::InvalidKey { .. }), "{err}");
    assert_eq!(err.status(), 503);
    // A missing certificate (404) too.
    let err = sns
        .certificate("https://sns.us-east-1.amazonaws.com/missing.pem")
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::Status { status: 404 });
    assert_eq!(err.status(), 503);
    assert_eq!(sns.cached_len() + paypal.cached_len(), 0);
}

#[tokio::test]
async fn the_cache_bounds_fetches() {
    let urls: Vec<String> = (0..5)
        .map(|i| format!("https://sns.us-east-1.amazonaws.com/cert-{i}.pem"))
        .collect();
    let mut fetcher = TestFetcher::new();
    for url in &urls {
        fetcher = fetcher.serve(url, CERT);
    }
    // The same URL a hundred times: one fetch.
    let source = source(KeyUrlRule::aws_sns(), &fetcher);
    for _ in 0..100 {
        source.certificate(&urls[0]).await.unwrap();
    }
    assert_eq!(fetcher.fetches(), 1);

    // At most `max_entries` URLs are kept.
    let fetcher = TestFetcher::new();
    let mut bounded_fetcher = fetcher.clone();
    for url in &urls {
        bounded_fetcher = bounded_fetcher.serve(url, CERT);
    }
    let bounded = CertificateSource::builder(KeyUrlRule::aws_sns())
        .fetcher(bounded_fetcher)
        .max_entries(2)
        .build()
        .unwrap();
    for url in &urls {
        bounded.certificate(url).await.unwrap();
        assert!(bounded.cached_len() <= 2);
    }
    assert_eq!(fetcher.fetches(), 5);
    // The last two are kept, the first was dropped.
    bounded.certificate(&urls[4]).await.unwrap();
    assert_eq!(fetcher.fetches(), 5);
    bounded.certificate(&urls[0]).await.unwrap();
    assert_eq!(fetcher.fetches(), 6);

    // After the TTL, fetched again.
    let fetcher = TestFetcher::new().serve(&urls[0], CERT);
    let short = CertificateSource::builder(KeyUrlRule::aws_sns())
        .fetcher(fetcher.clone())
        .ttl(Duration::from_millis(50))
        .build()
        .unwrap();
    short.certificate(&urls[0]).await.unwrap();
    short.certificate(&urls[0]).await.unwrap();
    assert_eq!(fetcher.fetches(), 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    short.certificate(&urls[0]).await.unwrap();
    assert_eq!(fetcher.fetches(), 2);
}

#[tokio::test]
async fn deliveries_verify_with_fetched_certificates_and_tampered_copies_fail() {
    let fetcher = TestFetcher::new()
        .serve(SNS_URL, CERT)
        .serve(PAYPAL_URL, CERT);
    let wrong = TestFetcher::new()
        .serve(SNS_URL, OTHER_CERT)
        .serve(PAYPAL_URL, OTHER_CERT);
    let mut checked = 0;
    for (name, rule) in [
        ("aws-sns", KeyUrlRule::aws_sns()),
        ("paypal", KeyUrlRule::paypal()),
    ] {
        let good = source(rule.clone(), &fetcher);
        let bad = source(rule, &wrong);
        for v in derived(name) {
            let body = v.payload.as_bytes();
            verify_fetched(&good, &v, body)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            // A bit of the signed body.
            let mut tampered = body.to_vec();
            let at = match name {
                "aws-sns" => v.payload.find("\"Message\" : \"").unwrap() + 14,
                _ => body.len() / 2,
            };
            tampered[at] ^= 0x01;
            let err = verify_fetched(&good, &v, &tampered).await.unwrap_err();
            assert_eq!(err, Error::SignatureMismatch, "{name}: body");
            // Another certificate.
            let err = verify_fetched(&bad, &v, body).await.unwrap_err();
            assert_eq!(err, Error::SignatureMismatch, "{name}: wrong certificate");
            // The signature itself: one bit of its first byte.
            let mut v2 = v.clone();
            match name {
                "aws-sns" => {
                    let at = v2.payload.find("\"Signature\" : \"").unwrap() + 15;
                    let mut bytes = v2.payload.into_bytes();
                    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
                    v2.payload = String::from_utf8(bytes).unwrap();
                }
                _ => {
                    let sig = v2.headers.get_mut("PAYPAL-TRANSMISSION-SIG").unwrap();
                    let first = if sig.starts_with('A') { "B" } else { "A" };
                    sig.replace_range(..1, first);
                }
            }
            let err = verify_fetched(&good, &v2, v2.payload.as_bytes())
                .await
                .unwrap_err();
            assert_eq!(err, Error::SignatureMismatch, "{name}: signature");
            checked += 1;
        }
    }
    assert_eq!(checked, 3);
    // Each certificate was fetched once, however many deliveries used it.
    assert_eq!(fetcher.fetches(), 2);
}

/// Answers every connection with `response` (a whole HTTP/1.1 response), after `delay`,
/// counting connections; returns the base URL.
async fn serve(
    response: Vec<u8>,
    delay: Duration,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            counted.fetch_add(1, Ordering::SeqCst);
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                tokio::time::sleep(delay).await;
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), count)
}

fn http_response(body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/x-pem-file\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

#[tokio::test]
async fn over_a_real_socket() {
    let fetcher = ReqwestFetcher::new().unwrap();

    // The default rules refuse plain http to loopback; only the dangerous rule allows it.
    let (base, connections) = serve(http_response(CERT.as_bytes()), Duration::ZERO).await;
    let url = format!("{base}/SimpleNotificationService-1.pem");
    let strict = CertificateSource::builder(KeyUrlRule::aws_sns())
        .fetcher(fetcher.clone())
        .build()
        .unwrap();
    assert!(strict.certificate(&url).await.unwrap_err().is_refused());
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);

    let local = CertificateSource::builder(loopback_key_urls())
        .fetcher(fetcher.clone())
        .build()
        .unwrap();
    let cert = local.certificate(&url).await.unwrap();
    local.certificate(&url).await.unwrap();
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1);
    // The fetched certificate verifies the derived SNS message.
    let v = &derived("aws-sns")[0];
    let verifier = Verifier::builder(Provider::AWS_SNS)
        .secret(cert)
        .clock(FixedClock::from_unix(v.now()))
        .build()
        .unwrap();
    let headers = v.header_pairs();
    verifier
        .verify(&v.delivery(&headers, v.payload.as_bytes()))
        .unwrap();

    // A slow server: 503 within the configured time.
    let (base, _) = serve(http_response(CERT.as_bytes()), Duration::from_secs(30)).await;
    let slow = CertificateSource::builder(loopback_key_urls())
        .fetcher(fetcher.clone())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = slow
        .certificate(&format!("{base}/c.pem"))
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TimedOut);
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );

    // A huge body, declared or not: 503, read no further than the limit.
    let huge = vec![b'A'; 1 << 20];
    let (base, _) = serve(http_response(&huge), Duration::ZERO).await;
    let err = local
        .certificate(&format!("{base}/c.pem"))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    let mut undeclared = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_vec();
    undeclared.extend_from_slice(&huge);
    let (base, _) = serve(undeclared, Duration::ZERO).await;
    let err = local
        .certificate(&format!("{base}/c.pem"))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");

    // A redirect is not followed; a 404 is 503.
    let (base, _) = serve(
        b"HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/x.pem\r\ncontent-length: 0\r\n\r\n"
            .to_vec(),
        Duration::ZERO,
    )
    .await;
    let err = local
        .certificate(&format!("{base}/c.pem"))
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::Status { status: 302 });
    assert_eq!(err.status(), 503);
}

#[tokio::test]
async fn standard_webhooks_keys_from_a_configured_jwks_url() {
    use base64::Engine as _;
    use webhook_testkit::{WHPK, WHSK};
    use webhook_verify::fetch::JwksSource;
    use webhook_verify::{Delivery, SignOptions, Signer};

    let raw = base64::engine::general_purpose::STANDARD
        .decode(&WHPK["whpk_".len()..])
        .unwrap();
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let url = "https://keys.example.com/.well-known/webhooks.json";
    let jwks = format!(r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"{x}"}}]}}"#);
    let fetcher = TestFetcher::new().serve(url, jwks);
    let source = JwksSource::builder(url)
        .fetcher(fetcher.clone())
        .build()
        .unwrap();

    let body = br#"{"type":"ping"}"#;
    let headers = Signer::new(&Provider::STANDARD_WEBHOOKS, WHSK)
        .unwrap()
        .sign(
            body,
            &SignOptions::new()
                .timestamp(webhook_testkit::NOW)
                .id("msg_1"),
        )
        .unwrap();
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for _ in 0..3 {
        let mut builder = Verifier::builder(Provider::STANDARD_WEBHOOKS)
            .clock(FixedClock::from_unix(webhook_testkit::NOW));
        for key in source.keys().await.unwrap() {
            builder = builder.secret(key);
        }
        let verifier = builder.build().unwrap();
        verifier.verify(&Delivery::new(&pairs, &body[..])).unwrap();
        let err = verifier
            .verify(&Delivery::new(&pairs, &br#"{"type":"pong"}"#[..]))
            .unwrap_err();
        assert_eq!(err, Error::SignatureMismatch);
    }
    // Kept: one fetch for three deliveries.
    assert_eq!(fetcher.fetches(), 1);

    // The configured URL must be https on the default port.
    for bad in [
        "http://keys.example.com/jwks.json",
        "https://keys.example.com:8443/jwks.json",
    ] {
        assert!(
            JwksSource::builder(bad)
                .fetcher(TestFetcher::new())
                .build()
                .is_err(),
            "{bad}"
        );
    }
    // A slow or failing key server: 503, nothing accepted.
    let slow = JwksSource::builder(url)
        .fetcher(
            TestFetcher::new()
                .serve(url, "{}")
                .delay(Duration::from_secs(30)),
        )
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    assert_eq!(slow.keys().await.unwrap_err(), FetchError::TimedOut);
    let down = JwksSource::builder(url)
        .fetcher(TestFetcher::new())
        .build()
        .unwrap();
    assert_eq!(down.keys().await.unwrap_err().status(), 503);
}

#[tokio::test]
async fn sns_subscriptions_are_confirmed_only_when_asked_and_verified() {
    use webhook_verify::fetch::confirm_sns_subscription;

    let subscribe = "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37";
    let fetcher = TestFetcher::new().serve(subscribe, "<ConfirmSubscriptionResponse/>");
    let mut confirmed = 0;
    for v in derived("aws-sns") {
        let verifier = Verifier::builder(Provider::AWS_SNS)
            .secret(CERT)
            .clock(FixedClock::from_unix(v.now()))
            .build()
            .unwrap();
        let headers = v.header_pairs();
        let verified = verifier
            .verify(&v.delivery(&headers, v.payload.as_bytes()))
            .unwrap();
        let done = confirm_sns_subscription(&verified, &fetcher, Duration::from_secs(1))
            .await
            .unwrap();
        // Only the SubscriptionConfirmation is confirmed; the unsubscribe is not.
        assert_eq!(
            done,
            verified.event_type() == Some("SubscriptionConfirmation")
        );
        confirmed += usize::from(done);
    }
    assert_eq!(confirmed, 1);
    assert_eq!(fetcher.fetches(), 1);

    // A slow confirmation ends within the time given.
    let slow = TestFetcher::new()
        .serve(subscribe, "")
        .delay(Duration::from_secs(30));
    let v = &derived("aws-sns")[0];
    let verified = Verifier::builder(Provider::AWS_SNS)
        .secret(CERT)
        .clock(FixedClock::from_unix(v.now()))
        .build()
        .unwrap()
        .verify(&v.delivery(&v.header_pairs(), v.payload.as_bytes()))
        .unwrap();
    let err = confirm_sns_subscription(&verified, &slow, Duration::from_millis(100))
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TimedOut);
}

/// Runs one delivery through a receiver's verify step: the verified id, or the status.
async fn receive(
    keys: webhook_verify::key_source::TenantKeys,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Option<String>, (u16, String)> {
    use webhook_verify::receive::{Receiver, RequestUrl};
    let receiver = Receiver::builder(keys).without_replay().build();
    receiver
        .receive()
        .verify(
            &headers.to_vec(),
            &RequestUrl::new("/hooks"),
            webhook_verify::Bytes::copy_from_slice(body),
        )
        .await
        .map(|v| v.id().map(str::to_owned))
        .map_err(|reply| (reply.status(), reply.body_text().into_owned()))
}

fn owned_headers(v: &Vector) -> Vec<(String, String)> {
    v.headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[tokio::test]
async fn the_receive_path_fetches_the_certificate_each_delivery_names() {
    // AWS SNS: the tenant is the body's SigningCertURL.
    let fetcher = TestFetcher::new().serve(SNS_URL, CERT);
    let keys = || {
        source(KeyUrlRule::aws_sns(), &fetcher)
            .aws_sns_keys()
            .clock(FixedClock::from_unix(webhook_testkit::NOW))
            .build()
            .unwrap()
    };
    let sns = keys();
    for v in derived("aws-sns") {
        let id = receive(sns.clone(), &owned_headers(&v), v.payload.as_bytes()).await;
        assert_eq!(
            id,
            Ok(Some("165545c9-2a5c-472c-8df2-7ff2be2b3b1b".to_owned()))
        );
    }
    // Two deliveries, one certificate URL: one fetch.
    assert_eq!(fetcher.fetches(), 1);

    // The same message naming a certificate on another host (the URL is not signed):
    // refused as a bad signature, nothing fetched.
    let v = &derived("aws-sns")[0];
    let forged = v.payload.replace(
        SNS_URL,
        "https://sns.us-west-2.amazonaws.com.evil.example/c.pem",
    );
    let fresh = TestFetcher::new();
    let keys = source(KeyUrlRule::aws_sns(), &fresh)
        .aws_sns_keys()
        .clock(FixedClock::from_unix(webhook_testkit::NOW))
        .build()
        .unwrap();
    let err = receive(keys.clone(), &owned_headers(v), forged.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(err, (401, "invalid signature".to_owned()));
    assert_eq!(fresh.fetches(), 0);
    // An allowed host that does not answer: 503, the sender retries; never accepted.
    let err = receive(keys, &owned_headers(v), v.payload.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(err.0, 503);
    assert_eq!(fresh.fetches(), 1);

    // PayPal: the tenant is the PAYPAL-CERT-URL header.
    let v = &derived("paypal")[0];
    let webhook_id = v.extra["webhook_id"].as_str().unwrap();
    let keys = source(
        KeyUrlRule::paypal(),
        &TestFetcher::new().serve(PAYPAL_URL, CERT),
    )
    .paypal_keys(webhook_id)
    .clock(FixedClock::from_unix(v.now()))
    .build()
    .unwrap();
    let id = receive(keys.clone(), &owned_headers(v), v.payload.as_bytes()).await;
    assert_eq!(
        id,
        Ok(Some("69cd13f0-d67a-11e5-baa3-778b53f4ae55".to_owned()))
    );
    let mut tampered = v.payload.clone().into_bytes();
    tampered[10] ^= 1;
    let err = receive(keys.clone(), &owned_headers(v), &tampered)
        .await
        .unwrap_err();
    assert_eq!(err.0, 401);
    let mut forged = owned_headers(v);
    for (k, value) in &mut forged {
        if k.eq_ignore_ascii_case("paypal-cert-url") {
            *value = "https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1".into();
        }
    }
    let err = receive(keys, &forged, v.payload.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(err.0, 401);
    // The wrong webhook id: a bad signature.
    let keys = source(
        KeyUrlRule::paypal(),
        &TestFetcher::new().serve(PAYPAL_URL, CERT),
    )
    .paypal_keys("OTHER")
    .clock(FixedClock::from_unix(v.now()))
    .build()
    .unwrap();
    let err = receive(keys, &owned_headers(v), v.payload.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(err, (401, "invalid signature".to_owned()));
}

#[tokio::test]
async fn the_receive_path_uses_keys_from_a_configured_jwks_url() {
    use base64::Engine as _;
    use webhook_testkit::{WHPK, WHSK};
    use webhook_verify::fetch::JwksSource;
    use webhook_verify::{SignOptions, Signer};

    let raw = base64::engine::general_purpose::STANDARD
        .decode(&WHPK["whpk_".len()..])
        .unwrap();
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let url = "https://keys.example.com/webhooks.jwks";
    let fetcher = TestFetcher::new().serve(
        url,
        format!(r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}]}}"#),
    );
    let keys = JwksSource::builder(url)
        .fetcher(fetcher.clone())
        .build()
        .unwrap()
        .standard_webhooks_keys()
        .clock(FixedClock::from_unix(webhook_testkit::NOW))
        .build()
        .unwrap();
    let body = br#"{"type":"ping"}"#;
    let headers = Signer::new(&Provider::STANDARD_WEBHOOKS, WHSK)
        .unwrap()
        .sign(
            body,
            &SignOptions::new()
                .timestamp(webhook_testkit::NOW)
                .id("msg_1"),
        )
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            receive(keys.clone(), &headers, body).await,
            Ok(Some("msg_1".to_owned()))
        );
    }
    assert_eq!(fetcher.fetches(), 1);
    let err = receive(keys, &headers, br#"{"type":"pong"}"#)
        .await
        .unwrap_err();
    assert_eq!(err.0, 401);
    // The key server down: 503.
    let down = JwksSource::builder(url)
        .fetcher(TestFetcher::new())
        .build()
        .unwrap()
        .standard_webhooks_keys()
        .build()
        .unwrap();
    assert_eq!(receive(down, &headers, body).await.unwrap_err().0, 503);
}
