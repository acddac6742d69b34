//! Every state change of a QR session: [`apply`] runs one guarded store step planned by
//! the pure core, with a compare-and-set loop over the core's state machine behind it.

use super::qr::get;
use super::{Error, Result};
use crate::state::AppState;
use qrlogin_core::{Command, QrId, QrSession};
use qrlogin_store::{CasOutcome, Transition};

/// How often a transition re-reads after losing a compare-and-set before giving up.
/// Losing means someone else changed the session; re-reading then gives the loser the
/// right error (e.g. `already_redeemed`), so more than a few rounds never happen.
const MAX_CAS_ROUNDS: usize = 16;

/// Applies `cmd` to the session atomically. Of concurrent conflicting commands, on any
/// number of instances, exactly one wins.
///
/// First as one guarded step ([`QrStore::transition`](qrlogin_store::QrStore::transition):
/// on Redis one round trip, no read before it); `first`, the record the caller already
/// holds, if any, only lets a refusal be told without asking the store. When the store
/// refuses, the pure core decides on the record it answered: the contract's error, or,
/// if the command is allowed there after all (a re-scan by the same phone, a record of
/// an older format), the compare-and-set loop writes what the core computed.
pub async fn apply(
    state: &AppState,
    id: &QrId,
    cmd: &Command,
    first: Option<QrSession>,
) -> Result<QrSession> {
    let l = &state.config.lifetimes;
    let now = state.now();
    if let Some(s) = &first {
        s.apply(cmd, now, l)?;
    }
    let current = match cmd.plan(now, l) {
        Some(plan) => match state.qr.transition(id, &plan).await? {
            Transition::Applied(next) => {
                count_transition(&next);
                return Ok(next);
            }
            Transition::Refused(current) => Some(current),
            Transition::Missing => return Err(Error::qr_not_found()),
        },
        None => first,
    };
    compare_and_set(state, id, cmd, current).await
}

/// Counts a state change by the state it reached.
fn count_transition(next: &QrSession) {
    metrics::counter!("qrlogin_transitions_total", "to" => next.state.as_str()).increment(1);
}

/// The general path of [`apply`]: read (unless `first` is the record as read), decide
/// in the pure core, write only if nothing changed in between, else decide again on
/// the fresh record.
async fn compare_and_set(
    state: &AppState,
    id: &QrId,
    cmd: &Command,
    first: Option<QrSession>,
) -> Result<QrSession> {
    let l = &state.config.lifetimes;
    let mut current = first;
    for _ in 0..MAX_CAS_ROUNDS {
        let s = match current.take() {
            Some(s) => s,
            None => get(state, id).await?,
        };
        let next = s.apply(cmd, state.now(), l)?;
        match state
            .qr
            .compare_and_set(s.rev, &next, next.purge_at(l))
            .await?
        {
            CasOutcome::Written => {
                if next.version != s.version {
                    count_transition(&next);
                }
                return Ok(next);
            }
            CasOutcome::Conflict => continue,
            CasOutcome::Missing => return Err(Error::qr_not_found()),
        }
    }
    Err(Error::internal("compare-and-set kept conflicting"))
}
