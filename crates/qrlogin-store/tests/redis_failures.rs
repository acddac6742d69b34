//! The Redis backend when Redis fails: down and back, and writes held by a write
//! pause past their timeout (they must never land after answering `Unavailable`).

mod common;

use common::*;
use qrlogin_store::{CasOutcome, QrStore, StoreError};
use qrlogin_testkit::{redis_available, RedisServer};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_fail_fast_while_redis_is_down_and_work_again_with_subscriptions_when_it_is_back() {
    if !redis_available() {
        return;
    }
    let mut redis = RedisServer::start();
    let (a, b) = (connect(&redis.url()).await, connect(&redis.url()).await);
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let mut held = b.subscribe(&s.id).await.unwrap();
    let connects_before = b.subscriber_connects();

    redis.kill();
    for store in [&a, &b] {
        for _ in 0..3 {
            let t = Instant::now();
            let r = store.get(&s.id).await;
            let took = t.elapsed();
            eprintln!("call while Redis is down: {took:?}");
            assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
            assert!(took < Duration::from_secs(2), "took {took:?}");
        }
    }

    redis.restart();
    let t = Instant::now();
    while a.ping().await.is_err() || b.ping().await.is_err() {
        assert!(t.elapsed() < Duration::from_secs(3), "no recovery");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("calls work again {:?} after Redis restarted", t.elapsed());
    assert!(t.elapsed() < Duration::from_secs(3));
    // The waiter held across the outage is woken on resubscription to re-read.
    woken_within(&mut held, Duration::from_secs(3)).await;
    assert!(b.subscriber_connects() > connects_before);
    eprintln!(
        "subscriptions restored {:?} after Redis restarted",
        t.elapsed()
    );

    // The restarted Redis is empty: a new flow, woken across instances as before.
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let mut sub = b.subscribe(&s.id).await.unwrap();
    let next = scanned(&s);
    a.compare_and_set(1, &next, purge(&next)).await.unwrap();
    woken_within(&mut sub, Duration::from_secs(1)).await;
}

/// Writes that Redis holds back past the call's timeout (`CLIENT PAUSE WRITE`, as during
/// a failover) answer `Unavailable`, and when the pause ends they still change nothing:
/// each script checks its deadline on Redis' clock before writing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_held_by_a_redis_write_pause_past_their_timeout_never_land() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    let (s, fresh) = (pending(), pending());
    store.create(&s, purge(&s)).await.unwrap();

    let paused = qrlogin_testkit::raw(redis.port, "CLIENT PAUSE 1500 WRITE");
    let t = Instant::now();
    assert!(paused.is_some_and(|r| r.starts_with("+OK")));
    let next = scanned(&s);
    let cas = store.compare_and_set(1, &next, purge(&next)).await;
    eprintln!("CAS during a write pause: {cas:?} after {:?}", t.elapsed());
    assert!(matches!(cas, Err(StoreError::Unavailable(_))), "{cas:?}");
    let create = store.create(&fresh, purge(&fresh)).await;
    assert!(
        matches!(create, Err(StoreError::Unavailable(_))),
        "{create:?}"
    );

    tokio::time::sleep_until((t + Duration::from_millis(1700)).into()).await;
    assert_eq!(store.get(&s.id).await.unwrap(), Some(s.clone()));
    assert_eq!(store.get(&fresh.id).await.unwrap(), None);
    // Right after the pause, writes go through again (no false "late").
    let after = store.compare_and_set(1, &next, purge(&next)).await;
    assert_eq!(after.unwrap(), CasOutcome::Written);
}

/// Around the boundary (a script may start writing until 150 ms before the 500 ms
/// answer timeout; Redis ends a pause on its 100 ms cron tick): whatever the pause, a
/// CAS either answers `Written` and wrote, or fails and wrote nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cas_held_by_a_write_pause_answers_written_exactly_when_it_wrote() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    for pause in (250..=550).step_by(50) {
        let s = pending();
        store.create(&s, purge(&s)).await.unwrap();
        let next = scanned(&s);
        qrlogin_testkit::raw(redis.port, &format!("CLIENT PAUSE {pause} WRITE")).unwrap();
        let t = Instant::now();
        let r = store.compare_and_set(1, &next, purge(&next)).await;
        let took = t.elapsed();
        tokio::time::sleep_until((t + Duration::from_millis(700)).into()).await;
        let rev = store.get(&s.id).await.unwrap().unwrap().rev;
        eprintln!("write pause {pause} ms: {r:?} after {took:?}, stored rev {rev}");
        assert_eq!(r.is_ok(), rev == 2, "{r:?} but rev {rev}");
    }
}
