//! Atomic counters in fixed windows, for rate limits. A limit must count *before* it
//! acts (check-then-act lets 40 concurrent guesses through a limit of 10), so the one
//! operation is [`Counters::hit`]: add one and read the new count in a single atomic
//! step. With a Redis store the counters live in Redis (`INCR` + `PEXPIRE` in one
//! script), so every instance counts against the same limit; in memory they are one
//! map behind a lock, bounded in size.

use crate::StoreResult;
use async_trait::async_trait;
use qrlogin_core::{Millis, SharedClock};
use std::collections::HashMap;
use std::sync::Mutex;

/// What one [`Counters::hit`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Hits in the current window, this one included.
    pub count: u64,
    /// Milliseconds until the window ends and the count starts again from zero.
    pub resets_in_ms: u64,
}

/// Counters of hits per key in fixed windows that start at a key's first hit.
#[async_trait]
pub trait Counters: Send + Sync + 'static {
    /// Adds one to `key` (starting a window of `window_ms` if it has none) and returns
    /// the count after this hit, atomically across every user of the backend.
    async fn hit(&self, key: &str, window_ms: u64) -> StoreResult<Hit>;

    /// Forgets `key` (a successful sign-in clears its own failures).
    async fn reset(&self, key: &str) -> StoreResult<()>;

    /// Takes one hit back from `key`, if it has any in its current window (a hit that
    /// turned out not to count, e.g. a correct password); its window is kept.
    async fn forgive(&self, key: &str) -> StoreResult<()>;
}

/// Most keys the memory counters keep. Past it (after dropping ended windows), a new
/// key counts as over every limit: memory stays bounded, and what is refused is a flood
/// of new keys, which only an attacker makes.
pub const MAX_MEMORY_KEYS: usize = 200_000;

/// [`Counters`] in process memory, by the server's clock.
pub struct MemoryCounters {
    clock: SharedClock,
    /// key → (window end, count). A std Mutex: held for one map update, never across
    /// an await.
    map: Mutex<HashMap<String, (Millis, u64)>>,
    max_keys: usize,
}

impl MemoryCounters {
    /// Empty counters going by `clock`.
    pub fn new(clock: SharedClock) -> Self {
        Self::with_max_keys(clock, MAX_MEMORY_KEYS)
    }

    /// Empty counters that keep at most `max_keys` keys (tests use a small bound).
    pub fn with_max_keys(clock: SharedClock, max_keys: usize) -> Self {
        Self {
            clock,
            map: Mutex::default(),
            max_keys,
        }
    }

    /// The hit of [`Counters::hit`], synchronously.
    pub fn hit_now(&self, key: &str, window_ms: u64) -> Hit {
        let now = self.clock.now();
        let mut map = self.map.lock().expect("counters lock poisoned");
        if !map.contains_key(key) && map.len() >= self.max_keys {
            map.retain(|_, (end, _)| *end > now);
            if map.len() >= self.max_keys {
                return Hit {
                    count: u64::MAX,
                    resets_in_ms: window_ms,
                };
            }
        }
        let entry = map.entry(key.to_owned()).or_insert((now, 0));
        if entry.0 <= now {
            *entry = (now + window_ms as Millis, 0);
        }
        entry.1 += 1;
        Hit {
            count: entry.1,
            resets_in_ms: (entry.0 - now).max(0) as u64,
        }
    }
}

#[async_trait]
impl Counters for MemoryCounters {
    async fn hit(&self, key: &str, window_ms: u64) -> StoreResult<Hit> {
        Ok(self.hit_now(key, window_ms))
    }

    async fn reset(&self, key: &str) -> StoreResult<()> {
        self.map.lock().expect("counters lock poisoned").remove(key);
        Ok(())
    }

    async fn forgive(&self, key: &str) -> StoreResult<()> {
        let now = self.clock.now();
        let mut map = self.map.lock().expect("counters lock poisoned");
        if let Some((end, n)) = map.get_mut(key) {
            if *end > now {
                *n = n.saturating_sub(1);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrlogin_core::ManualClock;
    use std::sync::Arc;

    #[test]
    fn a_window_counts_every_hit_and_starts_again_when_it_ends() {
        let clock = ManualClock::starting_now();
        let c = MemoryCounters::new(Arc::new(clock.clone()));
        assert_eq!(c.hit_now("k", 1000).count, 1);
        assert_eq!(c.hit_now("k", 1000).count, 2);
        clock.advance(400);
        assert_eq!(c.hit_now("k", 1000).resets_in_ms, 600);
        clock.advance(600);
        assert_eq!(c.hit_now("k", 1000).count, 1);
    }

    #[tokio::test]
    async fn a_forgiven_hit_no_longer_counts() {
        let c = MemoryCounters::new(Arc::new(ManualClock::starting_now()));
        c.hit_now("k", 1000);
        c.hit_now("k", 1000);
        c.forgive("k").await.unwrap();
        c.forgive("absent").await.unwrap();
        assert_eq!(c.hit_now("k", 1000).count, 2);
    }

    #[test]
    fn past_the_key_bound_a_new_key_counts_as_over_every_limit() {
        let clock = ManualClock::starting_now();
        let c = MemoryCounters::with_max_keys(Arc::new(clock.clone()), 2);
        c.hit_now("a", 1000);
        c.hit_now("b", 1000);
        assert_eq!(c.hit_now("c", 1000).count, u64::MAX);
        assert_eq!(c.hit_now("a", 1000).count, 2, "known keys still count");
        clock.advance(1000);
        assert_eq!(c.hit_now("c", 1000).count, 1, "ended windows make room");
    }
}
