//! The one-command demo: `cargo run -p webhook-examples --bin demo`.
//!
//! Starts an axum listener (`webhook-axum`) and an actix-web listener (`webhook-actix`) on
//! 127.0.0.1 (ports chosen by the system), sends both the same deliveries from several
//! providers (valid, tampered, signed with the wrong secret, stale, oversized, unsigned)
//! and prints a table of what each framework answered and why. Exits 0 only when every
//! answer is the expected one. Nothing leaves the machine.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, web};
use axum::Router;
use axum::routing::post;
use webhook_verify::replay::{MemoryStore, Replay};
use webhook_verify::{Provider, SignOptions, Signer, Verified, Verifier};

/// The body limit of both listeners in the demo.
const MAX_BODY: usize = 64 * 1024;
/// How old the stale deliveries are.
const STALE_SECS: i64 = 3600;

/// A provider in the demo: its path on both listeners, the secret the listeners hold, and
/// another secret of the same form for the wrong-secret case.
struct Sender {
    provider: Provider,
    secret: &'static str,
    wrong_secret: &'static str,
    /// Headers the provider sends besides the signed ones.
    extra: &'static [(&'static str, &'static str)],
}

fn senders() -> Vec<Sender> {
    vec![
        Sender {
            provider: Provider::STRIPE,
            secret: "whsec_demo_stripe_endpoint_secret",
            wrong_secret: "whsec_some_other_endpoint_secret",
            extra: &[],
        },
        Sender {
            provider: Provider::STANDARD_WEBHOOKS,
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            wrong_secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            extra: &[],
        },
        Sender {
            provider: Provider::GITHUB,
            secret: "demo github secret",
            wrong_secret: "another github secret",
            extra: &[
                ("X-GitHub-Event", "ping"),
                ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
            ],
        },
        Sender {
            provider: Provider::SLACK,
            secret: "8f742231b10e8888abcd99yyyzzz85a5",
            wrong_secret: "0000000000000000abcd99yyyzzz85a5",
            extra: &[],
        },
        Sender {
            provider: Provider::SHOPIFY,
            secret: "demo_shopify_secret",
            wrong_secret: "other_shopify_secret",
            extra: &[("X-Shopify-Topic", "orders/create")],
        },
    ]
}

/// What a case does to an otherwise valid delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Valid,
    Tampered,
    WrongSecret,
    Stale,
    Oversized,
    Unsigned,
    /// The valid delivery sent again, as a provider retry or a replay would.
    Replayed,
}

impl Case {
    const ALL: [Case; 6] = [
        Case::Valid,
        Case::Tampered,
        Case::WrongSecret,
        Case::Stale,
        Case::Oversized,
        Case::Unsigned,
    ];

    fn name(self) -> &'static str {
        match self {
            Case::Valid => "valid",
            Case::Tampered => "tampered",
            Case::WrongSecret => "wrong secret",
            Case::Stale => "stale",
            Case::Oversized => "oversized",
            Case::Unsigned => "unsigned",
            Case::Replayed => "replayed",
        }
    }
}

/// One row of the table: a delivery sent to both listeners.
struct Row {
    case: Case,
    provider: String,
    expected: (u16, String),
    axum: (u16, String),
    actix: (u16, String),
    why: String,
}

impl Row {
    fn ok(&self) -> bool {
        self.axum == self.expected && self.actix == self.expected
    }
}

/// A delivery ready to send: path, headers, body, and what should come back.
struct Delivery {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    expected: (u16, String),
    why: String,
}

fn now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    i64::try_from(secs).unwrap_or(i64::MAX)
}

fn path(p: &Provider) -> String {
    format!("/webhooks/{}", p.name())
}

