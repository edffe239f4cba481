//! Log capture: a `tracing` subscriber that writes into a buffer, for tests that assert
//! what was (or was not) logged.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::Level;
use tracing::subscriber::DefaultGuard;

/// A buffer of formatted log lines (no colours), shared by every clone.
///
/// [`set_default`](Self::set_default) captures this thread's events (a `current_thread`
/// runtime, or actix's test runtime); [`subscriber`](Self::subscriber) gives the subscriber
/// itself, for `tracing::subscriber::with_default` or
/// `tracing::instrument::WithSubscriber` on futures that run on other threads.
///
/// ```
/// use webhook_testkit::LogCapture;
/// let logs = LogCapture::new(tracing::Level::TRACE);
/// {
///     let _guard = logs.set_default();
///     tracing::info!(provider = "stripe", "verified");
/// }
/// tracing::info!("not captured: the guard is gone");
/// assert!(logs.contains("provider=\"stripe\""));
/// assert_eq!(logs.text().lines().count(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct LogCapture {
    buffer: Arc<Mutex<Vec<u8>>>,
    level: Level,
}

#[derive(Clone)]
struct Writer(Arc<Mutex<Vec<u8>>>);

impl Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    /// An empty capture of events at `level` and above.
    ///
    /// ```
    /// let logs = webhook_testkit::LogCapture::new(tracing::Level::DEBUG);
    /// assert!(logs.text().is_empty());
    /// ```
    #[must_use]
    pub fn new(level: Level) -> Self {
        Self {
            buffer: Arc::default(),
            level,
        }
    }

    /// A `fmt` subscriber writing into this buffer, without ANSI colours.
    ///
    /// ```
    /// let logs = webhook_testkit::LogCapture::new(tracing::Level::TRACE);
    /// tracing::subscriber::with_default(logs.subscriber(), || tracing::warn!("w"));
    /// assert!(logs.contains(" WARN "));
    /// ```
    #[must_use]
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        let writer = Writer(Arc::clone(&self.buffer));
        tracing_subscriber::fmt()
            .with_max_level(self.level)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish()
    }

    /// Captures this thread's events until the guard drops.
    ///
    /// ```
    /// let logs = webhook_testkit::LogCapture::new(tracing::Level::INFO);
    /// let guard = logs.set_default();
    /// tracing::debug!("below the level");
    /// drop(guard);
    /// assert!(logs.text().is_empty());
    /// ```
    #[must_use = "events are captured only while the guard lives"]
    pub fn set_default(&self) -> DefaultGuard {
        tracing::subscriber::set_default(self.subscriber())
    }

    /// Everything captured so far, as text (invalid UTF-8 replaced).
    ///
    /// ```
    /// let logs = webhook_testkit::LogCapture::new(tracing::Level::INFO);
    /// tracing::subscriber::with_default(logs.subscriber(), || tracing::info!("hello"));
    /// assert!(logs.text().ends_with("hello\n"));
    /// ```
    #[must_use]
    pub fn text(&self) -> String {
        let bytes = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Whether `needle` was logged.
    ///
    /// ```
    /// let logs = webhook_testkit::LogCapture::new(tracing::Level::INFO);
    /// assert!(!logs.contains("anything"));
    /// ```
    #[must_use]
    pub fn contains(&self, needle: &str) -> bool {
        self.text().contains(needle)
    }

    /// Forgets what was captured.
    ///
    /// ```
    /// let logs = webhook_testkit::LogCapture::new(tracing::Level::INFO);
    /// tracing::subscriber::with_default(logs.subscriber(), || tracing::info!("x"));
    /// logs.clear();
    /// assert!(logs.text().is_empty());
    /// ```
    pub fn clear(&self) {
        self.buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
