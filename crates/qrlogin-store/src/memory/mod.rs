//! The in-memory backend: the embedded default for a single server instance.
//!
//! - `mod.rs`: [`MemoryStore`] itself, purging of due records, and the purger task.
//! - `qr.rs`: QR sessions ([`QrStore`](crate::QrStore)): records, the poll-hash index
//!   and the purge queue.
//!
//! Everything lives in `HashMap`s behind a std `Mutex`. Nothing awaits while a lock is held, and
//! every critical section is a few map operations, which is what lets one instance
//! serve ~100k requests/s on two cores without an async lock.

mod ephemeral;
mod qr;

use crate::hub::Hub;
use qrlogin_core::{Millis, SharedClock, SystemClock};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

/// How many records one purge step removes before it lets go of the lock, so a burst
/// of expiries never stalls requests for more than a few microseconds.
const PURGE_BATCH: usize = 1024;

/// QR sessions kept in process memory.
///
/// Shared as an `Arc<MemoryStore>` by the server (as `Arc<dyn QrStore>`) and by its purger task, which holds only a `Weak` so that
/// dropping the store ends it.
pub struct MemoryStore {
    /// QR sessions, their poll-hash index and purge queue. A std Mutex, not a tokio one:
    /// nothing awaits while it is held.
    qr: Mutex<qr::QrTable>,
    /// One-use blobs (`put_ephemeral`) by key, with their expiry; a lock of their own.
    ephemeral: Mutex<ephemeral::EphemeralTable>,
    /// Wakes local waiters when a session's version changes; the only fan-out there is,
    /// since a memory store serves one instance.
    hub: Arc<Hub>,
    /// The time the purger goes by: the server's clock, so a test that moves a
    /// `ManualClock` past an expiry sees the record purged on the next tick.
    clock: SharedClock,
    /// Most QR sessions kept at once (until purged); past it, creating one is refused
    /// as `Unavailable` (503), so a flood of creations cannot exhaust memory.
    max_qr_sessions: AtomicUsize,
}

impl MemoryStore {
    /// An empty store. Returned in an `Arc` because the server shares it as two trait
    /// objects and the purger task needs a `Weak` to it.
    pub fn new() -> Arc<Self> {
        Self::with_clock(SystemClock::shared())
    }

    /// An empty store whose purger goes by `clock`.
    pub fn with_clock(clock: SharedClock) -> Arc<Self> {
        Arc::new(Self {
            qr: Mutex::default(),
            ephemeral: Mutex::default(),
            hub: Hub::new(),
            clock,
            max_qr_sessions: AtomicUsize::new(usize::MAX),
        })
    }

    /// Bounds the QR sessions kept at once (every session counts until it is purged,
    /// a grace period after it ends); a create past the bound fails `Unavailable`.
    pub fn set_max_qr_sessions(&self, max: usize) {
        self.max_qr_sessions.store(max, Ordering::Relaxed);
    }

    /// The bound set by [`set_max_qr_sessions`](Self::set_max_qr_sessions).
    fn max_qr_sessions(&self) -> usize {
        self.max_qr_sessions.load(Ordering::Relaxed)
    }

    /// Forgets every QR session whose `purge_at` is at or before `now` (with its
    /// poll-hash index entry). Returns how many records were removed.
    ///
    /// Waiters of a purged session are not woken: a session is purged only a grace
    /// period after its expiry, and every waiter has a deadline of its own at which it
    /// re-reads (and then finds nothing).
    ///
    /// The work is done in batches of about a thousand records per lock hold, so it never
    /// stalls requests noticeably however much is due.
    pub fn purge(&self, now: Millis) -> usize {
        let mut removed = 0;
        removed += drain(|| self.qr_table().purge(now, PURGE_BATCH));
        removed += drain(|| self.ephemeral_table().purge(now, PURGE_BATCH));
        removed
    }

    /// Starts a task that calls [`purge`](Self::purge) with the store's clock every
    /// `every`. It holds only a `Weak` to the store, so it ends by itself at its first
    /// tick after the last `Arc` is dropped; the handle is for callers that want to
    /// abort or await it.
    pub fn spawn_purger(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let store: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            // After a stall, one purge catches up with everything due; a burst of
            // back-to-back purges would only burn CPU.
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(store) = store.upgrade() else { break };
                let removed = store.purge(store.clock.now());
                if removed > 0 {
                    tracing::debug!(removed, "memory store purged expired records");
                }
            }
        })
    }

    /// The QR table, locked.
    fn qr_table(&self) -> MutexGuard<'_, qr::QrTable> {
        self.qr.lock().expect("memory store qr lock poisoned")
    }

    /// The one-use blobs, locked.
    fn ephemeral_table(&self) -> MutexGuard<'_, ephemeral::EphemeralTable> {
        self.ephemeral
            .lock()
            .expect("memory store ephemeral lock poisoned")
    }
}

/// What one purge step did: records removed, and whether it stopped for its batch
/// budget (so more may be due) rather than because nothing more was due.
type Step = (usize, bool);

/// Runs purge steps (each takes and releases its lock) until nothing more is due; the
/// sum of what they removed.
fn drain(mut step: impl FnMut() -> Step) -> usize {
    let mut total = 0;
    loop {
        let (removed, more) = step();
        total += removed;
        if !more {
            return total;
        }
    }
}
