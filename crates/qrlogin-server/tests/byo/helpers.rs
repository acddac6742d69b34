//! The server, clients and raw requests the tests share.

use qrlogin_oauth::client::generate_secret;
use qrlogin_oauth::{Client, Grant};
use qrlogin_server::service::oauth::clients::demo_client;
use qrlogin_server::Config;
pub use qrlogin_testkit::TestApp;
use serde_json::Value;

/// The server with demo data on a `ManualClock`.
pub async fn spawn() -> TestApp {
    qrlogin_testkit::spawn_app_with_manual_clock(Config::for_tests()).await
}

/// Registers a client `id` with `grants` and `scopes`; its secret if confidential.
pub async fn client(
    app: &TestApp,
    id: &str,
    grants: Vec<Grant>,
    scopes: &[&str],
    public: bool,
) -> Option<String> {
    let secret = (!public).then(generate_secret);
    let c = Client {
        id: id.into(),
        name: format!("{id} app"),
        secret_hash: secret.as_ref().map(|s| s.hash()),
        grants,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        redirect_uris: vec![],
        ..demo_client(app.now())
    };
    assert!(app.state.db.create_client(&c).await.expect("create client"));
    secret.map(|s| s.expose().to_owned())
}

/// A raw form POST to `/oauth2/token`, with HTTP Basic when `basic` is given.
pub async fn token(
    app: &TestApp,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut req = app
        .raw()
        .post(format!("{}/oauth2/token", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let res = req.send().await.expect("token");
    (res.status().as_u16(), res.json().await.expect("json"))
}

/// A backend's `qr:approve` access token by client credentials.
pub async fn backend_token(app: &TestApp, id: &str, secret: &str, scope: &str) -> String {
    let (status, body) = token(
        app,
        Some((id, secret)),
        &[("grant_type", "client_credentials"), ("scope", scope)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("token").to_owned()
}

/// A backend call; answers status and JSON.
pub async fn backend(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let res = app
        .raw()
        .post(format!("{}/api/v1/backend/qr/{path}", app.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("backend call");
    let status = res.status().as_u16();
    if status >= 400 {
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "backend errors are problem+json"
        );
    }
    (status, res.json().await.expect("json"))
}

/// How many accounts exist.
pub async fn accounts(app: &TestApp) -> usize {
    app.state.db.list_accounts().await.expect("accounts").len()
}
