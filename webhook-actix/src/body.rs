//! Reading a request body up to a limit.

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_LENGTH, HeaderMap};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;

use crate::WebhookError;

/// Reads the whole body, refusing it as soon as it is known to be longer than `limit`:
/// before reading anything when `Content-Length` says so, else as soon as the bytes read
/// pass the limit (at most one chunk beyond it is ever pulled). A body that arrives in one
/// chunk is returned without a copy.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    payload: &mut Payload,
    limit: usize,
) -> Result<Bytes, WebhookError> {
    let declared = content_length(headers);
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(WebhookError::PayloadTooLarge);
    }

    let mut first: Option<Bytes> = None;
    let mut rest: Option<BytesMut> = None;
    let mut total: usize = 0;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            PayloadError::Overflow => WebhookError::PayloadTooLarge,
            other => WebhookError::Body(other),
        })?;
        total = match total.checked_add(chunk.len()) {
            Some(t) if t <= limit => t,
            _ => return Err(WebhookError::PayloadTooLarge),
        };
        match (&mut first, &mut rest) {
            (None, None) => first = Some(chunk),
            (Some(f), None) => {
                // Reserve once for the whole body when its length is known.
                let hint = declared.and_then(|d| usize::try_from(d).ok()).unwrap_or(0);
                let mut buf = BytesMut::with_capacity(hint.clamp(total, limit));
                buf.extend_from_slice(f);
                buf.extend_from_slice(&chunk);
                first = None;
                rest = Some(buf);
            }
            (_, Some(buf)) => buf.extend_from_slice(&chunk),
        }
    }
    Ok(match (first, rest) {
        (_, Some(buf)) => buf.freeze(),
        (Some(f), None) => f,
        (None, None) => Bytes::new(),
    })
}

/// The `Content-Length` header as a number, when present and well formed.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError as _;
    use actix_web::http::header::HeaderValue;

    fn stream_payload(chunks: Vec<&'static [u8]>) -> Payload {
        let stream = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, PayloadError>(Bytes::from_static(c))),
        );
        Payload::from(Box::pin(stream) as actix_http::BoxedPayloadStream)
    }

    #[actix_web::test]
    async fn joins_chunks_within_the_limit() {
        let mut p = stream_payload(vec![b"ab", b"cd", b"e"]);
        let body = read_limited(&HeaderMap::new(), &mut p, 5).await.unwrap();
        assert_eq!(body, "abcde");
    }

    #[actix_web::test]
    async fn refuses_one_byte_over() {
        let mut p = stream_payload(vec![b"ab", b"cd", b"ef"]);
        let err = read_limited(&HeaderMap::new(), &mut p, 5)
            .await
            .unwrap_err();
        assert!(matches!(err, WebhookError::PayloadTooLarge));
    }

    #[actix_web::test]
    async fn declared_length_refused_before_reading() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("6"));
        let mut p = stream_payload(vec![b"ab"]);
        let err = read_limited(&headers, &mut p, 5).await.unwrap_err();
        assert!(matches!(err, WebhookError::PayloadTooLarge));
        // Nothing was pulled.
        assert_eq!(p.next().await.unwrap().unwrap(), "ab");
    }

    #[actix_web::test]
    async fn empty_body() {
        let mut p = stream_payload(vec![]);
        let body = read_limited(&HeaderMap::new(), &mut p, 0).await.unwrap();
        assert!(body.is_empty());
    }

    #[actix_web::test]
    async fn payload_error_is_a_body_error() {
        let stream = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"a")),
            Err(PayloadError::Incomplete(None)),
        ]);
        let mut p = Payload::from(Box::pin(stream) as actix_http::BoxedPayloadStream);
        let err = read_limited(&HeaderMap::new(), &mut p, 5)
            .await
            .unwrap_err();
        assert!(matches!(err, WebhookError::Body(_)));
        assert_eq!(err.status_code(), 400);
    }
}
