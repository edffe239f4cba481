//! `webhook listen`: a receiver on the core's receive path (body limit, verification,
//! replay claim, status policy) that prints each delivery, and optionally forwards it to a
//! local app, records it, and shows it in the inspector page (`--ui`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::post;
use serde::Serialize;
use time::OffsetDateTime;
use webhook_verify::queue::Handoff;
use webhook_verify::receive::{Receiver, Reply, RequestUrl};
use webhook_verify::replay::{MemoryStore, RedisStore, Replay};
use webhook_verify::{Delivery, Provider, Secret, Signer, Verified, Verifier};

use crate::Failure;
use crate::cli::ListenArgs;
use crate::forward::{Answer, Forwarder, UNVERIFIED_HEADER};
use crate::record::{Record, Recorder, encode_body, mask_body_signature, mask_headers, rfc3339};
use crate::term::{paint_outcome, paint_status, stdout_colour};
use crate::ui::{self, History};
use crate::verify::DeliveryLine;

/// Outcome of a verified delivery the app could not be reached for (502).
pub(crate) const APP_UNREACHABLE: &str = "app_unreachable";

/// How each delivery is printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// Without `--forward-to`: a JSON line per verified delivery on stdout, one
    /// `rejected STATUS: reason` line per refusal on stderr.
    Verified,
    /// With `--forward-to`: a line per delivery (time, provider, event type, id, outcome,
    /// app status, latency), coloured on a terminal.
    Text { colour: bool },
    /// With `--json`: the same as a JSON object per line, for every delivery.
    Json,
}

/// What the listener shares between requests.
pub(crate) struct Hub {
    pub(crate) verifier: Verifier,
    receiver: Receiver,
    /// `--queue`: deliveries go to workers through a Redis Stream.
    handoff: Option<Handoff>,
    pub(crate) forward: Option<Forwarder>,
    forward_unverified: bool,
    recorder: Option<Mutex<Recorder>>,
    record_signatures: bool,
    pub(crate) history: Option<Mutex<History>>,
    /// The secret the inspector re-signs replays with, when the provider's verifying
    /// secret can also sign (HMAC schemes).
    pub(crate) signing_secret: Option<Secret>,
    output: Output,
    local: SocketAddr,
}

impl Hub {
    pub(crate) fn provider(&self) -> &Provider {
        self.verifier.provider()
    }
}

