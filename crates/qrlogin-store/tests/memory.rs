//! The memory store: the whole conformance suite, then what only the memory store does
//! (purging in process, and the purger task's lifetime).

use qrlogin_store::conformance::fixtures::{pending, scanned_by};
use qrlogin_store::memory::MemoryStore;
use qrlogin_store::{CasOutcome, QrStore};
use std::sync::Arc;
use std::time::Duration;

qrlogin_store::conformance_tests!(MemoryStore::new());

#[tokio::test]
async fn purging_forgets_due_sessions_and_their_poll_index_and_keeps_the_rest() {
    let store = MemoryStore::new();
    let (due, kept) = (pending(), pending());
    store.create(&due, 1_000).await.expect("create");
    store.create(&kept, 2_000).await.expect("create");

    assert_eq!(store.purge(999), 0, "purged before its time");
    assert_eq!(store.purge(1_000), 1);
    assert_eq!(store.get(&due.id).await.expect("get"), None);
    assert_eq!(
        store.find_by_poll_hash(&due.poll_hash).await.expect("find"),
        None
    );
    let next = scanned_by(&due, "phone-1");
    let out = store.compare_and_set(due.rev, &next, 5_000).await;
    assert_eq!(
        out.expect("cas"),
        CasOutcome::Missing,
        "a purged session came back"
    );

    assert_eq!(store.get(&kept.id).await.expect("get"), Some(kept.clone()));
    let found = store
        .find_by_poll_hash(&kept.poll_hash)
        .await
        .expect("find");
    assert_eq!(found, Some(kept.id.clone()));
    assert_eq!(store.purge(1_500), 0);
}

#[tokio::test]
async fn a_write_moves_the_time_a_session_may_be_purged() {
    let store = MemoryStore::new();
    let s = pending();
    store.create(&s, 1_000).await.expect("create");
    let next = scanned_by(&s, "phone-1");
    let out = store.compare_and_set(s.rev, &next, 5_000).await;
    assert_eq!(out.expect("cas"), CasOutcome::Written);

    assert_eq!(store.purge(4_999), 0, "purged at the old time");
    assert_eq!(store.get(&s.id).await.expect("get"), Some(next));
    assert_eq!(store.purge(5_000), 1);
    assert_eq!(store.get(&s.id).await.expect("get"), None);
}

#[tokio::test]
async fn a_purge_of_more_than_one_batch_removes_everything_due() {
    let store = MemoryStore::new();
    for _ in 0..3_000 {
        store.create(&pending(), 10).await.expect("create");
    }
    let kept = pending();
    store.create(&kept, 11).await.expect("create");
    assert_eq!(store.purge(10), 3_000);
    assert!(store.get(&kept.id).await.expect("get").is_some());
}

#[tokio::test]
async fn the_purger_forgets_a_session_once_its_clock_passes_the_purge_time() {
    let clock = qrlogin_core::ManualClock::new(1_000);
    let store = MemoryStore::with_clock(std::sync::Arc::new(clock.clone()));
    let s = pending();
    store.create(&s, 2_000).await.expect("create");
    store.purge(1_999);
    assert!(
        store.get(&s.id).await.expect("get").is_some(),
        "purged early"
    );
    clock.advance(1_000);
    let purger = store.spawn_purger(Duration::from_millis(10));
    let gone = async {
        while store.get(&s.id).await.expect("get").is_some() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(2), gone)
        .await
        .expect("the purger never purged");
    purger.abort();
}

#[tokio::test]
async fn the_purger_stops_and_lets_go_when_the_store_is_dropped() {
    let store = MemoryStore::new();
    let purger = store.spawn_purger(Duration::from_millis(10));
    let weak = Arc::downgrade(&store);
    drop(store);
    assert!(weak.upgrade().is_none(), "the purger keeps the store alive");
    tokio::time::timeout(Duration::from_secs(2), purger)
        .await
        .expect("the purger outlived its store")
        .expect("the purger panicked");
}
