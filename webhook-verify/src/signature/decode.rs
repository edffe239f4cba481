//! The canonical decoders: lowercase hex and padded standard base64 with zero trailing
//! bits, decoded into fixed-size buffers without allocating. Non-canonical spellings are
//! refused, not normalised.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{MAX_SIG_LEN, Sig, SigKind};
use crate::provider::Encoding;

/// Decodes one public-key signature: exactly `len` bytes, or for DER ECDSA (always base64)
/// at most the longest P-256 signature.
#[inline]
pub(super) fn decode(
    encoding: Encoding,
    encoded: &[u8],
    kind: SigKind,
    len: usize,
) -> Result<Sig, &'static str> {
    let mut sig = Sig {
        kind,
        len: len.min(MAX_SIG_LEN) as u8,
        bytes: [0; MAX_SIG_LEN],
    };
    match kind {
        SigKind::Ecdsa => {
            // DER: variable length up to the maximum.
            let n = STANDARD
                .decode_slice(encoded, &mut sig.bytes)
                .map_err(|_| "signature is not valid base64")?;
            sig.len = n as u8;
        }
        SigKind::Ed25519 => {
            let out = sig
                .bytes
                .get_mut(..len)
                .ok_or("signature has the wrong length")?;
            decode_exact(encoding, encoded, out)?;
        }
    }
    Ok(sig)
}

/// Decodes exactly `out.len()` bytes. Non-canonical encodings (uppercase hex, base64
/// without padding or with non-zero trailing bits) are refused, not normalised.
#[inline]
pub(super) fn decode_exact(
    encoding: Encoding,
    encoded: &[u8],
    out: &mut [u8],
) -> Result<(), &'static str> {
    match encoding {
        Encoding::Hex => {
            if encoded.len() != 2 * out.len() {
                return Err("signature has the wrong length");
            }
            decode_lower_hex(encoded, out)
        }
        Encoding::Base64 => decode_base64_exact(encoded, out),
    }
}

/// Values of the standard base64 alphabet's characters; 0xff for every other byte
/// (padding included).
const BASE64_DIGITS: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Marks an invalid character in [`BASE64_SHIFTED`].
const INVALID_BIT: u32 = 1 << 31;

/// [`BASE64_DIGITS`] shifted to each of the four positions of a group (18, 12, 6 and 0
/// bits); an invalid character has [`INVALID_BIT`].
const BASE64_SHIFTED: [[u32; 256]; 4] = {
    let mut tables = [[0u32; 256]; 4];
    let mut position = 0;
    while position < 4 {
        let mut c = 0;
        while c < 256 {
            let v = BASE64_DIGITS[c];
            tables[position][c] = if v > 0x3f {
                INVALID_BIT
            } else {
                (v as u32) << (18 - 6 * position)
            };
            c += 1;
        }
        position += 1;
    }
    tables
};

/// Decodes canonical standard base64 of exactly `out.len()` bytes: `src` is exactly
/// `4 * ceil(out.len() / 3)` long, padded with `=`, and the bits after the last byte are
/// zero. Anything else is refused (the canonical form is the only one accepted).
fn decode_base64_exact(src: &[u8], out: &mut [u8]) -> Result<(), &'static str> {
    // The usual lengths get their own copy of the loop, unrolled.
    match out.len() {
        32 => base64_exact(src, &mut out[..32]),
        20 => base64_exact(src, &mut out[..20]),
        _ => base64_exact(src, out),
    }
}

