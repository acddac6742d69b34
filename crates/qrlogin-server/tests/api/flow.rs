//! The login as a user does it, from PC and phone, and the sessions it leaves.

use crate::helpers::*;
use qrlogin_core::QrState;

#[tokio::test]
async fn a_pc_and_a_phone_complete_a_login_end_to_end() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let created = pc.created().expect("create response").clone();
    assert_eq!(created.state, QrState::Pending);
    assert_eq!(created.version, 1);
    assert_eq!(created.qr_id.len(), 22);
    assert!(created.poll_token.starts_with("qlp_"));
    assert_eq!(
        created.qr_content,
        format!("{}/m/qr/{}", app.url, created.qr_id)
    );
    assert!(!created.qr_content.contains(&created.poll_token));
    assert_eq!(created.expires_in, 120);

    let st = pc.status().await.unwrap();
    assert_eq!(
        (st.state, st.version, st.scanner.clone()),
        (QrState::Pending, 1, None)
    );

    let phone = app.phone("alice", "phone-1").await;
    let scan = phone.scan(pc.qr_id()).await.unwrap();
    assert_eq!(scan.state, QrState::Scanned);
    assert!(scan.scan_ticket.starts_with("qls_"));
    let st = pc.status().await.unwrap();
    assert_eq!((st.state, st.version), (QrState::Scanned, 2));
    assert_eq!(st.scanner.unwrap().display_name, "Alice");

    let c = phone.confirm(pc.qr_id(), &scan.scan_ticket).await.unwrap();
    assert_eq!((c.state, c.version), (QrState::Confirmed, 3));

    let r = pc.redeem().await.unwrap();
    assert!(r.session_token.starts_with("qlw_"));
    assert_eq!(r.token_type, "Bearer");
    assert_eq!(r.expires_in, 604_800);
    assert_eq!(r.account.display_name, "Alice");
    let st = pc.status().await.unwrap();
    assert_eq!((st.state, st.version), (QrState::Redeemed, 4));

    let me = app.client.me(&r.session_token).await.unwrap();
    assert_eq!(me.account.display_name, "Alice");
    let listed = phone.sessions().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, me.session.id);
    assert_eq!(
        listed[0].device.as_ref().and_then(|d| d.name.as_deref()),
        Some("Firefox on Linux")
    );

    app.client.logout(&r.session_token).await.unwrap();
    assert_eq!(
        code_of(app.client.me(&r.session_token).await),
        Some("unauthorized")
    );
    assert!(phone.sessions().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_qr_png_decodes_back_to_qr_content_and_the_svg_is_served() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let png = pc.qr_png().await.unwrap();
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, text) = grids[0].decode().unwrap();
    assert_eq!(text, pc.qr_content().unwrap());
    let svg = pc.qr_svg().await.unwrap();
    assert!(String::from_utf8_lossy(&svg).contains("<svg"));
    let res = app
        .raw()
        .get(format!("{}/api/v1/qr/{}/qr.svg", app.url, pc.qr_id()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
}

#[tokio::test]
async fn the_phone_sees_who_is_asking_before_it_confirms() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let phone = app.phone("bob", "phone-b").await;
    let scan = phone.scan(pc.qr_id()).await.unwrap();
    assert_eq!(scan.requester.ip, "127.0.0.1");
    assert_eq!(
        scan.requester.same_network,
        Some(true),
        "PC and phone both on loopback"
    );
    assert_eq!(scan.requester.device.kind.as_deref(), Some("web"));
    assert_eq!(
        scan.requester.device.name.as_deref(),
        Some("Firefox on Linux")
    );
    assert!(scan.requester.device.id.is_none());
    assert!(scan.requester.created_at.ends_with('Z'));
    assert!(scan.expires_in > 100 && scan.expires_in <= 120);
}

#[tokio::test]
async fn the_pc_status_never_shows_the_phones_tokens_device_or_username() {
    let app = spawn_app().await;
    let (pc, phone, ticket) = app.scanned().await;
    let body = app
        .raw()
        .get(format!("{}/api/v1/qr/{}", app.url, pc.qr_id()))
        .bearer_auth(pc.poll_token().expose())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for secret in [
        phone.token().expose(),
        ticket.as_str(),
        "phone-1",
        "alice",
        "acc_",
    ] {
        assert!(!body.contains(secret), "status leaks {secret}: {body}");
    }
    assert!(body.contains("Alice"));
}

#[tokio::test]
async fn a_second_scan_by_the_same_phone_gets_a_new_ticket_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    let (pc, phone, old) = app.scanned().await;
    let again = phone.scan(pc.qr_id()).await.unwrap();
    assert_ne!(again.scan_ticket, old);
    assert_eq!(pc.status().await.unwrap().version, 2);
    assert_eq!(
        code_of(phone.confirm(pc.qr_id(), &old).await),
        Some("invalid_scan_ticket")
    );
    assert_eq!(
        phone
            .confirm(pc.qr_id(), &again.scan_ticket)
            .await
            .unwrap()
            .state,
        QrState::Confirmed
    );
}

#[tokio::test]
async fn a_phone_declines_and_the_pc_sees_cancelled() {
    let app = spawn_app().await;
    let (pc, phone, ticket) = app.scanned().await;
    let r = phone.decline(pc.qr_id(), &ticket).await.unwrap();
    assert_eq!((r.state, r.version), (QrState::Cancelled, 3));
    assert_eq!(pc.status().await.unwrap().state, QrState::Cancelled);
    assert_eq!(code_of(pc.redeem().await), Some("invalid_state"));
    assert_eq!(code_of(phone.scan(pc.qr_id()).await), Some("invalid_state"));
}

#[tokio::test]
async fn the_pc_can_cancel_while_pending_or_scanned_but_not_after_confirm() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let st = pc.cancel().await.unwrap();
    assert_eq!((st.state, st.version), (QrState::Cancelled, 2));
    let (pc, _, _) = app.scanned().await;
    assert_eq!(pc.cancel().await.unwrap().state, QrState::Cancelled);
    let (pc, _) = app.confirmed().await;
    assert_eq!(code_of(pc.cancel().await), Some("invalid_state"));
}

#[tokio::test]
async fn a_phone_revokes_a_pc_session_and_it_stops_working_at_once() {
    let app = spawn_app().await;
    let (pc, phone) = app.confirmed().await;
    let token = pc.redeem().await.unwrap().session_token;
    let id = phone.sessions().await.unwrap()[0].id.clone();
    let bob = app.phone("bob", "phone-b").await;
    assert_eq!(code_of(bob.revoke(&id).await), Some("not_found"));
    assert_eq!(
        code_of(phone.revoke("ses_unknown").await),
        Some("not_found")
    );
    app.client.me(&token).await.unwrap();
    phone.revoke(&id).await.unwrap();
    assert_eq!(code_of(app.client.me(&token).await), Some("unauthorized"));
    assert_eq!(code_of(phone.revoke(&id).await), Some("not_found"));
}
