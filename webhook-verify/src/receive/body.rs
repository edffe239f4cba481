//! Buffering a request body, never past the limit.

use std::borrow::Cow;

use bytes::{Bytes, BytesMut};

use super::Reply;
use crate::Headers;
use crate::headers::unique;

/// Accumulates a request body up to a limit: the declared `Content-Length` is checked
/// first (before anything is read), then every chunk as it arrives, so at most the limit
/// is ever buffered. A body that arrives in one chunk is kept as is, without a copy.
///
/// ```
/// use webhook_verify::receive::BodyLimit;
///
/// let headers = [("content-length", "5")];
/// let mut body = BodyLimit::new(5, &headers)?;
/// body.push("ab".into())?;
/// body.push("cde".into())?;
/// assert_eq!(body.finish(), "abcde");
///
/// // Refused from the declared length alone, before reading.
/// let too_long = BodyLimit::new(4, &headers).unwrap_err();
/// assert_eq!(too_long.status(), 413);
/// # Ok::<(), webhook_verify::receive::Reply>(())
/// ```
#[derive(Debug)]
pub struct BodyLimit {
    limit: usize,
    capacity: usize,
    len: usize,
    first: Option<Bytes>,
    buf: Option<BytesMut>,
}

impl BodyLimit {
    /// Starts a body of at most `limit` bytes, checking the request's `Content-Length`.
    ///
    /// # Errors
    ///
    /// 413 [`Reply::payload_too_large`] when the declared length is over the limit; 400
    /// when `Content-Length` is repeated with different values or is not a decimal number.
    pub fn new(limit: usize, headers: &dyn Headers) -> Result<Self, Reply> {
        let declared = match unique(headers, &Cow::Borrowed("content-length")) {
            Ok(None) => None,
            Ok(Some(value)) => Some(parse_length(value)?),
            Err(error) => return Err(Reply::rejected(error)),
        };
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(Reply::payload_too_large());
        }
        // Bounded by the limit, so a false Content-Length cannot make us reserve more.
        let capacity = declared.map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));
        Ok(Self {
            limit,
            capacity,
            len: 0,
            first: None,
            buf: None,
        })
    }

    /// Adds a chunk.
    ///
    /// # Errors
    ///
    /// 413 [`Reply::payload_too_large`] as soon as the body passes the limit; the chunk
    /// is not kept.
    pub fn push(&mut self, chunk: Bytes) -> Result<(), Reply> {
        let n = chunk.len();
        if n > self.limit - self.len {
            return Err(Reply::payload_too_large());
        }
        self.len += n;
        if n == 0 {
            return Ok(());
        }
        match (&mut self.first, &mut self.buf) {
            (None, None) => self.first = Some(chunk),
            (Some(head), None) => {
                let mut buf = BytesMut::with_capacity(self.capacity.max(self.len));
                buf.extend_from_slice(head);
                buf.extend_from_slice(&chunk);
                self.first = None;
                self.buf = Some(buf);
            }
            (_, Some(buf)) => buf.extend_from_slice(&chunk),
        }
        Ok(())
    }

    /// How many bytes were added so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was added yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole body.
    #[must_use]
    pub fn finish(self) -> Bytes {
        match (self.first, self.buf) {
            (_, Some(buf)) => buf.freeze(),
            (Some(head), None) => head,
            (None, None) => Bytes::new(),
        }
    }
}

/// `Content-Length`: ASCII digits only (RFC 9110 §8.6); a number too large for `u64` is
/// over any limit.
fn parse_length(value: &[u8]) -> Result<u64, Reply> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(Reply::rejected(crate::Error::malformed(
            "content-length",
            "not a decimal length",
        )));
    }
    Ok(value.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(limit: usize, content_length: Option<&str>) -> Result<BodyLimit, Reply> {
        let headers: Vec<(&str, &str)> = content_length
            .map(|v| vec![("Content-Length", v)])
            .unwrap_or_default();
        BodyLimit::new(limit, &headers)
    }

    #[test]
    fn joins_chunks_within_the_limit() {
        let mut body = limit(5, None).unwrap();
        for chunk in ["ab", "cd", "e", ""] {
            body.push(Bytes::from(chunk)).unwrap();
        }
        assert_eq!(body.len(), 5);
        assert_eq!(body.finish(), "abcde");
    }

    #[test]
    fn one_chunk_is_not_copied() {
        let chunk = Bytes::from(vec![7u8; 64]);
        let ptr = chunk.as_ptr();
        let mut body = limit(64, Some("64")).unwrap();
        body.push(chunk).unwrap();
        assert_eq!(body.finish().as_ptr(), ptr);
    }

    #[test]
    fn one_byte_over_is_refused() {
        let mut body = limit(5, None).unwrap();
        body.push(Bytes::from("abc")).unwrap();
        assert_eq!(body.push(Bytes::from("def")).unwrap_err().status(), 413);
        assert_eq!(
            limit(0, None)
                .unwrap()
                .push(Bytes::from("a"))
                .unwrap_err()
                .status(),
            413
        );
    }

    #[test]
    fn declared_length_is_checked_first() {
        assert_eq!(limit(5, Some("6")).unwrap_err().status(), 413);
        assert_eq!(
            limit(5, Some("99999999999999999999999"))
                .unwrap_err()
                .status(),
            413
        );
        assert!(limit(5, Some("5")).is_ok());
        assert!(limit(5, Some("0")).is_ok());
    }

    #[test]
    fn malformed_declared_lengths_are_400() {
        for bad in ["", "-1", "+5", "5 ", "0x10", "1.0", "five"] {
            let reply = limit(5, Some(bad)).unwrap_err();
            assert_eq!(reply.status(), 400, "{bad:?}");
            assert_eq!(
                reply.body_text(),
                "malformed header content-length: not a decimal length"
            );
        }
    }

    #[test]
    fn conflicting_declared_lengths_are_400() {
        let headers = [("content-length", "3"), ("content-length", "4")];
        let reply = BodyLimit::new(10, &headers).unwrap_err();
        assert_eq!(
            (reply.status(), reply.body_text().as_ref()),
            (400, "duplicate header content-length")
        );
        let same = [("content-length", "3"), ("content-length", "3")];
        assert!(BodyLimit::new(10, &same).is_ok());
    }

    #[test]
    fn a_lying_length_reserves_at_most_the_limit() {
        let mut body = limit(8, Some("8")).unwrap();
        body.push(Bytes::from("ab")).unwrap();
        body.push(Bytes::from("cd")).unwrap();
        assert_eq!(body.finish(), "abcd");
    }
}
