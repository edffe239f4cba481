//! Reading a request body into memory, never past the limit.

use bytes::{Buf, Bytes, BytesMut};
use http::HeaderMap;
use http_body::Body as HttpBody;
use http_body_util::BodyExt;

/// Why a body was not read.
pub(crate) enum ReadError {
    /// More than the limit was announced or sent.
    TooLarge,
    /// The body stream failed (connection closed, malformed chunked encoding, ...).
    Stream(Box<dyn std::error::Error + Send + Sync>),
}

/// Reads `body` into one buffer of at most `limit` bytes.
///
/// A `Content-Length` (or a body size hint) above the limit is refused before anything is
/// read; otherwise frames are read until the end or until one would pass the limit, so
/// at most `limit` bytes plus one frame are ever held. A body that arrives in one frame is
/// kept as is, without a copy.
pub(crate) async fn read_limited<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
) -> Result<Bytes, ReadError>
where
    B: HttpBody,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    let announced = content_length(headers);
    if announced.is_some_and(|n| n > limit_u64) || body.size_hint().lower() > limit_u64 {
        return Err(ReadError::TooLarge);
    }
    // Bounded by the limit, so a false Content-Length cannot make us reserve more.
    let capacity = announced
        .or(body.size_hint().exact())
        .map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));

    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut buf: Option<BytesMut> = None;
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ReadError::Stream(e.into()))?;
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers
        };
        let n = data.remaining();
        if n > limit - len {
            return Err(ReadError::TooLarge);
        }
        len += n;
        if n == 0 {
            continue;
        }
        match (&mut first, &mut buf) {
            (None, None) => first = Some(data.copy_to_bytes(n)),
            (Some(head), None) => {
                let mut b = BytesMut::with_capacity(capacity.max(len));
                b.extend_from_slice(head);
                first = None;
                put(&mut b, &mut data);
                buf = Some(b);
            }
            (_, Some(b)) => put(b, &mut data),
        }
    }
    Ok(match (first, buf) {
        (_, Some(b)) => b.freeze(),
        (Some(head), None) => head,
        (None, None) => Bytes::new(),
    })
}

fn put(buf: &mut BytesMut, data: &mut impl Buf) {
    while data.has_remaining() {
        let chunk = data.chunk();
        let n = chunk.len();
        buf.extend_from_slice(chunk);
        data.advance(n);
    }
}

/// The `Content-Length`, when present and a plain decimal number.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(http::header::CONTENT_LENGTH)?.to_str().ok()?;
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Too many digits for a u64 is certainly over any limit.
    Some(value.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};
    use std::convert::Infallible;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        // The bodies below never return Pending, so polling once per step is enough.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    fn chunks(parts: &[&'static [u8]]) -> impl HttpBody<Data = Bytes, Error = Infallible> {
        let frames: Vec<Result<http_body::Frame<Bytes>, Infallible>> = parts
            .iter()
            .map(|p| Ok(http_body::Frame::data(Bytes::from_static(p))))
            .collect();
        StreamBody::new(futures_util::stream::iter(frames))
    }

    #[test]
    fn single_frame_is_not_copied() {
        let data = Bytes::from_static(b"hello");
        let got = block_on(read_limited(&HeaderMap::new(), Full::new(data.clone()), 5))
            .ok()
            .unwrap();
        assert_eq!(got.as_ptr(), data.as_ptr());
    }

    #[test]
    fn chunks_up_to_the_limit_and_one_over() {
        let got = block_on(read_limited(
            &HeaderMap::new(),
            chunks(&[b"ab", b"cd", b"e"]),
            5,
        ))
        .ok()
        .unwrap();
        assert_eq!(&got[..], b"abcde");
        let over = block_on(read_limited(
            &HeaderMap::new(),
            chunks(&[b"ab", b"cd", b"ef"]),
            5,
        ));
        assert!(matches!(over, Err(ReadError::TooLarge)));
        let empty = block_on(read_limited(&HeaderMap::new(), chunks(&[]), 0))
            .ok()
            .unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn content_length_is_checked_first() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::CONTENT_LENGTH, "6".parse().unwrap());
        let got = block_on(read_limited(&headers, chunks(&[b"ab"]), 5));
        assert!(matches!(got, Err(ReadError::TooLarge)));
        headers.insert(
            http::header::CONTENT_LENGTH,
            "99999999999999999999999999".parse().unwrap(),
        );
        let got = block_on(read_limited(&headers, chunks(&[b"ab"]), 5));
        assert!(matches!(got, Err(ReadError::TooLarge)));
        assert_eq!(content_length(&headers), Some(u64::MAX));
    }
}
