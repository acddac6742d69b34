//! Shop signs a user in by QR with no qrlogin password anywhere: the PC creates a QR
//! for client `shop` (as the widget does), Shop's mobile backend approves for its user
//! by client credentials, the redeem gives an `id_token`, and Shop's web backend
//! verifies it and starts its own session.

use qrlogin_example_shop::mobile::MobileBackend;
use qrlogin_example_shop::web::Web;
use qrlogin_oauth::{client::generate_secret, Grant};
use qrlogin_server::service::oauth::clients::demo_client;
use serde_json::{json, Value};

#[tokio::test]
async fn a_shop_user_is_signed_in_by_qr_through_the_mobile_backend_and_the_id_token() {
    let app = qrlogin_testkit::spawn_app(qrlogin_server::Config::for_tests()).await;
    // The operator's `qrlogin clients add shop --grant client_credentials --scope qr:approve`.
    let secret = generate_secret();
    let shop = qrlogin_oauth::Client {
        id: "shop".into(),
        name: "Shop".into(),
        secret_hash: Some(secret.hash()),
        grants: vec![Grant::ClientCredentials],
        scopes: vec!["qr:approve".into()],
        redirect_uris: vec![],
        ..demo_client(app.now())
    };
    assert!(app.state.db.create_client(&shop).await.unwrap());

    let web = Web::new(&app.url, "shop");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shop_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, web.router()).await });
    let http = qrlogin_client::http_builder()
        .build()
        .expect("an HTTP client");
    let page = http
        .get(&shop_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("{}/qrlogin.js", app.url)) && page.contains("clientId: \"shop\"")
    );

    // The widget: a QR for client shop.
    let qr: Value = http
        .post(format!("{}/api/v1/qr", app.url))
        .json(&json!({ "client_id": "shop", "device": { "type": "web", "name": "Firefox" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let qr_id = qr["qr_id"].as_str().unwrap();

    // Shop's app scanned it; its mobile backend approves for Shop user 42.
    let mobile = MobileBackend::new(&app.url, "shop", secret.expose());
    let scan = mobile.approve(qr_id, "42", "Frank").await.expect("approve");
    assert_eq!(scan["requester"]["device"]["name"], "Firefox");

    // The widget redeems and hands onLogin the answer; the page posts the id_token.
    let redeemed: Value = http
        .post(format!("{}/api/v1/qr/{qr_id}/redeem", app.url))
        .bearer_auth(qr["poll_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = redeemed["id_token"].as_str().expect("id_token");
    let res = http
        .post(format!("{shop_url}/session"))
        .json(&json!({ "id_token": id_token }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let me: Value = http
        .get(format!("{shop_url}/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(me["user"].as_str().unwrap().starts_with("Frank ("));

    // A forged or foreign token starts no session.
    let res = http
        .post(format!("{shop_url}/session"))
        .json(&json!({ "id_token": format!("{id_token}x") }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(Web::new(&app.url, "other").verify(id_token).await.is_err());
}
