//! `webhook listen --queue STREAM`: verified deliveries handed to workers through a Redis
//! Stream.

use axum::response::Response;
use webhook_verify::Verified;
use webhook_verify::queue::{Handoff, Queue};
use webhook_verify::receive::{Receiver, Reception};

use crate::Failure;
use crate::cli::ListenArgs;
use crate::listen::{Hub, Seen, finish, reply_response};

/// The handoff `--queue` asks for, on the `--redis` server.
pub(crate) async fn handoff(
    args: &ListenArgs,
    receiver: &Receiver,
) -> Result<Option<Handoff>, Failure> {
    let (Some(stream), Some(url)) = (&args.queue, &args.redis) else {
        return Ok(None);
    };
    let queue = Queue::connect(url, stream.as_str())
        .await
        .map_err(|e| Failure::usage(format!("--queue: {e}")))?;
    eprintln!("handing deliveries to workers through the stream {stream}");
    Ok(Some(Handoff::new(receiver.clone(), queue)))
}

/// Appends a verified delivery; prints it like a handled one once Redis has it.
pub(crate) async fn enqueue(
    hub: &Hub,
    mut seen: Seen,
    reception: &Reception,
    handoff: &Handoff,
    verified: Verified,
) -> Response {
    let reply = handoff.enqueue(reception, verified.clone()).await;
    seen.status = reply.status();
    seen.outcome = reply.outcome().as_str().to_owned();
    let queued = reply.is_success() && reply.outcome().as_str() == "queued";
    finish(hub, &seen, queued.then_some(&verified));
    reply_response(&reply)
}
