//! Real servers on 127.0.0.1 for the socket tests: an axum server and an actix server with
//! the same two routes, each on its own thread and runtime for the rest of the process.
//!
//! - `POST /layer`: the verifying layer / middleware in front of a handler answering `ok`.
//! - `POST /typed`: the `Webhook<serde_json::Value>` extractor, answering `ok`.

use std::net::SocketAddr;
use std::sync::mpsc;

/// Starts an axum server: `layer` configures the layer, `typed` the extractor.
pub(crate) fn axum_server(
    layer: webhook_axum::WebhookConfig,
    typed: webhook_axum::WebhookConfig,
) -> SocketAddr {
    use axum::Router;
    use axum::routing::post;
    let app = Router::new()
        .route("/layer", post(|| async { "ok" }))
        .layer(webhook_axum::VerifyWebhookLayer::new(layer))
        .merge(
            Router::new()
                .route(
                    "/typed",
                    post(|_: webhook_axum::Webhook<serde_json::Value>| async { "ok" }),
                )
                .with_state(typed),
        );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
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

/// Starts an actix server: `layer` configures the middleware, `typed` the extractor.
pub(crate) fn actix_server(
    layer: webhook_actix::WebhookConfig,
    typed: webhook_actix::WebhookConfig,
) -> SocketAddr {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                App::new()
                    .service(
                        web::resource("/layer")
                            .wrap(webhook_actix::VerifyWebhook::new(layer.clone()))
                            .route(web::post().to(|| async { HttpResponse::Ok().body("ok") })),
                    )
                    .service(web::scope("").app_data(typed.clone()).route(
                        "/typed",
                        web::post().to(|_: webhook_actix::Webhook<serde_json::Value>| async {
                            HttpResponse::Ok().body("ok")
                        }),
                    ))
            })
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .unwrap();
            tx.send(server.addrs()[0]).unwrap();
            server.run().await.unwrap();
        });
    });
    rx.recv().unwrap()
}
