//! The one source of "now". Every layer that needs the time takes a [`Clock`], so tests
//! move time forward with [`ManualClock::advance`] instead of sleeping, and expiry is
//! exact however loaded the machine is.

use crate::time::Millis;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Tells the time as unix milliseconds.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Millis;
}

/// A shared clock, as handed to the server, the stores and the waiters.
pub type SharedClock = Arc<dyn Clock>;

/// The wall clock: what production runs on.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    // From `SystemTime` directly: `chrono::Utc::now()` works out the calendar date of
    // the instant first, a visible cost at two reads per status poll.
    fn now(&self) -> Millis {
        use std::time::{SystemTime, UNIX_EPOCH};
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(after) => Millis::try_from(after.as_millis()).unwrap_or(Millis::MAX),
            // Before 1970 (a badly set clock): rounded down, as chrono did.
            Err(before) => Millis::try_from(before.duration().as_micros().div_ceil(1000))
                .map_or(Millis::MIN, |ms| -ms),
        }
    }
}

impl SystemClock {
    /// The wall clock behind an `Arc`, ready to share.
    pub fn shared() -> SharedClock {
        Arc::new(SystemClock)
    }
}

/// A clock that stands still until a test moves it. Cloning shares the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: Millis) -> Self {
        Self(Arc::new(AtomicI64::new(start)))
    }

    /// A clock showing the wall clock's now (so timestamps still look real).
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now())
    }

    /// Moves time forward by `ms` milliseconds.
    pub fn advance(&self, ms: Millis) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sets the time.
    pub fn set(&self, at: Millis) {
        self.0.store(at, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let c = ManualClock::new(1_000);
        let d = c.clone();
        assert_eq!(c.now(), 1_000);
        d.advance(500);
        assert_eq!(c.now(), 1_500);
        c.set(7);
        assert_eq!(d.now(), 7);
    }

    #[test]
    fn the_system_clock_reads_unix_milliseconds_as_chrono_does() {
        let before = chrono::Utc::now().timestamp_millis();
        let now = SystemClock.now();
        let after = chrono::Utc::now().timestamp_millis();
        assert!(
            before <= now && now <= after,
            "{before} <= {now} <= {after}"
        );
    }
}
