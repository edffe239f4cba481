//! RSA public keys read from X.509 certificates (AWS SNS, PayPal), and PKCS#1 v1.5
//! signature checks with them.
//!
//! The certificate is the key's carrier only: its subject and issuer are not checked here.
//! Where a certificate comes from a URL, the URL's host is what is trusted (the `fetch`
//! module checks it against the sender's documented hosts before anything is fetched);
//! where it is configured, the configuration is. Its validity period is checked against
//! the verifier's clock for every delivery.

use alloc::boxed::Box;
use core::fmt;

use rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::der::DecodePem;
use x509_cert::der::referenced::OwnedToRef;

use crate::Error;

/// The smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus accepted, in bits: it bounds the cost of one check.
const MAX_RSA_BITS: usize = 4096;

/// The longest certificate text read (AWS's and PayPal's are 2 to 3 KiB).
pub(crate) const MAX_PEM_LEN: usize = 64 * 1024;

/// The longest signature accepted, in bytes: one of a [`MAX_RSA_BITS`] key.
pub(crate) const MAX_SIGNATURE_LEN: usize = MAX_RSA_BITS / 8;

const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
const END: &[u8] = b"-----END CERTIFICATE-----";

/// An RSA public key from a certificate, with the certificate's validity period.
#[derive(Clone)]
pub(crate) struct RsaKey {
    public: rsa::PublicKey,
    /// `notBefore`, Unix seconds.
    not_before: i64,
    /// `notAfter`, Unix seconds.
    not_after: i64,
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaKey")
            .field("bits", &(self.public.size() * 8))
            .finish_non_exhaustive()
    }
}

/// The digest a PKCS#1 v1.5 signature is made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaHash {
    /// SHA1withRSA (AWS SNS `SignatureVersion` 1).
    Sha1,
    /// SHA256withRSA (AWS SNS `SignatureVersion` 2, PayPal).
    Sha256,
}

impl RsaKey {
    /// Reads the first certificate of a PEM text (a chain's leaf comes first) and its RSA
    /// public key, 2048 to 4096 bits.
    pub(crate) fn from_pem(text: &[u8]) -> Result<Self, Error> {
        if text.len() > MAX_PEM_LEN {
            return Err(Error::secret("the certificate text is too long"));
        }
        let start = find(text, BEGIN)
            .ok_or_else(|| Error::secret("not a PEM certificate (no BEGIN CERTIFICATE line)"))?;
        let rest = &text[start..];
        let end = find(rest, END)
            .ok_or_else(|| Error::secret("not a PEM certificate (no END CERTIFICATE line)"))?
            + END.len();
        let cert = Certificate::from_pem(&rest[..end])
            .map_err(|_| Error::secret("not a valid X.509 certificate"))?;
        let tbs = cert.tbs_certificate();
        let spki = tbs.subject_public_key_info().owned_to_ref();
        let public = rsa::PublicKey::try_from(spki)
            .map_err(|_| Error::secret("the certificate's key is not an RSA public key"))?;
        let bits = public.size() * 8;
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return Err(Error::secret(
                "the certificate's RSA key must have 2048 to 4096 bits",
            ));
        }
        let unix = |t: x509_cert::time::Time| {
            i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
        };
        let validity = tbs.validity();
        Ok(Self {
            public,
            not_before: unix(validity.not_before),
            not_after: unix(validity.not_after),
        })
    }

    /// Whether `signature` is this key's PKCS#1 v1.5 signature over the concatenation of
    /// `message`, made with `hash`, while the certificate is valid at `now` (Unix
    /// seconds).
    pub(crate) fn verifies(
        &self,
        hash: RsaHash,
        message: &[&[u8]],
        signature: &[u8],
        now: i64,
    ) -> bool {
        if now < self.not_before || now > self.not_after || signature.len() != self.public.size() {
            return false;
        }
        match hash {
            RsaHash::Sha1 => {
                let digest = digest::<Sha1>(message);
                self.public
                    .pkcs1v15_verify_prehash::<Sha1>(&digest, signature)
                    .is_ok()
            }
            RsaHash::Sha256 => {
                let digest = digest::<Sha256>(message);
                self.public
                    .pkcs1v15_verify_prehash::<Sha256>(&digest, signature)
                    .is_ok()
            }
        }
    }
}

/// A boxed key, as [`Key::Rsa`](crate::keys::Key::Rsa) holds it.
pub(crate) fn boxed(text: &[u8]) -> Result<Box<RsaKey>, Error> {
    RsaKey::from_pem(text).map(Box::new)
}

fn digest<D: Digest>(message: &[&[u8]]) -> sha2::digest::Output<D> {
    let mut d = D::new();
    for part in message {
        d.update(part);
    }
    d.finalize()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../tests/data/certs/signing-cert.pem");

    #[test]
    fn reads_the_test_certificate() {
        let key = RsaKey::from_pem(CERT.as_bytes()).unwrap();
        assert_eq!(key.public.size(), 256);
        assert_eq!(key.not_before, 946_684_800); // 2000-01-01
        assert_eq!(key.not_after, 4_102_444_800); // 2100-01-01
        assert!(format!("{key:?}").contains("2048"));
        // Text around the certificate (a label, a chain's next certificate) is ignored.
        let chain = format!("leaf:\n{CERT}\n{CERT}");
        assert!(RsaKey::from_pem(chain.as_bytes()).is_ok());
    }

    #[test]
    fn bad_text_is_an_error_not_a_panic() {
        for bad in [
            "",
            "hello",
            "-----BEGIN CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "-----END CERTIFICATE----------BEGIN CERTIFICATE-----",
        ] {
            assert_eq!(
                RsaKey::from_pem(bad.as_bytes()).unwrap_err().kind(),
                crate::ErrorKind::InvalidSecret,
                "{bad:?}"
            );
        }
        // A certificate cut short, or with a byte changed inside.
        let cut = &CERT[..CERT.len() / 2];
        assert!(RsaKey::from_pem(format!("{cut}\n-----END CERTIFICATE-----").as_bytes()).is_err());
        let mut flipped = CERT.as_bytes().to_vec();
        flipped[200] = if flipped[200] == b'A' { b'B' } else { b'A' };
        let _ = RsaKey::from_pem(&flipped); // an error or another key, never a panic
        let huge = "A".repeat(MAX_PEM_LEN + 1);
        assert!(RsaKey::from_pem(huge.as_bytes()).is_err());
    }

    #[test]
    fn validity_and_length_are_checked() {
        let key = RsaKey::from_pem(CERT.as_bytes()).unwrap();
        let sig = [0u8; 256];
        // Wrong lengths and times outside the validity are refused before any arithmetic.
        assert!(!key.verifies(RsaHash::Sha256, &[b"x"], &sig[..255], 1_700_000_000));
        assert!(!key.verifies(RsaHash::Sha256, &[b"x"], &sig, 946_684_799));
        assert!(!key.verifies(RsaHash::Sha256, &[b"x"], &sig, 4_102_444_801));
        assert!(!key.verifies(RsaHash::Sha1, &[b"x"], &sig, 1_700_000_000));
    }
}
