//! Housekeeping: what the database keeps only until it has expired. Activity events
//! past their retention, expired phone and PC tokens, and expired OAuth rows
//! (authorization requests with their device and user codes, authorization codes,
//! access and refresh tokens) are deleted once an hour. Nothing reads an expired row
//! (every lookup compares with now), so this is about space and about not keeping hashed
//! credentials longer than they are of use, not about correctness.
//!
//! The hour is measured by the server's clock, not by a timer alone: the task looks at
//! the clock every minute and whenever a test moves a `ManualClock`
//! ([`Shared::clock_moved`](crate::state::Shared::clock_moved)), so a test can see a
//! purge by advancing time instead of waiting an hour.

use super::activity::RETENTION_MS;
use crate::state::AppState;
use qrlogin_core::Millis;
use qrlogin_db::Db;
use std::time::Duration;

/// How often, by the server's clock, the purge runs (and once at start).
pub const PURGE_EVERY_MS: Millis = 3600 * 1000;
/// How often the task looks at the clock when nobody wakes it: the purge runs at most
/// this late.
const LOOK_EVERY: Duration = Duration::from_secs(60);

/// What one purge deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Activity events past the retention.
    pub events: u64,
    /// Expired phone tokens and PC sessions.
    pub tokens: u64,
    /// Expired OAuth requests, codes and tokens.
    pub oauth: u64,
}

/// Deletes what expired before `now` and logs how many of each. Errors are logged, not
/// returned: the next run tries again, and one failed table does not stop the others.
pub async fn purge(db: &dyn Db, now: Millis) -> Purged {
    let events = count(
        "old activity events",
        db.purge_events_before(now - RETENTION_MS).await,
    );
    let tokens = count("expired tokens", db.purge_expired_tokens(now).await);
    let oauth = count(
        "expired OAuth codes and tokens",
        db.purge_expired_oauth(now).await,
    );
    let purged = Purged {
        events,
        tokens,
        oauth,
    };
    if purged != Purged::default() {
        tracing::info!(events, tokens, oauth, "housekeeping purged expired rows");
    }
    purged
}

/// The number deleted, or 0 with a warning naming `what` when the delete failed.
fn count<E: std::fmt::Display>(what: &str, result: Result<u64, E>) -> u64 {
    result.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "purging {what} failed");
        0
    })
}

/// Runs [`purge`] at start and then every [`PURGE_EVERY_MS`] by the server's clock,
/// until the server begins to shut down.
pub async fn run(state: AppState) {
    let mut due = state.now();
    loop {
        let now = state.now();
        if now >= due {
            purge(state.db.as_ref(), now).await;
            due = now + PURGE_EVERY_MS;
        }
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tokio::time::sleep(LOOK_EVERY) => {}
            _ = state.housekeeping.notified() => {}
        }
    }
}
