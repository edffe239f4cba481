//! The inspector page (`listen --ui ADDR`): static files embedded in the binary (no build
//! step, no CDN) and a small JSON API over the listener's bounded history.
//!
//! | route | what |
//! |---|---|
//! | `GET /`, `/app.js`, `/style.css` | the page |
//! | `GET /api/deliveries?after=SEQ` | deliveries newer than SEQ (the page polls it) |
//! | `GET /api/deliveries/SEQ` | one delivery: headers (signature values masked), body |
//! | `POST /api/deliveries/SEQ/replay` | send it to the app again (re-signed when possible) |
//!
//! Requests must name a loopback host (against DNS rebinding) unless `--ui-allow-remote`;
//! the replay route also needs an `X-Webhook-Inspector` header, which a cross-site form or
//! script cannot send without a CORS preflight that is never granted.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::json;

use crate::forward::resign;
use crate::listen::{Hub, Seen};
use crate::record::{mask_body_signature, mask_headers, rfc3339};

/// How many deliveries the inspector keeps (the oldest are dropped first).
pub(crate) const DEFAULT_HISTORY: usize = 1000;
/// The most body bytes the history keeps in total: 64 MiB.
const MAX_HISTORY_BYTES: usize = 64 * 1024 * 1024;
/// The header the replay route requires.
const INSPECTOR_HEADER: &str = "x-webhook-inspector";

const INDEX_HTML: &str = include_str!("../ui/index.html");
const APP_JS: &str = include_str!("../ui/app.js");
const STYLE_CSS: &str = include_str!("../ui/style.css");

/// The last deliveries, numbered from 1 in arrival order.
#[derive(Debug)]
pub(crate) struct History {
    entries: VecDeque<(u64, Seen)>,
    next: u64,
    capacity: usize,
    bytes: usize,
}

impl History {
    /// An empty history keeping at most `capacity` deliveries.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            next: 1,
            capacity,
            bytes: 0,
        }
    }

    /// Adds a delivery, dropping the oldest beyond the capacity or the byte budget.
    pub(crate) fn push(&mut self, seen: Seen) {
        self.bytes += seen.body.len();
        self.entries.push_back((self.next, seen));
        self.next += 1;
        while self.entries.len() > self.capacity
            || (self.bytes > MAX_HISTORY_BYTES && self.entries.len() > 1)
        {
            if let Some((_, old)) = self.entries.pop_front() {
                self.bytes -= old.body.len();
            }
        }
    }

    fn after(&self, seq: u64) -> impl Iterator<Item = &(u64, Seen)> {
        self.entries.iter().filter(move |(s, _)| *s > seq)
    }

    fn get(&self, seq: u64) -> Option<&Seen> {
        self.entries.iter().find(|(s, _)| *s == seq).map(|(_, e)| e)
    }

    /// How many deliveries are kept.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The inspector's routes over the listener's state.
pub(crate) fn router(hub: Arc<Hub>, allow_remote: bool) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(app_js))
        .route("/style.css", get(style_css))
        .route("/api/deliveries", get(list))
        .route("/api/deliveries/{seq}", get(detail))
        .route("/api/deliveries/{seq}/replay", post(replay))
        .layer(middleware::from_fn_with_state(allow_remote, guard))
        .with_state(hub)
}

/// Refuses requests that name a non-loopback host (unless remote access was allowed) and
/// adds headers that keep the page out of frames and scripts to its own origin.
async fn guard(State(allow_remote): State<bool>, request: Request, next: Next) -> Response {
    if !allow_remote {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_loopback_host(host) {
            return (
                StatusCode::FORBIDDEN,
                "the inspector answers loopback hosts only",
            )
                .into_response();
        }
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        INDEX_HTML,
    )
}

async fn app_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        APP_JS,
    )
}

async fn style_css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLE_CSS,
    )
}

/// One row of the list.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    seq: u64,
    time: String,
    time_ms: i64,
    provider: &'a str,
    event_type: Option<&'a str>,
    id: Option<&'a str>,
    outcome: &'a str,
    accepted: bool,
    status: u16,
    app_status: Option<u16>,
    latency_ms: Option<u64>,
    error: Option<&'a str>,
    app_error: Option<&'a str>,
    diagnosis: &'a [String],
}

fn summary(seq: u64, seen: &Seen) -> Summary<'_> {
    Summary {
        seq,
        time: rfc3339(seen.received_at),
        time_ms: i64::try_from(seen.received_at.unix_timestamp_nanos() / 1_000_000)
            .unwrap_or_default(),
        provider: &seen.provider,
        event_type: seen.event_type.as_deref(),
        id: seen.id.as_deref(),
        outcome: &seen.outcome,
        accepted: matches!(seen.outcome.as_str(), "verified" | "handled"),
        status: seen.status,
        app_status: seen.app_status,
        latency_ms: seen.latency_ms,
        error: seen.error.as_deref(),
        app_error: seen.app_error.as_deref(),
        diagnosis: &seen.diagnosis,
    }
}

