//! Handshake challenges through every way of mounting a webhook route (the `Webhook<T>`
//! extractor on a GET and POST route, `events`, the middleware), in process
//! (`test::init_service`) and over a real socket (`HttpServer` on 127.0.0.1:0, reqwest):
//! each genuine one answered by the core, each forged one refused with the status policy's
//! answer, never reaching the handler and never touching the replay store.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::Method;
use actix_web::{App, HttpServer, guard, test, web};
use webhook_actix::{VerifyWebhook, Webhook, WebhookConfig};
use webhook_testkit::handshake::{Case, CountingStore, cases};
use webhook_verify::{Event, EventRouter, Provider};

/// The routes a handshake must be answered on, each with a handler that counts its calls.
fn routes(
    config: WebhookConfig,
    provider: Provider,
    calls: Arc<AtomicUsize>,
) -> impl Fn(&mut web::ServiceConfig) + Clone {
    move |cfg: &mut web::ServiceConfig| {
        let get_or_post = || guard::Any(guard::Get()).or(guard::Post());
        let (x, l, e) = (calls.clone(), calls.clone(), calls.clone());
        let router = EventRouter::builder(provider.clone())
            .fallback(move |_: Event| {
                let e = e.clone();
                async move {
                    e.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, std::io::Error>(())
                }
            })
            .build()
            .unwrap();
        cfg.app_data(config.clone())
            .route(
                "/x/hook",
                web::route().guard(get_or_post()).to(
                    move |Webhook(_): Webhook<serde_json::Value>| {
                        let x = x.clone();
                        async move {
                            x.fetch_add(1, Ordering::SeqCst);
                            "handled"
                        }
                    },
                ),
            )
            .service(
                web::resource("/l/hook")
                    .wrap(VerifyWebhook::new(config.clone()))
                    .route(web::route().guard(get_or_post()).to(move || {
                        let l = l.clone();
                        async move {
                            l.fetch_add(1, Ordering::SeqCst);
                            "handled"
                        }
                    })),
            )
            .route("/e/hook", webhook_actix::events(config.clone(), router));
    }
}

fn check(case: &Case, mount: &str, status: u16, headers: &[(String, String)], body: &[u8]) {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let content_type = header("content-type");
    case.check(status, content_type.as_deref(), header, body)
        .unwrap_or_else(|e| panic!("{mount}: {e}"));
}

#[actix_web::test]
async fn handshakes_in_process() {
    for case in cases() {
        let store = CountingStore::default();
        let config = WebhookConfig::from(case.receiver(store.replay()));
        let calls = Arc::new(AtomicUsize::new(0));
        let app = test::init_service(App::new().configure(routes(
            config,
            case.provider.clone(),
            calls.clone(),
        )))
        .await;
        for mount in ["/x", "/l", "/e"] {
            let mut request = test::TestRequest::default()
                .method(Method::from_bytes(case.method.as_bytes()).unwrap())
                .uri(&format!("{mount}{}", case.path_and_query));
            for (name, value) in &case.headers {
                request = request.insert_header((name.as_str(), value.as_str()));
            }
            let request = request.set_payload(case.body.clone()).to_request();
            let response = test::call_service(&app, request).await;
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            let body = test::read_body(response).await;
            check(&case, mount, status, &headers, &body);
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "{}: a handler ran",
            case.name
        );
        assert_eq!(store.calls(), 0, "{}: the replay store was used", case.name);
    }
}

#[actix_web::test]
async fn handshakes_over_a_real_socket() {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    for case in cases() {
        let store = CountingStore::default();
        let config = WebhookConfig::from(case.receiver(store.replay()));
        let calls = Arc::new(AtomicUsize::new(0));
        let configure = routes(config, case.provider.clone(), calls.clone());
        let server = HttpServer::new(move || App::new().configure(configure.clone()))
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .unwrap();
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        for mount in ["/x", "/l", "/e"] {
            let url = format!("http://{addr}{mount}{}", case.path_and_query);
            let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
            let mut request = client.request(method, url).body(case.body.clone());
            for (name, value) in &case.headers {
                request = request.header(name, value);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            let body = response.bytes().await.unwrap();
            check(&case, mount, status, &headers, &body);
        }
        handle.stop(false).await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "{}: a handler ran",
            case.name
        );
        assert_eq!(store.calls(), 0, "{}: the replay store was used", case.name);
    }
}

/// A delivery after the handshake still reaches the handler on the same routes.
#[actix_web::test]
async fn deliveries_still_reach_the_handler() {
    use webhook_testkit::{NOW, signed};
    let case = cases()
        .into_iter()
        .find(|c| c.name == "meta subscribe")
        .unwrap();
    let store = CountingStore::default();
    let config = WebhookConfig::from(case.receiver(store.replay()));
    let calls = Arc::new(AtomicUsize::new(0));
    let app = test::init_service(App::new().configure(routes(
        config,
        case.provider.clone(),
        calls.clone(),
    )))
    .await;
    for (i, mount) in ["/x", "/l", "/e"].into_iter().enumerate() {
        let body = format!(r#"{{"object":"page","entry":[{{"id":"{i}"}}]}}"#);
        let delivery = signed(&case.provider, body.as_bytes(), NOW);
        let mut request = test::TestRequest::post().uri(&format!("{mount}/hook"));
        for (name, value) in &delivery.headers {
            request = request.insert_header((name.as_str(), value.as_str()));
        }
        let request = request.set_payload(delivery.body.clone()).to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status().as_u16(), 200, "{mount}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(store.calls() > 0);
}
