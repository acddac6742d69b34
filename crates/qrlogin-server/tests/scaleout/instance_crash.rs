//! A server instance dies mid-flow: everything it knew is in Redis, so the PC and the
//! phone carry on through another instance.

use crate::helpers::*;
use qrlogin_core::QrState;
use qrlogin_testkit::{redis_available, RedisServer};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_completes_through_another_instance_after_the_one_serving_it_is_killed_after_the_scan(
) {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let mut apps = instances(&redis.url(), 2).await;
    let b = apps.pop().unwrap();
    let a = apps.pop().unwrap();

    let pc = a.pc().await;
    let phone = a.phone("alice", "phone-1").await;
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    let held = tokio::spawn({
        let pc = pc.clone();
        async move { pc.wait(2, 30).await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;

    let a_client = a.client.clone();
    a.kill().await;
    let cut = tokio::time::timeout(STEP, held).await.unwrap().unwrap();
    assert!(
        cut.as_ref().is_err_and(|e| e.is_transport()),
        "the held long poll loses its connection: {cut:?}"
    );
    assert!(a_client.healthz().await.is_err(), "A no longer answers");

    // The load balancer now sends both to B.
    let (pc, phone) = (b.pc_of(&pc), b.phone_of(&phone));
    let s = pc.status().await.unwrap();
    assert_eq!((s.state, s.version), (QrState::Scanned, 2));
    let waiting = tokio::spawn({
        let pc = pc.clone();
        async move { pc.wait(2, 30).await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    phone
        .confirm(pc.qr_id(), &ticket)
        .await
        .expect("A's scan ticket works on B");
    let s = tokio::time::timeout(STEP, waiting)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((s.state, s.version), (QrState::Confirmed, 3));
    let session = pc.redeem().await.expect("redeem on B");
    b.client.me(&session.session_token).await.unwrap();
    assert_eq!(phone.sessions().await.unwrap().len(), 1);
}
