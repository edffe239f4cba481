//! Keys that change while serving, keys per tenant over real sockets in both frameworks,
//! and shadow mode.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use webhook_verify::key_source::{
    BoxFuture, LiveKeys, ResolveError, TenantFrom, TenantKeys, TenantSecrets,
};
use webhook_verify::{Delivery, Provider, SignOptions, Signer, Verifier};

fn github(secrets: &[(&str, &str)]) -> Verifier {
    secrets
        .iter()
        .fold(Verifier::builder(Provider::GITHUB), |b, (id, s)| {
            b.secret_with_id(*id, *s)
        })
        .build()
        .unwrap()
}

fn sign(secret: &str, body: &[u8]) -> Vec<(String, String)> {
    Signer::new(&Provider::GITHUB, secret)
        .unwrap()
        .sign(body, &SignOptions::new())
        .unwrap()
        .into_iter()
        .collect()
}

/// Phases of the rotation: even numbers are stable key sets, odd ones the moments a
/// replacement is under way. 0: {old}; 2: {old, new}; 4: {new}.
#[test]
fn keys_swapped_while_eight_tasks_verify() {
    let keys = LiveKeys::new(github(&[("old", "old-secret")]));
    let body = br#"{"zen":"Design for failure."}"#;
    let by_old = Arc::new(sign("old-secret", body));
    let by_new = Arc::new(sign("new-secret", body));
    let phase = Arc::new(AtomicU8::new(0));
    let checked = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (keys, phase, checked) = (keys.clone(), Arc::clone(&phase), Arc::clone(&checked));
            let (by_old, by_new) = (Arc::clone(&by_old), Arc::clone(&by_new));
            std::thread::spawn(move || {
                loop {
                    for (signed, key) in [(&by_old, "old"), (&by_new, "new")] {
                        let before = phase.load(Ordering::SeqCst);
                        let headers: Vec<(&str, &str)> = signed
                            .iter()
                            .map(|(n, v)| (n.as_str(), v.as_str()))
                            .collect();
                        let result = keys.verify(&Delivery::new(&headers, &body[..]));
                        let after = phase.load(Ordering::SeqCst);
                        // Keys in force during the call were those of a phase in before..=after.
                        let must_pass = match key {
                            "old" => after <= 2,
                            _ => before >= 2,
                        };
                        let must_fail = match key {
                            "old" => before >= 4,
                            _ => after == 0,
                        };
                        match &result {
                            Ok(v) => {
                                assert!(!must_fail, "{key} verified in phase {before}..{after}");
                                assert_eq!(v.key().id(), Some(key));
                            }
                            Err(e) => {
                                assert!(!must_pass, "{key} failed in phase {before}..{after}: {e}")
                            }
                        }
                        checked.fetch_add(1, Ordering::Relaxed);
                    }
                    if phase.load(Ordering::SeqCst) == 5 {
                        return;
                    }
                }
            })
        })
        .collect();
    let settle = || std::thread::sleep(Duration::from_millis(50));
    settle();
    phase.store(1, Ordering::SeqCst);
    keys.replace(github(&[("old", "old-secret"), ("new", "new-secret")]))
        .unwrap();
    phase.store(2, Ordering::SeqCst);
    settle();
    phase.store(3, Ordering::SeqCst);
    let replaced = keys.replace(github(&[("new", "new-secret")])).unwrap();
    phase.store(4, Ordering::SeqCst);
    settle();
    phase.store(5, Ordering::SeqCst);
    for task in tasks {
        task.join().unwrap();
    }
    assert!(checked.load(Ordering::Relaxed) > 8 * 3, "the tasks ran");
    assert_eq!(format!("{replaced:?}").matches("keys: 2").count(), 1);
    // After the swap only the new key matches.
    let headers: Vec<(&str, &str)> = by_old
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert!(keys.verify(&Delivery::new(&headers, &body[..])).is_err());
    // Another provider's keys are refused, and nothing changes.
    assert!(
        keys.replace(Verifier::new(Provider::STRIPE, "whsec_x").unwrap())
            .is_err()
    );
    assert_eq!(keys.current().provider(), &Provider::GITHUB);
}

