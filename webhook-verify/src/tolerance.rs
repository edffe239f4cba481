//! How far a signed timestamp may be from now.

use core::time::Duration;

use crate::Error;

/// How far a delivery's signed timestamp may lie from the current time.
///
/// `past` bounds how old it may be, `future` how far ahead; `None` leaves that side
/// unchecked. Both bounds are inclusive.
///
/// ```
/// use std::time::Duration;
/// use webhook_verify::{Provider, Tolerance};
///
/// let stripe = Provider::STRIPE.default_tolerance();
/// assert_eq!(stripe, Tolerance::past_only(Duration::from_secs(300)));
/// assert_eq!(stripe.past(), Some(Duration::from_secs(300)));
/// assert_eq!(stripe.future(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tolerance {
    past: Option<Duration>,
    future: Option<Duration>,
}

impl Tolerance {
    /// No check at all (for providers that send no timestamp).
    pub const NONE: Tolerance = Tolerance {
        past: None,
        future: None,
    };

    /// The same window on both sides of now.
    #[must_use]
    pub const fn both(window: Duration) -> Self {
        Self {
            past: Some(window),
            future: Some(window),
        }
    }

    /// Only the age is checked; timestamps in the future pass (Stripe, Paddle).
    #[must_use]
    pub const fn past_only(window: Duration) -> Self {
        Self {
            past: Some(window),
            future: None,
        }
    }

    /// Separate bounds for each side; `None` leaves that side unchecked.
    #[must_use]
    pub const fn new(past: Option<Duration>, future: Option<Duration>) -> Self {
        Self { past, future }
    }

    /// How old a timestamp may be.
    #[must_use]
    pub const fn past(&self) -> Option<Duration> {
        self.past
    }

    /// How far in the future a timestamp may be.
    #[must_use]
    pub const fn future(&self) -> Option<Duration> {
        self.future
    }

    /// This tolerance with its window replaced by `window` on every side it checks (a
    /// tolerance that checks nothing becomes [`Tolerance::both`]).
    #[must_use]
    pub const fn with_window(self, window: Duration) -> Self {
        match (self.past, self.future) {
            (None, None) => Self::both(window),
            (past, future) => Self {
                past: if past.is_some() { Some(window) } else { None },
                future: if future.is_some() { Some(window) } else { None },
            },
        }
    }

    /// Checks `ts_millis` (the signed timestamp) against `now_millis`.
    ///
    /// `unit_millis` is the timestamp's precision (1000 for second timestamps): the current
    /// time is truncated to it, as the providers' own libraries do.
    #[inline]
    pub(crate) fn check(
        &self,
        ts_millis: i64,
        now_millis: i64,
        unit_millis: i64,
    ) -> Result<(), Error> {
        let now = i128::from(now_millis.div_euclid(unit_millis)) * i128::from(unit_millis);
        let age = now - i128::from(ts_millis);
        if let Some(past) = self.past {
            if age > i128::try_from(past.as_millis()).unwrap_or(i128::MAX) {
                return Err(Error::TimestampTooOld {
                    age_secs: clamp_secs(age),
                    tolerance_secs: past.as_secs(),
                });
            }
        }
        if let Some(future) = self.future {
            if -age > i128::try_from(future.as_millis()).unwrap_or(i128::MAX) {
                return Err(Error::TimestampInFuture {
                    ahead_secs: clamp_secs(-age),
                    tolerance_secs: future.as_secs(),
                });
            }
        }
        Ok(())
    }
}

fn clamp_secs(millis: i128) -> i64 {
    i64::try_from(millis / 1000).unwrap_or(if millis < 0 { i64::MIN } else { i64::MAX })
}

/// Parses a Unix timestamp exactly as sent: ASCII digits only (no sign, no spaces, no
/// fraction), at most `i64::MAX`.
#[inline]
pub(crate) fn parse_unix(value: &[u8]) -> Result<i64, &'static str> {
    if value.is_empty() {
        return Err("empty timestamp");
    }
    if value.len() <= 18 {
        // At most 18 digits cannot overflow: no checked arithmetic per digit, and eight
        // digits at a time.
        let mut n: i64 = 0;
        let mut invalid = false;
        let chunks = value.chunks_exact(8);
        let rest = chunks.remainder();
        for chunk in chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            match eight_digits(u64::from_le_bytes(w)) {
                Some(v) => n = n * 100_000_000 + v,
                None => invalid = true,
            }
        }
        for &b in rest {
            let digit = b.wrapping_sub(b'0');
            invalid |= digit > 9;
            n = n.wrapping_mul(10).wrapping_add(i64::from(digit));
        }
        if invalid {
            return Err("timestamp is not an unsigned decimal integer");
        }
        return Ok(n);
    }
    let mut n: i64 = 0;
    for &b in value {
        if !b.is_ascii_digit() {
            return Err("timestamp is not an unsigned decimal integer");
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(b - b'0')))
            .ok_or("timestamp out of range")?;
    }
    Ok(n)
}

