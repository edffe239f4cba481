//! [`TestFetcher`]: fixed responses, counted, for tests without a network.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{BoxFuture, FetchError, KeyFetcher, Url};

/// A [`KeyFetcher`] for tests: serves the bytes set for each URL (after an optional
/// delay), answers 404 for others, and counts every fetch. Clones share the responses and
/// the count.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use webhook_verify::fetch::{KeyFetcher, TestFetcher, Url};
///
/// let fetcher = TestFetcher::new().serve("https://keys.example.com/k", "key");
/// let url = Url::parse("https://keys.example.com/k").unwrap();
/// assert_eq!(fetcher.fetch(&url, 1024).await.unwrap(), b"key");
/// assert_eq!(fetcher.fetches(), 1);
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct TestFetcher {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    responses: Mutex<HashMap<String, Vec<u8>>>,
    delay: Mutex<Option<Duration>>,
    fetches: AtomicUsize,
}

impl TestFetcher {
    /// A fetcher that serves nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `body` for `url` (exactly as the URL parser writes it).
    #[must_use]
    pub fn serve(self, url: &str, body: impl Into<Vec<u8>>) -> Self {
        let key = Url::parse(url).map_or_else(|_| url.to_owned(), String::from);
        self.inner
            .responses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, body.into());
        self
    }

    /// Waits `delay` before each answer (a slow server).
    #[must_use]
    pub fn delay(self, delay: Duration) -> Self {
        *self
            .inner
            .delay
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(delay);
        self
    }

    /// How many fetches were made.
    #[must_use]
    pub fn fetches(&self) -> usize {
        self.inner.fetches.load(Ordering::SeqCst)
    }
}

impl KeyFetcher for TestFetcher {
    fn fetch<'a>(
        &'a self,
        url: &'a Url,
        max_bytes: usize,
    ) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
        Box::pin(async move {
            self.inner.fetches.fetch_add(1, Ordering::SeqCst);
            let delay = *self
                .inner
                .delay
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            let body = self
                .inner
                .responses
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(url.as_str())
                .cloned()
                .ok_or(FetchError::Status { status: 404 })?;
            if body.len() > max_bytes {
                return Err(FetchError::TooLarge { limit: max_bytes });
            }
            Ok(body)
        })
    }
}
