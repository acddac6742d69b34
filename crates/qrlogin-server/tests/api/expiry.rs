//! Expiry, on a `ManualClock` the tests move: reported as `expired` with version + 1,
//! refused with 410, forgotten after the grace period, and held waiters answered at the
//! moment the clock passes the expiry. No test sleeps for an expiry.

use crate::helpers::*;
use qrlogin_core::{Lifetimes, QrState};
use std::time::Duration;

/// The default lifetimes, which the manual-clock server runs with.
fn lifetimes() -> Lifetimes {
    Lifetimes::default()
}

#[tokio::test]
async fn an_unscanned_qr_expires_with_the_next_version_and_refuses_everything() {
    let app = spawn_with_manual_clock().await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    app.advance(lifetimes().qr_ms - 1);
    assert_eq!(
        pc.status().await.unwrap().state,
        QrState::Pending,
        "1 ms left"
    );
    app.advance(1);
    let st = pc.status().await.unwrap();
    assert_eq!(
        (st.state, st.version, st.expires_in),
        (QrState::Expired, 2, 0)
    );
    assert_eq!(
        pc.status().await.unwrap().version,
        2,
        "reading never changes the version"
    );
    assert_eq!(code_of(phone.scan(pc.qr_id()).await), Some("qr_expired"));
    assert_eq!(code_of(pc.redeem().await), Some("qr_expired"));
    assert_eq!(code_of(pc.cancel().await), Some("qr_expired"));
    assert_eq!(code_of(pc.qr_png().await), Some("qr_expired"));
}

#[tokio::test]
async fn a_confirmed_qr_must_be_redeemed_within_the_confirm_lifetime() {
    let app = spawn_with_manual_clock().await;
    let (pc, _) = app.confirmed().await;
    let confirm_secs = (lifetimes().confirm_ms / 1000) as u64;
    assert_eq!(pc.status().await.unwrap().expires_in, confirm_secs);
    app.advance(lifetimes().confirm_ms);
    let st = pc.status().await.unwrap();
    assert_eq!((st.state, st.version), (QrState::Expired, 4));
    assert_eq!(code_of(pc.redeem().await), Some("qr_expired"));
}

#[tokio::test]
async fn a_scanned_qr_that_is_not_confirmed_in_time_expires() {
    let app = spawn_with_manual_clock().await;
    let (pc, phone, ticket) = app.scanned().await;
    app.advance(lifetimes().qr_ms);
    assert_eq!(
        code_of(phone.confirm(pc.qr_id(), &ticket).await),
        Some("qr_expired")
    );
    assert_eq!(
        code_of(phone.decline(pc.qr_id(), &ticket).await),
        Some("qr_expired")
    );
    assert_eq!(pc.status().await.unwrap().state, QrState::Expired);
}

#[tokio::test]
async fn an_expired_qr_is_forgotten_once_the_clock_passes_the_grace_period() {
    let app = spawn_with_manual_clock().await;
    let pc = app.pc().await;
    app.advance(lifetimes().qr_ms);
    assert_eq!(pc.status().await.unwrap().state, QrState::Expired);
    app.advance(lifetimes().grace_ms);
    // The memory store's purger goes by the same clock; it runs once a second.
    for _ in 0..100 {
        match pc.status().await {
            Ok(st) => assert_eq!(st.state, QrState::Expired),
            Err(e) => {
                assert_eq!(e.code().map(|c| c.as_str()), Some("qr_not_found"));
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the expired QR session was never forgotten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_long_poll_answers_expired_when_the_clock_passes_the_expiry() {
    let app = spawn_with_manual_clock().await;
    let pc = app.pc().await;
    let waiter = {
        let pc = pc.clone();
        tokio::spawn(async move { pc.wait(1, 60).await.unwrap() })
    };
    until_waiters_held(&app, 1).await;
    app.advance(lifetimes().qr_ms);
    let st = tokio::time::timeout(Duration::from_secs(20), waiter)
        .await
        .expect("the held poll was not woken by the clock")
        .unwrap();
    assert_eq!(
        (st.state, st.version, st.expires_in),
        (QrState::Expired, 2, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_move_short_of_the_expiry_leaves_a_long_poll_waiting_for_the_real_change() {
    let app = spawn_with_manual_clock().await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    let waiter = {
        let pc = pc.clone();
        tokio::spawn(async move { pc.wait(1, 60).await.unwrap() })
    };
    until_waiters_held(&app, 1).await;
    app.advance(lifetimes().qr_ms - 1);
    phone.scan(pc.qr_id()).await.unwrap();
    let st = tokio::time::timeout(Duration::from_secs(20), waiter)
        .await
        .expect("the held poll was not woken by the scan")
        .unwrap();
    assert_eq!((st.state, st.version), (QrState::Scanned, 2));
}
