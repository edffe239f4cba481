//! What the `metrics` feature costs with no recorder installed, in instructions, for
//! `scripts/metrics-cost.sh` to run under callgrind (deterministic counts, unaffected by
//! other load on the machine): `metrics-cost verify N` verifies a 1 KiB Stripe delivery N
//! times; `metrics-cost receive N` sends it N times through the receive path (body limit,
//! body read, verify, span, outcome), as the adapters do, without replay protection.
//!
//! Build it twice, with and without `--features metrics`; the script prints instructions
//! per delivery for both.

use std::hint::black_box;

use bytes::Bytes;
use webhook_verify::receive::{Receiver, RequestUrl};
use webhook_verify::{Delivery, Provider, SignOptions, Signer, Verifier};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let secret = "whsec_metrics_cost";
    let body = Bytes::from(format!(
        r#"{{"id":"evt_1","object":"event","type":"invoice.paid","data":{{"object":{{"pad":"{}"}}}}}}"#,
        "x".repeat(960)
    ));
    let mut headers = http::HeaderMap::new();
    for (name, value) in Signer::new(&Provider::STRIPE, secret)
        .unwrap()
        .sign(&body, &SignOptions::new())
        .unwrap()
    {
        headers.insert(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert("content-length", body.len().to_string().parse().unwrap());
    let verifier = Verifier::new(Provider::STRIPE, secret).unwrap();
    match mode.as_str() {
        "verify" => {
            for _ in 0..n {
                let verified = verifier.verify(&Delivery::new(&headers, &body)).unwrap();
                black_box(verified);
            }
        }
        "receive" => {
            let receiver = Receiver::builder(verifier).without_replay().build();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            runtime.block_on(async {
                for _ in 0..n {
                    let reception = receiver.receive();
                    let limit = reception.body_limit(&headers).unwrap();
                    let chunks = futures_stream(body.clone());
                    let read = reception.read_body(limit, chunks).await.unwrap();
                    let verified = reception
                        .verify(&headers, &RequestUrl::new("/hooks"), read)
                        .await
                        .unwrap();
                    reception.finish_status(200, None);
                    black_box(verified);
                }
            });
        }
        _ => eprintln!("usage: metrics-cost verify|receive N"),
    }
}

/// The body as a one-chunk stream, as a server hands it over.
fn futures_stream(
    body: Bytes,
) -> impl futures_core::Stream<Item = Result<Bytes, std::convert::Infallible>> {
    struct Once(Option<Bytes>);
    impl futures_core::Stream for Once {
        type Item = Result<Bytes, std::convert::Infallible>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.take().map(Ok))
        }
    }
    Once(Some(body))
}
