//! Purges: they free rows and every index entry of them, give an emptied table's memory
//! back, and, working a chunk per hold of the lock, still purge exactly what the SQL
//! backends purge.

use super::tests::state;
use super::MemoryDb;
use crate::conformance::fixtures::{
    event, hash, mobile_token, stored_account, web_session, LONG, NOW,
};
use crate::{ActivityDb, ActivityKind, TokenDb};
use std::collections::HashSet;

#[tokio::test]
async fn purging_expired_tokens_and_sessions_drops_them_from_every_index() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    let (dead, live) = (hash(), hash());
    assert!(db
        .put_mobile_token(&dead, &mobile_token(&me, NOW + 10))
        .await
        .unwrap());
    assert!(db
        .put_mobile_token(&live, &mobile_token(&me, NOW + LONG))
        .await
        .unwrap());
    let (dead_key, dead_ses) = web_session(&me, NOW, NOW + 10);
    let (live_key, live_ses) = web_session(&me, NOW, NOW + LONG);
    assert!(db.put_web_session(&dead_key, &dead_ses).await.unwrap());
    assert!(db.put_web_session(&live_key, &live_ses).await.unwrap());
    assert_eq!(db.purge_expired_tokens(NOW + 10).await.unwrap(), 2);
    let s = state(&db);
    s.assert_consistent();
    let o = &s.accounts[me.as_str()];
    assert_eq!(o.tokens, HashSet::from([live]));
    assert_eq!(o.sessions, HashSet::from([live_key]));
    assert!(!s.session_ids.contains_key(&dead_ses.id));
}

#[tokio::test]
async fn a_purge_that_empties_a_big_table_gives_its_memory_back() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    for _ in 0..5_000 {
        let t = mobile_token(&me, NOW + 1);
        assert!(db.put_mobile_token(&hash(), &t).await.unwrap());
    }
    assert!(state(&db).mobile_tokens.capacity() >= 5_000);
    assert_eq!(db.purge_expired_tokens(NOW + 1).await.unwrap(), 5_000);
    let s = state(&db);
    assert!(
        s.mobile_tokens.capacity() < 100,
        "{}",
        s.mobile_tokens.capacity()
    );
    assert!(s.accounts[me.as_str()].tokens.is_empty());
    s.assert_consistent();
}

#[tokio::test]
async fn purged_events_leave_no_id_behind_and_their_ids_may_be_stored_again() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    let old = event(&me, NOW - 1, ActivityKind::QrScanned);
    let kept = event(&me, NOW, ActivityKind::QrConfirmed);
    db.append_events(&[old.clone(), kept.clone()])
        .await
        .unwrap();
    assert_eq!(db.purge_events_before(NOW).await.unwrap(), 1);
    assert_eq!(db.purge_events_before(NOW).await.unwrap(), 0);
    {
        let s = state(&db);
        s.assert_consistent();
        assert_eq!(s.event_ids, HashSet::from([kept.id.clone()]));
    }
    // The row is gone, as in SQL: its id is free again.
    db.append_event(&old).await.unwrap();
    assert_eq!(db.events_of(&me, 10).await.unwrap(), vec![kept, old]);
    state(&db).assert_consistent();
}

#[tokio::test]
async fn a_token_stored_anew_between_a_purges_scan_and_its_removal_is_kept() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    let (renewed, dead) = (hash(), hash());
    for h in [&renewed, &dead] {
        let t = mobile_token(&me, NOW + 10);
        assert!(db.put_mobile_token(h, &t).await.unwrap());
    }
    let (found, sessions) = state(&db).expired_tokens(NOW + 10);
    assert_eq!(found.len(), 2);
    let again = mobile_token(&me, NOW + LONG);
    assert!(db.put_mobile_token(&renewed, &again).await.unwrap());
    assert_eq!(db.purge_tokens(&found, &sessions, NOW + 10), 1);
    assert_eq!(
        db.mobile_token(&renewed, NOW + 10).await.unwrap(),
        Some(again)
    );
    state(&db).assert_consistent();
}

#[tokio::test]
async fn a_purge_of_more_events_than_one_chunk_takes_every_old_one_of_every_account() {
    let db = MemoryDb::new();
    let (me, them) = (stored_account(&db).await.id, stored_account(&db).await.id);
    let old = |who, i: i64| event(who, NOW - 10_000 + i % 1_000, ActivityKind::QrScanned);
    let mine: Vec<_> = (0..2_500).map(|i| old(&me, i)).collect();
    let theirs: Vec<_> = (0..700).map(|i| old(&them, i)).collect();
    db.append_events(&mine).await.unwrap();
    db.append_events(&theirs).await.unwrap();
    let kept = event(&them, NOW, ActivityKind::QrConfirmed);
    db.append_event(&kept).await.unwrap();
    assert_eq!(db.purge_events_before(NOW).await.unwrap(), 3_200);
    assert!(db.events_of(&me, 10).await.unwrap().is_empty());
    assert_eq!(db.events_of(&them, 10).await.unwrap(), vec![kept]);
    let s = state(&db);
    s.assert_consistent();
    assert_eq!(s.event_ids.len(), 1);
    assert!(s.event_ids.capacity() < 100, "{}", s.event_ids.capacity());
}
