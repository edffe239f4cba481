//! Secrets as the provider's dashboard shows them, and raw key bytes.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::Error;

/// A webhook signing secret (or, for Ed25519/ECDSA providers, a public key), zeroized on drop.
///
/// Most secrets are created from the text the provider shows (`whsec_…`, a Slack signing
/// secret, a Discord public key in hex): the [`Provider`](crate::Provider) knows how to turn
/// that text into key bytes. [`Secret::from_bytes`] skips that step for callers that already
/// hold the raw key.
///
/// `Debug` never shows the value:
///
/// ```
/// use webhook_verify::Secret;
///
/// let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// assert_eq!(format!("{secret:?}"), "Secret(REDACTED)");
/// assert!(Secret::new("").is_err());
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret {
    bytes: Vec<u8>,
    #[zeroize(skip)]
    form: SecretForm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretForm {
    /// Text as shown by the provider: the provider derives the key from it.
    Text,
    /// Raw key bytes: used as they are.
    Raw,
}

impl Secret {
    /// A secret from the text the provider's dashboard shows.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSecret`] if the text is empty.
    pub fn new(text: impl Into<String>) -> Result<Self, Error> {
        let text: String = text.into();
        if text.is_empty() {
            return Err(Error::secret("the secret is empty"));
        }
        Ok(Self {
            bytes: text.into_bytes(),
            form: SecretForm::Text,
        })
    }

    /// A secret from raw key bytes, used as the key without any decoding.
    ///
    /// ```
    /// use webhook_verify::Secret;
    /// let key = Secret::from_bytes([0x0bu8; 32])?;
    /// # Ok::<(), webhook_verify::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSecret`] if `bytes` is empty.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self, Error> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(Error::secret("the key is empty"));
        }
        Ok(Self {
            bytes,
            form: SecretForm::Raw,
        })
    }

    /// The secret's bytes: the text's UTF-8 bytes, or the raw key.
    ///
    /// Handle with care: this is the secret itself.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The secret as text, when it was created from text (always valid UTF-8).
    pub(crate) fn text(&self) -> Option<&str> {
        match self.form {
            SecretForm::Text => core::str::from_utf8(&self.bytes).ok(),
            SecretForm::Raw => None,
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(REDACTED)")
    }
}

/// Anything a key can be made from: secret text (`&str`, `String`) or a [`Secret`].
///
/// ```
/// use webhook_verify::{IntoSecret, Secret};
/// assert!("whsec_abc".into_secret().is_ok());
/// assert!(Secret::from_bytes([1u8; 16]).unwrap().into_secret().is_ok());
/// assert!("".into_secret().is_err());
/// ```
pub trait IntoSecret {
    /// Converts into a [`Secret`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSecret`] for empty text.
    fn into_secret(self) -> Result<Secret, Error>;
}

impl IntoSecret for Secret {
    fn into_secret(self) -> Result<Secret, Error> {
        Ok(self)
    }
}

impl IntoSecret for &Secret {
    fn into_secret(self) -> Result<Secret, Error> {
        Ok(self.clone())
    }
}

impl IntoSecret for &str {
    fn into_secret(self) -> Result<Secret, Error> {
        Secret::new(self)
    }
}

impl IntoSecret for String {
    fn into_secret(self) -> Result<Secret, Error> {
        Secret::new(self)
    }
}

impl IntoSecret for &String {
    fn into_secret(self) -> Result<Secret, Error> {
        Secret::new(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_for_both_forms() {
        let text = Secret::new("hunter2-secret").unwrap();
        let raw = Secret::from_bytes(b"hunter2-secret".to_vec()).unwrap();
        for s in [text, raw] {
            let shown = format!("{s:?} {s:#?}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("REDACTED"));
        }
    }

    #[test]
    fn empty_is_rejected() {
        assert!(Secret::new(String::new()).is_err());
        assert!(Secret::from_bytes(Vec::new()).is_err());
        let err = Secret::new("").unwrap_err();
        assert_eq!(err.to_string(), "invalid secret: the secret is empty");
    }
}
