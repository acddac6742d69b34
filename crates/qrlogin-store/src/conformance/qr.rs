//! Checks of QR sessions: round trips, the poll-hash index and compare-and-set.

use super::fixtures::{pending, purge_at, rewritten, scanned_by};
use super::Harness;
use crate::CasOutcome;
use qrlogin_core::{QrId, SecretKind};
use std::sync::Arc;

/// A created session reads back field for field, on the instance that wrote it and on
/// another, and so does a later write with every optional field set.
pub async fn a_created_session_reads_back_exactly(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    assert_eq!(a.qr.get(&s.id).await.expect("get"), Some(s.clone()));
    assert_eq!(b.qr.get(&s.id).await.expect("get"), Some(s.clone()));

    let next = scanned_by(&s, "phone-1");
    let out = a.qr.compare_and_set(s.rev, &next, purge_at(&next)).await;
    assert_eq!(out.expect("cas"), CasOutcome::Written);
    assert_eq!(b.qr.get(&s.id).await.expect("get"), Some(next));
}

/// An id that was never created is `None`, not an error.
pub async fn an_unknown_id_reads_as_none(h: &dyn Harness) {
    let a = h.open().await;
    assert_eq!(a.qr.get(&QrId::generate()).await.expect("get"), None);
}

/// Each poll-token hash leads to its own session, on every instance; an unknown hash
/// leads nowhere.
pub async fn a_poll_hash_finds_its_own_session_and_no_other(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (s1, s2) = (pending(), pending());
    a.qr.create(&s1, purge_at(&s1)).await.expect("create");
    b.qr.create(&s2, purge_at(&s2)).await.expect("create");
    for inst in [&a, &b] {
        let found1 = inst
            .qr
            .find_by_poll_hash(&s1.poll_hash)
            .await
            .expect("find");
        let found2 = inst
            .qr
            .find_by_poll_hash(&s2.poll_hash)
            .await
            .expect("find");
        assert_eq!(found1, Some(s1.id.clone()));
        assert_eq!(found2, Some(s2.id.clone()));
        let unknown = super::fixtures::hash(SecretKind::Poll);
        assert_eq!(
            inst.qr.find_by_poll_hash(&unknown).await.expect("find"),
            None
        );
    }
}

/// With the stored rev, compare-and-set replaces the record, and the next write must
/// then present the new rev.
pub async fn a_cas_with_the_current_rev_writes_the_next_record(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    let next = scanned_by(&s, "phone-1");
    let out = b.qr.compare_and_set(s.rev, &next, purge_at(&next)).await;
    assert_eq!(out.expect("cas"), CasOutcome::Written);
    assert_eq!(a.qr.get(&s.id).await.expect("get"), Some(next.clone()));

    let again = rewritten(&next);
    let out =
        a.qr.compare_and_set(next.rev, &again, purge_at(&again))
            .await;
    assert_eq!(out.expect("cas"), CasOutcome::Written);
    assert_eq!(b.qr.get(&s.id).await.expect("get"), Some(again));
}

/// A write based on an old read is refused as a conflict and leaves the record, and
/// its index, exactly as they were.
pub async fn a_stale_rev_is_a_conflict_and_changes_nothing(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    let winner = scanned_by(&s, "phone-1");
    let out =
        a.qr.compare_and_set(s.rev, &winner, purge_at(&winner))
            .await;
    assert_eq!(out.expect("cas"), CasOutcome::Written);

    // Built from the read before the winner's write, so it still carries the old rev.
    let mut loser = scanned_by(&s, "phone-2");
    loser.poll_hash = super::fixtures::hash(SecretKind::Poll);
    for rev in [s.rev, winner.rev + 1, 0] {
        let out = b.qr.compare_and_set(rev, &loser, purge_at(&loser)).await;
        assert_eq!(out.expect("cas"), CasOutcome::Conflict, "rev {rev}");
    }
    assert_eq!(a.qr.get(&s.id).await.expect("get"), Some(winner));
    let found = a.qr.find_by_poll_hash(&s.poll_hash).await.expect("find");
    assert_eq!(found, Some(s.id.clone()));
    let stray =
        a.qr.find_by_poll_hash(&loser.poll_hash)
            .await
            .expect("find");
    assert_eq!(stray, None);
}

/// Compare-and-set never creates: on an id that does not exist it is `Missing`, and
/// the id still does not exist afterwards.
pub async fn a_cas_on_an_unknown_id_is_missing_and_creates_nothing(h: &dyn Harness) {
    let a = h.open().await;
    let s = pending();
    let next = scanned_by(&s, "phone-1");
    let out = a.qr.compare_and_set(s.rev, &next, purge_at(&next)).await;
    assert_eq!(out.expect("cas"), CasOutcome::Missing);
    assert_eq!(a.qr.get(&s.id).await.expect("get"), None);
    assert_eq!(
        a.qr.find_by_poll_hash(&s.poll_hash).await.expect("find"),
        None
    );
}

/// 24 writers that all read the same record race to write it, from two instances and
/// two threads at once: exactly one wins, the rest conflict, and the winner's record
/// is what is stored. This is what makes "exactly one scanner" hold.
pub async fn of_24_concurrent_cas_from_one_read_exactly_one_is_written(h: &dyn Harness) {
    const WRITERS: usize = 24;
    let (a, b) = (h.open().await, h.open().await);
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    let read = a.qr.get(&s.id).await.expect("get").expect("just created");

    let start = Arc::new(tokio::sync::Barrier::new(WRITERS));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|i| {
            let store = if i % 2 == 0 {
                a.qr.clone()
            } else {
                b.qr.clone()
            };
            let next = scanned_by(&read, &format!("phone-{i}"));
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                let out = store
                    .compare_and_set(read.rev, &next, purge_at(&next))
                    .await;
                (out.expect("cas"), next)
            })
        })
        .collect();

    let mut winners = Vec::new();
    for task in tasks {
        let (out, next) = task.await.expect("writer task panicked");
        match out {
            CasOutcome::Written => winners.push(next),
            CasOutcome::Conflict => {}
            CasOutcome::Missing => panic!("a concurrent writer found the session missing"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one writer must win");
    assert_eq!(b.qr.get(&s.id).await.expect("get"), winners.pop());
}

/// The store answers `ping` while the backend is up (what `/readyz` asks).
pub async fn the_store_answers_a_ping(h: &dyn Harness) {
    let a = h.open().await;
    a.qr.ping().await.expect("qr ping");
}
