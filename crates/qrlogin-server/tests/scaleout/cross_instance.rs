//! One login served by several instances on one Redis, and waiters on one instance
//! woken by changes made through another.

use crate::helpers::*;
use futures::StreamExt;
use qrlogin_core::QrState;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_created_on_one_instance_is_scanned_and_confirmed_through_others_and_redeemed_on_the_first(
) {
    let Some((_redis, apps)) = on_private_redis(3).await else {
        return;
    };
    let (a, b, c) = (&apps[0], &apps[1], &apps[2]);

    let pc = a.pc().await;
    let phone = b.phone("alice", "phone-1").await;
    let scan = phone.scan(pc.qr_id()).await.expect("scan on B");
    assert_eq!(
        scan.requester.device.name.as_deref(),
        Some("Firefox on Linux")
    );
    let seen = pc.status().await.expect("status on A");
    assert_eq!((seen.state, seen.version), (QrState::Scanned, 2));
    assert_eq!(seen.scanner.expect("scanner").display_name, "Alice");

    let confirmed = c
        .phone_of(&phone)
        .confirm(pc.qr_id(), &scan.scan_ticket)
        .await
        .expect("confirm on C with B's ticket");
    assert_eq!(
        (confirmed.state, confirmed.version),
        (QrState::Confirmed, 3)
    );

    let session = pc.redeem().await.expect("redeem on A");
    assert_eq!(session.account.display_name, "Alice");
    let me = b.client.me(&session.session_token).await.expect("me on B");
    assert_eq!(me.account.id, session.account.id);
    let listed = c.phone_of(&phone).sessions().await.expect("sessions on C");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, me.session.id);
    assert_eq!(
        b.pc_of(&pc).status().await.unwrap().state,
        QrState::Redeemed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_held_on_one_instance_answers_as_soon_as_another_confirms() {
    let Some((_redis, apps)) = on_private_redis(2).await else {
        return;
    };
    let (a, b) = (&apps[0], &apps[1]);
    let phone = b.phone("alice", "phone-1").await;
    let mut lags = Vec::new();
    for _ in 0..10 {
        let pc = a.pc().await;
        let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
        let held = tokio::spawn({
            let pc = pc.clone();
            async move {
                let status = pc.wait(2, 30).await;
                (status, Instant::now())
            }
        });
        // Let the long poll reach the server and subscribe before the change.
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(
            !held.is_finished(),
            "the long poll answered before any change"
        );
        let sent = Instant::now();
        phone.confirm(pc.qr_id(), &ticket).await.unwrap();
        let confirmed = sent.elapsed();
        let (status, answered) = tokio::time::timeout(STEP, held).await.unwrap().unwrap();
        let status = status.expect("the long poll answers 200");
        assert_eq!((status.state, status.version), (QrState::Confirmed, 3));
        let lag = answered - sent;
        assert!(lag < Duration::from_secs(5), "answered after {lag:?}");
        lags.push((lag, confirmed));
    }
    lags.sort();
    let (med, max) = (lags[lags.len() / 2], lags[lags.len() - 1]);
    eprintln!(
        "cross-instance long poll: confirm sent on B → PC answered on A: median {} \
         (confirm round trip {}), max {} over {} logins (target < 50 ms)",
        ms(med.0),
        ms(med.1),
        ms(max.0),
        lags.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_on_one_instance_sees_every_change_made_through_the_others() {
    let Some((_redis, apps)) = on_private_redis(3).await else {
        return;
    };
    let (a, b, c) = (&apps[0], &apps[1], &apps[2]);
    let pc = a.pc().await;
    let mut events = pc.events(None).await.expect("SSE on A");
    assert_eq!(next_status(&mut events).await.version, 1);

    let phone = b.phone("alice", "phone-1").await;
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    let s = next_status(&mut events).await;
    assert_eq!((s.state, s.version), (QrState::Scanned, 2));
    c.phone_of(&phone)
        .confirm(pc.qr_id(), &ticket)
        .await
        .unwrap();
    let s = next_status(&mut events).await;
    assert_eq!((s.state, s.version), (QrState::Confirmed, 3));
    b.pc_of(&pc).redeem().await.expect("redeem on B");
    let s = next_status(&mut events).await;
    assert_eq!((s.state, s.version), (QrState::Redeemed, 4));
    let end = tokio::time::timeout(STEP, events.next()).await.unwrap();
    assert!(end.is_none(), "the stream ends after the terminal state");
}
