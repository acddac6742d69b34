//! A transition as a store can do it in one atomic step, without the caller reading the
//! record first: a [`Guard`] (what the stored record must be) and a [`Patch`] (what
//! changes). The state machine stays here: [`Command::plan`] says, for each command, the
//! one path it can take without knowing the record, and the store only checks generic
//! conditions (state in a set, not expired, two hashes equal) and writes.
//!
//! When the store refuses, it hands back the record as it is; the caller then runs
//! [`QrSession::apply`] on it for the contract's exact error, or, if the command is
//! allowed there after all (a re-scan by the same phone, a record in an older format),
//! writes the record `apply` returned with a compare-and-set on `rev`.
//!
//! The rule that keeps both paths the same: whenever a record [`admits`](QrSession::admits)
//! a plan's guard, [`QrSession::patched`] gives exactly what `apply` would
//! (`plan_tests.rs` checks every state and command).

use crate::ids::TokenHash;
use crate::policy::Lifetimes;
use crate::state::{Command, QrSession, QrState, Scanner};
use crate::time::Millis;
use sha2::{Digest, Sha256};

/// What the stored record must satisfy for a [`Patch`] to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The stored state must be one of these (all non-terminal).
    pub states: &'static [QrState],
    /// The record must not have expired at this time (`alive_at < expires_at`).
    pub alive_at: Millis,
    /// For confirm and decline: the presented ticket and who presents it.
    pub ticket: Option<TicketGuard>,
}

/// A scan ticket check the store can do by comparing bytes: the stored ticket hash and
/// the stored [`scanner_key`] must equal these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketGuard {
    /// SHA-256 of the presented ticket.
    pub ticket_hash: TokenHash,
    /// [`scanner_key`] of the presenting account and device.
    pub scanner_key: TokenHash,
}

/// What a transition writes: `rev` and `version` each go up by one, and these fields
/// change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// The new state.
    pub state: QrState,
    /// The new expiry and purge time, when the lifetime changes (a confirm).
    pub expires: Option<(Millis, Millis)>,
    /// The scanner, when it is set (a scan).
    pub scanner: Option<Scanner>,
}

/// A guarded transition: see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// What the stored record must be.
    pub guard: Guard,
    /// What changes if it is.
    pub patch: Patch,
}

/// Binds a scan ticket to the account and device it was issued to, in one hash a store
/// can compare without knowing the fields (a zero byte between: ids hold no zero byte).
pub fn scanner_key(account_id: &str, device_id: &str) -> TokenHash {
    let mut h = Sha256::new();
    h.update(account_id.as_bytes());
    h.update([0u8]);
    h.update(device_id.as_bytes());
    TokenHash(h.finalize().into())
}

impl Command {
    /// The one-step form of this command at `now`; `None` when it cannot succeed on any
    /// record (a confirm without a ticket), so the caller reads the record for the error.
    pub fn plan(&self, now: Millis, l: &Lifetimes) -> Option<Plan> {
        use QrState::*;
        let guard = |states: &'static [QrState], ticket| Guard {
            states,
            alive_at: now,
            ticket,
        };
        let patch = |state, expires, scanner| Patch {
            state,
            expires,
            scanner,
        };
        Some(match self {
            // Only the first scan: a re-scan by the same phone changes no state, so it
            // is left to the compare-and-set path.
            Command::Scan(s) => Plan {
                guard: guard(&[Pending], None),
                patch: patch(Scanned, None, Some(s.clone())),
            },
            Command::Confirm(p) | Command::PhoneCancel(p) => {
                let ticket = TicketGuard {
                    ticket_hash: p.ticket_hash?,
                    scanner_key: scanner_key(&p.account_id, &p.device_id),
                };
                let (state, expires) = if matches!(self, Command::Confirm(_)) {
                    let e = now + l.confirm_ms;
                    (Confirmed, Some((e, e + l.grace_ms)))
                } else {
                    (Cancelled, None)
                };
                Plan {
                    guard: guard(&[Scanned], Some(ticket)),
                    patch: patch(state, expires, None),
                }
            }
            Command::PcCancel => Plan {
                guard: guard(&[Pending, Scanned], None),
                patch: patch(Cancelled, None, None),
            },
            Command::Redeem => Plan {
                guard: guard(&[Confirmed], None),
                patch: patch(Redeemed, None, None),
            },
        })
    }
}

impl QrSession {
    /// Whether this stored record satisfies `g` (what a store checks before writing).
    pub fn admits(&self, g: &Guard) -> bool {
        let alive = g.alive_at < self.expires_at;
        let ticket = match (&g.ticket, &self.scanner) {
            (None, _) => true,
            (Some(t), Some(s)) => {
                s.ticket_hash == t.ticket_hash
                    && scanner_key(&s.account_id, &s.device_id) == t.scanner_key
            }
            (Some(_), None) => false,
        };
        g.states.contains(&self.state) && alive && ticket
    }

    /// This record with `p` applied: `rev` and `version` one higher.
    pub fn patched(&self, p: &Patch) -> QrSession {
        let mut next = self.clone();
        next.rev += 1;
        next.version += 1;
        next.state = p.state;
        if let Some((expires_at, _)) = p.expires {
            next.expires_at = expires_at;
        }
        if let Some(s) = &p.scanner {
            next.scanner = Some(s.clone());
        }
        next
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