/// A resolver with two tenants, counting its calls; `vault-down` fails transiently and
/// `broken` gives a secret the provider cannot use.
fn resolver(
    calls: Arc<AtomicUsize>,
) -> impl Fn(String) -> BoxFuture<'static, Result<Option<TenantSecrets>, ResolveError>>
+ Send
+ Sync
+ 'static {
    move |tenant: String| {
        calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            match tenant.as_str() {
                "acme" => Ok(Some(
                    TenantSecrets::new().secret_with_id("acme-1", "acme-secret"),
                )),
                "globex" => Ok(Some(
                    TenantSecrets::new().secret_with_id("globex-1", "globex-secret"),
                )),
                "vault-down" => Err(ResolveError::unavailable("connection refused")),
                "broken" => Ok(Some(TenantSecrets::new().secret(""))),
                _ => Ok(None),
            }
        })
    }
}

fn tenant_keys(calls: &Arc<AtomicUsize>) -> TenantKeys {
    TenantKeys::builder(
        Provider::GITHUB,
        TenantFrom::PathSegment(1),
        resolver(Arc::clone(calls)),
    )
    .cache(100, Duration::from_secs(60))
    .build()
    .unwrap()
}

/// The handler's answer: `{tenant}:{key id}` for an authentic delivery, `unverified:{why}`
/// in shadow mode.
fn answer(tenant: &str, verified: &webhook_verify::Verified) -> String {
    match verified.shadow_failure() {
        None => {
            assert_eq!(
                verified.tenant(),
                Some(tenant),
                "the tenant that verified it"
            );
            assert!(
                verified
                    .replay_key()
                    .starts_with(&format!("tenant:{}:{tenant}:github:", tenant.len()))
            );
            format!("{tenant}:{}", verified.key().id().unwrap_or("-"))
        }
        Some(kind) => format!("unverified:{kind}"),
    }
}

fn axum_tenants(keys: TenantKeys, shadow: bool, handled: Arc<AtomicUsize>) -> SocketAddr {
    use axum::Router;
    use axum::extract::Path;
    use axum::routing::post;
    let config = webhook_axum::WebhookConfig::builder(keys)
        .shadow(shadow)
        .build();
    let app = Router::new()
        .route(
            "/hooks/{tenant}",
            post(
                move |Path(tenant): Path<String>,
                      webhook_axum::VerifiedWebhook(verified): webhook_axum::VerifiedWebhook| {
                    let handled = Arc::clone(&handled);
                    async move {
                        handled.fetch_add(1, Ordering::SeqCst);
                        answer(&tenant, &verified)
                    }
                },
            ),
        )
        .with_state(config);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn actix_tenants(keys: TenantKeys, shadow: bool, handled: Arc<AtomicUsize>) -> SocketAddr {
    use actix_web::{App, HttpServer, web};
    let config = webhook_actix::WebhookConfig::builder(keys)
        .shadow(shadow)
        .build();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let handled = Arc::clone(&handled);
                App::new().app_data(config.clone()).route(
                    "/hooks/{tenant}",
                    web::post().to(
                        move |tenant: web::Path<String>,
                              verified: webhook_actix::VerifiedWebhook| {
                            let handled = Arc::clone(&handled);
                            async move {
                                handled.fetch_add(1, Ordering::SeqCst);
                                answer(&tenant, &verified)
                            }
                        },
                    ),
                )
            })
            .workers(1)
            .bind("127.0.0.1:0")
            .unwrap();
            tx.send(server.addrs()[0]).unwrap();
            server.run().await.unwrap();
        });
    });
    rx.recv().unwrap()
}

async fn post(
    client: &reqwest::Client,
    addr: SocketAddr,
    tenant: &str,
    secret: &str,
    body: &[u8],
) -> (u16, String, Option<String>) {
    let mut request = client
        .post(format!("http://{addr}/hooks/{tenant}"))
        .body(body.to_vec());
    for (name, value) in sign(secret, body) {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, response.text().await.unwrap(), retry)
}

