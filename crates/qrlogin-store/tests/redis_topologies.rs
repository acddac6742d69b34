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

/// The one-step transitions on a Cluster, where the poll index lives in another slot
/// than the session: scan and a confirm that lengthens the session are applied and
/// wake the other instance, a second scan is refused with the record, and the poll
/// index still leads to the session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_applies_one_step_transitions_across_slots() {
    use qrlogin_core::Clock as _;
    use qrlogin_core::{Command, Lifetimes, Scanner, SystemClock, TicketProof, TokenHash};
    use qrlogin_store::Transition;
    if !redis_available() {
        return;
    }
    let cluster = RedisCluster::start();
    let (a, b) = (connect(&cluster.url()).await, connect(&cluster.url()).await);
    let l = Lifetimes::default();
    let scanner = |device: &str, t| Scanner {
        account_id: "acc_1".into(),
        device_id: device.into(),
        display_name: "Al".into(),
        avatar_url: None,
        ticket_hash: t,
    };
    for _ in 0..6 {
        let now = SystemClock.now();
        let mut s = pending();
        s.expires_at = now + 5_000;
        a.create(&s, purge(&s)).await.unwrap();
        let t = TokenHash([0x33; 32]);
        let mut sub = b.subscribe(&s.id).await.unwrap();
        let scan = Command::Scan(scanner("ph", t));
        let out = a.transition(&s.id, &scan.plan(now, &l).unwrap()).await;
        let Transition::Applied(scanned) = out.unwrap() else {
            panic!("the scan was not applied");
        };
        woken_within(&mut sub, Duration::from_secs(1)).await;
        let other = Command::Scan(scanner("other", TokenHash([0x44; 32])));
        let out = b.transition(&s.id, &other.plan(now, &l).unwrap()).await;
        assert_eq!(out.unwrap(), Transition::Refused(scanned));
        let confirm = Command::Confirm(TicketProof {
            account_id: "acc_1".into(),
            device_id: "ph".into(),
            ticket_hash: Some(t),
        });
        let out = b.transition(&s.id, &confirm.plan(now, &l).unwrap()).await;
        assert!(matches!(out.unwrap(), Transition::Applied(_)));
        assert_eq!(
            a.find_by_poll_hash(&s.poll_hash).await.unwrap(),
            Some(s.id.clone())
        );
    }
}
