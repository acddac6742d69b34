//! [`ActivityDb`] in memory: each account's log is an ordered map under the account,
//! so reading the newest events is a walk from its end and removing the account drops
//! the log with it.

use super::state::{trim_set, State};
use super::MemoryDb;
use crate::{ActivityDb, ActivityEvent, DbResult};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis};

impl State {
    /// Appends one event as the SQL `INSERT … SELECT … ON CONFLICT DO NOTHING` does: an
    /// unknown account's is dropped, an id already stored (for any account) is left as
    /// it is, and the event gets the next `seq`.
    fn append_event(&mut self, e: &ActivityEvent) {
        let Some(o) = self.accounts.get_mut(e.account_id.as_str()) else {
            return;
        };
        if !self.event_ids.insert(e.id.clone()) {
            return;
        }
        self.seq += 1;
        o.events.insert((e.at, self.seq), e.clone());
    }

    /// Deletes every event from before `at`; how many. Walks the accounts (not the
    /// events): each log is ordered by time, so only what goes is visited. An index of
    /// every event by time would cost each append, on the login path, to save this
    /// hourly walk.
    fn purge_events_before(&mut self, at: Millis) -> u64 {
        let mut n = 0;
        for o in self.accounts.values_mut() {
            if o.events.first_key_value().is_none_or(|(k, _)| k.0 >= at) {
                continue;
            }
            let kept = o.events.split_off(&(at, 0));
            let gone = std::mem::replace(&mut o.events, kept);
            for e in gone.values() {
                self.event_ids.remove(&e.id);
            }
            n += gone.len() as u64;
        }
        trim_set(&mut self.event_ids);
        n
    }
}

#[async_trait]
impl ActivityDb for MemoryDb {
    async fn append_event(&self, event: &ActivityEvent) -> DbResult<()> {
        self.lock().append_event(event);
        Ok(())
    }

    async fn append_events(&self, events: &[ActivityEvent]) -> DbResult<()> {
        // One lock for the whole group, in order: atomic here, where the trait only
        // asks for "as one by one".
        let mut state = self.lock();
        for e in events {
            state.append_event(e);
        }
        Ok(())
    }

    async fn events_of(&self, account: &AccountId, limit: u32) -> DbResult<Vec<ActivityEvent>> {
        let state = self.lock();
        let Some(o) = state.accounts.get(account.as_str()) else {
            return Ok(Vec::new());
        };
        // Every kind stored here is one this version knows: nothing to leave out.
        let newest = o.events.values().rev().take(limit as usize);
        Ok(newest.cloned().collect())
    }

    async fn purge_events_before(&self, at: Millis) -> DbResult<u64> {
        Ok(self.lock().purge_events_before(at))
    }
}