#[tokio::test]
async fn two_tenants_over_real_sockets_accept_only_their_own_signatures() {
    for framework in ["axum", "actix"] {
        let calls = Arc::new(AtomicUsize::new(0));
        let handled = Arc::new(AtomicUsize::new(0));
        let keys = tenant_keys(&calls);
        let addr = match framework {
            "axum" => axum_tenants(keys.clone(), false, Arc::clone(&handled)),
            _ => actix_tenants(keys.clone(), false, Arc::clone(&handled)),
        };
        let client = reqwest::Client::new();
        let ok = |tenant: &str, key: &str| (200, format!("{tenant}:{key}"), None);
        let refused = |status: u16, text: &str| (status, text.to_owned(), None);
        for n in 0..3 {
            let body = format!(r#"{{"n":{n}}}"#);
            let body = body.as_bytes();
            assert_eq!(
                post(&client, addr, "acme", "acme-secret", body).await,
                ok("acme", "acme-1"),
                "{framework}"
            );
            assert_eq!(
                post(&client, addr, "globex", "globex-secret", body).await,
                ok("globex", "globex-1"),
                "{framework}"
            );
            // Each tenant refuses the other's signature, and an unknown tenant answers as a
            // bad signature does.
            assert_eq!(
                post(&client, addr, "acme", "globex-secret", body).await,
                refused(401, "invalid signature"),
                "{framework}"
            );
            assert_eq!(
                post(&client, addr, "globex", "acme-secret", body).await,
                refused(401, "invalid signature"),
                "{framework}"
            );
            assert_eq!(
                post(&client, addr, "initech", "acme-secret", body).await,
                refused(401, "invalid signature"),
                "{framework}"
            );
        }
        assert_eq!(
            handled.load(Ordering::SeqCst),
            6,
            "{framework}: only genuine deliveries"
        );
        // acme, globex, initech: one resolution each for 15 deliveries.
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "{framework}: the cache bounds calls"
        );
        assert_eq!(keys.cached(), 3);

        // A failing resolver: 503 with Retry-After (transient) or 500, never cached, and
        // nothing reaches the handler.
        let body = br#"{"n":9}"#;
        assert_eq!(
            post(&client, addr, "vault-down", "acme-secret", body).await,
            (503, "service unavailable".to_owned(), Some("1".to_owned())),
            "{framework}"
        );
        assert_eq!(
            post(&client, addr, "broken", "acme-secret", body).await,
            refused(500, "internal server error"),
            "{framework}"
        );
        assert_eq!(
            post(&client, addr, "vault-down", "acme-secret", body)
                .await
                .0,
            503
        );
        assert_eq!(
            calls.load(Ordering::SeqCst),
            6,
            "{framework}: failures are asked again"
        );
        assert_eq!(handled.load(Ordering::SeqCst), 6, "{framework}");
    }
}

#[tokio::test]
async fn shadow_mode_hands_bad_deliveries_over_marked() {
    for framework in ["axum", "actix"] {
        let calls = Arc::new(AtomicUsize::new(0));
        let handled = Arc::new(AtomicUsize::new(0));
        let keys = tenant_keys(&calls);
        let addr = match framework {
            "axum" => axum_tenants(keys, true, Arc::clone(&handled)),
            _ => actix_tenants(keys, true, Arc::clone(&handled)),
        };
        let client = reqwest::Client::new();
        let body = br#"{"shadow":1}"#;
        assert_eq!(
            post(&client, addr, "acme", "acme-secret", body).await.1,
            "acme:acme-1"
        );
        assert_eq!(
            post(&client, addr, "acme", "wrong", body).await.1,
            "unverified:signature_mismatch",
            "{framework}"
        );
        assert_eq!(
            post(&client, addr, "nobody", "wrong", body).await.1,
            "unverified:signature_mismatch",
            "{framework}"
        );
        // A bad delivery is not claimed: the same bytes later signed correctly are handled.
        let again = br#"{"shadow":2}"#;
        assert_eq!(
            post(&client, addr, "acme", "wrong", again).await.1,
            "unverified:signature_mismatch"
        );
        assert_eq!(
            post(&client, addr, "acme", "acme-secret", again).await.1,
            "acme:acme-1"
        );
        // The receiver's own failures are not turned into acceptance.
        assert_eq!(
            post(&client, addr, "vault-down", "wrong", body).await.0,
            503,
            "{framework}"
        );
        assert_eq!(handled.load(Ordering::SeqCst), 5, "{framework}");
    }
}
