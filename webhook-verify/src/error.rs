//! The crate's one error type.

use alloc::borrow::Cow;
use alloc::string::ToString;
use core::fmt;

/// Why a delivery was not verified, or why a verifier could not be built.
///
/// `Display` is short, lowercase and safe to send back to the caller: it never contains a
/// secret, a signature, the body, or which key or byte failed. Use
/// [`Verifier::diagnose`](crate::Verifier::diagnose) for a longer explanation meant for logs.
///
/// ```
/// use webhook_verify::{verify, Provider, Error, ErrorKind};
///
/// let headers: &[(&str, &str)] = &[];
/// let err = verify(&Provider::GITHUB, "It's a Secret to Everybody", headers, b"Hello, World!")
///     .unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::MissingHeader);
/// assert_eq!(err.status(), 400);
/// assert_eq!(err.to_string(), "missing header x-hub-signature-256");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A header the provider always sends is absent.
    #[error("missing header {name}")]
    MissingHeader {
        /// The header's name, lowercase.
        name: Cow<'static, str>,
    },
    /// A header appears more than once with different values.
    #[error("duplicate header {name}")]
    DuplicateHeader {
        /// The header's name, lowercase.
        name: Cow<'static, str>,
    },
    /// A header is present but cannot be parsed.
    #[error("malformed header {name}: {reason}")]
    MalformedHeader {
        /// The header's name, lowercase.
        name: Cow<'static, str>,
        /// What is wrong with it (never the value itself).
        reason: &'static str,
    },
    /// The body does not carry what the scheme signs with it (Mailgun's signature fields,
    /// Adyen's notification items) or a signed field cannot be read.
    #[error("malformed body: {reason}")]
    MalformedBody {
        /// What is missing or wrong.
        reason: &'static str,
    },
    /// The signed timestamp is older than the tolerance allows.
    #[error("timestamp outside tolerance")]
    TimestampTooOld {
        /// How many seconds older than the current time the timestamp is.
        age_secs: i64,
        /// The tolerance that was applied, in seconds.
        tolerance_secs: u64,
    },
    /// The signed timestamp is further in the future than the tolerance allows.
    #[error("timestamp outside tolerance")]
    TimestampInFuture {
        /// How many seconds ahead of the current time the timestamp is.
        ahead_secs: i64,
        /// The tolerance that was applied, in seconds.
        tolerance_secs: u64,
    },
    /// No configured key produced any of the signatures sent.
    #[error("invalid signature")]
    SignatureMismatch,
    /// The provider signs the request URL, and none was given to the verifier.
    #[error("the request url is required for provider {provider}")]
    MissingUrl {
        /// The provider's name.
        provider: Cow<'static, str>,
    },
    /// A secret or public key could not be turned into a key for this provider.
    #[error("invalid secret: {reason}")]
    InvalidSecret {
        /// What is wrong with it (never the secret itself).
        reason: Cow<'static, str>,
    },
    /// The verifier or a custom provider was configured in a way that cannot work.
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: Cow<'static, str>,
    },
}

/// A stable, matchable summary of an [`Error`], for metrics and branching.
///
/// ```
/// use webhook_verify::{Error, ErrorKind};
/// assert_eq!(Error::SignatureMismatch.kind(), ErrorKind::SignatureMismatch);
/// assert_eq!(ErrorKind::SignatureMismatch.as_str(), "signature_mismatch");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::MissingHeader`].
    MissingHeader,
    /// See [`Error::DuplicateHeader`].
    DuplicateHeader,
    /// See [`Error::MalformedHeader`].
    MalformedHeader,
    /// See [`Error::MalformedBody`].
    MalformedBody,
    /// See [`Error::TimestampTooOld`].
    TimestampTooOld,
    /// See [`Error::TimestampInFuture`].
    TimestampInFuture,
    /// See [`Error::SignatureMismatch`].
    SignatureMismatch,
    /// See [`Error::MissingUrl`].
    MissingUrl,
    /// See [`Error::InvalidSecret`].
    InvalidSecret,
    /// See [`Error::Config`].
    Config,
}

