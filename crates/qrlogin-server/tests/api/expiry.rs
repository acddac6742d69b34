//! Expiry with short lifetimes: reported as `expired` with version + 1, refused with
//! 410, and forgotten after the grace period.

use crate::helpers::*;
use qrlogin_core::QrState;
use std::time::Duration;

#[tokio::test]
async fn an_unscanned_qr_expires_with_the_next_version_and_refuses_everything() {
    let app = spawn_with_lifetimes(1_000, 60_000, 60_000).await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
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
    let app = spawn_with_lifetimes(60_000, 1_000, 60_000).await;
    let (pc, _) = app.confirmed().await;
    assert_eq!(pc.status().await.unwrap().expires_in, 1);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let st = pc.status().await.unwrap();
    assert_eq!((st.state, st.version), (QrState::Expired, 4));
    assert_eq!(code_of(pc.redeem().await), Some("qr_expired"));
}

#[tokio::test]
async fn a_scanned_qr_that_is_not_confirmed_in_time_expires() {
    let app = spawn_with_lifetimes(1_000, 60_000, 60_000).await;
    let (pc, phone, ticket) = app.scanned().await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
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
async fn an_expired_qr_is_forgotten_after_the_grace_period() {
    let app = spawn_with_lifetimes(500, 60_000, 500).await;
    let pc = app.pc().await;
    let mut seen_expired = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        match pc.status().await {
            Ok(st) => seen_expired |= st.state == QrState::Expired,
            Err(e) => {
                assert_eq!(e.code().map(|c| c.as_str()), Some("qr_not_found"));
                assert!(seen_expired, "reported as expired before it was forgotten");
                return;
            }
        }
    }
    panic!("the expired QR session was never forgotten");
}
