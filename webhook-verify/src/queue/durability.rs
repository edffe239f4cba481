//! What a Redis server does with the data it acknowledged.

use redis::aio::ConnectionLike;

use super::QueueError;

/// Reads a server's settings (`INFO`, and `CONFIG GET appendfsync` where allowed).
pub(crate) async fn read<C: ConnectionLike + Send>(conn: &mut C) -> Result<Durability, QueueError> {
    let info: String = redis::cmd("INFO").query_async(conn).await?;
    let appendfsync = redis::cmd("CONFIG")
        .arg("GET")
        .arg("appendfsync")
        .query_async::<Vec<String>>(conn)
        .await
        .ok()
        .and_then(|pair| pair.into_iter().nth(1));
    Ok(Durability::from_info(&info, appendfsync))
}

/// A Redis server's persistence and eviction settings, read at start-up by
/// [`Queue::connect`](super::Queue::connect).
///
/// ```
/// use webhook_verify::queue::Durability;
///
/// let info = "aof_enabled:1\r\nmaxmemory:1073741824\r\nmaxmemory_policy:allkeys-lru\r\n";
/// let settings = Durability::from_info(info, Some("everysec".to_owned()));
/// assert!(settings.evicts());
/// assert!(settings.check().is_err());
///
/// let info = "aof_enabled:1\r\nmaxmemory:1073741824\r\nmaxmemory_policy:noeviction\r\n";
/// let settings = Durability::from_info(info, Some("always".to_owned()));
/// assert!(!settings.evicts() && settings.warnings().is_empty());
/// assert_eq!(Durability::from_info(info, Some("everysec".to_owned())).warnings().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Durability {
    /// Whether the append-only file is on (`appendonly yes`).
    pub aof: bool,
    /// `appendfsync`, when the server lets `CONFIG GET` read it.
    pub appendfsync: Option<String>,
    /// `maxmemory` in bytes; 0 is no limit.
    pub maxmemory: u64,
    /// `maxmemory-policy`.
    pub policy: String,
}

impl Durability {
    /// Reads the settings from the text of `INFO` (the `persistence` and `memory`
    /// sections) and the value of `CONFIG GET appendfsync`.
    #[must_use]
    pub fn from_info(info: &str, appendfsync: Option<String>) -> Self {
        let field = |name: &str| {
            info.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key == name).then(|| value.trim().to_owned())
            })
        };
        Self {
            aof: field("aof_enabled").as_deref() == Some("1"),
            appendfsync,
            maxmemory: field("maxmemory").and_then(|v| v.parse().ok()).unwrap_or(0),
            policy: field("maxmemory_policy").unwrap_or_else(|| "noeviction".to_owned()),
        }
    }

    /// Whether the server deletes keys to make room: a `maxmemory` and any policy but
    /// `noeviction`. Queued deliveries and replay records could then vanish without an
    /// error.
    #[must_use]
    pub fn evicts(&self) -> bool {
        self.maxmemory > 0 && self.policy != "noeviction"
    }

    /// What could lose data without refusing to start: no append-only file, `appendfsync
    /// no` or `everysec` (Redis may answer before the write reaches the file), or an
    /// eviction policy waiting for a `maxmemory` to be set.
    #[must_use]
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if !self.aof {
            warnings.push(
                "redis runs without the append-only file (appendonly no): a restart loses queued deliveries"
                    .to_owned(),
            );
        } else if self.appendfsync.as_deref() == Some("no") {
            warnings.push(
                "redis flushes its append-only file when the OS decides (appendfsync no): a crash loses queued deliveries"
                    .to_owned(),
            );
        } else if self.appendfsync.as_deref() == Some("everysec") {
            warnings.push(
                "redis writes its append-only file up to 2 s after answering (appendfsync everysec): a crash can lose deliveries already answered; use appendfsync always"
                    .to_owned(),
            );
        }
        if self.maxmemory == 0 && self.policy != "noeviction" {
            warnings.push(format!(
                "redis would evict keys ({}) once a maxmemory is set: set maxmemory-policy noeviction",
                self.policy
            ));
        }
        warnings
    }

    /// Refuses a server that evicts, logs the [`warnings`](Self::warnings) at WARN.
    ///
    /// # Errors
    ///
    /// [`QueueError::Unsafe`] when the server [evicts](Self::evicts).
    pub fn check(&self) -> Result<(), QueueError> {
        if self.evicts() {
            return Err(QueueError::Unsafe(format!(
                "redis evicts keys when full (maxmemory-policy {}): queued deliveries and replay records could vanish; set maxmemory-policy noeviction",
                self.policy
            )));
        }
        for warning in self.warnings() {
            tracing::warn!("{warning}");
        }
        Ok(())
    }
}
