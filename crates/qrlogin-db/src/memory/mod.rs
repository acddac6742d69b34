//! The `memory` backend: every table of the SQL schema as plain Rust data behind one
//! mutex, in this process only (tests, `qrlogin serve --db memory`, the benchmark's
//! baselines). No other process can share it, so nothing needs SQL: a call is a few
//! hash lookups under the lock instead of a statement through sqlx's worker thread.
//!
//! It behaves exactly as the SQL backends do (the conformance suite runs on all
//! three): the same `ON DELETE CASCADE` removals, the same "unknown or disabled
//! account: nothing stored", the same expiry comparisons (`expires_at > now` live,
//! `<= now` purged), orderings and tie-breaks, one-use takes and device-poll pacing.
//!
//! - `state.rs`: the tables, their indexes, and the removals that keep both in step.
//! - `accounts.rs` ([`AccountDb`](crate::AccountDb), [`LinkDb`](crate::LinkDb)),
//!   `tokens.rs`, `activity.rs`, `passkeys.rs`, `issuers.rs`: one trait each.
//! - `oauth.rs` (clients, signing keys, requests) and `oauth_tokens.rs` (codes, refresh
//!   and access tokens): [`OAuthDb`](crate::OAuthDb).
//!
//! Every method takes the lock once, does all of its work, and lets go before it
//! returns: nothing is awaited while it is held, and every multi-step change (a new
//! password and its revocations, a link and its new account, an enrollment and its
//! passkey) is atomic, as the SQL transactions are. Lookups on the request path go by
//! hash or id; only operator actions and the hourly housekeeping walk a table, and the
//! purges let go of the lock between chunks of rows (they are not transactions in SQL
//! either).

mod accounts;
mod activity;
mod issuers;
mod oauth;
mod oauth_tokens;
mod passkeys;
mod state;
mod tokens;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_oauth;
#[cfg(test)]
mod tests_purge;

use crate::{Db, DbResult};
use async_trait::async_trait;
use parking_lot::{Mutex, MutexGuard};
use state::State;

/// A database in this process's memory, empty when made, gone when dropped. What
/// `qrlogin_db::open("memory")` returns; every handle to one `Arc` is the same
/// database, and two `MemoryDb`s share nothing.
#[derive(Default)]
pub struct MemoryDb {
    /// Everything, behind one lock: short critical sections, no lock ordering to get
    /// wrong, and every change atomic. `parking_lot`'s, for its fair hand-over: a
    /// purge that let go of std's mutex between chunks took it straight back before a
    /// woken waiter could run (a lookup waited 50 ms behind a 100k-row purge).
    state: Mutex<State>,
}

impl MemoryDb {
    /// A new, empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// The state, locked. A panic while it is held (a bug: no method panics on any
    /// input) lets go of it (`parking_lot` does not poison): later calls go on with
    /// the state as that call left it rather than failing for ever, and the removals
    /// tolerate a missing index entry.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }

    /// Purges the rows of `keys` (found expired by a scan under an earlier lock) a
    /// [`PURGE_CHUNK`] per hold of the lock, so that the hourly purge of a million rows
    /// never stalls requests for longer than one chunk takes (~1 ms). `purge` removes
    /// a row only if it is still expired (it may have been stored anew meanwhile) and
    /// says whether it did; how many went. Like the SQL purges, not one transaction.
    fn purge_in_chunks<K>(&self, keys: &[K], mut purge: impl FnMut(&mut State, &K) -> bool) -> u64 {
        let mut n = 0;
        for chunk in keys.chunks(PURGE_CHUNK) {
            let mut state = self.lock();
            for k in chunk {
                if purge(&mut state, k) {
                    n += 1;
                }
            }
            // Straight to a waiting request, if any, before the next chunk.
            MutexGuard::unlock_fair(state);
        }
        n
    }
}

/// Rows a purge removes under one hold of the lock: about a millisecond's work.
const PURGE_CHUNK: usize = 1024;

#[async_trait]
impl Db for MemoryDb {
    async fn ping(&self) -> DbResult<()> {
        // Answers as long as the lock can be had: a wedged holder would hang `/readyz`
        // as it hangs every other call.
        drop(self.lock());
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}
