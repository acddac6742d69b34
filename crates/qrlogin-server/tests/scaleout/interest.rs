//! Wake-ups by interest across instances: long polls held on one of four instances are
//! all woken by confirms made through the other three, which hear no notification at
//! all (single Redis and 3-master Cluster); and a long poll held through a Sentinel
//! failover is still woken by a confirm made after it.

use crate::helpers::*;
use qrlogin_core::QrState;
use qrlogin_server::ApiRoles;
use qrlogin_testkit::{redis_available, spawn_app, RedisCluster, RedisFailoverPair, TestApp};
use std::time::{Duration, Instant};

/// Logins in the burst.
const BURST: usize = 16;

/// `qrlogin_store_notifications_total` as an instance's `/metrics` exports it.
async fn notifications_metric(app: &TestApp) -> u64 {
    let text = app
        .raw()
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("qrlogin_store_notifications_total "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the metric is exported")
}

/// Four instances on `url`: PCs (and their long polls) on the first only, phones scan
/// and confirm through the other three.
async fn a_burst_wakes_every_long_poll_and_the_idle_instances_hear_nothing(url: &str) {
    let apps = instances(url, 4).await;
    let holder = &apps[0];
    let phone = apps[1].phone("alice", "phone-1").await;
    let mut held = Vec::new();
    for i in 0..BURST {
        let pc = holder.pc().await;
        let via = apps[1 + i % 3].phone_of(&phone);
        let ticket = via.scan(pc.qr_id()).await.unwrap().scan_ticket;
        let poll = tokio::spawn({
            let pc = pc.clone();
            async move { pc.wait(2, 30).await }
        });
        held.push((pc, via, ticket, poll));
    }
    eventually(STEP, "every long poll is held", || async {
        holder.state.qr.waiters() == BURST
    })
    .await;
    let sent = Instant::now();
    for (pc, via, ticket, _) in &held {
        via.confirm(pc.qr_id(), ticket).await.unwrap();
    }
    for (_, _, _, poll) in held {
        let s = tokio::time::timeout(STEP, poll)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!((s.state, s.version), (QrState::Confirmed, 3));
    }
    let took = sent.elapsed();
    let heard: Vec<u64> = apps.iter().map(|a| a.state.qr.notifications()).collect();
    assert_eq!(heard[0], BURST as u64, "one notification per held login");
    assert_eq!(&heard[1..], &[0, 0, 0], "the idle instances heard nothing");
    // The recorder is process-wide and shared by every instance in this test process
    // (a counter only goes up), so the export is checked for the holder only; the
    // per-instance figures above are what each instance's /metrics exports alone.
    assert!(notifications_metric(&apps[0]).await >= BURST as u64);
    eprintln!(
        "interest ({url}): {BURST} confirms on 3 instances woke {BURST} long polls on the 4th in {}; notifications per instance {heard:?}",
        ms(took)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_one_redis_a_burst_wakes_every_long_poll_and_the_three_idle_instances_hear_nothing() {
    if !redis_available() {
        return;
    }
    let redis = qrlogin_testkit::RedisServer::start();
    a_burst_wakes_every_long_poll_and_the_idle_instances_hear_nothing(&redis.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_cluster_a_burst_wakes_every_long_poll_and_the_three_idle_instances_hear_nothing() {
    if !redis_available() {
        return;
    }
    let cluster = RedisCluster::start();
    a_burst_wakes_every_long_poll_and_the_idle_instances_hear_nothing(&cluster.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_held_through_a_sentinel_failover_is_woken_by_a_later_confirm() {
    if !redis_available() {
        return;
    }
    let pair = RedisFailoverPair::start();
    let a = spawn_app(on(&pair.url(), ApiRoles::All)).await;
    let b = spawn_app(on(&pair.url(), ApiRoles::All)).await;
    let pc = a.pc().await;
    let phone = b.phone("alice", "phone-1").await;
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    let poll = tokio::spawn({
        let pc = pc.clone();
        async move { pc.wait(2, 60).await }
    });
    eventually(STEP, "the long poll is held", || async {
        a.state.qr.waiters() == 1
    })
    .await;
    let old_master = pair.master_port();
    let pair = tokio::task::spawn_blocking(move || {
        pair.failover();
        pair
    })
    .await
    .unwrap();
    assert_ne!(pair.master_port(), old_master, "the replica took over");
    let t = Instant::now();
    // Writes are refused (503, nothing changed) until B has found the new master.
    while let Err(e) = phone.confirm(pc.qr_id(), &ticket).await {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "no confirm after the failover: {e}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let confirmed = Instant::now();
    let s = tokio::time::timeout(STEP, poll)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((s.state, s.version), (QrState::Confirmed, 3));
    eprintln!(
        "sentinel failover: confirm {} after the switch, the long poll held through it answered {} later",
        ms(confirmed - t),
        ms(confirmed.elapsed())
    );
}
