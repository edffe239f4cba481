//! Parsing signature headers into decoded signatures.
//!
//! - this file: the parsed form ([`Parsed`]: MAC tags and public-key signatures) and
//!   [`parse`];
//! - `formats.rs`: the header formats and their list grammars (one signature after a prefix,
//!   Standard Webhooks' versioned list, `key=value` lists);
//! - `decode.rs`: the canonical decoders (lowercase hex, padded base64 with zero trailing
//!   bits), which refuse every other spelling.

mod decode;
mod formats;

pub(crate) use formats::parse_into;

use alloc::borrow::Cow;

use arrayvec::ArrayVec;

use crate::Error;
use crate::provider::{Encoding, Spec};
use decode::{decode, decode_exact};

/// The most signatures accepted in one header. Senders list one per active key; more than
/// this is refused as malformed rather than hashed and compared.
///
/// The work per request does not grow with the list: an HMAC tag is computed once per
/// configured key and compared with every listed signature (a comparison costs a few
/// nanoseconds), and public-key signatures (`v1a`, Ed25519; ECDSA) are refused when there
/// are more of them than the configured public keys plus one, so a refused request costs
/// no more public-key checks than the slowest valid one.
pub const MAX_SIGNATURES: usize = 16;

/// What a public-key signature is checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigKind {
    /// An Ed25519 signature, checked with each public key.
    Ed25519,
    /// A DER-encoded ECDSA signature (variable length).
    Ecdsa,
}

/// One decoded public-key signature.
#[derive(Clone)]
pub(crate) struct Sig {
    pub(crate) kind: SigKind,
    len: u8,
    bytes: [u8; MAX_SIG_LEN],
}

/// The longest signature read: a DER ECDSA P-256 signature.
const MAX_SIG_LEN: usize = 72;

/// The longest MAC tag: HMAC-SHA256's.
const MAX_MAC_LEN: usize = 32;

impl Sig {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// A parsed signature header.
pub(crate) struct Parsed<'a> {
    /// MAC tags, compared with the tag of each HMAC key: each the first `mac_len` bytes of
    /// a slot.
    macs: ArrayVec<[u8; MAX_MAC_LEN], MAX_SIGNATURES>,
    mac_len: usize,
    /// Public-key signatures.
    pub(crate) sigs: ArrayVec<Sig, MAX_SIGNATURES>,
    /// The timestamp carried inside the header (Stripe `t=`, Paddle `ts=`).
    pub(crate) timestamp: Option<&'a [u8]>,
}

/// Parses the signature header `value` (from header `name`) per `spec`.
#[allow(
    clippy::ptr_arg,
    reason = "static names are cloned into errors without allocating"
)]
pub(crate) fn parse<'a>(
    spec: &Spec,
    name: &Cow<'static, str>,
    value: &'a [u8],
) -> Result<Parsed<'a>, Error> {
    let mut parsed = Parsed::new();
    parse_into(spec, name, value, &mut parsed)?;
    Ok(parsed)
}

impl Parsed<'_> {
    pub(crate) fn new() -> Self {
        Self {
            macs: ArrayVec::new(),
            mac_len: 0,
            sigs: ArrayVec::new(),
            timestamp: None,
        }
    }

    /// The MAC tags.
    #[inline]
    pub(crate) fn macs(&self) -> impl Iterator<Item = &[u8]> {
        self.macs.iter().map(|slot| &slot[..self.mac_len])
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.macs.len() + self.sigs.len()
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.macs.is_empty() && self.sigs.is_empty()
    }

    /// Decodes a MAC tag of `len` bytes into a new slot.
    #[inline]
    fn push_mac(
        &mut self,
        encoding: Encoding,
        encoded: &[u8],
        len: usize,
    ) -> Result<(), &'static str> {
        // Tags of one header all have the algorithm's length.
        self.mac_len = len.min(MAX_MAC_LEN);
        self.macs
            .try_push([0; MAX_MAC_LEN])
            .map_err(|_| "too many signatures")?;
        match self.macs.last_mut() {
            Some(slot) => decode_exact(encoding, encoded, &mut slot[..self.mac_len]),
            None => Err("too many signatures"),
        }
    }

    /// Decodes a public-key signature.
    #[inline]
    fn push_sig(
        &mut self,
        encoding: Encoding,
        encoded: &[u8],
        kind: SigKind,
        len: usize,
    ) -> Result<(), &'static str> {
        let sig = decode(encoding, encoded, kind, len)?;
        self.sigs.try_push(sig).map_err(|_| "too many signatures")
    }
}
