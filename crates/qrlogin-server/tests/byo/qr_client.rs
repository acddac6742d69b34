//! A QR login made for a client: the redeem answer carries an ID token for it.

use crate::helpers::{backend, backend_token, client, spawn};
use qrlogin_oauth::verify::verify_id_token;
use qrlogin_oauth::{Grant, JwkSet};
use serde_json::{json, Value};

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
    let redeemed: Value = app
        .raw()
        .post(format!("{}/api/v1/qr/{id}/redeem", app.url))
        .bearer_auth(qr["poll_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let raw: Value = app
        .raw()
        .post(format!("{}/api/v1/qr/{}/redeem", app.url, pc.qr_id()))
        .bearer_auth(pc.poll_token().expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(raw.get("session_token").is_some() && raw.get("id_token").is_none());
}