pub(crate) fn run(args: ListenArgs) -> Result<(), Failure> {
    if !args.path.starts_with('/') {
        return Err(Failure::usage(format!(
            "--path must start with '/' (got {:?})",
            args.path
        )));
    }
    if let Some(ui) = args.ui {
        if !ui.ip().is_loopback() && !args.ui_allow_remote {
            return Err(Failure::usage(format!(
                "--ui {ui} is reachable from other machines: the page shows deliveries and \
                 can re-send them; use a loopback address (127.0.0.1) or add --ui-allow-remote"
            )));
        }
    }
    let secrets = args.secrets.resolve()?;
    let verifier = secrets
        .iter()
        .fold(Verifier::builder(args.provider.clone()), |b, s| b.secret(s))
        .build()
        .map_err(|e| Failure::usage(format!("{e} (provider {})", args.provider.name())))?;
    let signing_secret = secrets
        .iter()
        .find(|s| Signer::new(&args.provider, *s).is_ok())
        .cloned();
    let forward = args
        .forward_to
        .as_deref()
        .map(|url| Forwarder::new(url, "--forward-to"))
        .transpose()?;
    let recorder = args
        .record
        .as_deref()
        .map(Recorder::open)
        .transpose()?
        .map(Mutex::new);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the runtime: {e}")))?;
    // Replay protection: in memory, or shared through Redis with --redis.
    let replay = runtime.block_on(async {
        match &args.redis {
            Some(url) => RedisStore::connect(url)
                .await
                .map(Replay::new)
                .map_err(|e| Failure::usage(format!("--redis: {e}"))),
            None => Ok(Replay::new(MemoryStore::new())),
        }
    })?;
    let mut receiver = Receiver::builder(verifier.clone())
        .max_body(args.max_body)
        .replay(replay.covering(&verifier));
    if let Some(url) = &args.public_url {
        receiver = receiver.public_base_url(url.trim_end_matches('/'));
    }
    if let Some(token) = &args.verify_token {
        receiver = receiver
            .verify_token(token.as_str())
            .map_err(|e| Failure::usage(format!("--verify-token: {e}")))?;
    }
    let receiver = receiver.build();
    let handoff = runtime.block_on(crate::queue::handoff(&args, &receiver))?;
    let output = match (&forward, args.json) {
        (_, true) => Output::Json,
        (None, false) => Output::Verified,
        (Some(_), false) => Output::Text {
            colour: stdout_colour(),
        },
    };

    runtime.block_on(async move {
        if let Some(addr) = args.metrics_addr {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .with_http_listener(addr)
                .install()
                .map_err(|e| {
                    Failure::usage(format!("--metrics-addr: cannot serve on {addr}: {e}"))
                })?;
        }
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| Failure::usage(format!("cannot listen on {}: {e}", args.addr)))?;
        let local = listener
            .local_addr()
            .map_err(|e| Failure::usage(format!("cannot listen on {}: {e}", args.addr)))?;
        let ui_listener = match args.ui {
            Some(addr) => Some(
                tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| Failure::usage(format!("--ui: cannot listen on {addr}: {e}")))?,
            ),
            None => None,
        };
        let hub = Arc::new(Hub {
            verifier,
            receiver,
            handoff,
            forward,
            forward_unverified: args.forward_unverified,
            recorder,
            record_signatures: args.record_signatures,
            history: ui_listener
                .as_ref()
                .map(|_| Mutex::new(History::new(ui::DEFAULT_HISTORY))),
            signing_secret,
            output,
            local,
        });
        eprintln!(
            "listening on http://{local}{} for provider {}",
            args.path,
            args.provider.name()
        );
        if let Some(addr) = args.metrics_addr {
            eprintln!("metrics on http://{addr}/metrics");
        }
        if let Some(forward) = &hub.forward {
            eprintln!("forwarding to {}", forward.url());
        }
        if let Some(path) = &args.record {
            eprintln!("recording to {}", path.display());
        }
        let app = Router::new()
            // GET too: some senders' handshakes (Meta, X, Dropbox, Okta) are GET requests.
            .route(&args.path, post(receive).get(receive))
            .with_state(hub.clone());
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let main = axum::serve(listener, app).with_graceful_shutdown(shutdown);
        match ui_listener {
            None => main
                .await
                .map_err(|e| Failure::Failed(vec![format!("the server stopped: {e}")])),
            Some(ui_listener) => {
                let ui_local = ui_listener
                    .local_addr()
                    .map_err(|e| Failure::usage(format!("--ui: cannot listen: {e}")))?;
                eprintln!("inspector on http://{ui_local}/");
                let page = ui::router(hub, args.ui_allow_remote);
                let ui_server = axum::serve(ui_listener, page).with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                });
                let (a, b) = tokio::join!(main, ui_server);
                a.and(b)
                    .map_err(|e| Failure::Failed(vec![format!("the server stopped: {e}")]))
            }
        }
    })
}

/// One delivery as the listener saw it, and what became of it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) received_at: OffsetDateTime,
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) provider: String,
    pub(crate) outcome: String,
    pub(crate) status: u16,
    pub(crate) id: Option<String>,
    pub(crate) event_type: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) diagnosis: Vec<String>,
    pub(crate) app_status: Option<u16>,
    pub(crate) latency_ms: Option<u64>,
    pub(crate) app_error: Option<String>,
}

impl Seen {
    /// The record of this delivery: signature values masked unless `keep_signatures`.
    pub(crate) fn record(&self, provider: &Provider, keep_signatures: bool) -> Record {
        let (headers, body, masked) = if keep_signatures {
            (self.headers.clone(), self.body.clone(), false)
        } else {
            let body =
                mask_body_signature(provider, &self.body).unwrap_or_else(|| self.body.clone());
            (mask_headers(&self.headers, Some(provider)), body, true)
        };
        Record {
            received_at: rfc3339(self.received_at),
            method: self.method.clone(),
            url: self.url.clone(),
            provider: self.provider.clone(),
            outcome: self.outcome.clone(),
            status: self.status,
            id: self.id.clone(),
            event_type: self.event_type.clone(),
            error: self.error.clone(),
            diagnosis: self.diagnosis.clone(),
            app_status: self.app_status,
            latency_ms: self.latency_ms,
            signatures_masked: masked,
            headers,
            body_base64: encode_body(&body),
        }
    }
}