impl ErrorKind {
    /// A stable snake_case name, suitable for metrics labels and logs.
    ///
    /// ```
    /// assert_eq!(webhook_verify::ErrorKind::MissingHeader.as_str(), "missing_header");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MissingHeader => "missing_header",
            Self::DuplicateHeader => "duplicate_header",
            Self::MalformedHeader => "malformed_header",
            Self::MalformedBody => "malformed_body",
            Self::TimestampTooOld => "timestamp_too_old",
            Self::TimestampInFuture => "timestamp_in_future",
            Self::SignatureMismatch => "signature_mismatch",
            Self::MissingUrl => "missing_url",
            Self::InvalidSecret => "invalid_secret",
            Self::Config => "config",
        }
    }
}

impl ErrorKind {
    const ALL: [Self; 10] = [
        Self::MissingHeader,
        Self::DuplicateHeader,
        Self::MalformedHeader,
        Self::MalformedBody,
        Self::TimestampTooOld,
        Self::TimestampInFuture,
        Self::SignatureMismatch,
        Self::MissingUrl,
        Self::InvalidSecret,
        Self::Config,
    ];

    /// The kind named `name` ([`as_str`](Self::as_str)'s text).
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The stable kind of this error.
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Self::MissingHeader { .. } => ErrorKind::MissingHeader,
            Self::DuplicateHeader { .. } => ErrorKind::DuplicateHeader,
            Self::MalformedHeader { .. } => ErrorKind::MalformedHeader,
            Self::MalformedBody { .. } => ErrorKind::MalformedBody,
            Self::TimestampTooOld { .. } => ErrorKind::TimestampTooOld,
            Self::TimestampInFuture { .. } => ErrorKind::TimestampInFuture,
            Self::SignatureMismatch => ErrorKind::SignatureMismatch,
            Self::MissingUrl { .. } => ErrorKind::MissingUrl,
            Self::InvalidSecret { .. } => ErrorKind::InvalidSecret,
            Self::Config { .. } => ErrorKind::Config,
        }
    }

    /// The HTTP status a receiving endpoint answers with for this error.
    ///
    /// Missing, duplicate or malformed headers are `400`; a bad signature or a timestamp
    /// outside the tolerance is `401`; configuration problems on the receiving side
    /// (no URL for a URL-signing provider, unusable secret) are `500`, since the sender
    /// did nothing wrong and should retry once the endpoint is fixed.
    ///
    /// ```
    /// use webhook_verify::Error;
    /// assert_eq!(Error::SignatureMismatch.status(), 401);
    /// ```
    #[must_use]
    pub const fn status(&self) -> u16 {
        match self {
            Self::MissingHeader { .. }
            | Self::DuplicateHeader { .. }
            | Self::MalformedHeader { .. }
            | Self::MalformedBody { .. } => 400,
            Self::TimestampTooOld { .. }
            | Self::TimestampInFuture { .. }
            | Self::SignatureMismatch => 401,
            Self::MissingUrl { .. } | Self::InvalidSecret { .. } | Self::Config { .. } => 500,
        }
    }

    /// The text a receiving endpoint sends as the response body: the same as `Display`
    /// for the sender's errors, and a generic text for the receiver's own configuration
    /// errors (which must not be explained to the caller).
    ///
    /// ```
    /// use webhook_verify::Error;
    /// assert_eq!(Error::SignatureMismatch.body_text(), "invalid signature");
    /// ```
    #[must_use]
    pub fn body_text(&self) -> Cow<'static, str> {
        match self.status() {
            500 => Cow::Borrowed("internal server error"),
            _ => Cow::Owned(self.to_string()),
        }
    }

    pub(crate) fn missing(name: impl Into<Cow<'static, str>>) -> Self {
        Self::MissingHeader { name: name.into() }
    }

    pub(crate) fn malformed(name: impl Into<Cow<'static, str>>, reason: &'static str) -> Self {
        Self::MalformedHeader {
            name: name.into(),
            reason,
        }
    }

    pub(crate) fn secret(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::InvalidSecret {
            reason: reason.into(),
        }
    }

    pub(crate) fn config(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::Config {
            reason: reason.into(),
        }
    }
}
