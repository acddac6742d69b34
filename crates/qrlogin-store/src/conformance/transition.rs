//! Checks of the one-step guarded transition ([`QrStore::transition`](crate::QrStore::transition)):
//! the patch is written only when the guard holds, the record always comes back, and of
//! racing transitions exactly one wins.

use super::fixtures::{hash, pending, purge_at};
use super::Harness;
use crate::Transition;
use qrlogin_core::Clock as _;
use qrlogin_core::{
    Command, Lifetimes, Millis, Plan, QrClient, QrId, QrSession, Scanner, SecretKind, SystemClock,
    TicketProof, TokenHash,
};
use std::sync::Arc;

/// A scan by `device` (account `acc_<device>`) with ticket hash `t`.
fn scan(device: &str, t: TokenHash) -> Command {
    Command::Scan(Scanner {
        account_id: format!("acc_{device}"),
        device_id: device.into(),
        display_name: "Ålice 😀".into(),
        avatar_url: Some("https://example.com/a.png?s=64&x=\"y\"".into()),
        ticket_hash: t,
    })
}

/// What `device` presents with ticket hash `t`.
fn proof(device: &str, t: TokenHash) -> TicketProof {
    TicketProof {
        account_id: format!("acc_{device}"),
        device_id: device.into(),
        ticket_hash: Some(t),
    }
}

fn plan(cmd: &Command, now: Millis) -> Plan {
    cmd.plan(now, &Lifetimes::default()).expect("a plan")
}

/// What the state machine makes of `s` under `cmd` at `now`.
fn expected(s: &QrSession, cmd: &Command, now: Millis) -> QrSession {
    s.apply(cmd, now, &Lifetimes::default()).expect("allowed")
}

/// Scan, confirm (a longer life), redeem: each written in one step, each answered
/// with exactly the record the state machine computes, which the other instance then
/// reads; the poll index still leads to the session.
pub async fn a_transition_whose_guard_holds_writes_the_patch_and_answers_it(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let mut s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    let t = hash(SecretKind::ScanTicket);
    for cmd in [
        scan("phone-1", t),
        Command::Confirm(proof("phone-1", t)),
        Command::Redeem,
    ] {
        let now = SystemClock.now();
        let next = expected(&s, &cmd, now);
        let out =
            a.qr.transition(&s.id, &plan(&cmd, now))
                .await
                .expect("transition");
        assert_eq!(out, Transition::Applied(next.clone()), "{cmd:?}");
        assert_eq!(b.qr.get(&s.id).await.expect("get"), Some(next.clone()));
        s = next;
    }
    let found = b.qr.find_by_poll_hash(&s.poll_hash).await.expect("find");
    assert_eq!(found, Some(s.id.clone()));
}

/// A session made for a client keeps it, read on another instance, through every
/// transition (the client is set at create; a patch never touches it).
pub async fn a_session_made_for_a_client_keeps_it_through_every_transition(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let mut s = pending().for_client(Some("shop.example"));
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    assert_eq!(b.qr.get(&s.id).await.expect("get"), Some(s.clone()));
    let t = hash(SecretKind::ScanTicket);
    for cmd in [
        scan("phone-1", t),
        Command::Confirm(proof("phone-1", t)),
        Command::Redeem,
    ] {
        let now = SystemClock.now();
        let out = a.qr.transition(&s.id, &plan(&cmd, now)).await;
        let Transition::Applied(next) = out.expect("transition") else {
            panic!("{cmd:?} refused");
        };
        assert_eq!(next.client, QrClient::Client("shop.example".into()));
        assert_eq!(b.qr.get(&s.id).await.expect("get"), Some(next.clone()));
        s = next;
    }
}

