//! Checks of [`ActivityDb`](crate::ActivityDb).

use super::fixtures::{event, stored_account, NOW};
use super::Harness;
use crate::ActivityKind;
use qrlogin_core::AccountId;

/// Events read back exactly (every field, every kind), newest first, events of one
/// millisecond in the order they were written, at most `limit` of them.
pub async fn events_read_back_newest_first_exactly_and_up_to_the_limit(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let me = stored_account(&*a).await.id;
    let mut written = Vec::new();
    for (i, kind) in ActivityKind::ALL.iter().enumerate() {
        // Pairs of events share a millisecond.
        let mut e = event(&me, NOW + (i as i64 / 2), *kind);
        if i % 3 == 0 {
            (e.ip, e.device, e.client, e.method) = (None, None, None, None);
        }
        a.append_event(&e).await.expect("append");
        written.push(e);
    }
    written.reverse();
    let all = b.events_of(&me, 200).await.expect("events");
    assert_eq!(all, written);
    let three = b.events_of(&me, 3).await.expect("events");
    assert_eq!(three, written[..3].to_vec());
}

/// An account's log holds its own events only.
pub async fn events_are_kept_per_account(h: &dyn Harness) {
    let db = h.open().await;
    let (me, them) = (stored_account(&*db).await.id, stored_account(&*db).await.id);
    let mine = event(&me, NOW, ActivityKind::PhoneSignedIn);
    let theirs = event(&them, NOW + 1, ActivityKind::SignInFailed);
    db.append_event(&mine).await.expect("append");
    db.append_event(&theirs).await.expect("append");
    assert_eq!(db.events_of(&me, 50).await.expect("events"), vec![mine]);
    assert_eq!(db.events_of(&them, 50).await.expect("events"), vec![theirs]);
}

/// Purging deletes the events from before the cutoff and keeps the one at it.
pub async fn purging_events_removes_only_those_before_the_cutoff(h: &dyn Harness) {
    let db = h.open().await;
    let me = stored_account(&*db).await.id;
    let old = event(&me, NOW - 2, ActivityKind::QrScanned);
    let older = event(&me, NOW - 1, ActivityKind::QrConfirmed);
    let kept = event(&me, NOW, ActivityKind::QrDeclined);
    for e in [&old, &older, &kept] {
        db.append_event(e).await.expect("append");
    }
    assert_eq!(db.purge_events_before(NOW).await.expect("purge"), 2);
    assert_eq!(db.events_of(&me, 50).await.expect("events"), vec![kept]);
}

/// An event for an account that does not exist (removed meanwhile) is dropped quietly.
pub async fn an_event_of_an_unknown_account_is_dropped(h: &dyn Harness) {
    let db = h.open().await;
    let ghost = AccountId::generate();
    let e = event(&ghost, NOW, ActivityKind::PhoneSignedOut);
    db.append_event(&e).await.expect("append");
    assert!(db.events_of(&ghost, 50).await.expect("events").is_empty());
}

/// Events appended together read back exactly as if appended one by one: in order
/// (one millisecond for all), every field, per account; an unknown account's are
/// dropped, an id already stored is left as it was, and a batch longer than one
/// statement takes (150 events) is written whole.
pub async fn events_appended_together_read_back_as_if_appended_one_by_one(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (me, them) = (stored_account(&*a).await.id, stored_account(&*a).await.id);
    let ghost = AccountId::generate();
    let first = event(&me, NOW, ActivityKind::QrScanned);
    a.append_event(&first).await.expect("append");
    let mut batch = vec![first.clone()];
    for (i, kind) in ActivityKind::ALL.iter().cycle().take(150).enumerate() {
        let owner = [&me, &them, &ghost][i % 3];
        let mut e = event(owner, NOW, *kind);
        if i % 4 == 0 {
            (e.ip, e.device, e.client, e.method) = (None, None, None, None);
        }
        batch.push(e);
    }
    a.append_events(&batch).await.expect("append");
    a.append_events(&[]).await.expect("append nothing");
    let of = |who: &AccountId| -> Vec<_> {
        let mut v: Vec<_> = batch
            .iter()
            .filter(|e| e.account_id == *who)
            .cloned()
            .collect();
        v.reverse();
        v
    };
    assert_eq!(b.events_of(&me, 200).await.expect("events"), of(&me));
    assert_eq!(b.events_of(&them, 200).await.expect("events"), of(&them));
    assert!(b.events_of(&ghost, 200).await.expect("events").is_empty());
}
