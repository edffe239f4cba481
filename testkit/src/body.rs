//! Bodies that count the bytes pulled from them, for body-limit tests ("refused after
//! reading at most the limit").

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;

/// A body of `total` bytes `b'x'` in `chunk`-sized frames, with no size hint, that counts
/// how many bytes were pulled from it. An `http_body::Body` (feature `http-body`) and a
/// `Stream<Item = Result<Bytes, io::Error>>` (feature `stream`, for actix payloads).
///
/// ```
/// # #[cfg(feature = "http-body")] {
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use http_body_util::{BodyExt, Limited};
/// use webhook_testkit::CountingBody;
/// let body = CountingBody::new(100 << 20, 16 * 1024);
/// let pulled = body.pulled();
/// assert!(Limited::new(body, 1 << 20).collect().await.is_err());
/// assert!(pulled.load(std::sync::atomic::Ordering::SeqCst) <= (1 << 20) + 16 * 1024);
/// # }); }
/// ```
#[derive(Debug)]
pub struct CountingBody {
    remaining: usize,
    chunk: Bytes,
    pulled: Arc<AtomicUsize>,
}

impl CountingBody {
    /// `total` bytes in `chunk`-byte frames.
    ///
    /// ```
    /// let body = webhook_testkit::CountingBody::new(10, 4);
    /// assert_eq!(body.pulled_bytes(), 0);
    /// ```
    ///
    /// # Panics
    ///
    /// When `chunk` is 0.
    #[must_use]
    pub fn new(total: usize, chunk: usize) -> Self {
        assert!(chunk > 0, "chunks of at least one byte");
        Self {
            remaining: total,
            chunk: Bytes::from(vec![b'x'; chunk]),
            pulled: Arc::default(),
        }
    }

    /// The shared counter, readable after the body moved into a request.
    ///
    /// ```
    /// let body = webhook_testkit::CountingBody::new(10, 4);
    /// let pulled = body.pulled();
    /// drop(body);
    /// assert_eq!(pulled.load(std::sync::atomic::Ordering::SeqCst), 0);
    /// ```
    #[must_use]
    pub fn pulled(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.pulled)
    }

    /// How many bytes were pulled so far.
    ///
    /// ```
    /// assert_eq!(webhook_testkit::CountingBody::new(1, 1).pulled_bytes(), 0);
    /// ```
    #[must_use]
    pub fn pulled_bytes(&self) -> usize {
        self.pulled.load(Ordering::SeqCst)
    }

    fn next_chunk(&mut self) -> Option<Bytes> {
        if self.remaining == 0 {
            return None;
        }
        let n = self.remaining.min(self.chunk.len());
        self.remaining -= n;
        self.pulled.fetch_add(n, Ordering::SeqCst);
        Some(self.chunk.slice(..n))
    }
}

#[cfg(feature = "http-body")]
impl http_body::Body for CountingBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.next_chunk().map(|c| Ok(http_body::Frame::data(c))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::default()
    }
}

#[cfg(feature = "stream")]
impl futures_core::Stream for CountingBody {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.next_chunk().map(Ok))
    }
}

/// Wraps any `http_body::Body` and counts the data bytes pulled through it (on the server
/// side: how much of an upload the adapter read). Size hint and end of stream pass through.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use http_body_util::{BodyExt, Full};
/// use webhook_testkit::Counted;
/// let (body, pulled) = Counted::new(Full::new(bytes::Bytes::from_static(b"hello")));
/// assert_eq!(body.collect().await.unwrap().to_bytes(), "hello");
/// assert_eq!(pulled.load(std::sync::atomic::Ordering::SeqCst), 5);
/// # });
/// ```
#[cfg(feature = "http-body")]
#[derive(Debug)]
pub struct Counted<B> {
    inner: B,
    pulled: Arc<AtomicUsize>,
}

#[cfg(feature = "http-body")]
impl<B> Counted<B> {
    /// `inner`, counted; the counter is returned beside it.
    ///
    /// ```
    /// let (_body, pulled) = webhook_testkit::Counted::new(http_body_util::Empty::<bytes::Bytes>::new());
    /// assert_eq!(pulled.load(std::sync::atomic::Ordering::SeqCst), 0);
    /// ```
    pub fn new(inner: B) -> (Self, Arc<AtomicUsize>) {
        let pulled = Arc::new(AtomicUsize::new(0));
        (
            Self {
                inner,
                pulled: Arc::clone(&pulled),
            },
            pulled,
        )
    }

    /// `inner`, counted into an existing counter (e.g. one shared by a whole app).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    /// let _body = webhook_testkit::Counted::with_counter(http_body_util::Empty::<bytes::Bytes>::new(), counter);
    /// ```
    pub fn with_counter(inner: B, pulled: Arc<AtomicUsize>) -> Self {
        Self { inner, pulled }
    }
}

#[cfg(feature = "http-body")]
impl<B> http_body::Body for Counted<B>
where
    B: http_body::Body + Unpin,
    B::Data: bytes::Buf,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<B::Data>, B::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                self.pulled
                    .fetch_add(bytes::Buf::remaining(data), Ordering::SeqCst);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
