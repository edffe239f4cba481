//! Handshake challenges through the core receive path, in process: each genuine one is
//! answered, each forged one refused with the status policy's answer, and none claims
//! anything in the replay store. The adapters run the same cases over real sockets.

use bytes::Bytes;
use webhook_testkit::handshake::{CountingStore, cases};
use webhook_testkit::vectors;
use webhook_verify::receive::{Outcome, Receiver, Reception, Reply, RequestUrl};
use webhook_verify::{EventRouter, FixedClock, Handshake, Provider, Verifier};

/// What the receive path answers `case` with, and whether its body reached verification
/// that succeeded without a handshake answer (`Ok`: a delivery for the handler).
async fn run(reception: &Reception, case: &webhook_testkit::handshake::Case) -> Result<(), Reply> {
    let url = RequestUrl::new(&case.path_and_query).host(Some("example.com"));
    if let Some(reply) = reception.challenge(case.method, &case.headers, &url) {
        return Err(reply);
    }
    let body = Bytes::from(case.body.clone());
    let verified = reception.verify(&case.headers, &url, body).await?;
    match reception.answer(&verified) {
        Some(reply) => Err(reply),
        None => Ok(()),
    }
}

#[tokio::test]
async fn every_handshake_is_answered_and_every_forged_one_refused() {
    let cases = cases();
    assert_eq!(cases.len(), 19);
    for case in cases {
        let store = CountingStore::default();
        let receiver = case.receiver(store.replay());
        let reply = run(&receiver.receive(), &case)
            .await
            .expect_err(&format!("{}: reached the handler", case.name));
        let header = |name: &str| {
            reply
                .headers()
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| (*v).to_owned())
        };
        case.check(reply.status(), reply.content_type(), header, reply.body())
            .unwrap_or_else(|e| panic!("{e}"));
        let outcome = reply.outcome();
        if case.answered() {
            assert_eq!(outcome, Outcome::Challenge, "{}", case.name);
        } else {
            assert_ne!(outcome, Outcome::Challenge, "{}", case.name);
        }
        assert_eq!(store.calls(), 0, "{}: the replay store was used", case.name);
    }
}

#[test]
fn every_handshake_has_a_case_and_its_provider() {
    let cases = cases();
    for &h in Handshake::ALL {
        let p = Provider::all()
            .iter()
            .find(|p| p.handshake() == Some(h))
            .unwrap_or_else(|| panic!("no provider for {h}"));
        assert!(
            cases.iter().any(|c| c.provider == *p && c.answered()),
            "{h}: no genuine case"
        );
        assert_eq!(
            h.after_verification(),
            !matches!(
                h,
                Handshake::MetaSubscribe
                    | Handshake::XCrc
                    | Handshake::DropboxChallenge
                    | Handshake::GraphValidation
                    | Handshake::OktaVerification
            )
        );
    }
    // Custom providers never answer a handshake, even under a built-in's name.
    let slack_like = Provider::custom("slack")
        .signature_header("x-slack-signature")
        .build();
    assert_eq!(slack_like.unwrap().handshake(), None);
}

#[test]
fn a_meta_handshake_without_a_verify_token_is_a_misconfiguration() {
    let verifier = Verifier::new(Provider::META, "app-secret").unwrap();
    let receiver = Receiver::new(verifier);
    let url = RequestUrl::new("/hook?hub.mode=subscribe&hub.verify_token=&hub.challenge=1");
    let no_headers: &[(&str, &str)] = &[];
    let reply = receiver
        .receive()
        .challenge("GET", &no_headers, &url)
        .unwrap();
    assert_eq!(
        (reply.status(), reply.body_text().as_ref()),
        (500, "internal server error")
    );
    // ...and an empty token never matches a configured one.
    let receiver = Receiver::builder(Verifier::new(Provider::META, "app-secret").unwrap())
        .verify_token("t")
        .unwrap()
        .build();
    let reply = receiver
        .receive()
        .challenge("GET", &no_headers, &url)
        .unwrap();
    assert_eq!(reply.status(), 403);
    // A mode other than subscribe, a repeated parameter, an overlong challenge: 400.
    for query in [
        "hub.mode=unsubscribe&hub.verify_token=t&hub.challenge=1",
        "hub.mode=subscribe&hub.verify_token=t&hub.challenge=1&hub.challenge=2",
        &format!(
            "hub.mode=subscribe&hub.verify_token=t&hub.challenge={}",
            "1".repeat(1025)
        ),
        "hub.mode=subscribe&hub.verify_token=t",
    ] {
        let path = format!("/hook?{query}");
        let reply = receiver
            .receive()
            .challenge("GET", &no_headers, &RequestUrl::new(&path))
            .unwrap();
        assert_eq!(reply.status(), 400, "{query}");
    }
}

