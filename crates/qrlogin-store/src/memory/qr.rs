//! QR sessions in memory: the [`QrStore`] half of [`MemoryStore`].

use super::{MemoryStore, Step};
use crate::{CasOutcome, QrStore, StoreError, StoreResult, Subscription, Transition};
use async_trait::async_trait;
use qrlogin_core::{Millis, Plan, QrId, QrSession, TokenHash};
use std::collections::{BTreeSet, HashMap};

/// One stored session and the time it may be forgotten, which the purge queue holds
/// too; kept here so the queue entry can be found again when a write moves it.
struct Stored {
    session: QrSession,
    purge_at: Millis,
}

/// Everything about QR sessions, behind one lock so that a write and its index
/// updates are a single atomic step.
#[derive(Default)]
pub(super) struct QrTable {
    /// The sessions by id.
    sessions: HashMap<QrId, Stored>,
    /// Poll-token hash → session, so a valid token for the wrong session is a 403,
    /// not a 401.
    by_poll: HashMap<TokenHash, QrId>,
    /// `(purge_at, id)` ordered by time (as in mini-redis): purging pops from the
    /// front and stops at the first entry not yet due, never scanning the whole map.
    due: BTreeSet<(Millis, QrId)>,
}

impl QrTable {
    /// Stores `session`, replacing (and unindexing) any record with the same id.
    fn insert(&mut self, session: QrSession, purge_at: Millis) {
        if let Some(old) = self.sessions.remove(&session.id) {
            self.unindex(&old);
        }
        self.by_poll.insert(session.poll_hash, session.id.clone());
        self.due.insert((purge_at, session.id.clone()));
        self.sessions
            .insert(session.id.clone(), Stored { session, purge_at });
    }

    /// Removes the index and queue entries of a record that is leaving the table.
    fn unindex(&mut self, old: &Stored) {
        let id = &old.session.id;
        // Only if it still points here: another session never shares a poll hash, but
        // an index entry must never be removed on behalf of a record it does not name.
        if self.by_poll.get(&old.session.poll_hash) == Some(id) {
            self.by_poll.remove(&old.session.poll_hash);
        }
        self.due.remove(&(old.purge_at, id.clone()));
    }

    /// The compare-and-set of [`QrStore::compare_and_set`]; on `Written`, also whether
    /// the public version changed (so the caller notifies after releasing the lock).
    fn cas(&mut self, expected_rev: u64, next: &QrSession, purge_at: Millis) -> (CasOutcome, bool) {
        let Some(stored) = self.sessions.get_mut(&next.id) else {
            return (CasOutcome::Missing, false);
        };
        if stored.session.rev != expected_rev {
            return (CasOutcome::Conflict, false);
        }
        let version_changed = stored.session.version != next.version;
        let old_purge_at = std::mem::replace(&mut stored.purge_at, purge_at);
        let old_poll = std::mem::replace(&mut stored.session, next.clone()).poll_hash;
        // Most writes keep both; skip the index work (and its id clones) then.
        if old_purge_at != purge_at {
            self.due.remove(&(old_purge_at, next.id.clone()));
            self.due.insert((purge_at, next.id.clone()));
        }
        if old_poll != next.poll_hash {
            self.by_poll.remove(&old_poll);
            self.by_poll.insert(next.poll_hash, next.id.clone());
        }
        (CasOutcome::Written, version_changed)
    }

    /// The guarded write of [`QrStore::transition`] (a patch never moves the poll hash).
    fn transition(&mut self, id: &QrId, plan: &Plan) -> Transition {
        let Some(stored) = self.sessions.get_mut(id) else {
            return Transition::Missing;
        };
        if !stored.session.admits(&plan.guard) {
            return Transition::Refused(stored.session.clone());
        }
        stored.session = stored.session.patched(&plan.patch);
        let next = stored.session.clone();
        if let Some((_, purge_at)) = plan.patch.expires {
            let old = std::mem::replace(&mut stored.purge_at, purge_at);
            self.due.remove(&(old, id.clone()));
            self.due.insert((purge_at, id.clone()));
        }
        Transition::Applied(next)
    }

    /// Removes sessions due at `now`, at most `budget` of them.
    pub(super) fn purge(&mut self, now: Millis, budget: usize) -> Step {
        let mut removed = 0;
        while self.due.first().is_some_and(|(at, _)| *at <= now) {
            if removed == budget {
                return (removed, true);
            }
            let Some((_, id)) = self.due.pop_first() else {
                break;
            };
            if let Some(old) = self.sessions.remove(&id) {
                self.unindex(&old);
                removed += 1;
            }
        }
        (removed, false)
    }
}

#[async_trait]
impl QrStore for MemoryStore {
    async fn create(&self, session: &QrSession, purge_at: Millis) -> StoreResult<()> {
        let max = self.max_qr_sessions();
        let mut table = self.qr_table();
        if table.sessions.len() >= max {
            return Err(StoreError::Unavailable(format!(
                "the memory store holds its maximum of {max} QR sessions"
            )));
        }
        table.insert(session.clone(), purge_at);
        Ok(())
    }

    async fn get(&self, id: &QrId) -> StoreResult<Option<QrSession>> {
        Ok(self.qr_table().sessions.get(id).map(|s| s.session.clone()))
    }

    async fn find_by_poll_hash(&self, hash: &TokenHash) -> StoreResult<Option<QrId>> {
        Ok(self.qr_table().by_poll.get(hash).cloned())
    }

    async fn compare_and_set(
        &self,
        expected_rev: u64,
        next: &QrSession,
        purge_at: Millis,
    ) -> StoreResult<CasOutcome> {
        let (outcome, version_changed) = self.qr_table().cas(expected_rev, next, purge_at);
        // The table lock is released before waking anyone: a woken waiter re-reads at
        // once and must not find the lock still held. A waiter that subscribed before
        // this point is woken; one that subscribes after it reads the new record.
        if version_changed {
            self.hub.notify(&next.id);
        }
        Ok(outcome)
    }

    async fn transition(&self, id: &QrId, plan: &Plan) -> StoreResult<Transition> {
        let out = self.qr_table().transition(id, plan);
        // As for compare_and_set: notified after the lock is released.
        if matches!(out, Transition::Applied(_)) {
            self.hub.notify(id);
        }
        Ok(out)
    }

    async fn subscribe(&self, id: &QrId) -> StoreResult<Subscription> {
        Ok(self.hub.subscribe(id))
    }

    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }

    async fn put_ephemeral(&self, key: &str, value: &[u8], expires_at: Millis) -> StoreResult<()> {
        self.ephemeral_table().put(key, value.to_vec(), expires_at);
        Ok(())
    }

    async fn take_ephemeral(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let now = self.clock.now();
        Ok(self.ephemeral_table().take(key, now))
    }

    fn waiters(&self) -> usize {
        self.hub.waiters()
    }

    fn notifications(&self) -> u64 {
        self.hub.notifications()
    }

    fn wake_local_waiters(&self) {
        self.hub.notify_all();
    }
}