/// Builds `case` for `sender`, or `None` when it does not apply (no timestamp to be stale).
fn delivery(sender: &Sender, case: Case) -> Option<Delivery> {
    let p = &sender.provider;
    let id = format!("evt_demo_{}", p.name().replace('-', "_"));
    let mut body = format!(r#"{{"id":"{id}","type":"demo.ping","data":{{"n":42}}}}"#).into_bytes();
    let mut secret = sender.secret;
    let mut timestamp = now();
    let ok = (200, format!("verified {}", p.name()));
    let (expected, why): ((u16, String), String) = match case {
        Case::Valid => (ok, "signed with the endpoint's secret".into()),
        Case::Tampered => (
            (401, "invalid signature".into()),
            "one body byte flipped after signing".into(),
        ),
        Case::WrongSecret => {
            secret = sender.wrong_secret;
            (
                (401, "invalid signature".into()),
                "signed with another endpoint's secret".into(),
            )
        }
        Case::Stale => {
            let past = p.default_tolerance().past()?;
            if !p.has_timestamp() {
                return None;
            }
            timestamp -= STALE_SECS;
            (
                (401, "timestamp outside tolerance".into()),
                format!("signed {STALE_SECS} s ago, tolerance {} s", past.as_secs()),
            )
        }
        Case::Oversized => {
            // A valid signature over a body larger than the limit: refused unread.
            let filler = "x".repeat(MAX_BODY + 1024);
            body = format!(r#"{{"id":"{id}","type":"demo.big","pad":"{filler}"}}"#).into_bytes();
            (
                (413, "payload too large".into()),
                format!(
                    "{} KiB body, limit {} KiB",
                    body.len() / 1024,
                    MAX_BODY / 1024
                ),
            )
        }
        Case::Unsigned => (
            (400, format!("missing header {}", p.signature_header())),
            "no signature header at all".into(),
        ),
        // Sent by `run` as a copy of the valid delivery.
        Case::Replayed => return None,
    };
    let signed = Signer::new(p, secret)
        .and_then(|s| s.sign(&body, &SignOptions::new().timestamp(timestamp)))
        .expect("the demo's secrets can sign");
    let mut headers: Vec<(String, String)> = match case {
        Case::Unsigned => Vec::new(),
        _ => signed,
    };
    headers.extend(
        sender
            .extra
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    headers.push(("content-type".into(), "application/json".into()));
    if case == Case::Tampered {
        let i = body.len() / 2;
        body[i] ^= 0x01;
    }
    Some(Delivery {
        path: path(p),
        headers,
        body,
        expected,
        why,
    })
}

fn verifier(sender: &Sender) -> Verifier {
    Verifier::new(sender.provider.clone(), sender.secret).expect("the demo's secrets are valid")
}

/// What both handlers answer for a verified delivery.
fn answer(verified: &Verified) -> String {
    format!("verified {}", verified.provider().name())
}

/// The axum listener: one route per provider, each with its own `WebhookConfig`.
async fn start_axum(senders: &[Sender]) -> std::io::Result<String> {
    async fn receive(webhook_axum::VerifiedWebhook(v): webhook_axum::VerifiedWebhook) -> String {
        answer(&v)
    }
    let mut app = Router::new();
    for s in senders {
        let verifier = verifier(s);
        let config = webhook_axum::WebhookConfig::builder(verifier.clone())
            .max_body(MAX_BODY)
            .replay(Replay::new(MemoryStore::new()))
            .build();
        app = app.merge(
            Router::new()
                .route(&path(&s.provider), post(receive))
                .route_layer(webhook_axum::VerifyWebhookLayer::new(config.clone()))
                .with_state(config),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    actix_web::rt::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}"))
}

/// The actix-web listener: one resource per provider, each with its own `WebhookConfig`.
fn start_actix(senders: &[Sender]) -> std::io::Result<(String, ServerHandle)> {
    async fn receive(
        webhook_actix::VerifiedWebhook(v): webhook_actix::VerifiedWebhook,
    ) -> HttpResponse {
        HttpResponse::Ok().body(answer(&v))
    }
    let configs: Vec<(String, webhook_actix::WebhookConfig)> = senders
        .iter()
        .map(|s| {
            let verifier = verifier(s);
            let replay = Replay::new(MemoryStore::new());
            (
                path(&s.provider),
                webhook_actix::WebhookConfig::builder(verifier)
                    .max_body(MAX_BODY)
                    .replay(replay)
                    .build(),
            )
        })
        .collect();
    let server = HttpServer::new(move || {
        configs.iter().fold(App::new(), |app, (path, config)| {
            app.service(
                web::resource(path.as_str())
                    .app_data(config.clone())
                    .wrap(webhook_actix::VerifyWebhook::new(config.clone()))
                    .route(web::post().to(receive)),
            )
        })
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))?;
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Ok((format!("http://{addr}"), handle))
}

async fn send(client: &reqwest::Client, base: &str, d: &Delivery) -> (u16, String) {
    let mut request = client
        .post(format!("{base}{}", d.path))
        .body(d.body.clone());
    for (name, value) in &d.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (status, text)
        }
        Err(e) => (0, format!("request failed: {e}")),
    }
}

/// Starts both listeners, sends every case, stops the listeners; one row per delivery.
async fn run() -> std::io::Result<Vec<Row>> {
    let senders = senders();
    let axum_base = start_axum(&senders).await?;
    let (actix_base, actix) = start_actix(&senders)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(std::io::Error::other)?;
    let mut rows = Vec::new();
    for sender in &senders {
        for case in Case::ALL {
            let Some(d) = delivery(sender, case) else {
                continue;
            };
            rows.push(Row {
                case,
                provider: sender.provider.name().to_owned(),
                axum: send(&client, &axum_base, &d).await,
                actix: send(&client, &actix_base, &d).await,
                expected: d.expected.clone(),
                why: d.why.clone(),
            });
            if case == Case::Valid {
                // The same bytes again: handled once, acknowledged without running twice.
                rows.push(Row {
                    case: Case::Replayed,
                    provider: sender.provider.name().to_owned(),
                    axum: send(&client, &axum_base, &d).await,
                    actix: send(&client, &actix_base, &d).await,
                    expected: (200, "duplicate".into()),
                    why: "the valid delivery again (a retry or a replay)".into(),
                });
            }
        }
    }
    // Close the client's idle connections first, so the graceful stop does not wait on them.
    drop(client);
    actix.stop(true).await;
    Ok(rows)
}

/// The table, with a ✓ or ✗ per row and the answer bodies for the refusals.
fn table(rows: &[Row]) -> String {
    let header = ["case", "provider", "expected", "axum", "actix", "why"].map(String::from);
    let mut cells = vec![header];
    for r in rows {
        let got = |(status, text): &(u16, String)| {
            let mark = if (*status, text) == (r.expected.0, &r.expected.1) {
                "ok"
            } else {
                "WRONG"
            };
            format!("{status} {mark}")
        };
        cells.push([
            r.case.name().to_owned(),
            r.provider.clone(),
            r.expected.0.to_string(),
            got(&r.axum),
            got(&r.actix),
            format!("{}: \"{}\"", r.why, r.expected.1),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in cells.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let _ = write!(line, "{cell:<width$}  ", width = widths[c]);
        }
        let _ = writeln!(out, "{}", line.trim_end());
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            let _ = writeln!(out, "{}", "-".repeat(total));
        }
    }
    for r in rows.iter().filter(|r| !r.ok()) {
        let _ = writeln!(
            out,
            "MISMATCH {} {}: expected {} {:?}, axum {} {:?}, actix {} {:?}",
            r.case.name(),
            r.provider,
            r.expected.0,
            r.expected.1,
            r.axum.0,
            r.axum.1,
            r.actix.0,
            r.actix.1
        );
    }
    out
}

#[actix_web::main]
async fn main() -> ExitCode {
    println!(
        "webhook-verify demo: an axum and an actix-web listener on 127.0.0.1, body limit {} KiB\n",
        MAX_BODY / 1024
    );
    let rows = match run().await {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("error: cannot run the demo: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", table(&rows));
    let good = rows.iter().filter(|r| r.ok()).count();
    println!(
        "\n{good}/{} deliveries answered as expected by both frameworks ({} answers).",
        rows.len(),
        rows.len() * 2
    );
    if good == rows.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn every_answer_is_the_expected_one() {
        let rows = run().await.unwrap();
        let report = table(&rows);
        assert!(rows.iter().all(Row::ok), "{report}");
        // Every case, for exactly the senders it applies to (all five; stale only for those
        // with a signed timestamp), in the order the table prints them, and nothing else.
        let senders = senders();
        let mut expected = Vec::new();
        for s in &senders {
            for case in Case::ALL {
                if delivery(s, case).is_some() {
                    expected.push((case, s.provider.name().to_owned()));
                }
                if case == Case::Valid {
                    expected.push((Case::Replayed, s.provider.name().to_owned()));
                }
            }
        }
        let got: Vec<(Case, String)> = rows.iter().map(|r| (r.case, r.provider.clone())).collect();
        assert_eq!(got, expected, "{report}");
        let names: Vec<&str> = senders.iter().map(|s| s.provider.name()).collect();
        assert_eq!(names, ["stripe", "standard", "github", "slack", "shopify"]);
        for case in Case::ALL.into_iter().chain([Case::Replayed]) {
            let providers = rows.iter().filter(|r| r.case == case).count();
            let applies = if case == Case::Stale { 3 } else { 5 };
            assert_eq!(providers, applies, "{}\n{report}", case.name());
        }
    }

    #[test]
    fn stale_applies_only_to_providers_with_a_timestamp() {
        for s in senders() {
            assert_eq!(
                delivery(&s, Case::Stale).is_some(),
                s.provider.has_timestamp(),
                "{}",
                s.provider.name()
            );
        }
    }
}
