//! Every state × every event of the state machine, plus versions and expiry; the PC's
//! view and the stored record are in `records`, on the same fixtures.

use super::*;
use crate::ids::{Secret, SecretKind};
use crate::policy::Lifetimes;
use QrState::*;

const NOW: Millis = 1_000_000;

fn lifetimes() -> Lifetimes {
    Lifetimes::default()
}

fn scanner(account: &str, device: &str, ticket: TokenHash) -> Scanner {
    Scanner {
        account_id: account.into(),
        device_id: device.into(),
        display_name: "Alice".into(),
        avatar_url: None,
        ticket_hash: ticket,
    }
}

fn ticket() -> TokenHash {
    Secret::generate(SecretKind::ScanTicket).hash()
}

/// A session brought into `state` the way the API would, with alice/phone-1 as scanner
/// holding ticket `t`.
fn session_in(state: QrState, t: TokenHash) -> QrSession {
    let l = lifetimes();
    let mut s = QrSession::new(QrId::generate(), ticket(), Requester::default(), NOW, &l);
    let proof = TicketProof {
        account_id: "alice".into(),
        device_id: "phone-1".into(),
        ticket_hash: Some(t),
    };
    let steps: &[Command] = match state {
        Pending => &[],
        Scanned => &[Command::Scan(scanner("alice", "phone-1", t))],
        Confirmed => &[
            Command::Scan(scanner("alice", "phone-1", t)),
            Command::Confirm(proof.clone()),
        ],
        Redeemed => &[
            Command::Scan(scanner("alice", "phone-1", t)),
            Command::Confirm(proof.clone()),
            Command::Redeem,
        ],
        Cancelled => &[Command::PcCancel],
        Expired => return s.at(s.expires_at),
    };
    for c in steps {
        s = s.apply(c, NOW, &l).unwrap();
    }
    s
}

fn proof(account: &str, device: &str, t: Option<TokenHash>) -> TicketProof {
    TicketProof {
        account_id: account.into(),
        device_id: device.into(),
        ticket_hash: t,
    }
}

