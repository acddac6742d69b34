//! A QR login made for a client: the redeem answer carries an ID token for it.

use crate::helpers::{backend, backend_token, client, spawn};
use qrlogin_oauth::verify::verify_id_token;
use qrlogin_oauth::{Grant, JwkSet};
use serde_json::{json, Value};

/// The redeem answer of QR session `id` as raw JSON (the typed client has no field for
/// what a test checks the absence of).
async fn raw_redeem(app: &qrlogin_testkit::TestApp, id: &str, poll_token: &str) -> Value {
    app.raw()
        .post(format!("{}/api/v1/qr/{id}/redeem", app.url))
        .bearer_auth(poll_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_qr_made_for_a_client_redeems_with_an_id_token_the_product_verifies_offline() {
    let app = spawn().await;
    let secret = client(
        &app,
        "shop",
        vec![Grant::ClientCredentials],
        &["qr:approve"],
        false,
    )
    .await
    .unwrap();
    let at = backend_token(&app, "shop", &secret, "qr:approve").await;
    let res = app
        .raw()
        .post(format!("{}/api/v1/qr", app.url))
        .json(&json!({ "client_id": "shop", "device": { "type": "web" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let qr: Value = res.json().await.unwrap();
    let id = qr["qr_id"].as_str().unwrap();
    let (_, scan) = backend(
        &app,
        &at,
        &format!("{id}/scan"),
        json!({ "subject": "s1", "display_name": "Erin" }),
    )
    .await;
    assert_eq!(
        scan["requester"]["client"]["id"], "shop",
        "the scan names the client"
    );
    let body = json!({ "subject": "s1", "scan_ticket": scan["scan_ticket"] });
    assert_eq!(
        backend(&app, &at, &format!("{id}/confirm"), body).await.0,
        200
    );
    let redeemed: Value = raw_redeem(&app, id, qr["poll_token"].as_str().unwrap()).await;
    let token = redeemed["id_token"].as_str().expect("id_token");
    let jwks: JwkSet = app
        .raw()
        .get(format!("{}/oauth2/jwks", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claims = verify_id_token(token, &jwks, &app.url, "shop", app.now()).expect("verifies");
    assert_eq!(claims.sub, redeemed["account"]["id"].as_str().unwrap());
    assert_eq!(claims.amr, ["qr"]);
    assert_eq!(claims.name.as_deref(), Some("Erin"));
    assert!(verify_id_token(token, &jwks, &app.url, "other", app.now()).is_err());
}

#[tokio::test]
async fn an_unknown_client_id_is_invalid_request_and_a_plain_qr_has_no_id_token() {
    let app = spawn().await;
    let res = app
        .raw()
        .post(format!("{}/api/v1/qr", app.url))
        .json(&json!({ "client_id": "nobody" }))
        .send()
        .await
        .unwrap();
    qrlogin_testkit::assert_problem(res, 400, "invalid_request").await;
    let (pc, _) = app.confirmed().await;
    let raw: Value = raw_redeem(&app, pc.qr_id(), pc.poll_token().expose()).await;
    assert!(raw.get("session_token").is_some() && raw.get("id_token").is_none());
}

/// A plain QR session records that it was made for no client, so neither its scan nor
/// its redeem asks the database for an OAuth request: one stored under its id after
/// it was made (which no server would write) is never seen.
#[tokio::test]
async fn a_plain_qr_login_makes_no_oauth_request_lookup_on_scan_or_redeem() {
    let app = spawn().await;
    client(&app, "shop", vec![Grant::ClientCredentials], &[], false)
        .await
        .unwrap();
    let pc = app.pc().await;
    let row = qrlogin_db::OAuthRequest {
        qr_id: pc.qr_id().to_owned(),
        client_id: "shop".into(),
        redirect_uri: None,
        scope: "openid profile".into(),
        state: None,
        nonce: None,
        code_challenge: None,
        device_code_hash: None,
        user_code_hash: None,
        pace: Default::default(),
        expires_at: app.now() + 600_000,
    };
    app.state.db.put_oauth_request(&row).await.unwrap();
    let phone = app.phone("alice", "phone-1").await;
    let scan = phone.scan(pc.qr_id()).await.expect("scan");
    assert!(scan.requester.client.is_none(), "the scan looked it up");
    phone
        .confirm(pc.qr_id(), &scan.scan_ticket)
        .await
        .expect("confirm");
    let redeemed: Value = raw_redeem(&app, pc.qr_id(), pc.poll_token().expose()).await;
    assert!(
        redeemed.get("id_token").is_none(),
        "the redeem looked it up"
    );
    assert_eq!(redeemed["account"]["display_name"], "Alice");
}
