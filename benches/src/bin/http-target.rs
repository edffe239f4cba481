//! The HTTP throughput target: one axum or actix-web listener on 127.0.0.1 whose `POST
//! /webhook` is one of three endpoints, each answering 200 `ok` to a signed 1 KiB Stripe
//! `customer.created` event:
//!
//! - `unverified`: the body as bytes, parsed into the typed `StripeEvent`;
//! - `verified`: the framework's `Webhook<StripeEvent>` extractor (buffer, verify, claim in
//!   the in-memory replay store, parse, commit);
//! - `router`: the framework's `events()` endpoint (verify, claim, route by event type,
//!   parse `data.object` into a typed `Customer` for the handler, commit).
//!
//! Replay protection is on, as users run it: `wrk`'s two threads cycle through [`DELIVERIES`]
//! distinct signed deliveries (distinct event ids), each thread its own half, and the store
//! keeps [`STORE_KEYS`] of them, fewer than a thread's half, so by the time a delivery comes
//! round again it has been evicted: every request is a new delivery to the store (and each
//! claim also evicts the oldest key). Each run starts at a random place in each thread's
//! half: when it lands among the last deliveries of the previous run on the same server
//! (still in the store), at most [`STORE_KEYS`] of its requests are duplicates (checked
//! with a counting `response` hook: none in most runs, at most 0.15 % of a 10 s run). A
//! Stripe tolerance of one day lets one fixture serve a whole run.
//!
//! ```text
//! http-target fixture DIR                                       # DIR/post.lua, DIR/body.json, DIR/signature.txt
//! http-target serve axum|actix unverified|verified|router PORT  # PORT 0: any free port
//! ```
//!
//! `serve` prints the port it listens on as the first line on stdout.
//!
//! `post.lua` makes `wrk` send the signed deliveries in turn and print one JSON line of
//! results when it is done. `scripts/bench.sh` runs both.

use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use webhook_benches::{
    Customer, STRIPE_EVENT_ID, STRIPE_SECRET, StripeEvent, stripe_event, unix_now,
};
use webhook_verify::replay::{MemoryStore, Replay};
use webhook_verify::{EventRouter, Provider, SignOptions, Signer, Verifier};

/// The body size served: 1 KiB.
const BODY_LEN: usize = 1024;
/// Distinct signed deliveries `wrk` cycles through.
const DELIVERIES: usize = 20_000;
/// Keys the replay store keeps: fewer than a thread's share of [`DELIVERIES`] (each of
/// `wrk`'s two threads sends its own half), so each request is new to it.
const STORE_KEYS: usize = 1_000;
const USAGE: &str =
    "usage: http-target fixture DIR | http-target serve axum|actix unverified|verified|router PORT";

/// Which endpoint `serve` runs.
#[derive(Clone, Copy)]
enum Mode {
    Unverified,
    Verified,
    Router,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["fixture", dir] => fixture(Path::new(dir)),
        ["serve", framework, mode, port] => {
            let mode = match *mode {
                "unverified" => Mode::Unverified,
                "verified" => Mode::Verified,
                "router" => Mode::Router,
                _ => return usage(),
            };
            let Ok(port) = port.parse::<u16>() else {
                return usage();
            };
            match *framework {
                "axum" => axum_target::serve(mode, port),
                "actix" => actix_target::serve(mode, port),
                _ => return usage(),
            }
        }
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http-target: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// Lua's long-bracket string of `text`.
fn lua_string(text: &str) -> String {
    assert!(!text.contains("]==]"), "the text fits a Lua long string");
    format!("[==[{text}]==]")
}

/// Writes [`DELIVERIES`] signed 1 KiB Stripe events (each with its own event id) as the
/// `wrk` script that posts them in turn, and the first one as `body.json` +
/// `signature.txt` for checks with curl.
fn fixture(dir: &Path) -> std::io::Result<()> {
    let now = unix_now();
    let signer = Signer::new(&Provider::STRIPE, STRIPE_SECRET).map_err(std::io::Error::other)?;
    let mut requests = String::with_capacity(DELIVERIES * (BODY_LEN + 200));
    let mut first = None;
    for i in 0..DELIVERIES {
        // Same length as the template's id, so every body is exactly BODY_LEN bytes.
        let id = format!("evt_{i:0width$}", width = STRIPE_EVENT_ID.len() - 4);
        let body = stripe_event(BODY_LEN, now).replace(STRIPE_EVENT_ID, &id);
        assert_eq!(body.len(), BODY_LEN);
        let headers = signer
            .sign(body.as_bytes(), &SignOptions::new().timestamp(now))
            .map_err(std::io::Error::other)?;
        let signature = headers
            .iter()
            .find(|(k, _)| k == "stripe-signature")
            .ok_or_else(|| std::io::Error::other("no stripe-signature header"))?
            .1
            .clone();
        requests.push_str(&format!(
            "  {{{}, {}}},\n",
            lua_string(&signature),
            lua_string(&body)
        ));
        first.get_or_insert((body, signature));
    }
    let lua = format!(
        r#"-- Generated by `http-target fixture`: POSTs {DELIVERIES} signed {BODY_LEN}-byte Stripe events in turn.
local deliveries = {{
{requests}}}
local n = #deliveries
local i = 0

-- Each of the two threads (bench.sh runs `wrk -t2`) sends its own half of the deliveries
-- (thread 0 the odd places, thread 1 the even ones), so no delivery is ever sent by both;
-- a thread comes round to one of its own after n / 2 of its requests, when the store
-- (which keeps fewer than that) has forgotten it.
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end

init = function(args)
  -- A random place in the thread's half, so that a run does not start with the
  -- deliveries the previous run on the same server ended with (still in the store).
  math.randomseed(os.time() * 2 + (id or 0))
  i = (id or 0) % 2 + 2 * math.random(0, math.floor(n / 2) - 1)
end

request = function()
  i = (i + 2 - 1) % n + 1
  local d = deliveries[i]
  return wrk.format("POST", nil, {{
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    ["Stripe-Signature"] = d[1],
  }}, d[2])
end

done = function(summary, latency, requests)
  local e = summary.errors
  local f = math.floor
  io.write(string.format(
    '{{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":{{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}}}\n',
    f(summary.requests), f(summary.duration), f(latency:percentile(50)),
    f(latency:percentile(90)), f(latency:percentile(99)), f(latency.max),
    f(e.connect), f(e.read), f(e.write), f(e.status), f(e.timeout)))
end
"#
    );
    let (body, signature) = first.expect("at least one delivery");
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("body.json"), &body)?;
    std::fs::write(dir.join("signature.txt"), signature)?;
    std::fs::write(dir.join("post.lua"), lua)?;
    Ok(())
}

