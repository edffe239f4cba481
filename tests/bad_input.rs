//! A matrix of bad inputs sent as raw HTTP/1.1 bytes over a real socket to a real axum server
//! and a real actix server on 127.0.0.1, each through its layer / middleware and its typed
//! extractor. Every case asserts the exact status of DESIGN.md §4: 400 for missing,
//! malformed or conflicting headers, 401 for a mismatch or a timestamp outside the
//! tolerance, 413 for a body over the limit. The bodies that are too large also check that
//! the process's resident memory stays far below what was sent, and a client that sends one
//! byte a second must be answered (408) or dropped within a bounded time.
//!
//! The client writes every byte itself (`tokio::net::TcpStream`): duplicate headers,
//! non-ASCII header bytes, lying `Content-Length`, chunked bodies, slow senders.

mod support;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webhook_verify::{FixedClock, Provider, SignOptions, Signer, Verifier};

/// The servers' clock.
const NOW: i64 = 1_700_000_000;
/// The servers' body limit.
const LIMIT: usize = 64 * 1024;
const MIB: usize = 1024 * 1024;

const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const STANDARD_OTHER: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const STRIPE_SECRET: &str = "whsec_test_secret";
const GITHUB_SECRET: &str = "It's a Secret to Everybody";
const JSON: &[u8] = br#"{"id":"evt_1","type":"invoice.paid"}"#;

// ---------------------------------------------------------------------------------------
// Servers: one axum and one actix server per provider, for the whole test binary.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framework {
    Axum,
    Actix,
}

const FRAMEWORKS: [Framework; 2] = [Framework::Axum, Framework::Actix];
/// The layer / middleware (raw body handler) and the typed extractor.
const ROUTES: [&str; 2] = ["/layer", "/typed"];

fn verifier(provider: &Provider, secret: &str) -> Verifier {
    Verifier::builder(provider.clone())
        .secret(secret)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Standard,
    Stripe,
    Github,
}

impl Scheme {
    fn provider(self) -> Provider {
        match self {
            Self::Standard => Provider::STANDARD_WEBHOOKS,
            Self::Stripe => Provider::STRIPE,
            Self::Github => Provider::GITHUB,
        }
    }

    fn secret(self) -> &'static str {
        match self {
            Self::Standard => STANDARD_SECRET,
            Self::Stripe => STRIPE_SECRET,
            Self::Github => GITHUB_SECRET,
        }
    }
}

/// The address of `framework`'s server for `scheme`, started on first use.
fn server(framework: Framework, scheme: Scheme) -> SocketAddr {
    static SERVERS: OnceLock<Vec<(Framework, Scheme, SocketAddr)>> = OnceLock::new();
    let servers = SERVERS.get_or_init(|| {
        let mut v = Vec::new();
        for scheme in [Scheme::Standard, Scheme::Stripe, Scheme::Github] {
            let verifier = verifier(&scheme.provider(), scheme.secret());
            // Several cases send the same valid delivery, each for its own status: replay
            // protection (on by default) is off here; tests/parity.rs and the adapters'
            // replay tests cover it.
            let axum = webhook_axum::WebhookConfig::builder(verifier.clone())
                .max_body(LIMIT)
                .body_timeout(BODY_TIMEOUT)
                .without_replay()
                .build();
            let actix = webhook_actix::WebhookConfig::builder(verifier)
                .max_body(LIMIT)
                .body_timeout(BODY_TIMEOUT)
                .without_replay()
                .build();
            v.push((
                Framework::Axum,
                scheme,
                support::axum_server(axum.clone(), axum),
            ));
            v.push((
                Framework::Actix,
                scheme,
                support::actix_server(actix.clone(), actix),
            ));
        }
        v
    });
    servers
        .iter()
        .find(|(f, s, _)| *f == framework && *s == scheme)
        .unwrap()
        .2
}

// ---------------------------------------------------------------------------------------
// Raw HTTP.

