//! Transition errors: wrong state, wrong scanner, wrong ticket. Each changes nothing.

use crate::helpers::*;
use qrlogin_core::QrState;
use serde_json::json;

#[tokio::test]
async fn a_scan_by_a_second_device_is_rejected() {
    let app = spawn_app().await;
    let (pc, _, _) = app.scanned().await;
    let bob = app.phone("bob", "phone-b").await;
    assert_eq!(code_of(bob.scan(pc.qr_id()).await), Some("already_scanned"));
    let alice_tablet = app.phone("alice", "tablet").await;
    assert_eq!(
        code_of(alice_tablet.scan(pc.qr_id()).await),
        Some("already_scanned")
    );
}

#[tokio::test]
async fn confirm_needs_the_scan_ticket_of_this_device_and_this_qr() {
    let app = spawn_app().await;
    let (pc, phone, ticket) = app.scanned().await;
    let (other_pc, _, other_ticket) = app.scanned().await;
    let url = format!("{}/api/v1/qr/{}/confirm", app.url, pc.qr_id());
    let send = |body: serde_json::Value| {
        app.raw()
            .post(&url)
            .bearer_auth(phone.token().expose())
            .header("x-device-id", "phone-1")
            .json(&body)
            .send()
    };
    assert_problem(send(json!({})).await.unwrap(), 403, "invalid_scan_ticket").await;
    assert_problem(
        send(json!({"scan_ticket": "qls_garbage"})).await.unwrap(),
        403,
        "invalid_scan_ticket",
    )
    .await;
    assert_problem(
        send(json!({"scan_ticket": other_ticket})).await.unwrap(),
        403,
        "invalid_scan_ticket",
    )
    .await;
    assert_problem(
        send(json!({"scan_ticket": 7})).await.unwrap(),
        400,
        "invalid_request",
    )
    .await;
    let bob = app.phone("bob", "phone-b").await;
    assert_eq!(
        code_of(bob.confirm(pc.qr_id(), &ticket).await),
        Some("invalid_scan_ticket")
    );
    assert_eq!(
        code_of(bob.decline(pc.qr_id(), &ticket).await),
        Some("invalid_scan_ticket")
    );
    assert_eq!(pc.status().await.unwrap().state, QrState::Scanned);
    assert_eq!(other_pc.status().await.unwrap().state, QrState::Scanned);
}

#[tokio::test]
async fn transitions_from_the_wrong_state_are_invalid_state() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    assert_eq!(code_of(pc.redeem().await), Some("invalid_state"));
    let fake_ticket = qrlogin_core::Secret::generate(qrlogin_core::SecretKind::ScanTicket);
    assert_eq!(
        code_of(phone.confirm(pc.qr_id(), fake_ticket.expose()).await),
        Some("invalid_state")
    );
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    assert_eq!(code_of(pc.redeem().await), Some("invalid_state"));
    phone.confirm(pc.qr_id(), &ticket).await.unwrap();
    assert_eq!(
        code_of(phone.confirm(pc.qr_id(), &ticket).await),
        Some("invalid_state")
    );
    assert_eq!(
        code_of(phone.decline(pc.qr_id(), &ticket).await),
        Some("invalid_state")
    );
    assert_eq!(code_of(phone.scan(pc.qr_id()).await), Some("invalid_state"));
    pc.redeem().await.unwrap();
    assert_eq!(code_of(pc.redeem().await), Some("already_redeemed"));
    assert_eq!(code_of(pc.cancel().await), Some("invalid_state"));
}