/// The in-memory replay store, bounded below one cycle of the fixture.
fn replay() -> Replay {
    Replay::new(MemoryStore::new().max_entries(STORE_KEYS))
}

/// The router: one typed handler for the event served.
fn router() -> EventRouter {
    EventRouter::builder(Provider::STRIPE)
        .on(
            "customer.created",
            |event: webhook_verify::Event<Customer>| async move {
                black_box(event);
                Ok::<_, std::convert::Infallible>(())
            },
        )
        .build()
        .expect("a router")
}

fn verifier() -> Verifier {
    Verifier::builder(Provider::STRIPE)
        .secret(STRIPE_SECRET)
        .tolerance(Duration::from_secs(24 * 60 * 60))
        .build()
        .expect("a Stripe verifier")
}

/// Worker threads for either framework: one per core.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// Prints the port listened on (useful with port 0) as the first line on stdout.
fn announce(port: u16) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{port}")?;
    out.flush()
}

fn parse(body: &Bytes) -> Option<StripeEvent> {
    serde_json::from_slice(body).ok()
}

mod axum_target {
    use super::*;
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::post;
    use webhook_axum::{Webhook, WebhookConfig};

    async fn verified(Webhook(event): Webhook<StripeEvent>) -> &'static str {
        black_box(event);
        "ok"
    }

    async fn unverified(body: Bytes) -> Result<&'static str, StatusCode> {
        black_box(parse(&body).ok_or(StatusCode::BAD_REQUEST)?);
        Ok("ok")
    }

    pub(super) fn serve(mode: Mode, port: u16) -> std::io::Result<()> {
        let config = || WebhookConfig::builder(verifier()).replay(replay()).build();
        let app = match mode {
            Mode::Unverified => Router::new().route("/webhook", post(unverified)),
            Mode::Verified => Router::new()
                .route("/webhook", post(verified))
                .with_state(config()),
            Mode::Router => {
                Router::new().route("/webhook", webhook_axum::events(config(), router()))
            }
        };
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers())
            .enable_all()
            .build()?
            .block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
                announce(listener.local_addr()?.port())?;
                axum::serve(listener, app).await
            })
    }
}

mod actix_target {
    use super::*;
    use actix_web::{App, HttpResponse, HttpServer, web};
    use webhook_actix::{Webhook, WebhookConfig};

    async fn verified(Webhook(event): Webhook<StripeEvent>) -> &'static str {
        black_box(event);
        "ok"
    }

    async fn unverified(body: web::Bytes) -> HttpResponse {
        match parse(&body) {
            Some(event) => {
                black_box(event);
                HttpResponse::Ok().body("ok")
            }
            None => HttpResponse::BadRequest().finish(),
        }
    }

    pub(super) fn serve(mode: Mode, port: u16) -> std::io::Result<()> {
        let config = WebhookConfig::builder(verifier()).replay(replay()).build();
        let router = router();
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let app = App::new();
                match mode {
                    Mode::Unverified => app.route("/webhook", web::post().to(unverified)),
                    Mode::Verified => app
                        .app_data(config.clone())
                        .route("/webhook", web::post().to(verified)),
                    Mode::Router => app.route(
                        "/webhook",
                        webhook_actix::events(config.clone(), router.clone()),
                    ),
                }
            })
            .workers(workers())
            .bind(("127.0.0.1", port))?;
            let port = server.addrs().first().map_or(port, |a| a.port());
            announce(port)?;
            server.run().await
        })
    }
}
