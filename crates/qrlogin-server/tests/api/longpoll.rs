//! Long poll: held until the version changes (scan, confirm, expiry) or `wait` passes,
//! woken by the change itself, and answered at shutdown.

use crate::helpers::*;
use qrlogin_core::QrState;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_long_poll_is_answered_by_the_scan_not_by_the_timeout() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    let waiter = {
        let pc = pc.clone();
        tokio::spawn(async move {
            let st = pc.wait(1, 30).await.unwrap();
            (st, Instant::now())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiter.is_finished(),
        "the long poll must be held while nothing changes"
    );
    phone.scan(pc.qr_id()).await.unwrap();
    let scanned_at = Instant::now();
    let (st, answered_at) = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((st.state, st.version), (QrState::Scanned, 2));
    let lag = answered_at.saturating_duration_since(scanned_at);
    eprintln!("scan -> long poll answered: {lag:?}");
    assert!(
        lag < Duration::from_secs(5),
        "woken by the change, not the 30 s timeout"
    );
}

#[tokio::test]
async fn a_long_poll_with_an_older_version_or_no_since_answers_at_once() {
    let app = spawn_app().await;
    let (pc, _, _) = app.scanned().await;
    let start = Instant::now();
    assert_eq!(pc.wait(1, 30).await.unwrap().version, 2);
    let res = app
        .raw()
        .get(format!("{}/api/v1/qr/{}?wait=30", app.url, pc.qr_id()))
        .bearer_auth(pc.poll_token().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_long_poll_with_nothing_happening_returns_the_same_version_after_wait() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let start = Instant::now();
    let st = pc.wait(1, 1).await.unwrap();
    assert_eq!((st.state, st.version), (QrState::Pending, 1));
    assert!(start.elapsed() >= Duration::from_millis(900));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_concurrent_long_polls_are_all_answered_by_their_change() {
    let app = spawn_app().await;
    let phone = app.phone("alice", "phone-1").await;
    let mut pcs = Vec::new();
    for _ in 0..300 {
        pcs.push(app.pc().await);
    }
    let waiters: Vec<_> = pcs
        .iter()
        .cloned()
        .map(|pc| tokio::spawn(async move { pc.wait(1, 30).await.unwrap() }))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(waiters.iter().all(|w| !w.is_finished()));
    for pc in &pcs {
        phone.scan(pc.qr_id()).await.unwrap();
    }
    for w in waiters {
        let st = tokio::time::timeout(Duration::from_secs(20), w)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((st.state, st.version), (QrState::Scanned, 2));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_answers_held_long_polls_first() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let waiter = {
        let pc = pc.clone();
        tokio::spawn(async move { pc.wait(1, 60).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let start = Instant::now();
    app.shutdown().await;
    let st = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((st.state, st.version), (QrState::Pending, 1));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "shutdown did not wait for the 60 s poll"
    );
}
