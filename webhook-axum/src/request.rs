//! From an axum request to the core's inputs: headers, a stream of body chunks, the URL.

use axum::extract::OriginalUri;
use bytes::Buf;
use http::request::Parts;
use http_body_util::BodyExt as _;
use webhook_verify::Verified;
use webhook_verify::receive::{BoxError, Receiver, Reception, RequestUrl};

use crate::config::WebhookConfig;
use crate::rejection::WebhookRejection;

/// Reads the body within the limit and the body timeout, then verifies it.
pub(crate) async fn read_and_verify<B>(
    config: &WebhookConfig,
    delivery: &Reception,
    parts: &Parts,
    body: B,
) -> Result<Verified, WebhookRejection>
where
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    let reject = |reply| config.reject(reply);
    // Under `Router::nest`, `parts.uri` has lost the prefix; the original has it.
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let host = parts.headers.get(http::header::HOST);
    let url = RequestUrl::new(uri.path_and_query().map_or("/", |pq| pq.as_str()))
        .origin(uri.scheme_str().zip(uri.authority().map(|a| a.as_str())))
        .host(host.and_then(|host| host.to_str().ok()));
    // A handshake challenge is answered by the core: before the body for a plain request,
    // after verification for a signed one.
    if let Some(reply) = delivery.challenge(parts.method.as_str(), &parts.headers, &url) {
        return Err(reject(reply));
    }
    let limit = delivery.body_limit(&parts.headers).map_err(reject)?;
    let chunks = body
        .map_frame(|frame| frame.map_data(|mut data| data.copy_to_bytes(data.remaining())))
        .into_data_stream();
    let body = delivery.read_body(limit, chunks).await.map_err(reject)?;
    let verified = delivery
        .verify(&parts.headers, &url, body)
        .await
        .map_err(reject)?;
    match delivery.answer(&verified) {
        Some(reply) => Err(reject(reply)),
        None => Ok(verified),
    }
}

/// Put in the request extensions by the layer, next to the [`Verified`]: the receiver
/// that verified (and claimed) it.
#[derive(Clone)]
pub(crate) struct VerifiedBy(pub(crate) Receiver);

/// The delivery the layer verified with this very configuration's receiver, if any.
pub(crate) fn verified_by_layer(parts: &mut Parts, config: &WebhookConfig) -> Option<Verified> {
    let same = parts
        .extensions
        .get::<VerifiedBy>()?
        .0
        .same_as(config.receiver());
    same.then(|| parts.extensions.remove::<Verified>())?
}