/// How the body goes on the wire.
#[derive(Clone, Debug)]
enum Framing {
    /// `Content-Length` with the true length.
    Length,
    /// `Content-Length: n` whatever the body's length.
    LyingLength(usize),
    /// `Transfer-Encoding: chunked`, in chunks of this size.
    Chunked(usize),
}

#[derive(Clone)]
struct Request {
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    body: Vec<u8>,
    framing: Framing,
}

impl Request {
    fn new(headers: Vec<(String, String)>, body: &[u8]) -> Self {
        Self {
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.into_bytes(), v.into_bytes()))
                .collect(),
            body: body.to_vec(),
            framing: Framing::Length,
        }
    }

    /// Replaces every value of `name` with `value` (raw bytes).
    fn set(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self = self.remove(name);
        self.headers
            .push((name.as_bytes().to_vec(), value.as_ref().to_vec()));
        self
    }

    /// Adds another `name` header after the others.
    fn add(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.as_bytes().to_vec(), value.as_ref().to_vec()));
        self
    }

    fn remove(mut self, name: &str) -> Self {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name.as_bytes()));
        self
    }

    fn body(mut self, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self
    }

    fn framing(mut self, framing: Framing) -> Self {
        self.framing = framing;
        self
    }

    /// The request head.
    fn head(&self, path: &str) -> Vec<u8> {
        let mut out = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
            .into_bytes();
        match self.framing {
            Framing::Length => {
                out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes())
            }
            Framing::LyingLength(n) => {
                out.extend_from_slice(format!("Content-Length: {n}\r\n").as_bytes())
            }
            Framing::Chunked(_) => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
        }
        for (name, value) in &self.headers {
            out.extend_from_slice(name);
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    /// The whole request.
    fn bytes(&self, path: &str) -> Vec<u8> {
        let mut out = self.head(path);
        match self.framing {
            Framing::Chunked(size) => {
                for chunk in self.body.chunks(size.max(1)) {
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
            }
            _ => out.extend_from_slice(&self.body),
        }
        out
    }
}

/// The status and body of the response, read until the server closes. Writes and reads at
/// once, so a server that answers before reading the whole body is heard.
async fn exchange(addr: SocketAddr, bytes: Vec<u8>) -> (u16, String) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let write = tokio::spawn(async move {
        let _ = writer.write_all(&bytes).await;
        let _ = writer.flush().await;
        writer
    });
    let response = read_response(&mut reader, Duration::from_secs(30)).await;
    write.abort();
    response.unwrap_or_else(|| panic!("no response from {addr}"))
}

/// Reads one response until the server closes the connection (or `limit` passes).
async fn read_response(
    reader: &mut tokio::net::tcp::OwnedReadHalf,
    limit: Duration,
) -> Option<(u16, String)> {
    let mut got = Vec::new();
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 8192];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, reader.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
    parse_response(&got)
}