/// A guard that does not hold (a wrong ticket, another phone's ticket, a redeem
/// before the confirm) writes nothing and answers the record as it is.
pub async fn a_refused_transition_writes_nothing_and_answers_the_current_record(h: &dyn Harness) {
    let a = h.open().await;
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    let now = SystemClock.now();
    let refused = a.qr.transition(&s.id, &plan(&Command::Redeem, now)).await;
    assert_eq!(refused.expect("transition"), Transition::Refused(s.clone()));

    let t = hash(SecretKind::ScanTicket);
    let cmd = scan("phone-1", t);
    let scanned = expected(&s, &cmd, now);
    a.qr.transition(&s.id, &plan(&cmd, now))
        .await
        .expect("scan");
    let wrong_ticket = Command::Confirm(proof("phone-1", hash(SecretKind::ScanTicket)));
    let other_phone = Command::Confirm(proof("phone-2", t));
    let second_scan = scan("phone-2", hash(SecretKind::ScanTicket));
    for cmd in [wrong_ticket, other_phone, second_scan] {
        let out = a.qr.transition(&s.id, &plan(&cmd, now)).await;
        assert_eq!(
            out.expect("transition"),
            Transition::Refused(scanned.clone()),
            "{cmd:?}"
        );
    }
    assert_eq!(a.qr.get(&s.id).await.expect("get"), Some(scanned));
}

/// A transition on an id that was never created is `Missing`, and creates nothing.
pub async fn a_transition_on_an_unknown_id_is_missing_and_creates_nothing(h: &dyn Harness) {
    let a = h.open().await;
    let id = QrId::generate();
    let now = SystemClock.now();
    let out = a.qr.transition(&id, &plan(&Command::PcCancel, now)).await;
    assert_eq!(out.expect("transition"), Transition::Missing);
    assert_eq!(a.qr.get(&id).await.expect("get"), None);
}

/// From its `expires_at` on, a session refuses every transition, even one its state
/// allows, and is left as stored.
pub async fn an_expired_session_refuses_every_transition(h: &dyn Harness) {
    let a = h.open().await;
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    for at in [s.expires_at, s.expires_at + 1] {
        for cmd in [
            Command::PcCancel,
            scan("phone-1", hash(SecretKind::ScanTicket)),
        ] {
            let out = a.qr.transition(&s.id, &plan(&cmd, at)).await;
            assert_eq!(out.expect("transition"), Transition::Refused(s.clone()));
        }
    }
    assert_eq!(a.qr.get(&s.id).await.expect("get"), Some(s));
}

/// 24 phones scan the same pending session at once, from two instances and two
/// threads: exactly one scan is applied, every other is refused with the winner's
/// record, and the winner's record is what is stored.
pub async fn of_24_racing_transitions_exactly_one_is_applied(h: &dyn Harness) {
    const PHONES: usize = 24;
    let (a, b) = (h.open().await, h.open().await);
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    let start = Arc::new(tokio::sync::Barrier::new(PHONES));
    let tasks: Vec<_> = (0..PHONES)
        .map(|i| {
            let store = if i % 2 == 0 {
                a.qr.clone()
            } else {
                b.qr.clone()
            };
            let cmd = scan(&format!("phone-{i}"), hash(SecretKind::ScanTicket));
            let (id, start) = (s.id.clone(), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                let p = plan(&cmd, SystemClock.now());
                store.transition(&id, &p).await.expect("transition")
            })
        })
        .collect();
    let mut applied = Vec::new();
    let mut refused = Vec::new();
    for task in tasks {
        match task.await.expect("scan task panicked") {
            Transition::Applied(next) => applied.push(next),
            Transition::Refused(cur) => refused.push(cur),
            Transition::Missing => panic!("a racing scan found the session missing"),
        }
    }
    assert_eq!(applied.len(), 1, "exactly one scan must be applied");
    assert!(refused.iter().all(|cur| *cur == applied[0]));
    assert_eq!(b.qr.get(&s.id).await.expect("get"), applied.pop());
}

/// An applied transition wakes a subscriber on the other instance (its version moved).
pub async fn an_applied_transition_wakes_subscribers_on_the_other_instance(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    let mut sub = b.qr.subscribe(&s.id).await.expect("subscribe");
    let now = SystemClock.now();
    a.qr.transition(&s.id, &plan(&Command::PcCancel, now))
        .await
        .expect("cancel");
    let woke = tokio::time::timeout(std::time::Duration::from_secs(2), sub.changed()).await;
    assert!(woke.is_ok(), "the subscriber was not woken");
}
