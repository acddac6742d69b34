//! Storage of QR sessions behind one trait, so the server never knows which backend runs.
//! Accounts, tokens and PC sessions are not here: they live in the durable database
//! (`qrlogin-db`).
//!
//! - [`QrStore`]: QR sessions: create, get, guarded one-step transitions, compare-and-set,
//!   and [`Subscription`]s that wake waiters (long poll, SSE, WebSocket) the moment a
//!   session's version changes.
//! - [`counters`]: atomic rate-limit counters, in memory or shared through Redis.
//! - [`hub`]: the in-process fan-out of change notifications that every backend uses.
//! - [`memory`]: the embedded default backend, for a single instance.
//! - [`redis`]: the production backend, shared by any number of instances.
//! - `conformance` (feature `conformance`, for tests only): one test suite, written
//!   against the traits, that every backend runs.

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod counters;
pub mod hub;
pub mod memory;
pub mod redis;

pub use counters::{Counters, Hit, MemoryCounters};
pub use hub::{Hub, Subscription};

use async_trait::async_trait;
use qrlogin_core::{Millis, Plan, QrId, QrSession, TokenHash};

/// Why a store call failed. Nothing else escapes a store: the server maps
/// `Unavailable` to 503 `store_unavailable` and the rest to 500 `internal`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached or did not answer in time; nothing was changed.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A record could not be read back (a bug or foreign data); details for the log.
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

/// Result of every store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// What [`QrStore::compare_and_set`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasOutcome {
    /// The record had the expected `rev` and was replaced.
    Written,
    /// The record changed since it was read; re-read and decide again.
    Conflict,
    /// There is no such record (never existed, or purged).
    Missing,
}

/// What [`QrStore::transition`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// The guard held: the record as written.
    Applied(QrSession),
    /// The guard did not hold: the record as it is, nothing written. The caller decides
    /// the exact error (or a compare-and-set) from it, with no second read.
    Refused(QrSession),
    /// There is no such record (never existed, or purged).
    Missing,
}

/// QR sessions. Implementations must make `transition` and `compare_and_set` atomic across every server
/// instance that shares the backend, and must wake every [`Subscription`] of a session,
/// on any instance, when a write changes its `version`.
#[async_trait]
pub trait QrStore: Send + Sync + 'static {
    /// Stores a new session, and the index from its poll-token hash to its id. It may be
    /// forgotten from `purge_at` on.
    async fn create(&self, session: &QrSession, purge_at: Millis) -> StoreResult<()>;

    /// The session as last written (expiry is computed by the caller with
    /// [`QrSession::at`]); `None` if it never existed or was purged.
    async fn get(&self, id: &QrId) -> StoreResult<Option<QrSession>>;

    /// Which session a poll-token hash belongs to, so a valid token presented for the
    /// wrong QR session can be told (403) from an unknown one (401).
    async fn find_by_poll_hash(&self, hash: &TokenHash) -> StoreResult<Option<QrId>>;

    /// Replaces the session with `next` if its stored `rev` is still `expected_rev`, in
    /// one atomic step; then, if `next.version` differs from the stored version, notifies
    /// every subscriber. `purge_at` is the new time it may be forgotten.
    async fn compare_and_set(
        &self,
        expected_rev: u64,
        next: &QrSession,
        purge_at: Millis,
    ) -> StoreResult<CasOutcome>;

    /// Writes `plan`'s patch to session `id` if the stored record satisfies its guard
    /// ([`QrSession::admits`]), in one atomic step and, on Redis, one round trip; the
    /// version always changes, so every subscriber is notified. When the patch sets a
    /// later purge time, the session and its poll index both live until then.
    async fn transition(&self, id: &QrId, plan: &Plan) -> StoreResult<Transition>;

    /// Subscribes to changes of one session. Callers subscribe *before* reading the
    /// session, so that no change can slip between the read and the wait.
    async fn subscribe(&self, id: &QrId) -> StoreResult<Subscription>;

    /// Answers when the backend answers (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    /// Keeps a small blob under `key` until `expires_at` (replacing any), for one-use,
    /// short-lived state that any instance may finish: a WebAuthn ceremony begun on one
    /// instance is finished on whichever the next request reaches.
    async fn put_ephemeral(&self, key: &str, value: &[u8], expires_at: Millis) -> StoreResult<()>;

    /// Reads and deletes the blob under `key` in one atomic step, so of two racing
    /// takes only one gets it; `None` if it was never put, is taken, or has expired.
    async fn take_ephemeral(&self, key: &str) -> StoreResult<Option<Vec<u8>>>;

    /// How many subscriptions this instance holds now (the "waiters held" metric).
    fn waiters(&self) -> usize;

    /// Wakes every subscription this instance holds, as if each session had changed:
    /// waiters read again and re-check the time. Used after a test moves its clock past
    /// an expiry (the wall clock needs no help: waiters arm timers to expiry).
    fn wake_local_waiters(&self);

    /// How many change notifications this instance has received from the backend (the
    /// `qrlogin_store_notifications_total` metric): with Redis, only for sessions it holds
    /// waiters for, so an idle instance's count stands still.
    fn notifications(&self) -> u64 {
        0
    }
}
