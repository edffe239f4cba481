//! A bounded, expiring, in-process replay store.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::{Claim, ReplayStore, StoreError, StoreFuture};
use crate::{Clock, SystemClock};

/// The most keys a [`MemoryStore`] holds by default: 100 000.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// Replay store for a single process: bounded (the oldest keys are evicted first when
/// full), expiring, safe to share between threads.
///
/// With several instances behind a load balancer, use the Redis store instead: each
/// instance would otherwise only see its own deliveries.
///
/// ```
/// use webhook_verify::replay::MemoryStore;
/// let store = MemoryStore::new().max_entries(10_000);
/// ```
pub struct MemoryStore {
    state: Mutex<State>,
    max_entries: usize,
    clock: Arc<dyn Clock>,
}

#[derive(Default)]
struct State {
    map: HashMap<Arc<str>, Entry>,
    /// Keys in insertion order, with the sequence number they were inserted under.
    order: VecDeque<(Arc<str>, u64)>,
    seq: u64,
}

struct Entry {
    /// `Some(ticket)` while in flight, `None` once done.
    ticket: Option<u128>,
    expires_at: i64,
    seq: u64,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("len", &self.len())
            .field("max_entries", &self.max_entries)
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// An empty store holding at most [`DEFAULT_MAX_ENTRIES`] keys, on the system clock.
    #[must_use]
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State::default()),
            max_entries: DEFAULT_MAX_ENTRIES,
            clock: Arc::new(SystemClock),
        }
    }

    /// The most keys held; the oldest are evicted first. Defaults to
    /// [`DEFAULT_MAX_ENTRIES`].
    #[must_use]
    pub fn max_entries(mut self, max: usize) -> Self {
        self.max_entries = max.max(1);
        self
    }

    /// The clock expiry is measured with. Defaults to the system clock.
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How many keys are held (expired ones included until they are swept).
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// How many entries the eviction queue holds, stale ones included: at most twice
    /// [`max_entries`](Self::max_entries) plus one, whatever the sequence of calls. For
    /// tests of that bound; not part of the stable API.
    #[doc(hidden)]
    #[must_use]
    pub fn queue_len(&self) -> usize {
        self.lock().order.len()
    }

    /// Whether no key is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent between statements: a panic elsewhere cannot leave
        // it half-updated, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn claim_now(&self, key: &str, ticket: u128, lease: Duration) -> Claim {
        let now = self.clock.now_unix_millis();
        let mut state = self.lock();
        if let Some(entry) = state.map.get(key) {
            if entry.expires_at > now {
                return if entry.ticket.is_some() {
                    Claim::InFlight
                } else {
                    Claim::Done
                };
            }
        }
        state.insert(
            key,
            Entry {
                ticket: Some(ticket),
                expires_at: now.saturating_add(millis(lease)),
                seq: 0,
            },
            now,
            self.max_entries,
        );
        Claim::New
    }

    fn commit_now(&self, key: &str, retention: Duration) {
        let now = self.clock.now_unix_millis();
        let mut state = self.lock();
        let expires_at = now.saturating_add(millis(retention));
        match state.map.get_mut(key) {
            Some(entry) => {
                entry.ticket = None;
                entry.expires_at = expires_at;
            }
            None => {
                // The claim was evicted or expired while handling: remember it anyway.
                state.insert(
                    key,
                    Entry {
                        ticket: None,
                        expires_at,
                        seq: 0,
                    },
                    now,
                    self.max_entries,
                );
            }
        }
    }

    fn release_now(&self, key: &str, ticket: u128) {
        let mut state = self.lock();
        if state.map.get(key).is_some_and(|e| e.ticket == Some(ticket)) {
            if let Some(entry) = state.map.remove(key) {
                // Usually the newest entry: its queue slot goes with it. Otherwise the slot
                // is stale and `insert` compacts it away in time.
                if state.order.back().is_some_and(|(_, seq)| *seq == entry.seq) {
                    state.order.pop_back();
                }
            }
        }
    }
}

impl State {
    /// Inserts (or replaces) `key` with a new sequence number, after making room.
    ///
    /// Memory stays bounded by `max` whatever the sequence of calls: the map holds at most
    /// `max` keys (`sweep`), and the queue, which also holds the slots of keys released or
    /// claimed again, is compacted to the live slots whenever it grows past `2 * max`. Each
    /// compaction follows at least `max` pushes, so its cost is constant per call on
    /// average.
    fn insert(&mut self, key: &str, mut entry: Entry, now: i64, max: usize) {
        self.sweep(now, max);
        self.seq += 1;
        entry.seq = self.seq;
        let key: Arc<str> = Arc::from(key);
        self.order.push_back((Arc::clone(&key), entry.seq));
        self.map.insert(key, entry);
        if self.order.len() > max.saturating_mul(2) {
            let map = &self.map;
            self.order
                .retain(|(key, seq)| map.get(key).is_some_and(|e| e.seq == *seq));
            if self.order.capacity() > max.saturating_mul(4) {
                self.order.shrink_to(max.saturating_mul(2));
            }
        }
    }

