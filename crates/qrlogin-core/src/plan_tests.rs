//! The one-step plans against the state machine: every state × every command × before
//! and after expiry.

use super::*;
use crate::ids::{QrId, Secret, SecretKind};
use crate::state::{Requester, TicketProof};
use QrState::*;

const NOW: Millis = 1_000_000;

fn ticket() -> TokenHash {
    Secret::generate(SecretKind::ScanTicket).hash()
}

fn scanner(account: &str, device: &str, t: TokenHash) -> Scanner {
    Scanner {
        account_id: account.into(),
        device_id: device.into(),
        display_name: "Alice".into(),
        avatar_url: None,
        ticket_hash: t,
    }
}

fn proof(account: &str, device: &str, t: Option<TokenHash>) -> TicketProof {
    TicketProof {
        account_id: account.into(),
        device_id: device.into(),
        ticket_hash: t,
    }
}

/// A record as stored in `state`, scanned (if at all) by alice/phone-1 with ticket `t`.
fn stored(state: QrState, t: TokenHash) -> QrSession {
    let l = Lifetimes::default();
    let mut s = QrSession::new(QrId::generate(), ticket(), Requester::default(), NOW, &l);
    let p = proof("alice", "phone-1", Some(t));
    let steps = match state {
        Pending | Expired => vec![],
        Scanned => vec![Command::Scan(scanner("alice", "phone-1", t))],
        Confirmed => vec![
            Command::Scan(scanner("alice", "phone-1", t)),
            Command::Confirm(p),
        ],
        Redeemed => vec![
            Command::Scan(scanner("alice", "phone-1", t)),
            Command::Confirm(p),
            Command::Redeem,
        ],
        Cancelled => vec![Command::PcCancel],
    };
    for c in &steps {
        s = s.apply(c, NOW, &l).unwrap();
    }
    s
}

fn commands(t: TokenHash) -> Vec<Command> {
    vec![
        Command::Scan(scanner("alice", "phone-1", ticket())),
        Command::Scan(scanner("bob", "phone-2", ticket())),
        Command::Confirm(proof("alice", "phone-1", Some(t))),
        Command::Confirm(proof("alice", "phone-1", Some(ticket()))),
        Command::Confirm(proof("alice", "phone-9", Some(t))),
        Command::Confirm(proof("mallory", "phone-1", Some(t))),
        Command::Confirm(proof("alice", "phone-1", None)),
        Command::PhoneCancel(proof("alice", "phone-1", Some(t))),
        Command::PhoneCancel(proof("bob", "phone-1", Some(t))),
        Command::PcCancel,
        Command::Redeem,
    ]
}

#[test]
fn a_record_that_admits_a_plan_is_patched_exactly_as_the_state_machine_would() {
    let l = Lifetimes::default();
    for state in QrState::ALL {
        let t = ticket();
        let s = stored(state, t);
        for now in [
            NOW + 1,
            s.expires_at - 1,
            s.expires_at,
            s.expires_at + 5_000,
        ] {
            for cmd in commands(t) {
                let Some(plan) = cmd.plan(now, &l) else {
                    assert!(s.apply(&cmd, now, &l).is_err(), "{cmd:?} has no plan");
                    continue;
                };
                if s.admits(&plan.guard) {
                    let next = s.apply(&cmd, now, &l).expect("admitted, so allowed");
                    assert_eq!(s.patched(&plan.patch), next, "{state:?} {cmd:?} at {now}");
                    if let Some((_, purge_at)) = plan.patch.expires {
                        assert_eq!(purge_at, next.purge_at(&l));
                    }
                }
            }
        }
    }
}

#[test]
fn every_state_change_the_machine_allows_has_a_plan_the_record_admits() {
    let l = Lifetimes::default();
    for state in QrState::ALL {
        let t = ticket();
        let s = stored(state, t);
        for cmd in commands(t) {
            let Ok(next) = s.apply(&cmd, NOW + 1, &l) else {
                continue;
            };
            let plan = cmd
                .plan(NOW + 1, &l)
                .expect("an allowed command has a plan");
            // Only a re-scan by the same phone keeps the version: it takes the
            // compare-and-set path.
            assert_eq!(
                s.admits(&plan.guard),
                next.version != s.version,
                "{state:?} {cmd:?}"
            );
        }
    }
}

#[test]
fn the_scanner_key_separates_account_and_device() {
    assert_ne!(scanner_key("ab", "c"), scanner_key("a", "bc"));
    assert_eq!(scanner_key("a", "b"), scanner_key("a", "b"));
}