/// The JSON line printed per delivery with `--forward-to --json`.
#[derive(Debug, Serialize)]
struct JsonLine<'a> {
    time: String,
    provider: &'a str,
    event_type: Option<&'a str>,
    id: Option<&'a str>,
    outcome: &'a str,
    status: u16,
    app_status: Option<u16>,
    latency_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app_error: Option<&'a str>,
}

/// Receives one delivery: body limit, verification, replay claim, then the app (or `ok`).
async fn receive(State(hub): State<Arc<Hub>>, request: Request) -> Response {
    let received_at = OffsetDateTime::now_utc();
    let (parts, body) = request.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let request_url = RequestUrl::new(&path_and_query).host(host.as_deref());
    let url = hub.receiver.request_url(&request_url).unwrap_or_else(|| {
        format!(
            "http://{}{path_and_query}",
            host.clone().unwrap_or_else(|| hub.local.to_string())
        )
    });
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut seen = Seen {
        received_at,
        method: parts.method.as_str().to_owned(),
        url,
        headers,
        body: Vec::new(),
        provider: hub.provider().name().to_owned(),
        outcome: String::new(),
        status: 0,
        id: None,
        event_type: None,
        error: None,
        diagnosis: Vec::new(),
        app_status: None,
        latency_ms: None,
        app_error: None,
    };

    let reception = hub.receiver.receive();
    // A handshake that is a plain request (Meta, X, Dropbox, Microsoft Graph, Okta), and
    // any other GET, is answered by the core before any body is read.
    if let Some(reply) = reception.challenge(parts.method.as_str(), &parts.headers, &request_url) {
        return if reply.is_success() {
            answered(&hub, seen, &reply)
        } else {
            refused(&hub, seen, &reply)
        };
    }
    let read = match reception.body_limit(&parts.headers) {
        Ok(limit) => reception.read_body(limit, body.into_data_stream()).await,
        Err(reply) => Err(reply),
    };
    let body = match read {
        Ok(body) => body,
        Err(reply) => return refused(&hub, seen, &reply),
    };
    seen.body = body.to_vec();
    let verified = reception.verify(&parts.headers, &request_url, body).await;
    let verified = match verified {
        Ok(verified) => verified,
        Err(reply) => return unverified(&hub, seen, &parts.headers, &reply).await,
    };
    seen.id = verified.id().map(str::to_owned);
    seen.event_type = verified.event_type().map(str::to_owned);
    // A signed handshake (Slack, Zoom, Discord, Twitch) is answered by the core, as the
    // adapters answer it: not forwarded, not claimed.
    if let Some(reply) = reception.answer(&verified) {
        return answered(&hub, seen, &reply);
    }
    if let Some(handoff) = &hub.handoff {
        return crate::queue::enqueue(&hub, seen, &reception, handoff, verified).await;
    }
    let claim = match reception.claim(&verified).await {
        Ok(claim) => claim,
        Err(reply) => return refused(&hub, seen, &reply),
    };
    let Some(forward) = &hub.forward else {
        claim.settle(200).await;
        seen.outcome = "verified".to_owned();
        seen.status = 200;
        finish(&hub, &seen, Some(&verified));
        return (StatusCode::OK, "ok").into_response();
    };
    let answer = forward
        .send(&seen.method, &seen.headers, seen.body.clone())
        .await;
    let status = answer.as_ref().map_or(502, |a| a.status);
    claim.settle(status).await;
    reception.finish_status(status, None);
    let response = app_response(&mut seen, answer);
    seen.outcome = match (seen.app_status, &seen.app_error) {
        (Some(s), _) if (200..300).contains(&s) => "handled".to_owned(),
        (Some(_), _) => "handler_failed".to_owned(),
        (None, _) => APP_UNREACHABLE.to_owned(),
    };
    finish(&hub, &seen, Some(&verified));
    response
}