fn parse_response(raw: &[u8]) -> Option<(u16, String)> {
    let text = String::from_utf8_lossy(raw);
    let status = text.get(9..12)?.parse().ok()?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Some((status, body))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

// ---------------------------------------------------------------------------------------
// Signing.

fn signed(scheme: Scheme, secret: &str, body: &[u8], timestamp: i64) -> Vec<(String, String)> {
    Signer::new(&scheme.provider(), secret)
        .unwrap()
        .sign(body, &SignOptions::new().timestamp(timestamp).id("msg_1"))
        .unwrap()
}

/// A valid request for `scheme` with this body, signed now.
fn valid(scheme: Scheme, body: &[u8]) -> Request {
    Request::new(signed(scheme, scheme.secret(), body, NOW), body)
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// A Standard Webhooks signature over the timestamp text exactly as given.
fn standard_signature(id: &str, timestamp: &str, body: &[u8]) -> String {
    let key = B64.decode(&STANDARD_SECRET["whsec_".len()..]).unwrap();
    let mut message = format!("{id}.{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    format!("v1,{}", B64.encode(hmac(&key, &message)))
}

/// A `Stripe-Signature` over the timestamp text exactly as given.
fn stripe_signature(timestamp: &str, body: &[u8]) -> String {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(hmac(STRIPE_SECRET.as_bytes(), &message))
    )
}

/// The Standard Webhooks tag of the valid request for [`JSON`], decoded.
fn standard_tag() -> Vec<u8> {
    let sig = standard_signature("msg_1", &NOW.to_string(), JSON);
    B64.decode(&sig[3..]).unwrap()
}

fn github_hex() -> String {
    hex::encode(hmac(GITHUB_SECRET.as_bytes(), JSON))
}

fn stripe_hex() -> String {
    let sig = stripe_signature(&NOW.to_string(), JSON);
    sig.split_once(",v1=").unwrap().1.to_owned()
}

// ---------------------------------------------------------------------------------------
// The matrix.

/// What the response must be: the status, and a prefix of the body where the body says
/// which header failed.
#[derive(Clone, Debug)]
struct Expect {
    status: u16,
    body: Option<String>,
}

fn answer(status: u16, body: &str) -> Expect {
    Expect {
        status,
        body: Some(body.to_owned()),
    }
}

fn ok() -> Expect {
    answer(200, "ok")
}

fn missing(name: &str) -> Expect {
    answer(400, &format!("missing header {name}"))
}

fn duplicate(name: &str) -> Expect {
    answer(400, &format!("duplicate header {name}"))
}

fn malformed(name: &str) -> Expect {
    answer(400, &format!("malformed header {name}"))
}

fn mismatch() -> Expect {
    answer(401, "invalid signature")
}

fn stale() -> Expect {
    answer(401, "timestamp outside tolerance")
}

fn too_large() -> Expect {
    answer(413, "payload too large")
}

struct Case {
    name: String,
    scheme: Scheme,
    request: Request,
    expect: Expect,
}

const STD_SIG: &str = "webhook-signature";
const STD_TS: &str = "webhook-timestamp";
const STD_ID: &str = "webhook-id";
const STRIPE_SIG: &str = "stripe-signature";
const GH_SIG: &str = "x-hub-signature-256";

fn cases() -> Vec<Case> {
    use Scheme::*;
    let mut v = Vec::new();
    let mut case = |name: &str, scheme: Scheme, request: Request, expect: Expect| {
        v.push(Case {
            name: name.to_owned(),
            scheme,
            request,
            expect,
        });
    };
    let std = valid(Standard, JSON);
    let stripe = valid(Stripe, JSON);
    let gh = valid(Github, JSON);
    let tag = standard_tag();
    let b64 = B64.encode(&tag);
    let huge = "A".repeat(64 * 1024);
    let non_ascii: &[u8] = b"v1,\xc3\xa9\xff\x80sig";

    // Standard Webhooks: headers present, missing, empty, repeated, huge, non-ASCII.
    case("standard valid", Standard, std.clone(), ok());
    case(
        "standard missing signature",
        Standard,
        std.clone().remove(STD_SIG),
        missing(STD_SIG),
    );
    case(
        "standard missing timestamp",
        Standard,
        std.clone().remove(STD_TS),
        missing(STD_TS),
    );
    case(
        "standard missing id",
        Standard,
        std.clone().remove(STD_ID),
        missing(STD_ID),
    );
    case(
        "standard no headers at all",
        Standard,
        Request::new(vec![], JSON),
        missing(STD_SIG),
    );
    case(
        "standard empty signature",
        Standard,
        std.clone().set(STD_SIG, ""),
        malformed(STD_SIG),
    );
    case(
        "standard empty timestamp",
        Standard,
        std.clone().set(STD_TS, ""),
        malformed(STD_TS),
    );
    case(
        "standard conflicting duplicate signature",
        Standard,
        std.clone().add(STD_SIG, "v1,AAAA"),
        duplicate(STD_SIG),
    );
    case(
        "standard conflicting duplicate timestamp",
        Standard,
        std.clone().add(STD_TS, (NOW + 1).to_string()),
        duplicate(STD_TS),
    );
    case(
        "standard conflicting duplicate id",
        Standard,
        std.clone().add(STD_ID, "msg_2"),
        duplicate(STD_ID),
    );
    case(
        "standard 64 KiB signature",
        Standard,
        std.clone().set(STD_SIG, format!("v1,{huge}")),
        malformed(STD_SIG),
    );
    case(
        "standard 64 KiB timestamp",
        Standard,
        std.clone().set(STD_TS, "1".repeat(64 * 1024)),
        malformed(STD_TS),
    );
    case(
        "standard 64 KiB id",
        Standard,
        std.clone().set(STD_ID, "m".repeat(64 * 1024)),
        mismatch(),
    );
    case(
        "standard non-ASCII signature",
        Standard,
        std.clone().set(STD_SIG, non_ascii),
        malformed(STD_SIG),
    );
    case(
        "standard non-ASCII timestamp",
        Standard,
        std.clone().set(STD_TS, b"17000000\xc3\xa9"),
        malformed(STD_TS),
    );

    // Standard Webhooks: signature lists and encodings.
    let list = |n: usize, good_at: usize| -> String {
        let mut entries: Vec<String> = (0..n)
            .map(|i| format!("v1,{}", B64.encode([i as u8; 32])))
            .collect();
        if good_at < n {
            entries[good_at] = format!("v1,{b64}");
        }
        entries.join(" ")
    };
    // 10 000 short entries fit the frameworks' header limits and reach the parser; 10 000
    // full-size ones (480 KB) are refused by the HTTP layer itself.
    let short_list = |n: usize| {
        let mut entries = vec!["v1,AAAA"; n];
        entries[0] = "v1,"; // keep the value distinct from any real signature
        format!("v1,{b64} {}", entries.join(" "))
    };
    case(
        "standard 10 000-entry list, valid first",
        Standard,
        std.clone().set(STD_SIG, short_list(10_000)),
        malformed(STD_SIG),
    );
    case(
        "standard 10 000 full-size entries (480 KB header)",
        Standard,
        std.clone().set(STD_SIG, list(10_000, usize::MAX)),
        answer(431, ""),
    );
    case(
        "standard list of MAX_SIGNATURES, valid last",
        Standard,
        std.clone().set(
            STD_SIG,
            list(
                webhook_verify::MAX_SIGNATURES,
                webhook_verify::MAX_SIGNATURES - 1,
            ),
        ),
        ok(),
    );
    case(
        "standard list of MAX_SIGNATURES + 1",
        Standard,
        std.clone()
            .set(STD_SIG, list(webhook_verify::MAX_SIGNATURES + 1, 0)),
        malformed(STD_SIG),
    );
    case(
        "standard unknown versions only",
        Standard,
        std.clone().set(STD_SIG, format!("v2,{b64} v9,{b64}")),
        malformed(STD_SIG),
    );
    case(
        "standard 31-byte signature",
        Standard,
        std.clone()
            .set(STD_SIG, format!("v1,{}", B64.encode(&tag[..31]))),
        malformed(STD_SIG),
    );
    case(
        "standard 33-byte signature",
        Standard,
        std.clone().set(
            STD_SIG,
            format!("v1,{}", B64.encode([&tag[..], &[0]].concat())),
        ),
        malformed(STD_SIG),
    );
    case(
        "standard unpadded base64",
        Standard,
        std.clone()
            .set(STD_SIG, format!("v1,{}", b64.trim_end_matches('='))),
        malformed(STD_SIG),
    );
    // The last character before `=` carries 2 unused bits: set one.
    let mut trailing = b64.clone().into_bytes();
    let at = trailing.len() - 2;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let index = alphabet.iter().position(|&c| c == trailing[at]).unwrap();
    trailing[at] = alphabet[index ^ 1];
    case(
        "standard non-zero trailing bits",
        Standard,
        std.clone()
            .set(STD_SIG, [b"v1,".as_slice(), &trailing].concat()),
        malformed(STD_SIG),
    );
    case(
        "standard base64url alphabet",
        Standard,
        std.clone().set(
            STD_SIG,
            format!(
                "v1,{}",
                B64.encode([0xfb; 32]).replace('+', "-").replace('/', "_")
            ),
        ),
        malformed(STD_SIG),
    );
    case(
        "standard signed with another key",
        Standard,
        Request::new(signed(Standard, STANDARD_OTHER, JSON, NOW), JSON),
        mismatch(),
    );
    case(
        "standard body changed",
        Standard,
        std.clone().body(br#"{"id":"evt_2","type":"invoice.paid"}"#),
        mismatch(),
    );

    // Standard Webhooks: timestamps (±300 s), signed over the text sent where it parses.
    let std_ts = |ts: &str| {
        Request::new(vec![], JSON)
            .set(STD_ID, "msg_1")
            .set(STD_TS, ts)
            .set(STD_SIG, standard_signature("msg_1", ts, JSON))
    };
    case(
        "standard timestamp i64::MAX",
        Standard,
        std_ts(&i64::MAX.to_string()),
        stale(),
    );
    case(
        "standard timestamp i64::MAX + 1",
        Standard,
        std_ts("9223372036854775808"),
        malformed(STD_TS),
    );
    case(
        "standard timestamp i64::MIN",
        Standard,
        std_ts(&i64::MIN.to_string()),
        malformed(STD_TS),
    );
    case("standard timestamp zero", Standard, std_ts("0"), stale());
    case(
        "standard timestamp negative",
        Standard,
        std_ts(&format!("-{NOW}")),
        malformed(STD_TS),
    );
    case(
        "standard timestamp with +",
        Standard,
        std_ts(&format!("+{NOW}")),
        malformed(STD_TS),
    );
    case(
        "standard timestamp with a fraction",
        Standard,
        std_ts(&format!("{NOW}.5")),
        malformed(STD_TS),
    );
    case(
        "standard timestamp in exponent form",
        Standard,
        std_ts("1.7e9"),
        malformed(STD_TS),
    );
    case(
        "standard timestamp with inner space",
        Standard,
        std_ts("1700 000000"),
        malformed(STD_TS),
    );
    case(
        "standard timestamp in hex",
        Standard,
        std_ts("0x6553f100"),
        malformed(STD_TS),
    );
    // Leading zeros: the MAC covers the text as sent, so no other text verifies.
    case(
        "standard timestamp with leading zeros, signed so",
        Standard,
        std_ts(&format!("000{NOW}")),
        ok(),
    );
    case(
        "standard timestamp with leading zeros, signature of the plain text",
        Standard,
        std.clone().set(STD_TS, format!("000{NOW}")),
        mismatch(),
    );
    case(
        "standard timestamp 301 s old",
        Standard,
        std_ts(&(NOW - 301).to_string()),
        stale(),
    );
    case(
        "standard timestamp 300 s old",
        Standard,
        std_ts(&(NOW - 300).to_string()),
        ok(),
    );
    case(
        "standard timestamp 300 s ahead",
        Standard,
        std_ts(&(NOW + 300).to_string()),
        ok(),
    );
    case(
        "standard timestamp 301 s ahead",
        Standard,
        std_ts(&(NOW + 301).to_string()),
        stale(),
    );

    // Stripe: `t=…,v1=…` (300 s, past only).
    let stripe_ts =
        |ts: &str| Request::new(vec![], JSON).set(STRIPE_SIG, stripe_signature(ts, JSON));
    let hex = stripe_hex();
    case("stripe valid", Stripe, stripe.clone(), ok());
    case(
        "stripe missing signature",
        Stripe,
        stripe.clone().remove(STRIPE_SIG),
        missing(STRIPE_SIG),
    );
    case(
        "stripe empty signature",
        Stripe,
        stripe.clone().set(STRIPE_SIG, ""),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe conflicting duplicate signature",
        Stripe,
        stripe
            .clone()
            .add(STRIPE_SIG, format!("t={NOW},v1={}", "0".repeat(64))),
        duplicate(STRIPE_SIG),
    );
    case(
        "stripe no t=",
        Stripe,
        stripe.clone().set(STRIPE_SIG, format!("v1={hex}")),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe no v1=",
        Stripe,
        stripe.clone().set(STRIPE_SIG, format!("t={NOW}")),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe v0 only",
        Stripe,
        stripe.clone().set(STRIPE_SIG, format!("t={NOW},v0={hex}")),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe uppercase hex",
        Stripe,
        stripe
            .clone()
            .set(STRIPE_SIG, format!("t={NOW},v1={}", hex.to_uppercase())),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe 63 hex digits",
        Stripe,
        stripe
            .clone()
            .set(STRIPE_SIG, format!("t={NOW},v1={}", &hex[..63])),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe 66 hex digits",
        Stripe,
        stripe
            .clone()
            .set(STRIPE_SIG, format!("t={NOW},v1={hex}00")),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe non-hex digit",
        Stripe,
        stripe
            .clone()
            .set(STRIPE_SIG, format!("t={NOW},v1=g{}", &hex[1..])),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe 10 000 v1 entries",
        Stripe,
        stripe.clone().set(
            STRIPE_SIG,
            format!("t={NOW},v1={hex}{}", ",v1=0".repeat(10_000)),
        ),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe 10 000 full-size v1 entries (660 KB header)",
        Stripe,
        stripe.clone().set(
            STRIPE_SIG,
            format!("t={NOW}{}", format!(",v1={hex}").repeat(10_000)),
        ),
        answer(431, ""),
    );
    case(
        "stripe 64 KiB header",
        Stripe,
        stripe
            .clone()
            .set(STRIPE_SIG, format!("t={NOW},v1={}", "a".repeat(64 * 1024))),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe non-ASCII header",
        Stripe,
        stripe.clone().set(
            STRIPE_SIG,
            [format!("t={NOW},v1=").as_bytes(), b"\xc3\xa9\xff"].concat(),
        ),
        malformed(STRIPE_SIG),
    );
    // Stripe's tolerance looks only into the past, as Stripe's own libraries do: a signed
    // future timestamp verifies, and its arithmetic does not overflow.
    case(
        "stripe t at i64::MAX, signed",
        Stripe,
        stripe_ts(&i64::MAX.to_string()),
        ok(),
    );
    case(
        "stripe t at i64::MAX + 1",
        Stripe,
        stripe_ts("9223372036854775808"),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe t negative",
        Stripe,
        stripe_ts("-1"),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe t with +",
        Stripe,
        stripe_ts(&format!("+{NOW}")),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe t with a fraction",
        Stripe,
        stripe_ts(&format!("{NOW}.0")),
        malformed(STRIPE_SIG),
    );
    case(
        "stripe t 301 s old",
        Stripe,
        stripe_ts(&(NOW - 301).to_string()),
        stale(),
    );
    case(
        "stripe signed with another key",
        Stripe,
        Request::new(signed(Stripe, "whsec_other", JSON, NOW), JSON),
        mismatch(),
    );

    // GitHub: `sha256=<hex>` over the body, no timestamp.
    let gh_hex = github_hex();
    case("github valid", Github, gh.clone(), ok());
    case(
        "github missing signature",
        Github,
        gh.clone().remove(GH_SIG),
        missing(GH_SIG),
    );
    case(
        "github empty signature",
        Github,
        gh.clone().set(GH_SIG, ""),
        malformed(GH_SIG),
    );
    case(
        "github no prefix",
        Github,
        gh.clone().set(GH_SIG, &gh_hex),
        malformed(GH_SIG),
    );
    case(
        "github sha1= prefix",
        Github,
        gh.clone().set(GH_SIG, format!("sha1={gh_hex}")),
        malformed(GH_SIG),
    );
    case(
        "github uppercase hex",
        Github,
        gh.clone()
            .set(GH_SIG, format!("sha256={}", gh_hex.to_uppercase())),
        malformed(GH_SIG),
    );
    case(
        "github 62 hex digits",
        Github,
        gh.clone().set(GH_SIG, format!("sha256={}", &gh_hex[..62])),
        malformed(GH_SIG),
    );
    case(
        "github 64 KiB signature",
        Github,
        gh.clone()
            .set(GH_SIG, format!("sha256={}", "0".repeat(64 * 1024))),
        malformed(GH_SIG),
    );
    case(
        "github non-ASCII signature",
        Github,
        gh.clone().set(GH_SIG, b"sha256=\xc3\xa9\xc3\xa9"),
        malformed(GH_SIG),
    );
    case(
        "github conflicting duplicate signature",
        Github,
        gh.clone().add(GH_SIG, format!("sha256={}", "0".repeat(64))),
        duplicate(GH_SIG),
    );
    case(
        "github identical duplicate signature",
        Github,
        gh.clone().add(GH_SIG, format!("sha256={gh_hex}")),
        ok(),
    );
    case(
        "github body changed",
        Github,
        gh.clone().body(b"{}"),
        mismatch(),
    );

    // Bodies (limit 64 KiB), GitHub signs the body alone.
    let at_limit = vec![b' '; LIMIT];
    let over = vec![b' '; LIMIT + 1];
    case("body 0 B", Github, valid(Github, b""), ok());
    case(
        "body exactly the limit",
        Github,
        valid(Github, &at_limit),
        ok(),
    );
    case("body limit + 1", Github, valid(Github, &over), too_large());
    case(
        "body chunked, small",
        Github,
        valid(Github, JSON).framing(Framing::Chunked(7)),
        ok(),
    );
    case(
        "body chunked, exactly the limit",
        Github,
        valid(Github, &at_limit).framing(Framing::Chunked(4096)),
        ok(),
    );
    case(
        "body chunked, limit + 1",
        Github,
        valid(Github, &over).framing(Framing::Chunked(4096)),
        too_large(),
    );
    case(
        "body Content-Length announces 100 MiB, 1 KiB sent",
        Github,
        valid(Github, &[b' '; 1024]).framing(Framing::LyingLength(100 * MIB)),
        too_large(),
    );
    case(
        "body Content-Length shorter than the body",
        Github,
        valid(Github, JSON).framing(Framing::LyingLength(JSON.len() - 5)),
        mismatch(),
    );
    case(
        "body Content-Length limit + 1, limit + 1 sent",
        Github,
        valid(Github, &over).framing(Framing::LyingLength(LIMIT + 1)),
        too_large(),
    );
    v
}

/// What the typed extractor answers where the layer answers `expect`: a verified body that
/// is not JSON is an invalid payload.
fn typed(expect: &Expect, body: &[u8]) -> Expect {
    if expect.status == 200 && serde_json::from_slice::<serde_json::Value>(body).is_err() {
        answer(400, "invalid payload")
    } else {
        expect.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_input_gets_its_status_from_both_frameworks() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        for framework in FRAMEWORKS {
            for route in ROUTES {
                let expect = if route == "/typed" {
                    // The body the server reads: a lying short length cuts it.
                    let body = match case.request.framing {
                        Framing::LyingLength(n) if n < case.request.body.len() => {
                            &case.request.body[..n]
                        }
                        _ => &case.request.body[..],
                    };
                    typed(&case.expect, body)
                } else {
                    case.expect.clone()
                };
                let addr = server(framework, case.scheme);
                let (status, body) = exchange(addr, case.request.bytes(route)).await;
                checked += 1;
                let body_ok = expect.body.as_deref().is_none_or(|b| body.starts_with(b));
                if status != expect.status || !body_ok {
                    failures.push(format!(
                        "{framework:?} {route} {}: got {status} {body:?}, want {} {:?}",
                        case.name, expect.status, expect.body
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} answers wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// Bodies far over the limit: the status, and the memory they cost.

/// The process's resident memory in bytes.
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Streams `total` bytes after the head, in 64 KiB writes (chunked or not), and reads the
/// answer while writing.
async fn stream_upload(
    addr: SocketAddr,
    route: &str,
    total: usize,
    chunked: bool,
) -> (u16, String) {
    let request = valid(Scheme::Github, b"").framing(if chunked {
        Framing::Chunked(64 * 1024)
    } else {
        Framing::LyingLength(total)
    });
    let head = request.head(route);
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let write = tokio::spawn(async move {
        writer.write_all(&head).await?;
        let block = vec![b'a'; 64 * 1024];
        let mut sent = 0;
        while sent < total {
            if chunked {
                writer
                    .write_all(format!("{:x}\r\n", block.len()).as_bytes())
                    .await?;
                writer.write_all(&block).await?;
                writer.write_all(b"\r\n").await?;
            } else {
                writer.write_all(&block).await?;
            }
            sent += block.len();
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n").await?;
        }
        Ok::<_, std::io::Error>(writer)
    });
    let response = read_response(&mut reader, Duration::from_secs(60)).await;
    write.abort();
    response.unwrap_or_else(|| panic!("no answer to a {total}-byte upload"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_mib_bodies_are_refused_with_bounded_memory() {
    // Warm up both servers so their buffers and threads exist before the first reading.
    for framework in FRAMEWORKS {
        let addr = server(framework, Scheme::Github);
        exchange(addr, valid(Scheme::Github, JSON).bytes("/layer")).await;
    }
    let before = rss();
    for framework in FRAMEWORKS {
        for route in ROUTES {
            let addr = server(framework, Scheme::Github);
            for chunked in [false, true] {
                let (status, body) = stream_upload(addr, route, 100 * MIB, chunked).await;
                assert_eq!(
                    (status, body.as_str()),
                    (413, "payload too large"),
                    "{framework:?} {route} chunked={chunked}"
                );
            }
        }
    }
    let grown = rss().saturating_sub(before);
    // 800 MiB were offered in all; the servers may keep about the limit per request.
    assert!(
        grown < 32 * MIB,
        "resident memory grew by {} MiB",
        grown / MIB
    );
}

// ---------------------------------------------------------------------------------------
// A client that sends its body one byte a second.

/// The longest a server may keep a connection whose body trickles in.
const SLOW_CLIENT_BOUND: Duration = Duration::from_secs(15);

/// The servers' body timeout (`DEFAULT_BODY_TIMEOUT` is 30 s): shorter, so the slow client
/// is answered well inside [`SLOW_CLIENT_BOUND`].
const BODY_TIMEOUT: Duration = Duration::from_secs(5);

/// Sends the head and then one body byte a second; returns how the server ended it
/// (`Some(status)` for an answer, `None` for a close without one) and when, or `None` when
/// it did neither within `limit`.
async fn trickle(
    addr: SocketAddr,
    route: &str,
    limit: Duration,
) -> Option<(Option<u16>, Duration)> {
    let body = vec![b'x'; 100];
    let request = valid(Scheme::Github, &body);
    let head = request.head(route);
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let start = Instant::now();
    let write = tokio::spawn(async move {
        writer.write_all(&head).await?;
        for byte in body {
            writer.write_all(&[byte]).await?;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Ok::<_, std::io::Error>(writer)
    });
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let ended = loop {
        let Some(left) = limit.checked_sub(start.elapsed()) else {
            break None;
        };
        match tokio::time::timeout(left, reader.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break Some(start.elapsed()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => break None,
        }
    };
    write.abort();
    ended.map(|at| (parse_response(&got).map(|(s, _)| s), at))
}

/// The adapters must bound how long a body may take to arrive: answer 408 or close the
/// connection within [`SLOW_CLIENT_BOUND`] with the default configuration. (Until the
/// receive pipeline has a body read timeout, issue 13, both frameworks wait for as long as
/// the client keeps sending, and this test fails.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_sending_one_byte_a_second_is_answered_408_or_dropped() {
    let mut runs = Vec::new();
    for framework in FRAMEWORKS {
        for route in ROUTES {
            let addr = server(framework, Scheme::Github);
            runs.push(tokio::spawn(async move {
                let ended = trickle(addr, route, SLOW_CLIENT_BOUND + Duration::from_secs(5)).await;
                (framework, route, ended)
            }));
        }
    }
    let mut failures = Vec::new();
    for run in runs {
        let (framework, route, ended) = run.await.unwrap();
        match ended {
            Some((status, at)) if at <= SLOW_CLIENT_BOUND && matches!(status, None | Some(408)) => {}
            other => failures.push(format!(
                "{framework:?} {route}: {other:?} (want 408 or a close within {SLOW_CLIENT_BOUND:?})"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