    /// Drops expired keys from the front of the queue, and the oldest keys while there is
    /// no room for one more.
    fn sweep(&mut self, now: i64, max: usize) {
        while let Some((key, seq)) = self.order.front() {
            let live = self.map.get(key).filter(|e| e.seq == *seq);
            let expired = live.is_none_or(|e| e.expires_at <= now);
            if !expired && self.map.len() < max {
                break;
            }
            if live.is_some() {
                self.map.remove(key);
            }
            self.order.pop_front();
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl ReplayStore for MemoryStore {
    fn claim<'a>(&'a self, key: &'a str, ticket: u128, lease: Duration) -> StoreFuture<'a, Claim> {
        let claim = self.claim_now(key, ticket, lease);
        Box::pin(async move { Ok::<_, StoreError>(claim) })
    }

    fn commit<'a>(
        &'a self,
        key: &'a str,
        _ticket: u128,
        retention: Duration,
    ) -> StoreFuture<'a, ()> {
        self.commit_now(key, retention);
        Box::pin(async { Ok(()) })
    }

    fn release<'a>(&'a self, key: &'a str, ticket: u128) -> StoreFuture<'a, ()> {
        self.release_now(key, ticket);
        Box::pin(async { Ok(()) })
    }

    fn take_over<'a>(
        &'a self,
        key: &'a str,
        from: u128,
        ticket: u128,
        lease: Duration,
    ) -> StoreFuture<'a, Claim> {
        let now = self.clock.now_unix_millis();
        let held = {
            let state = self.lock();
            state
                .map
                .get(key)
                .filter(|entry| entry.expires_at > now)
                .map(|entry| entry.ticket)
        };
        let claim = match held {
            Some(None) => Claim::Done,
            Some(Some(holder)) if holder != from && holder != ticket => Claim::InFlight,
            _ => {
                self.release_now(key, from);
                self.release_now(key, ticket);
                self.claim_now(key, ticket, lease)
            }
        };
        Box::pin(async move { Ok::<_, StoreError>(claim) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;

    const LEASE: Duration = Duration::from_secs(60);
    const KEEP: Duration = Duration::from_secs(3600);

    fn at(ms: i64) -> MemoryStore {
        MemoryStore::new().clock(FixedClock::from_unix_millis(ms))
    }

    #[test]
    fn claim_commit_release() {
        let s = at(0);
        assert_eq!(s.claim_now("a", 1, LEASE), Claim::New);
        assert_eq!(s.claim_now("a", 2, LEASE), Claim::InFlight);
        s.release_now("a", 2); // not the holder: no effect
        assert_eq!(s.claim_now("a", 3, LEASE), Claim::InFlight);
        s.release_now("a", 1);
        assert_eq!(s.claim_now("a", 4, LEASE), Claim::New);
        s.commit_now("a", KEEP);
        assert_eq!(s.claim_now("a", 5, LEASE), Claim::Done);
        s.release_now("a", 4); // released after commit: still done
        assert_eq!(s.claim_now("a", 6, LEASE), Claim::Done);
    }

    #[test]
    fn lease_and_retention_boundaries() {
        let s = at(0);
        assert_eq!(s.claim_now("a", 1, LEASE), Claim::New);
        let s = MemoryStore {
            clock: Arc::new(FixedClock::from_unix_millis(59_999)),
            ..s
        };
        assert_eq!(s.claim_now("a", 2, LEASE), Claim::InFlight);
        let s = MemoryStore {
            clock: Arc::new(FixedClock::from_unix_millis(60_000)),
            ..s
        };
        assert_eq!(s.claim_now("a", 3, LEASE), Claim::New, "lease ran out");
        s.commit_now("a", KEEP);
        let s = MemoryStore {
            clock: Arc::new(FixedClock::from_unix_millis(60_000 + 3_599_999)),
            ..s
        };
        assert_eq!(s.claim_now("a", 4, LEASE), Claim::Done);
        let s = MemoryStore {
            clock: Arc::new(FixedClock::from_unix_millis(60_000 + 3_600_000)),
            ..s
        };
        assert_eq!(s.claim_now("a", 5, LEASE), Claim::New, "retention ran out");
    }

    #[test]
    fn bounded_oldest_first() {
        let s = at(0).max_entries(3);
        for k in ["a", "b", "c", "d"] {
            assert_eq!(s.claim_now(k, 1, LEASE), Claim::New);
            s.commit_now(k, KEEP);
        }
        assert_eq!(s.len(), 3);
        assert_eq!(s.claim_now("b", 2, LEASE), Claim::Done);
        assert_eq!(
            s.claim_now("a", 2, LEASE),
            Claim::New,
            "a was evicted first"
        );
    }

    #[test]
    fn concurrent_claims_have_one_winner() {
        let s = Arc::new(at(0));
        let winners: usize = std::thread::scope(|scope| {
            (0..16u128)
                .map(|t| {
                    let s = Arc::clone(&s);
                    scope.spawn(move || usize::from(s.claim_now("k", t, LEASE) == Claim::New))
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|h| h.join().unwrap())
                .sum()
        });
        assert_eq!(winners, 1);
    }
}
