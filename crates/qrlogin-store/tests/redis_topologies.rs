//! The Redis backend on a 3-master Cluster and behind a Sentinel.

mod common;

use common::*;
use qrlogin_store::{CasOutcome, QrStore};
use qrlogin_testkit::{redis_available, RedisCluster, RedisSentinel};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_master_cluster_serves_the_flow_and_wakes_across_instances() {
    if !redis_available() {
        return;
    }
    let cluster = RedisCluster::start();
    let (a, b) = (connect(&cluster.url()).await, connect(&cluster.url()).await);
    // Enough sessions that every master holds some, so wake-ups cross nodes.
    for _ in 0..12 {
        let s = pending();
        a.create(&s, purge(&s)).await.unwrap();
        assert_eq!(b.get(&s.id).await.unwrap(), Some(s.clone()));
        assert_eq!(
            b.find_by_poll_hash(&s.poll_hash).await.unwrap(),
            Some(s.id.clone())
        );
        let mut sub = b.subscribe(&s.id).await.unwrap();
        let next = scanned(&s);
        let t = Instant::now();
        assert_eq!(
            a.compare_and_set(1, &next, purge(&next)).await.unwrap(),
            CasOutcome::Written
        );
        woken_within(&mut sub, Duration::from_secs(1)).await;
        assert!(t.elapsed() < Duration::from_secs(1));
        assert_eq!(
            b.compare_and_set(1, &next, purge(&next)).await.unwrap(),
            CasOutcome::Conflict
        );
    }
}

#[tokio::test]
async fn a_sentinel_url_connects_to_the_master_it_names() {
    if !redis_available() {
        return;
    }
    let sentinel = RedisSentinel::start();
    let store = connect(&sentinel.url()).await;
    let s = pending();
    store.create(&s, purge(&s)).await.unwrap();
    // Written on the master the Sentinel names, readable there directly.
    let direct = connect(&sentinel.master.url()).await;
    assert_eq!(direct.get(&s.id).await.unwrap(), Some(s));
}
