//! A handler's successful answer.

use bytes::Bytes;
use serde::Serialize;

/// A successful handler's answer: a 2xx status and an optional body. Handlers usually
/// return `Ok(())` (200, empty body).
///
/// ```
/// use webhook_verify::events::Ack;
/// assert_eq!(Ack::from(()).status(), 200);
/// assert_eq!(Ack::accepted().status(), 202);
/// assert_eq!(Ack::text("queued").body().as_ref(), b"queued");
/// assert_eq!(Ack::json(&serde_json::json!({"ok": true}))?.content_type(), Some("application/json"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    status: u16,
    body: Bytes,
    content_type: Option<&'static str>,
}

impl Ack {
    /// 200 with an empty body.
    #[must_use]
    pub fn ok() -> Self {
        Self::with_status(200)
    }

    /// 202 with an empty body: the work was queued.
    #[must_use]
    pub fn accepted() -> Self {
        Self::with_status(202)
    }

    /// 204, no body.
    #[must_use]
    pub fn no_content() -> Self {
        Self::with_status(204)
    }

    /// 200 with a `text/plain` body.
    #[must_use]
    pub fn text(body: impl Into<String>) -> Self {
        Self {
            status: 200,
            body: Bytes::from(body.into()),
            content_type: Some("text/plain; charset=utf-8"),
        }
    }

    /// 200 with a JSON body.
    ///
    /// # Errors
    ///
    /// The `serde_json` error when `value` cannot be serialized.
    pub fn json(value: &impl Serialize) -> Result<Self, serde_json::Error> {
        Ok(Self {
            status: 200,
            body: Bytes::from(serde_json::to_vec(value)?),
            content_type: Some("application/json"),
        })
    }

    fn with_status(status: u16) -> Self {
        Self {
            status,
            body: Bytes::new(),
            content_type: None,
        }
    }

    /// The status (always 2xx).
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body.
    #[must_use]
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body's content type, when there is a body.
    #[must_use]
    pub fn content_type(&self) -> Option<&'static str> {
        self.content_type
    }
}

impl From<()> for Ack {
    fn from((): ()) -> Self {
        Self::ok()
    }
}

impl From<&'static str> for Ack {
    fn from(body: &'static str) -> Self {
        Self::text(body)
    }
}

impl From<String> for Ack {
    fn from(body: String) -> Self {
        Self::text(body)
    }
}

impl Ack {
    pub(crate) fn into_parts(self) -> (u16, Bytes, Option<&'static str>) {
        (self.status, self.body, self.content_type)
    }
}