#[inline(always)]
fn base64_exact(src: &[u8], out: &mut [u8]) -> Result<(), &'static str> {
    const INVALID: &str = "signature is not valid base64";
    if src.len() != out.len().div_ceil(3) * 4 {
        return Err("signature has the wrong length");
    }
    // An invalid character's 0xff spills into its neighbours' bits; the output is then
    // garbage, and refused below.
    let digit = |c: u8| u32::from(BASE64_DIGITS[usize::from(c)]);
    let mut invalid = 0u32;
    let full = out.len() / 3;
    let (groups, last) = src.split_at(full * 4);
    let (bytes, rest) = out.split_at_mut(full * 3);
    // Whole groups: each character's bits already in place, the top bit set if invalid.
    let mut invalid_groups = 0u32;
    for (group, bytes) in groups.chunks_exact(4).zip(bytes.chunks_exact_mut(3)) {
        let n = BASE64_SHIFTED[0][usize::from(group[0])]
            | BASE64_SHIFTED[1][usize::from(group[1])]
            | BASE64_SHIFTED[2][usize::from(group[2])]
            | BASE64_SHIFTED[3][usize::from(group[3])];
        invalid_groups |= n;
        bytes.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    if invalid_groups & INVALID_BIT != 0 {
        return Err(INVALID);
    }
    // The last group, when the length is not a multiple of three: one or two bytes, then
    // padding.
    match (rest.len(), last) {
        (0, []) => {}
        (1, [a, b, b'=', b'=']) => {
            let (a, b) = (digit(*a), digit(*b));
            invalid |= a | b;
            if b & 0x0f != 0 {
                return Err(INVALID);
            }
            rest[0] = (a << 2 | b >> 4) as u8;
        }
        // A canonical encoding of one byte where two were expected: a shorter signature.
        (2, [a, b, b'=', b'=']) => {
            let (a, b) = (digit(*a), digit(*b));
            if (a | b) > 0x3f || b & 0x0f != 0 {
                return Err(INVALID);
            }
            return Err("signature has the wrong length");
        }
        (2, [a, b, c, b'=']) => {
            let (a, b, c) = (digit(*a), digit(*b), digit(*c));
            invalid |= a | b | c;
            if c & 0x03 != 0 {
                return Err(INVALID);
            }
            let n = a << 10 | b << 4 | c >> 2;
            rest.copy_from_slice(&(n as u16).to_be_bytes());
        }
        _ => return Err(INVALID),
    }
    if invalid > 0x3f {
        return Err(INVALID);
    }
    Ok(())
}

/// Digit values of lowercase hex characters; 0xff for every other byte.
const HEX_DIGITS: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Decodes lowercase hex (`src` is exactly twice as long as `out`). Uppercase digits are
/// refused: the canonical form is the only one accepted.
fn decode_lower_hex(src: &[u8], out: &mut [u8]) -> Result<(), &'static str> {
    // The usual lengths get their own copy of the loop, unrolled.
    match out.len() {
        32 => lower_hex(src, &mut out[..32]),
        20 => lower_hex(src, &mut out[..20]),
        _ => lower_hex(src, out),
    }
}

#[inline(always)]
fn lower_hex(src: &[u8], out: &mut [u8]) -> Result<(), &'static str> {
    let mut invalid = 0u16;
    for (byte, pair) in out.iter_mut().zip(src.chunks_exact(2)) {
        let v = HEX_HIGH[usize::from(pair[0])] | HEX_LOW[usize::from(pair[1])];
        invalid |= v;
        *byte = v as u8;
    }
    if invalid & HEX_INVALID != 0 {
        return Err("signature is not lowercase hex");
    }
    Ok(())
}

/// Marks a byte that is not a lowercase hex digit in [`HEX_HIGH`] and [`HEX_LOW`].
const HEX_INVALID: u16 = 1 << 8;

/// [`HEX_DIGITS`] as the high nibble of a byte.
const HEX_HIGH: [u16; 256] = hex_table(4);

/// [`HEX_DIGITS`] as the low nibble of a byte.
const HEX_LOW: [u16; 256] = hex_table(0);

