//! Where "now" comes from: the system clock by default (with `std`), a fixed instant in
//! tests and wherever the caller keeps time.

use core::fmt::Debug;
#[cfg(feature = "std")]
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time, injected into a [`Verifier`](crate::Verifier).
///
/// ```
/// use webhook_verify::{Clock, FixedClock};
/// let clock = FixedClock::from_unix(1_700_000_000);
/// assert_eq!(clock.now_unix_millis(), 1_700_000_000_000);
/// ```
pub trait Clock: Send + Sync + Debug {
    /// Milliseconds since the Unix epoch; negative before 1970.
    fn now_unix_millis(&self) -> i64;
}

/// The operating system's wall clock. The default.
///
/// On Linux it is read at the kernel's tick resolution (`CLOCK_REALTIME_COARSE`, a few
/// milliseconds), which is a few nanoseconds per reading instead of tens: precise enough
/// for timestamp tolerances counted in seconds and for replay leases. Elsewhere it is
/// [`SystemTime::now`].
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    #[inline]
    fn now_unix_millis(&self) -> i64 {
        coarse_now_millis()
    }
}

/// The wall clock as of the kernel's last tick (`CLOCK_REALTIME_COARSE`: resolution of a
/// few milliseconds, read from the vDSO without a syscall or a timer read), which costs a
/// few nanoseconds where a precise reading costs tens; timestamps are checked in seconds.
#[cfg(all(feature = "std", any(target_os = "linux", target_os = "android")))]
#[inline]
fn coarse_now_millis() -> i64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
    now.tv_sec
        .checked_mul(1000)
        .and_then(|ms| ms.checked_add(now.tv_nsec as i64 / 1_000_000))
        .unwrap_or(if now.tv_sec < 0 { i64::MIN } else { i64::MAX })
}

/// Elsewhere, the precise system time.
#[cfg(all(feature = "std", not(any(target_os = "linux", target_os = "android"))))]
#[inline]
fn coarse_now_millis() -> i64 {
    system_time_to_millis(SystemTime::now())
}

/// A clock that always answers the same instant: for tests and for replaying a captured
/// delivery.
///
/// ```
/// use webhook_verify::{Clock, FixedClock};
/// let clock = FixedClock::from_unix_millis(1_700_000_000_500);
/// assert_eq!(clock.now_unix_millis(), 1_700_000_000_500);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock {
    millis: i64,
}

impl FixedClock {
    /// A clock fixed at `secs` seconds since the Unix epoch (saturating).
    #[must_use]
    pub const fn from_unix(secs: i64) -> Self {
        Self {
            millis: secs.saturating_mul(1000),
        }
    }

    /// A clock fixed at `millis` milliseconds since the Unix epoch.
    #[must_use]
    pub const fn from_unix_millis(millis: i64) -> Self {
        Self { millis }
    }

    /// A clock fixed at the given system time.
    #[cfg(feature = "std")]
    #[must_use]
    pub fn at(time: SystemTime) -> Self {
        Self {
            millis: system_time_to_millis(time),
        }
    }
}

impl Clock for FixedClock {
    fn now_unix_millis(&self) -> i64 {
        self.millis
    }
}

#[cfg(feature = "std")]
fn system_time_to_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => clamp_millis(d),
        Err(e) => -clamp_millis(e.duration()),
    }
}

/// `d` in milliseconds, at most `i64::MAX`: `as_millis` without its 128-bit arithmetic.
#[cfg(feature = "std")]
fn clamp_millis(d: Duration) -> i64 {
    i64::try_from(d.as_secs())
        .ok()
        .and_then(|s| s.checked_mul(1000))
        .and_then(|ms| ms.checked_add(i64::from(d.subsec_millis())))
        .unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_agrees_with_system_time() {
        let before = system_time_to_millis(SystemTime::now());
        let now = SystemClock.now_unix_millis();
        let after = system_time_to_millis(SystemTime::now());
        // The coarse reading lags by at most a tick (a few ms; 50 ms is generous).
        assert!(now <= after && now >= before - 50, "{before} {now} {after}");
    }

    #[test]
    fn before_epoch_is_negative() {
        let t = UNIX_EPOCH - Duration::from_secs(5);
        assert_eq!(FixedClock::at(t).now_unix_millis(), -5000);
    }

    #[test]
    fn extremes_saturate() {
        assert_eq!(FixedClock::from_unix(i64::MAX).now_unix_millis(), i64::MAX);
        assert_eq!(FixedClock::from_unix(i64::MIN).now_unix_millis(), i64::MIN);
    }

    #[test]
    fn millis_like_as_millis() {
        let edge = i64::MAX as u64 / 1000;
        for d in [
            Duration::ZERO,
            Duration::from_nanos(999_999),
            Duration::from_millis(1_700_000_000_123),
            Duration::new(1_700_000_000, 999_999_999),
            Duration::from_secs(edge),
            Duration::new(edge, 807_000_000),
            Duration::new(edge, 808_000_000),
            Duration::from_secs(edge + 1),
            Duration::MAX,
        ] {
            let expected = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
            assert_eq!(clamp_millis(d), expected, "{d:?}");
        }
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now_unix_millis() > 1_577_836_800_000);
    }
}