#[test]
fn every_state_and_event_gives_the_contracts_outcome() {
    let t = ticket();
    let other = ticket();
    let inv = |s: QrState| Err::<QrState, _>(TransitionError::InvalidState(s.as_str()));
    type Case = (&'static str, Command, [Result<QrState, TransitionError>; 6]);
    // Columns: Pending, Scanned, Confirmed, Redeemed, Cancelled, Expired.
    let cases: Vec<Case> = vec![
        (
            "scan by another phone",
            Command::Scan(scanner("bob", "phone-2", other)),
            [
                Ok(Scanned),
                Err(TransitionError::AlreadyScanned),
                inv(Confirmed),
                inv(Redeemed),
                inv(Cancelled),
                Err(TransitionError::Expired),
            ],
        ),
        (
            "rescan by the same phone",
            Command::Scan(scanner("alice", "phone-1", other)),
            [
                Ok(Scanned),
                Ok(Scanned),
                inv(Confirmed),
                inv(Redeemed),
                inv(Cancelled),
                Err(TransitionError::Expired),
            ],
        ),
        (
            "confirm with the ticket",
            Command::Confirm(proof("alice", "phone-1", Some(t))),
            [
                inv(Pending),
                Ok(Confirmed),
                inv(Confirmed),
                inv(Redeemed),
                inv(Cancelled),
                Err(TransitionError::Expired),
            ],
        ),
        (
            "phone cancel with the ticket",
            Command::PhoneCancel(proof("alice", "phone-1", Some(t))),
            [
                inv(Pending),
                Ok(Cancelled),
                inv(Confirmed),
                inv(Redeemed),
                inv(Cancelled),
                Err(TransitionError::Expired),
            ],
        ),
        (
            "pc cancel",
            Command::PcCancel,
            [
                Ok(Cancelled),
                Ok(Cancelled),
                inv(Confirmed),
                inv(Redeemed),
                inv(Cancelled),
                Err(TransitionError::Expired),
            ],
        ),
        (
            "redeem",
            Command::Redeem,
            [
                inv(Pending),
                inv(Scanned),
                Ok(Redeemed),
                Err(TransitionError::AlreadyRedeemed),
                inv(Cancelled),
                Err(TransitionError::Expired),
            ],
        ),
    ];
    for (name, cmd, expected) in cases {
        for (state, want) in QrState::ALL.into_iter().zip(expected) {
            let s = session_in(state, t);
            let now = if state == Expired { s.expires_at } else { NOW };
            let got = s.apply(&cmd, now, &lifetimes()).map(|n| n.state);
            assert_eq!(got, want, "{name} from {state:?}");
        }
    }
}

#[test]
fn a_state_change_bumps_the_version_by_exactly_one() {
    let t = ticket();
    let l = lifetimes();
    let s = session_in(Pending, t);
    assert_eq!(s.version, 1);
    let s = s
        .apply(&Command::Scan(scanner("alice", "phone-1", t)), NOW, &l)
        .unwrap();
    assert_eq!(s.version, 2);
    let s = s
        .apply(
            &Command::Confirm(proof("alice", "phone-1", Some(t))),
            NOW,
            &l,
        )
        .unwrap();
    assert_eq!(s.version, 3);
    let s = s.apply(&Command::Redeem, NOW, &l).unwrap();
    assert_eq!((s.state, s.version), (Redeemed, 4));
}

#[test]
fn a_rescan_by_the_same_phone_replaces_the_ticket_without_a_version_change() {
    let (t1, t2) = (ticket(), ticket());
    let l = lifetimes();
    let s = session_in(Scanned, t1);
    let again = s
        .apply(&Command::Scan(scanner("alice", "phone-1", t2)), NOW, &l)
        .unwrap();
    assert_eq!(again.version, s.version);
    assert_eq!(again.rev, s.rev + 1);
    let old = again.apply(
        &Command::Confirm(proof("alice", "phone-1", Some(t1))),
        NOW,
        &l,
    );
    assert_eq!(old.unwrap_err(), TransitionError::InvalidScanTicket);
    assert!(again
        .apply(
            &Command::Confirm(proof("alice", "phone-1", Some(t2))),
            NOW,
            &l
        )
        .is_ok());
}

#[test]
fn the_same_account_on_another_device_is_a_different_scanner() {
    let t = ticket();
    let s = session_in(Scanned, t);
    let r = s.apply(
        &Command::Scan(scanner("alice", "tablet", ticket())),
        NOW,
        &lifetimes(),
    );
    assert_eq!(r.unwrap_err(), TransitionError::AlreadyScanned);
}

#[test]
fn confirm_needs_the_ticket_of_this_device_and_account() {
    let t = ticket();
    let l = lifetimes();
    let s = session_in(Scanned, t);
    for p in [
        proof("alice", "phone-1", None),
        proof("alice", "phone-1", Some(ticket())),
        proof("alice", "phone-2", Some(t)),
        proof("bob", "phone-1", Some(t)),
    ] {
        assert_eq!(
            s.apply(&Command::Confirm(p.clone()), NOW, &l).unwrap_err(),
            TransitionError::InvalidScanTicket
        );
        assert_eq!(
            s.apply(&Command::PhoneCancel(p), NOW, &l).unwrap_err(),
            TransitionError::InvalidScanTicket
        );
    }
}

#[test]
fn expiry_reads_as_a_state_change_with_the_next_version() {
    let s = session_in(Scanned, ticket());
    let before = s.at(s.expires_at - 1);
    assert_eq!((before.state, before.version), (Scanned, 2));
    let after = s.at(s.expires_at);
    assert_eq!((after.state, after.version), (Expired, 3));
    // Reading again never changes it further.
    assert_eq!(after.at(s.expires_at + 10_000).version, 3);
}

#[test]
fn terminal_states_do_not_expire() {
    for st in [Redeemed, Cancelled] {
        let s = session_in(st, ticket());
        let later = s.at(s.expires_at + 1_000_000);
        assert_eq!((later.state, later.version), (st, s.version));
    }
}

#[test]
fn confirm_gives_the_pc_the_confirm_lifetime_to_redeem() {
    let t = ticket();
    let l = lifetimes();
    let s = session_in(Scanned, t);
    let late = s.expires_at - 1;
    let c = s
        .apply(
            &Command::Confirm(proof("alice", "phone-1", Some(t))),
            late,
            &l,
        )
        .unwrap();
    assert_eq!(c.expires_at, late + l.confirm_ms);
    assert_eq!(c.at(late + l.confirm_ms - 1).state, Confirmed);
    assert_eq!(
        c.apply(&Command::Redeem, late + l.confirm_ms, &l)
            .unwrap_err(),
        TransitionError::Expired
    );
}

mod records;