const fn hex_table(shift: u32) -> [u16; 256] {
    let mut table = [HEX_INVALID; 256];
    let mut c = 0;
    while c < 256 {
        if HEX_DIGITS[c] <= 0x0f {
            table[c] = (HEX_DIGITS[c] as u16) << shift;
        }
        c += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_like_the_hex_crate() {
        use proptest::prelude::*;
        let mut runner = proptest::test_runner::TestRunner::default();
        for len in [1usize, 3, 4, 5, 20, 32, 33] {
            let canonical = proptest::collection::vec(any::<u8>(), len)
                .prop_map(|bytes| hex::encode(bytes).into_bytes());
            let mutated = (canonical.clone(), 0..2 * len, any::<u8>()).prop_map(|(mut s, i, c)| {
                s[i] = c;
                s
            });
            let strategy = prop_oneof![canonical, mutated];
            runner
                .run(&strategy, |src| {
                    let mut out = vec![0u8; len];
                    let ours = decode_lower_hex(&src, &mut out).map(|()| out);
                    let theirs = hex::decode(&src)
                        .ok()
                        .filter(|_| !src.iter().any(u8::is_ascii_uppercase));
                    prop_assert_eq!(ours.ok(), theirs, "{:?}", src);
                    Ok(())
                })
                .unwrap();
        }
        // Every byte value in every position of a word.
        for pos in 0..8 {
            for c in 0..=255u8 {
                let mut src = *b"0123456789abcdef";
                src[pos] = c;
                let mut out = [0u8; 8];
                let valid = c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
                assert_eq!(decode_lower_hex(&src, &mut out).is_ok(), valid, "{pos} {c}");
                if valid {
                    assert_eq!(out.to_vec(), hex::decode(src).unwrap());
                }
            }
        }
    }

    #[test]
    fn lowercase_hex_only() {
        let mut out = [0u8; 2];
        assert_eq!(decode_lower_hex(b"0aff", &mut out), Ok(()));
        assert_eq!(out, [0x0a, 0xff]);
        for bad in [&b"0AFF"[..], b"0g00", b"0 00", b"\xff\xff00"] {
            assert!(decode_lower_hex(bad, &mut out).is_err(), "{bad:?}");
        }
    }

    /// The same answers as the `base64` crate's canonical decoder, for strings of the exact
    /// length made of alphabet characters, padding and a few others.
    #[test]
    fn base64_like_the_base64_crate() {
        use proptest::prelude::*;
        let chars = "[A-Za-z0-9+/=_-]";
        let mut runner = proptest::test_runner::TestRunner::default();
        for len in [1usize, 2, 3, 20, 31, 32, 64] {
            let encoded_len = len.div_ceil(3) * 4;
            let canonical = proptest::collection::vec(any::<u8>(), len)
                .prop_map(|bytes| STANDARD.encode(bytes).into_bytes());
            // Valid encodings, one character changed, and arbitrary strings.
            let mutated = (canonical.clone(), 0..encoded_len, "[A-Za-z0-9+/=_ -]").prop_map(
                |(mut s, i, c)| {
                    s[i] = c.as_bytes()[0];
                    s
                },
            );
            let arbitrary = proptest::string::string_regex(&format!("{chars}{{{encoded_len}}}"))
                .unwrap()
                .prop_map(String::into_bytes);
            let strategy = prop_oneof![canonical, mutated, arbitrary];
            runner
                .run(&strategy, |src| {
                    let mut out = vec![0u8; len];
                    let ours = decode_base64_exact(&src, &mut out).map(|()| out);
                    // The base64 crate into a buffer of the expected length, as before.
                    let mut buf = vec![0u8; len];
                    let theirs = match STANDARD.decode_slice(&src, &mut buf) {
                        Err(_) => Err("signature is not valid base64"),
                        Ok(n) if n != len => Err("signature has the wrong length"),
                        Ok(_) => Ok(buf),
                    };
                    prop_assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(&src));
                    Ok(())
                })
                .unwrap();
        }
        let mut out = [0u8; 2];
        assert_eq!(
            decode_base64_exact(b"AA==", &mut out),
            Err("signature has the wrong length")
        );
        assert_eq!(
            decode_base64_exact(b"AB==", &mut out),
            Err("signature is not valid base64")
        );
        assert_eq!(
            decode_base64_exact(b"A===", &mut out),
            Err("signature is not valid base64")
        );
        assert!(decode_base64_exact(b"AAA=", &mut out).is_ok());
        assert!(decode_base64_exact(b"AAB=", &mut out).is_err());
        assert!(decode_base64_exact(b"AA==", &mut out).is_err());
        assert!(decode_base64_exact(b"AAA", &mut out).is_err());
        assert!(decode_base64_exact(b"\xff\xff\xff=", &mut out).is_err());
    }
}
