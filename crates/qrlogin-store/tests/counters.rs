//! Rate-limit counters, in memory and on a private Redis: concurrent hits each see a
//! distinct count (the count is taken atomically, never read-then-written), windows end,
//! and a forgiven hit no longer counts. Also the memory store's bound on QR sessions.

mod common;

use common::*;
use futures::future::join_all;
use qrlogin_core::SystemClock;
use qrlogin_store::memory::MemoryStore;
use qrlogin_store::{Counters, MemoryCounters, QrStore, StoreError};
use qrlogin_testkit::{redis_available, RedisServer};
use std::sync::Arc;

/// Forty concurrent hits on one key see the counts 1..=40, each exactly once.
async fn forty_concurrent_hits_each_see_their_own_count(c: Arc<dyn Counters>) {
    let hits = join_all((0..40).map(|_| {
        let c = Arc::clone(&c);
        async move { c.hit("login:iu:10.0.0.1|alice", 60_000).await.unwrap() }
    }))
    .await;
    let mut counts: Vec<u64> = hits.iter().map(|h| h.count).collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=40).collect::<Vec<_>>());
    assert!(hits
        .iter()
        .all(|h| h.resets_in_ms > 0 && h.resets_in_ms <= 60_000));
    c.forgive("login:iu:10.0.0.1|alice").await.unwrap();
    assert_eq!(
        c.hit("login:iu:10.0.0.1|alice", 60_000)
            .await
            .unwrap()
            .count,
        40
    );
    c.reset("login:iu:10.0.0.1|alice").await.unwrap();
    assert_eq!(
        c.hit("login:iu:10.0.0.1|alice", 60_000)
            .await
            .unwrap()
            .count,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_counters_count_concurrent_hits_atomically() {
    let c = Arc::new(MemoryCounters::new(SystemClock::shared()));
    forty_concurrent_hits_each_see_their_own_count(c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_counters_count_concurrent_hits_atomically_and_expire() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    forty_concurrent_hits_each_see_their_own_count(store.clone()).await;
    let ttl = qrlogin_testkit::raw(redis.port, "PTTL qrl:rl:{login:iu:10.0.0.1|alice}");
    let ttl: i64 = ttl
        .and_then(|t| t.trim().trim_start_matches(':').parse().ok())
        .expect("a PTTL answer");
    assert!(
        ttl > 0 && ttl <= 60_000,
        "the key expires with its window: {ttl}"
    );
}

#[tokio::test]
async fn a_full_memory_store_refuses_a_new_session_and_changes_nothing() {
    let store = MemoryStore::new();
    store.set_max_qr_sessions(1);
    let first = pending();
    store.create(&first, purge(&first)).await.unwrap();
    let second = pending();
    let refused = store.create(&second, purge(&second)).await;
    assert!(matches!(refused, Err(StoreError::Unavailable(_))));
    assert_eq!(store.get(&second.id).await.unwrap(), None);
    assert_eq!(store.get(&first.id).await.unwrap(), Some(first));
}
