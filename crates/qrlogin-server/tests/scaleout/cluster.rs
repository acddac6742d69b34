//! Redis Cluster: two instances on a local 3-master cluster serve whole logins, and a
//! long poll on one is woken by a confirm on the other whichever master holds the
//! session.

use crate::helpers::*;
use qrlogin_core::QrState;
use qrlogin_testkit::{redis_available, RedisCluster};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_a_three_master_cluster_serve_logins_and_wake_each_others_long_polls() {
    if !redis_available() {
        return;
    }
    let cluster = RedisCluster::start();
    let apps = instances(&cluster.url(), 2).await;
    let (a, b) = (&apps[0], &apps[1]);
    let phone = b.phone("alice", "phone-1").await;
    let mut slowest = Duration::ZERO;
    // Random ids: a dozen sessions land on every master with near certainty.
    for _ in 0..12 {
        let pc = a.pc().await;
        let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
        let held = tokio::spawn({
            let pc = pc.clone();
            async move { pc.wait(2, 30).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let sent = Instant::now();
        phone.confirm(pc.qr_id(), &ticket).await.unwrap();
        let s = tokio::time::timeout(STEP, held)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        slowest = slowest.max(sent.elapsed());
        assert_eq!((s.state, s.version), (QrState::Confirmed, 3));
        let session = pc.redeem().await.expect("redeem on A");
        b.client.me(&session.session_token).await.unwrap();
    }
    assert!(slowest < Duration::from_secs(5));
    eprintln!(
        "cluster: 12 logins, confirm on B → long poll on A answered, slowest {}",
        ms(slowest)
    );
    assert_eq!(phone.sessions().await.unwrap().len(), 12);
}
