//! [`ActivityDb`] in memory: each account's log is an ordered map under the account,
//! so reading the newest events is a walk from its end and removing the account drops
//! the log with it. Events are kept behind `Arc`s: a read takes the lock only to
//! count references, and copies the events (a dozen strings each) after letting go.

use super::state::{trim_set, State};
use super::{MemoryDb, PURGE_CHUNK};
use crate::{ActivityDb, ActivityEvent, DbResult};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis};
use std::sync::Arc;

impl State {
    /// Appends one event as the SQL `INSERT … SELECT … ON CONFLICT DO NOTHING` does: an
    /// unknown account's is dropped, an id already stored (for any account) is left as
    /// it is, and the event gets the next `seq`.
    fn append_event(&mut self, e: Arc<ActivityEvent>) {
        let Some(o) = self.accounts.get_mut(e.account_id.as_str()) else {
            return;
        };
        if !self.event_ids.insert(e.id.clone()) {
            return;
        }
        self.seq += 1;
        o.events.insert((e.at, self.seq), e);
    }

    /// Deletes up to `budget` events from before `at` of one account, oldest first;
    /// how many, and whether none is left there.
    fn purge_events_of(&mut self, id: &str, at: Millis, budget: usize) -> (usize, bool) {
        let Some(o) = self.accounts.get_mut(id) else {
            return (0, true);
        };
        let mut n = 0;
        while let Some(oldest) = o.events.first_entry() {
            if oldest.key().0 >= at {
                break;
            }
            if n == budget {
                return (n, false);
            }
            self.event_ids.remove(&oldest.remove().id);
            n += 1;
        }
        (n, true)
    }
}

#[async_trait]
impl ActivityDb for MemoryDb {
    async fn append_event(&self, event: &ActivityEvent) -> DbResult<()> {
        let event = Arc::new(event.clone());
        self.lock().append_event(event);
        Ok(())
    }

    async fn append_events(&self, events: &[ActivityEvent]) -> DbResult<()> {
        // Copied before the lock; then one lock for the whole group, in order: atomic
        // here, where the trait only asks for "as one by one".
        let events: Vec<Arc<ActivityEvent>> = events.iter().cloned().map(Arc::new).collect();
        let mut state = self.lock();
        for e in events {
            state.append_event(e);
        }
        Ok(())
    }

    async fn events_of(&self, account: &AccountId, limit: u32) -> DbResult<Vec<ActivityEvent>> {
        let newest: Vec<Arc<ActivityEvent>> = {
            let state = self.lock();
            let Some(o) = state.accounts.get(account.as_str()) else {
                return Ok(Vec::new());
            };
            o.events
                .values()
                .rev()
                .take(limit as usize)
                .cloned()
                .collect()
        };
        // Every kind stored here is one this version knows: nothing to leave out.
        Ok(newest.iter().map(|e| ActivityEvent::clone(e)).collect())
    }

    async fn purge_events_before(&self, at: Millis) -> DbResult<u64> {
        // The accounts with anything to purge (each log is ordered by time, so a look at
        // its oldest event tells), then their old events, a chunk per hold of the lock.
        // An index of every event by time would cost each append, on the login path, to
        // save this hourly walk of the accounts.
        let owners: Vec<String> = {
            let state = self.lock();
            (state.accounts.iter())
                .filter(|(_, o)| o.events.first_key_value().is_some_and(|(k, _)| k.0 < at))
                .map(|(id, _)| id.clone())
                .collect()
        };
        let (mut n, mut next) = (0, 0);
        while next < owners.len() {
            let mut state = self.lock();
            let mut budget = PURGE_CHUNK;
            while budget > 0 && next < owners.len() {
                let (gone, done) = state.purge_events_of(&owners[next], at, budget);
                (n, budget) = (n + gone as u64, budget - gone);
                if done {
                    next += 1;
                }
            }
            // Straight to a waiting request, if any, before the next chunk.
            parking_lot::MutexGuard::unlock_fair(state);
        }
        trim_set(&mut self.lock().event_ids);
        Ok(n)
    }
}
