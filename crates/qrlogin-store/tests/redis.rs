//! The Redis backend against private `redis-server`s: round trips, cross-instance
//! wake-ups and races, memory per session, URLs. Failures are in `redis_failures.rs`,
//! Cluster and Sentinel in `redis_topologies.rs`.

mod common;

use common::*;
use futures::StreamExt;
use qrlogin_core::{QrId, QrSession, QrState};
use qrlogin_store::redis::RedisStore;
use qrlogin_store::{CasOutcome, QrStore, StoreError};
use qrlogin_testkit::{redis_available, RedisServer};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_session_round_trips_and_is_found_by_its_poll_hash() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    let s = pending();
    store.create(&s, purge(&s)).await.unwrap();
    assert_eq!(store.get(&s.id).await.unwrap(), Some(s.clone()));
    assert_eq!(
        store.find_by_poll_hash(&s.poll_hash).await.unwrap(),
        Some(s.id.clone())
    );
    let next = scanned(&s);
    assert_eq!(
        store.compare_and_set(1, &next, purge(&next)).await.unwrap(),
        CasOutcome::Written
    );
    assert_eq!(
        store.compare_and_set(1, &next, purge(&next)).await.unwrap(),
        CasOutcome::Conflict
    );
    assert_eq!(store.get(&s.id).await.unwrap(), Some(next));
    assert_eq!(store.get(&QrId::generate()).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_on_one_instance_is_woken_by_a_change_on_another() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let (a, b) = (connect(&redis.url()).await, connect(&redis.url()).await);
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let mut sub = b.subscribe(&s.id).await.unwrap();
    assert_eq!(b.waiters(), 1);
    let next = scanned(&s);
    let t = Instant::now();
    assert_eq!(
        a.compare_and_set(1, &next, purge(&next)).await.unwrap(),
        CasOutcome::Written
    );
    woken_within(&mut sub, Duration::from_secs(1)).await;
    let took = t.elapsed();
    eprintln!("cross-instance wake-up: {took:?} from CAS start on A to waiter woken on B");
    assert!(took < Duration::from_secs(1));
    assert_eq!(b.get(&s.id).await.unwrap().unwrap().state, QrState::Scanned);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_24_concurrent_cas_across_two_instances_exactly_one_is_written() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let (a, b) = (connect(&redis.url()).await, connect(&redis.url()).await);
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            let next = scanned(&s);
            tokio::spawn(async move { store.compare_and_set(1, &next, purge(&next)).await })
        })
        .collect();
    let mut written = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            CasOutcome::Written => written += 1,
            CasOutcome::Conflict => {}
            CasOutcome::Missing => panic!("the session vanished"),
        }
    }
    assert_eq!(written, 1);
    assert_eq!(a.get(&s.id).await.unwrap().unwrap().rev, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_session_with_its_poll_index_takes_at_most_512_bytes() {
    if !redis_available() {
        return;
    }
    const N: usize = 10_000;
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    let sessions: Vec<QrSession> = (0..N).map(|_| pending()).collect();
    futures::stream::iter(&sessions)
        .map(|s| {
            let store = store.clone();
            async move { store.create(s, purge(s)).await.unwrap() }
        })
        .buffer_unordered(64)
        .collect::<Vec<()>>()
        .await;
    let mut raw = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let (mut hashes, mut indexes) = (0u64, 0u64);
    for chunk in sessions.chunks(500) {
        let mut p = redis::pipe();
        for s in chunk {
            p.cmd("MEMORY")
                .arg("USAGE")
                .arg(qrlogin_store::redis::session_key(&s.id))
                .arg("SAMPLES")
                .arg(0);
            let poll = qrlogin_store::redis::poll_key(&s.poll_hash);
            p.cmd("MEMORY").arg("USAGE").arg(poll).arg("SAMPLES").arg(0);
        }
        let sizes: Vec<Option<u64>> = p.query_async(&mut raw).await.unwrap();
        assert!(sizes.iter().all(Option::is_some), "a key is missing");
        for pair in sizes.chunks(2) {
            hashes += pair[0].unwrap_or_default();
            indexes += pair[1].unwrap_or_default();
        }
    }
    let per = (hashes + indexes) as f64 / N as f64;
    eprintln!(
        "Redis MEMORY USAGE per pending QR session: {per:.1} bytes over {N} \
         (hash {:.1} + poll index {:.1})",
        hashes as f64 / N as f64,
        indexes as f64 / N as f64
    );
    assert!(per <= 512.0, "{per} bytes per session");
}

#[tokio::test]
async fn a_malformed_url_or_an_absent_server_is_unavailable_at_once() {
    for url in [
        "http://x",
        "redis+sentinel://127.0.0.1:1",
        "redis-cluster://nohost",
    ] {
        let r = RedisStore::connect(url).await;
        assert!(matches!(r, Err(StoreError::Unavailable(_))), "{url}");
    }
    let port = qrlogin_testkit::free_port();
    let t = Instant::now();
    let r = RedisStore::connect(&format!("redis://127.0.0.1:{port}")).await;
    assert!(matches!(r, Err(StoreError::Unavailable(_))));
    assert!(t.elapsed() < Duration::from_secs(2));
}