#[test]
fn posts_and_other_methods_go_on_to_verification() {
    let no_headers: &[(&str, &str)] = &[];
    for p in Provider::all() {
        let receiver =
            Receiver::new(Verifier::new(p.clone(), webhook_testkit::verifier_secret(p)).unwrap());
        let url = RequestUrl::new("/hook?x=1");
        assert!(
            receiver
                .receive()
                .challenge("POST", &no_headers, &url)
                .is_none(),
            "{p}"
        );
        assert!(
            receiver
                .receive()
                .challenge("PUT", &no_headers, &url)
                .is_none(),
            "{p}"
        );
        let reply = receiver
            .receive()
            .challenge("HEAD", &no_headers, &url)
            .unwrap();
        assert_eq!(reply.status(), 405, "{p}");
        let allow = reply
            .headers()
            .iter()
            .find(|(n, _)| *n == "allow")
            .unwrap()
            .1;
        let get_handshake = p.handshake().is_some_and(|h| !h.after_verification());
        assert_eq!(
            allow,
            if get_handshake { "GET, POST" } else { "POST" },
            "{p}"
        );
    }
}

/// A signed delivery that is not a handshake is left to the handler; a Twitch
/// notification whose unsigned message-type header claims a verification is not one.
#[tokio::test]
async fn only_signed_bodies_make_a_handshake() {
    use webhook_testkit::{NOW, signed};
    let checks = [
        (
            Provider::SLACK,
            r#"{"type":"event_callback","challenge":"x","event_id":"Ev1","event":{"type":"app_mention"}}"#,
        ),
        (
            Provider::DISCORD,
            r#"{"id":"1","type":2,"token":"t","version":1}"#,
        ),
        (
            Provider::TWITCH,
            r#"{"subscription":{"id":"s","type":"channel.follow"},"event":{"user_id":"1"}}"#,
        ),
        (
            Provider::ZOOM,
            r#"{"event":"meeting.started","payload":{"plainToken":"x"}}"#,
        ),
    ];
    for (p, body) in checks {
        let mut delivery = signed(&p, body.as_bytes(), NOW);
        delivery.headers.push((
            "twitch-eventsub-message-type".to_owned(),
            "webhook_callback_verification".to_owned(),
        ));
        let receiver = Receiver::new(webhook_testkit::verifier(&p));
        let reception = receiver.receive();
        let url = RequestUrl::new("/hook");
        let verified = reception
            .verify(&delivery.headers, &url, Bytes::from(delivery.body.clone()))
            .await
            .unwrap();
        assert!(reception.answer(&verified).is_none(), "{p}");
    }
}

/// The router answers the handshakes it can without the secret, as the receive path
/// does, and claims nothing.
#[tokio::test]
async fn the_router_answers_signed_handshakes_the_same_way() {
    for case in cases().into_iter().filter(|c| {
        c.answered()
            && c.method == "POST"
            && c.provider != Provider::ZOOM
            && c.provider
                .handshake()
                .is_some_and(Handshake::after_verification)
    }) {
        let store = CountingStore::default();
        let verifier = Verifier::builder(case.provider.clone())
            .secret(webhook_testkit::verifier_secret(&case.provider))
            .clock(FixedClock::from_unix(webhook_testkit::NOW))
            .build()
            .unwrap();
        let verified = verifier
            .verify(&webhook_verify::Delivery::new(
                &case.headers,
                case.body.clone(),
            ))
            .unwrap();
        let router = EventRouter::builder(case.provider.clone())
            .fallback(|_event: webhook_verify::Event| async {
                Err::<(), _>(std::io::Error::other("a handler ran"))
            })
            .build()
            .unwrap();
        let reply = router.dispatch_claimed(verified, &store.replay()).await;
        let header = |name: &str| {
            reply
                .headers()
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| (*v).to_owned())
        };
        case.check(reply.status(), reply.content_type(), header, reply.body())
            .unwrap_or_else(|e| panic!("router: {e}"));
        assert_eq!(store.calls(), 0, "{}", case.name);
    }
}

/// X's CRC answer matches the derived vector (computed outside this crate).
#[test]
fn x_crc_vector() {
    let v = vectors::derived()
        .into_iter()
        .find(|v| v.provider == "x-crc")
        .unwrap();
    let token = v.extra["crc_token"].as_str().unwrap();
    let receiver = Receiver::new(Verifier::new(Provider::X, v.secret.as_str()).unwrap());
    let path = format!("/x?crc_token={token}");
    let no_headers: &[(&str, &str)] = &[];
    let reply = receiver
        .receive()
        .challenge("GET", &no_headers, &RequestUrl::new(&path))
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(reply.body()).unwrap();
    assert_eq!(answer, v.extra["expected_response"]);
    // Another secret gives another answer.
    let other = Receiver::new(Verifier::new(Provider::X, "other").unwrap());
    let reply = other
        .receive()
        .challenge("GET", &no_headers, &RequestUrl::new(&path))
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(reply.body()).unwrap();
    assert_ne!(answer, v.extra["expected_response"]);
}