/// The value of eight ASCII digits read little-endian (the first digit in the low byte), or
/// `None` when one of the bytes is not a digit.
#[inline]
fn eight_digits(chunk: u64) -> Option<i64> {
    const HIGH_NIBBLES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    // Every byte is 0x30..=0x3f, and stays so when 6 is added (no byte carries): '0'..='9'.
    if chunk & HIGH_NIBBLES != ZEROS
        || chunk.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES != ZEROS
    {
        return None;
    }
    let v = chunk & 0x0f0f_0f0f_0f0f_0f0f;
    // Pairs, then fours, then eight: each step fits its lane.
    let v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    let v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    let v = (v * 10_000 + (v >> 32)) & 0xffff_ffff;
    Some(v as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_is_strict() {
        assert_eq!(parse_unix(b"1614265330"), Ok(1_614_265_330));
        assert_eq!(parse_unix(b"0"), Ok(0));
        assert_eq!(parse_unix(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(
            parse_unix(b"999999999999999999"),
            Ok(999_999_999_999_999_999)
        );
        assert_eq!(parse_unix(b"0000000000000000001"), Ok(1));
        for bad in [
            &b""[..],
            b"+1614265330",
            b"-1",
            b"-9223372036854775808",
            b"9223372036854775808",
            b"99999999999999999999",
            b"99999999999999999x",
            b"x99999999999999999",
            b"/",
            b":",
            b" 1",
            b"1 ",
            b"1.5",
            b"1e9",
            b"\xff",
            "１２".as_bytes(),
        ] {
            assert!(parse_unix(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parse_like_the_standard_library() {
        use proptest::prelude::*;
        let mut runner = proptest::test_runner::TestRunner::default();
        let strategy = prop_oneof![
            "[0-9]{1,20}",
            "[0-9/:]{1,19}",
            proptest::collection::vec(any::<u8>(), 1..20)
                .prop_map(|v| String::from_utf8_lossy(&v).into_owned()),
        ];
        runner
            .run(&strategy, |text| {
                let expected = if text.bytes().all(|b| b.is_ascii_digit()) {
                    text.parse::<i64>().ok()
                } else {
                    None
                };
                prop_assert_eq!(parse_unix(text.as_bytes()).ok(), expected, "{:?}", text);
                Ok(())
            })
            .unwrap();
        for pos in 0..8 {
            for c in 0..=255u8 {
                let mut text = *b"1700000000";
                text[pos] = c;
                let expected = core::str::from_utf8(&text)
                    .ok()
                    .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|t| t.parse::<i64>().ok());
                assert_eq!(parse_unix(&text).ok(), expected, "{pos} {c}");
            }
        }
    }

    #[test]
    fn window_edges_are_inclusive() {
        let t = Tolerance::both(Duration::from_secs(300));
        let now = 1_000_000 * 1000;
        assert!(t.check(now - 300_000, now, 1000).is_ok());
        assert!(t.check(now + 300_000, now, 1000).is_ok());
        assert!(matches!(
            t.check(now - 301_000, now, 1000),
            Err(Error::TimestampTooOld {
                age_secs: 301,
                tolerance_secs: 300
            })
        ));
        assert!(matches!(
            t.check(now + 301_000, now, 1000),
            Err(Error::TimestampInFuture {
                ahead_secs: 301,
                tolerance_secs: 300
            })
        ));
    }

    #[test]
    fn seconds_truncate_the_clock() {
        let t = Tolerance::past_only(Duration::from_secs(300));
        // 300.999 s after the timestamp still counts as 300 s, like Stripe's libraries.
        assert!(t.check(0, 300_999, 1000).is_ok());
        assert!(t.check(0, 301_000, 1000).is_err());
        assert!(
            t.check(i64::MAX, 0, 1000).is_ok(),
            "past_only ignores the future"
        );
    }

    #[test]
    fn extremes_do_not_overflow() {
        let t = Tolerance::both(Duration::from_secs(u64::MAX));
        assert!(t.check(i64::MAX, i64::MIN, 1).is_ok());
        let t = Tolerance::both(Duration::ZERO);
        assert!(t.check(i64::MAX, i64::MIN, 1000).is_err());
        assert!(t.check(i64::MIN, i64::MAX, 1000).is_err());
    }

    #[test]
    fn with_window_keeps_direction() {
        let w = Duration::from_secs(10);
        assert_eq!(
            Tolerance::past_only(Duration::from_secs(300)).with_window(w),
            Tolerance::past_only(w)
        );
        assert_eq!(Tolerance::NONE.with_window(w), Tolerance::both(w));
    }
}