/// A delivery that did not verify: answered by the status policy, or forwarded marked as
/// unverified with `--forward-unverified`.
async fn unverified(hub: &Hub, mut seen: Seen, headers: &HeaderMap, reply: &Reply) -> Response {
    if let Some(error) = reply.verify_error() {
        let mut delivery = Delivery::new(headers, seen.body.clone());
        if hub.provider().needs_url() {
            delivery = delivery.with_url(&seen.url);
        }
        seen.diagnosis = hub.verifier.diagnose(&delivery, error).hints().to_vec();
        seen.error = Some(error.to_string());
    }
    let (id, event_type) = claimed_meta(hub.provider(), &seen.headers, &seen.body);
    seen.id = id;
    seen.event_type = event_type;
    let forward = hub.forward.as_ref().filter(|_| hub.forward_unverified);
    let Some(forward) = forward else {
        return refused(hub, seen, reply);
    };
    let reason = reply.outcome().as_str();
    let mut marked = seen.headers.clone();
    marked.push((UNVERIFIED_HEADER.to_owned(), reason.to_owned()));
    let answer = forward.send(&seen.method, &marked, seen.body.clone()).await;
    seen.outcome = reason.to_owned();
    let response = app_response(&mut seen, answer);
    finish(hub, &seen, None);
    response
}

/// Answers with the status policy's reply and prints/records the delivery.
fn refused(hub: &Hub, mut seen: Seen, reply: &Reply) -> Response {
    seen.outcome = reply.outcome().as_str().to_owned();
    seen.status = reply.status();
    if seen.error.is_none() && !reply.is_success() {
        seen.error = Some(reply.body_text().into_owned());
    }
    if hub.output == Output::Verified {
        eprintln!("rejected {}: {}", reply.status(), reply.body_text());
    }
    finish(hub, &seen, None);
    reply_response(reply)
}

/// A handshake answered by the core: printed and recorded as `challenge`.
fn answered(hub: &Hub, mut seen: Seen, reply: &Reply) -> Response {
    seen.outcome = reply.outcome().as_str().to_owned();
    seen.status = reply.status();
    finish(hub, &seen, None);
    reply_response(reply)
}

/// The app's answer as the sender's response (502 when it could not be reached).
fn app_response(seen: &mut Seen, answer: Result<Answer, String>) -> Response {
    match answer {
        Ok(answer) => {
            seen.app_status = Some(answer.status);
            seen.status = answer.status;
            seen.latency_ms = Some(u64::try_from(answer.latency.as_millis()).unwrap_or(u64::MAX));
            let mut response = Response::new(Body::from(answer.body));
            *response.status_mut() =
                StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
            for (name, value) in answer.headers {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_bytes(&value),
                ) {
                    response.headers_mut().append(n, v);
                }
            }
            response
        }
        Err(error) => {
            seen.status = 502;
            seen.app_error = Some(error);
            (StatusCode::BAD_GATEWAY, "bad gateway").into_response()
        }
    }
}