/// Zoom's answer through the receive path matches the derived vector, with the secret that
/// verified the delivery when several are configured.
#[tokio::test]
async fn zoom_answer_uses_the_matching_secret() {
    use webhook_testkit::{NOW, signed};
    let c = vectors::derived()
        .into_iter()
        .find(|v| v.provider == "zoom-url-validation")
        .unwrap();
    let expected = &c.extra["expected_response"];
    let plain = expected["plainToken"].as_str().unwrap();
    let body =
        serde_json::json!({"event": "endpoint.url_validation", "payload": {"plainToken": plain}});
    let body = serde_json::to_vec(&body).unwrap();
    let mut delivery = signed(&Provider::ZOOM, &body, NOW);
    // Re-sign with the vector's secret.
    let headers = webhook_verify::Signer::new(&Provider::ZOOM, c.secret.as_str())
        .unwrap()
        .sign(&body, &webhook_verify::SignOptions::new().timestamp(NOW))
        .unwrap();
    delivery.headers = headers;
    let verifier = Verifier::builder(Provider::ZOOM)
        .secret("an-older-secret")
        .secret(c.secret.as_str())
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap();
    let receiver = Receiver::new(verifier);
    let reception = receiver.receive();
    let verified = reception
        .verify(
            &delivery.headers,
            &RequestUrl::new("/zoom"),
            Bytes::from(body),
        )
        .await
        .unwrap();
    assert_eq!(verified.key().index(), 1);
    let reply = reception.answer(&verified).unwrap();
    let answer: serde_json::Value = serde_json::from_slice(reply.body()).unwrap();
    assert_eq!(&answer, expected);
}

proptest::proptest! {
    /// Any query and challenge header, on any provider: no panic, and only the statuses a
    /// handshake may get. A Meta handshake is answered only with the configured token.
    #[test]
    fn hostile_handshakes_never_panic(
        p in proptest::sample::select(Provider::all()),
        method in proptest::sample::select(&["GET", "HEAD", "POST", "PUT"][..]),
        query in "[ -~]{0,80}",
        param in proptest::sample::select(&["hub.mode=subscribe&hub.verify_token=", "crc_token=", "challenge=", "validationToken=", "hub.challenge="][..]),
        okta in proptest::option::of("[ -~]{0,40}"),
    ) {
        let receiver = Receiver::builder(
            Verifier::new(p.clone(), webhook_testkit::verifier_secret(&p)).unwrap(),
        )
        .verify_token("the-token")
        .unwrap()
        .build();
        let path = format!("/hook?{param}{query}");
        let mut headers: Vec<(String, String)> = Vec::new();
        if let Some(value) = okta {
            headers.push(("x-okta-verification-challenge".into(), value));
        }
        if let Some(reply) = receiver.receive().challenge(method, &headers, &RequestUrl::new(&path)) {
            proptest::prop_assert!([200, 400, 401, 403, 405, 500].contains(&reply.status()), "{}", reply.status());
            if reply.status() == 200 {
                proptest::prop_assert!(reply.body().len() <= 1100);
                if p == Provider::META {
                    proptest::prop_assert!(path.contains("hub.verify_token=the-token"));
                }
                if p == Provider::OKTA {
                    proptest::prop_assert!(false, "okta answered without its credential");
                }
            }
        }
    }
}

/// In shadow mode a forged signed handshake reaches verification's "let through" path,
/// but is never answered: answering an unsigned Zoom challenge would be an HMAC oracle.
#[tokio::test]
async fn shadow_mode_never_answers_a_forged_handshake() {
    let mut checked = 0;
    for case in cases()
        .into_iter()
        .filter(|c| c.method == "POST" && !c.answered() && c.provider != Provider::STRIPE)
    {
        let verifier = Verifier::builder(case.provider.clone())
            .secret(webhook_testkit::verifier_secret(&case.provider))
            .clock(FixedClock::from_unix(webhook_testkit::NOW))
            .build()
            .unwrap();
        let receiver = Receiver::builder(verifier).shadow(true).build();
        let reception = receiver.receive();
        let url = RequestUrl::new("/hook");
        assert!(reception.challenge("POST", &case.headers, &url).is_none());
        let verified = reception
            .verify(&case.headers, &url, Bytes::from(case.body.clone()))
            .await
            .unwrap();
        assert!(!verified.is_authentic(), "{}", case.name);
        assert!(reception.answer(&verified).is_none(), "{}", case.name);
        checked += 1;
    }
    // Slack, Zoom, Discord and Twitch, each with a bad signature.
    assert_eq!(checked, 4);
}
