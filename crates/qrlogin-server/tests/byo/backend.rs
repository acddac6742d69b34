//! Trusted backends approving for their own users, by client credentials.

use crate::helpers::{accounts, backend, backend_token, client, spawn, TestApp};
use qrlogin_oauth::Grant;
use serde_json::json;

/// A confidential client with client_credentials and `scopes`; its access token.
async fn backend_of(app: &TestApp, id: &str, scopes: &[&str]) -> String {
    let secret = client(app, id, vec![Grant::ClientCredentials], scopes, false)
        .await
        .expect("secret");
    backend_token(app, id, &secret, &scopes.join(" ")).await
}

fn scan_body(subject: &str) -> serde_json::Value {
    json!({ "subject": subject, "display_name": "Dave", "avatar_url": null,
            "device": { "id": "dave-phone", "type": "android", "name": "Dave's Pixel" } })
}

#[tokio::test]
async fn a_backend_scans_and_confirms_for_its_user_and_the_pc_is_signed_in_as_them() {
    let app = spawn().await;
    let at = backend_of(&app, "shop", &["qr:approve"]).await;
    let pc = app.pc().await;
    let id = pc.qr_id();
    let (status, scan) = backend(&app, &at, &format!("{id}/scan"), scan_body("u-42")).await;
    assert_eq!(status, 200, "{scan}");
    assert_eq!(scan["state"], "scanned");
    assert_eq!(scan["requester"]["device"]["name"], "Firefox on Linux");
    let ticket = scan["scan_ticket"].as_str().unwrap();
    let (status, done) = backend(
        &app,
        &at,
        &format!("{id}/confirm"),
        json!({ "subject": "u-42", "scan_ticket": ticket }),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], "confirmed");
    let redeemed = pc.redeem().await.expect("redeem");
    assert_eq!(redeemed.account.display_name, "Dave");
    // Every call is in the user's activity log, naming the client.
    let acc = qrlogin_core::AccountId::parse(&redeemed.account.id).unwrap();
    let events = app.state.db.events_of(&acc, 10).await.unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["qr_confirmed", "qr_scanned"]);
    assert!(events
        .iter()
        .all(|e| e.client.as_ref().map(|c| c.id.as_str()) == Some("shop")));
}

#[tokio::test]
async fn a_backend_cancel_declines_the_login() {
    let app = spawn().await;
    let at = backend_of(&app, "shop", &["qr:approve"]).await;
    let pc = app.pc().await;
    let id = pc.qr_id();
    let (_, scan) = backend(&app, &at, &format!("{id}/scan"), scan_body("u-1")).await;
    let body = json!({ "subject": "u-1", "scan_ticket": scan["scan_ticket"] });
    let (status, done) = backend(&app, &at, &format!("{id}/cancel"), body).await;
    assert_eq!((status, done["state"].as_str()), (200, Some("cancelled")));
}

#[tokio::test]
async fn a_backend_without_the_scope_is_forbidden_and_a_bad_token_unauthorized() {
    let app = spawn().await;
    let at = backend_of(&app, "reports", &["openid"]).await;
    let pc = app.pc().await;
    let path = format!("{}/scan", pc.qr_id());
    let before = accounts(&app).await;
    let (status, body) = backend(&app, &at, &path, scan_body("u-1")).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    for bad in ["qla_nonsense", "garbage", ""] {
        let (status, body) = backend(&app, bad, &path, scan_body("u-1")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (401, Some("unauthorized")),
            "{bad}"
        );
    }
    // An expired token (10 minutes) is unauthorized too.
    let good = backend_of(&app, "shop", &["qr:approve"]).await;
    app.advance(601_000);
    let pc = app.pc().await;
    let (status, _) = backend(&app, &good, &format!("{}/scan", pc.qr_id()), scan_body("u")).await;
    assert_eq!(status, 401);
    assert_eq!(accounts(&app).await, before, "nothing made");
}

#[tokio::test]
async fn a_backend_cannot_act_for_another_clients_subject() {
    let app = spawn().await;
    let shop = backend_of(&app, "shop", &["qr:approve"]).await;
    let rival = backend_of(&app, "rival", &["qr:approve"]).await;
    let pc = app.pc().await;
    let id = pc.qr_id();
    let (_, scan) = backend(&app, &shop, &format!("{id}/scan"), scan_body("u-7")).await;
    let ticket = scan["scan_ticket"].clone();
    // The same subject name at another client is another person: no ticket of theirs.
    let body = json!({ "subject": "u-7", "scan_ticket": ticket });
    let (status, err) = backend(&app, &rival, &format!("{id}/confirm"), body.clone()).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (403, Some("invalid_scan_ticket"))
    );
    let (status, err) = backend(&app, &rival, &format!("{id}/scan"), scan_body("u-7")).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (409, Some("already_scanned"))
    );
    let (status, _) = backend(&app, &shop, &format!("{id}/confirm"), body).await;
    assert_eq!(status, 200, "the shop's own subject still confirms");
    let a = app
        .state
        .db
        .account_by_link("client:shop", "u-7")
        .await
        .unwrap();
    assert!(a.is_some());
    assert!(app
        .state
        .db
        .account_by_link("client:rival", "u-7")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn of_a_backend_and_a_phone_scanning_one_qr_at_once_exactly_one_wins() {
    let app = spawn().await;
    let at = backend_of(&app, "shop", &["qr:approve"]).await;
    let phone = app.phone("alice", "phone-1").await;
    for round in 0..5 {
        let pc = app.pc().await;
        let id = pc.qr_id().to_owned();
        let path = format!("{id}/scan");
        let (b, p) = tokio::join!(
            backend(&app, &at, &path, scan_body(&format!("u-{round}"))),
            phone.scan(&id)
        );
        let wins = usize::from(b.0 == 200) + usize::from(p.is_ok());
        assert_eq!(wins, 1, "round {round}: backend {b:?}, phone {p:?}");
        if b.0 != 200 {
            assert_eq!(b.1["code"], "already_scanned");
        } else {
            assert_eq!(qrlogin_testkit::code_of(p), Some("already_scanned"));
        }
    }
}
