//! One-use blobs in memory (`QrStore::put_ephemeral` / `take_ephemeral`): a map with
//! expiries by the store's clock, and a queue ordered by expiry for the purger.

use super::Step;
use qrlogin_core::Millis;
use std::collections::{BTreeSet, HashMap};

/// The blobs by key, with their expiry, and the purge queue.
#[derive(Default)]
pub(super) struct EphemeralTable {
    /// Key → (value, expires_at).
    blobs: HashMap<String, (Vec<u8>, Millis)>,
    /// `(expires_at, key)`, so purging pops what is due without scanning the map.
    due: BTreeSet<(Millis, String)>,
}

impl EphemeralTable {
    /// Stores `value` under `key` until `expires_at`, replacing any earlier one.
    pub(super) fn put(&mut self, key: &str, value: Vec<u8>, expires_at: Millis) {
        if let Some((_, old)) = self.blobs.insert(key.to_owned(), (value, expires_at)) {
            self.due.remove(&(old, key.to_owned()));
        }
        self.due.insert((expires_at, key.to_owned()));
    }

    /// Removes and returns the value under `key` if it is still live at `now`; an
    /// expired one is removed and not returned.
    pub(super) fn take(&mut self, key: &str, now: Millis) -> Option<Vec<u8>> {
        let (value, expires_at) = self.blobs.remove(key)?;
        self.due.remove(&(expires_at, key.to_owned()));
        (expires_at > now).then_some(value)
    }

    /// Removes up to `budget` blobs expired at `now`.
    pub(super) fn purge(&mut self, now: Millis, budget: usize) -> Step {
        let mut removed = 0;
        while let Some((at, _)) = self.due.first() {
            if *at > now {
                return (removed, false);
            }
            if removed == budget {
                return (removed, true);
            }
            if let Some((_, key)) = self.due.pop_first() {
                self.blobs.remove(&key);
                removed += 1;
            }
        }
        (removed, false)
    }
}
