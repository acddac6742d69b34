//! Phone logout and the activity log through the typed client: events newest first,
//! the account's own only, `limit` bounds answered with 400.

use crate::helpers::*;
use qrlogin_testkit::phone_device;

/// The kinds of `phone`'s activity log, newest first.
async fn kinds(phone: &qrlogin_client::Phone) -> Vec<String> {
    let events = phone.activity(None).await.expect("activity");
    events.into_iter().map(|e| e.kind).collect()
}

#[tokio::test]
async fn a_qr_login_and_a_revoke_appear_in_the_log_newest_first() {
    let app = spawn_app().await;
    let (pc, phone) = app.confirmed().await;
    let session = pc.redeem().await.expect("redeem").session_token;
    let id = app.client.me(&session).await.expect("me").session.id;
    phone.revoke(&id).await.expect("revoke");
    assert_eq!(
        kinds(&phone).await,
        [
            "session_revoked",
            "qr_confirmed",
            "qr_scanned",
            "phone_signed_in"
        ]
    );
    let events = phone.activity(None).await.unwrap();
    let signed_in = events.last().unwrap();
    assert_eq!(signed_in.method.as_deref(), Some("password"));
    assert_eq!(
        signed_in.device.as_ref().unwrap().kind.as_deref(),
        Some("ios")
    );
    assert_eq!(signed_in.ip.as_deref(), Some("127.0.0.1"));
    // The QR events name the PC that asked, not the phone.
    let confirmed = &events[1];
    let pc_device = confirmed.device.as_ref().expect("the PC's device");
    assert_eq!(pc_device.name.as_deref(), Some("Firefox on Linux"));
    assert!(events.windows(2).all(|w| w[0].at >= w[1].at));
    assert!(events.iter().all(|e| e.id.starts_with("evt_")));
}

#[tokio::test]
async fn a_declined_login_is_logged_as_declined() {
    let app = spawn_app().await;
    let (pc, phone, ticket) = app.scanned().await;
    phone.decline(pc.qr_id(), &ticket).await.expect("decline");
    assert_eq!(kinds(&phone).await[0], "qr_declined");
}

#[tokio::test]
async fn another_accounts_events_are_not_shown() {
    let app = spawn_app().await;
    let alice = app.phone("alice", "phone-a").await;
    let bob = app.phone("bob", "phone-b").await;
    let pc = app.pc().await;
    bob.scan(pc.qr_id()).await.expect("bob scans");
    assert_eq!(kinds(&alice).await, ["phone_signed_in"]);
    assert_eq!(kinds(&bob).await, ["qr_scanned", "phone_signed_in"]);
}

#[tokio::test]
async fn a_wrong_password_is_logged_for_the_account_it_was_tried_on() {
    let app = spawn_app().await;
    let wrong = app
        .client
        .login("alice", "not-her-password", phone_device("x"))
        .await;
    assert_eq!(code_of(wrong), Some("invalid_credentials"));
    let alice = app.phone("alice", "phone-a").await;
    // The failure is written in the background (so that it costs no time a guesser
    // could see): wait for it, bounded.
    for _ in 0..100 {
        let k = kinds(&alice).await;
        if k.contains(&"sign_in_failed".to_owned()) {
            assert!(k.contains(&"phone_signed_in".to_owned()));
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("sign_in_failed never appeared");
}

#[tokio::test]
async fn limit_outside_1_to_200_is_a_400_and_inside_it_caps_the_list() {
    let app = spawn_app().await;
    let phone = app.phone("alice", "phone-1").await;
    for _ in 0..3 {
        let pc = app.pc().await;
        phone.scan(pc.qr_id()).await.expect("scan");
    }
    assert_eq!(phone.activity(Some(2)).await.unwrap().len(), 2);
    assert_eq!(phone.activity(Some(200)).await.unwrap().len(), 4);
    assert_eq!(phone.activity(Some(1)).await.unwrap()[0].kind, "qr_scanned");
    for bad in ["0", "201", "-1", "abc", "1.5"] {
        let req = phone.request(
            reqwest::Method::GET,
            &format!("/api/v1/activity?limit={bad}"),
        );
        expect_problem(req, 400, "invalid_request").await;
    }
    // Unauthenticated comes first.
    let req = app
        .client
        .request(reqwest::Method::GET, "/api/v1/activity?limit=0");
    expect_problem(req, 401, "unauthorized").await;
}

#[tokio::test]
async fn phone_logout_revokes_only_this_phones_token_and_is_logged() {
    let app = spawn_app().await;
    let one = app.phone("alice", "phone-1").await;
    let two = app.phone("alice", "phone-2").await;
    one.logout().await.expect("logout");
    assert_eq!(code_of(one.sessions().await), Some("unauthorized"));
    assert_eq!(code_of(one.logout().await), Some("unauthorized"));
    let k = kinds(&two).await;
    assert_eq!(k[0], "phone_signed_out");
    // Another device's id with this token: device_mismatch, and nothing revoked.
    let three = app.phone("alice", "phone-3").await;
    let wrong = three.with_device_id("phone-9");
    assert_eq!(code_of(wrong.logout().await), Some("device_mismatch"));
    three.sessions().await.expect("phone-3 still signed in");
}

#[tokio::test]
async fn the_openapi_document_lists_logout_and_activity() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .raw()
        .get(app.client.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/auth/logout"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/activity"]["get"].is_object());
}

/// One phone confirms many PCs' logins at once, so their events are written together;
/// each confirm's event is in the log as soon as that confirm has answered, and none
/// is missing at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_of_concurrent_confirms_is_all_there_each_visible_right_after_its_confirm() {
    let app = std::sync::Arc::new(spawn_app().await);
    let phone = std::sync::Arc::new(app.phone("alice", "phone-1").await);
    let n = 16;
    let mut logins = Vec::new();
    for i in 0..n {
        let (app, phone) = (app.clone(), phone.clone());
        logins.push(tokio::spawn(async move {
            let name = format!("PC {i}");
            let device = qrlogin_core::DeviceInfo {
                id: None,
                kind: Some("web".into()),
                name: Some(name.clone()),
            };
            let pc = app.client.create_qr(Some(device)).await.expect("create");
            let ticket = phone.scan(pc.qr_id()).await.expect("scan").scan_ticket;
            phone.confirm(pc.qr_id(), &ticket).await.expect("confirm");
            let events = phone.activity(Some(200)).await.expect("activity");
            let mine = |kind: &str| {
                events.iter().any(|e| {
                    e.kind == kind
                        && e.device.as_ref().and_then(|d| d.name.as_deref()) == Some(&name)
                })
            };
            assert!(
                mine("qr_confirmed"),
                "{name}'s confirm is not in the log yet"
            );
            assert!(mine("qr_scanned"), "{name}'s scan is not in the log");
        }));
    }
    for login in logins {
        login.await.expect("login");
    }
    let events = phone.activity(Some(200)).await.expect("activity");
    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count("qr_scanned"), n);
    assert_eq!(count("qr_confirmed"), n);
    assert_eq!(count("phone_signed_in"), 1);
}