/// The status policy's reply as a response: status, short body, content type,
/// `Retry-After`.
pub(crate) fn reply_response(reply: &Reply) -> Response {
    let mut response = Response::new(Body::from(reply.body().clone()));
    *response.status_mut() =
        StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = reply.content_type() {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    if let Some(secs) = reply.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    for &(name, value) in reply.headers() {
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}

/// Prints, records and keeps (for the inspector) one delivery.
pub(crate) fn finish(hub: &Hub, seen: &Seen, verified: Option<&Verified>) {
    print_line(hub, seen, verified);
    if let Some(recorder) = &hub.recorder {
        let record = seen.record(hub.provider(), hub.record_signatures);
        if let Ok(mut recorder) = recorder.lock() {
            recorder.append(&record);
        }
    }
    if let Some(history) = &hub.history {
        if let Ok(mut history) = history.lock() {
            history.push(seen.clone());
        }
    }
}

fn print_line(hub: &Hub, seen: &Seen, verified: Option<&Verified>) {
    match hub.output {
        Output::Verified => {
            if let Some(verified) = verified {
                println!("{}", DeliveryLine::new(verified).to_json());
            }
        }
        Output::Json => {
            let line = JsonLine {
                time: rfc3339(seen.received_at),
                provider: &seen.provider,
                event_type: seen.event_type.as_deref(),
                id: seen.id.as_deref(),
                outcome: &seen.outcome,
                status: seen.status,
                app_status: seen.app_status,
                latency_ms: seen.latency_ms,
                error: seen.error.as_deref(),
                app_error: seen.app_error.as_deref(),
            };
            println!(
                "{}",
                serde_json::to_string(&line).expect("strings and numbers serialize")
            );
        }
        Output::Text { colour } => {
            let time = seen.received_at;
            let mut line = format!(
                "{:02}:{:02}:{:02}Z  {}  {}  {}  {}  app {}",
                time.hour(),
                time.minute(),
                time.second(),
                seen.provider,
                seen.event_type.as_deref().unwrap_or("-"),
                seen.id.as_deref().unwrap_or("-"),
                paint_outcome(&seen.outcome, colour),
                paint_status(seen.app_status, colour),
            );
            if let Some(ms) = seen.latency_ms {
                line.push_str(&format!("  {ms} ms"));
            }
            if let Some(error) = &seen.error {
                line.push_str(&format!("  ({error})"));
            }
            if let Some(error) = &seen.app_error {
                line.push_str(&format!("  app unreachable: {error}; answered 502"));
            }
            println!("{line}");
        }
    }
}

/// The id and event type a delivery claims, read without verifying (for the lines and the
/// inspector; never trusted): the provider's id header, or the body's `id`; the event type
/// from where the provider puts it.
pub(crate) fn claimed_meta(
    provider: &Provider,
    headers: &[(String, String)],
    body: &[u8],
) -> (Option<String>, Option<String>) {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |path: &str| {
        let pointer = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{}", path.replace('.', "/"))
        };
        json.as_ref()?
            .pointer(&pointer)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let id = provider
        .id_header()
        .and_then(header)
        .or_else(|| field("id"));
    let location = provider.event_type_location();
    let event_type = if let Some(name) = location.strip_prefix("header ") {
        header(name)
    } else if let Some(path) = location.strip_prefix("json ") {
        field(path)
    } else {
        None
    };
    (id, event_type)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A delivery as the listener keeps it, with `body`.
    pub(crate) fn seen(body: Vec<u8>) -> Seen {
        Seen {
            received_at: OffsetDateTime::UNIX_EPOCH,
            method: "POST".to_owned(),
            url: "http://127.0.0.1/".to_owned(),
            headers: vec![(
                "x-hub-signature-256".to_owned(),
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
                    .to_owned(),
            )],
            body,
            provider: "github".to_owned(),
            outcome: "verified".to_owned(),
            status: 200,
            id: None,
            event_type: None,
            error: None,
            diagnosis: Vec::new(),
            app_status: None,
            latency_ms: None,
            app_error: None,
        }
    }

    #[test]
    fn records_mask_signatures_unless_asked() {
        let s = seen(b"{}".to_vec());
        let masked = s.record(&Provider::GITHUB, false);
        assert_eq!(masked.headers[0].1, "sha256=[masked]");
        assert!(masked.signatures_masked);
        let kept = s.record(&Provider::GITHUB, true);
        assert_eq!(kept.headers, s.headers);
        assert!(!kept.signatures_masked);
    }

    #[test]
    fn claimed_ids_and_types_are_read_from_where_the_provider_puts_them() {
        let headers = vec![("X-GitHub-Event".to_owned(), "push".to_owned())];
        assert_eq!(
            claimed_meta(&Provider::GITHUB, &headers, br#"{"id":"x"}"#),
            (Some("x".to_owned()), Some("push".to_owned()))
        );
        assert_eq!(
            claimed_meta(
                &Provider::STRIPE,
                &[],
                br#"{"id":"evt_1","type":"invoice.paid"}"#
            ),
            (Some("evt_1".to_owned()), Some("invoice.paid".to_owned()))
        );
    }
}