/// `after=SEQ` from the query string (0 without it).
fn after_param(query: Option<&str>) -> u64 {
    query
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("after="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn list(State(hub): State<Arc<Hub>>, request: Request) -> Response {
    let after = after_param(request.uri().query());
    let Some(history) = &hub.history else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(history) = history.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let deliveries: Vec<Summary<'_>> = history.after(after).map(|(s, e)| summary(*s, e)).collect();
    Json(json!({
        "provider": hub.provider().name(),
        "forward_to": hub.forward.as_ref().map(|f| f.url()),
        "resign": hub.signing_secret.is_some(),
        "kept": history.len(),
        "capacity": DEFAULT_HISTORY,
        "deliveries": deliveries,
    }))
    .into_response()
}

/// The body for display: pretty-printed JSON, text as is, or a note for binary bodies.
fn display_body(body: &[u8]) -> (&'static str, String) {
    if body.is_empty() {
        return ("empty", String::new());
    }
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        if let Ok(text) = std::str::from_utf8(body) {
            return ("json", indent_json(text));
        }
    }
    match std::str::from_utf8(body) {
        Ok(text) => ("text", text.to_owned()),
        Err(_) => ("binary", format!("{} bytes of binary data", body.len())),
    }
}

/// Valid JSON re-indented by two spaces, every token kept as written: key order, number
/// forms and string escapes are the sender's.
fn indent_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // Empty containers stay on one line.
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.push(chars.next().unwrap_or(c));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

async fn detail(State(hub): State<Arc<Hub>>, Path(seq): Path<u64>) -> Response {
    let Some(history) = &hub.history else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(history) = history.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(seen) = history.get(seq) else {
        return (
            StatusCode::NOT_FOUND,
            "no such delivery (the oldest are dropped)",
        )
            .into_response();
    };
    let body = mask_body_signature(hub.provider(), &seen.body).unwrap_or_else(|| seen.body.clone());
    let (kind, text) = display_body(&body);
    Json(json!({
        "summary": summary(seq, seen),
        "method": seen.method,
        "url": seen.url,
        "headers": mask_headers(&seen.headers, Some(hub.provider())),
        "body_kind": kind,
        "body_len": seen.body.len(),
        "body": text,
    }))
    .into_response()
}

async fn replay(State(hub): State<Arc<Hub>>, Path(seq): Path<u64>, request: Request) -> Response {
    if !request.headers().contains_key(INSPECTOR_HEADER) {
        return (StatusCode::FORBIDDEN, "missing X-Webhook-Inspector header").into_response();
    }
    let Some(forward) = &hub.forward else {
        return (
            StatusCode::CONFLICT,
            Json(json!({"error": "start listen with --forward-to to replay to an app"})),
        )
            .into_response();
    };
    let seen = {
        let Some(history) = &hub.history else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let Ok(history) = history.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        match history.get(seq) {
            Some(seen) => seen.clone(),
            None => {
                return (
                    StatusCode::NOT_FOUND,
                    Json(json!({"error": "no such delivery"})),
                )
                    .into_response();
            }
        }
    };
    let headers = match &hub.signing_secret {
        Some(secret) => {
            match resign(
                hub.provider(),
                secret,
                &seen.headers,
                &seen.body,
                seen.id.as_deref(),
                &seen.url,
            ) {
                Ok(headers) => headers,
                Err(_) => seen.headers.clone(),
            }
        }
        None => seen.headers.clone(),
    };
    let resigned = hub.signing_secret.is_some();
    let answer = forward
        .send(&seen.method, &headers, seen.body.clone())
        .await;
    match answer {
        Ok(answer) => {
            let latency_ms = u64::try_from(answer.latency.as_millis()).unwrap_or(u64::MAX);
            eprintln!(
                "replayed #{seq} to {}: app {} in {latency_ms} ms{}",
                forward.url(),
                answer.status,
                if resigned { " (re-signed)" } else { "" }
            );
            Json(json!({
                "status": answer.status,
                "latency_ms": latency_ms,
                "resigned": resigned,
            }))
            .into_response()
        }
        Err(error) => {
            eprintln!("replay of #{seq}: app unreachable: {error}");
            (
                StatusCode::BAD_GATEWAY,
                Json(json!({"error": format!("app unreachable: {error}"), "resigned": resigned})),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_only() {
        for host in [
            "127.0.0.1:4040",
            "localhost:4040",
            "[::1]:4040",
            "localhost",
            "127.0.0.2",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example:4040",
            "192.168.1.2:4040",
            "",
            "[2001:db8::1]:80",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn the_history_is_bounded() {
        let mut history = History::new(3);
        for n in 0..5u8 {
            history.push(crate::listen::tests::seen(vec![n; 10]));
        }
        assert_eq!(history.len(), 3);
        assert_eq!(
            history.after(0).map(|(s, _)| *s).collect::<Vec<_>>(),
            [3, 4, 5]
        );
        assert_eq!(history.bytes, 30);
        assert!(history.get(1).is_none() && history.get(5).is_some());
    }

    #[test]
    fn after_is_read_from_the_query() {
        assert_eq!(after_param(Some("after=12")), 12);
        assert_eq!(after_param(Some("x=1&after=3")), 3);
        assert_eq!(after_param(Some("after=zz")), 0);
        assert_eq!(after_param(None), 0);
    }

    #[test]
    fn bodies_are_pretty_printed_when_json() {
        assert_eq!(
            display_body(br#"{"a":1}"#),
            ("json", "{\n  \"a\": 1\n}".to_owned())
        );
        assert_eq!(display_body(b"a=1").0, "text");
        assert_eq!(display_body(&[0xff, 0xfe]).0, "binary");
    }
}
