//! Headers: `Cache-Control: no-store` on every answer that carries a secret, `nosniff`
//! on API answers, CORS off by default and on for configured origins only; `[]` is no
//! create body.

use crate::helpers::*;
use qrlogin_server::Config;

fn no_store(res: &reqwest::Response, what: &str) {
    let h = res.headers();
    assert_eq!(
        h.get("cache-control").map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "{what}"
    );
    assert_eq!(
        h.get("x-content-type-options").map(|v| v.to_str().unwrap()),
        Some("nosniff"),
        "{what}"
    );
}

#[tokio::test]
async fn every_answer_that_carries_a_secret_is_no_store_and_nosniff() {
    let app = spawn_app(behind_proxy()).await;
    let login = login_from(&app, "198.51.100.7", "alice", "alice-demo").await;
    no_store(&login, "login");
    let token = login.json::<serde_json::Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = create_from(&app, "198.51.100.8").await;
    no_store(&create, "create");
    let created: serde_json::Value = create.json().await.unwrap();
    let (id, poll) = (
        created["qr_id"].as_str().unwrap(),
        created["poll_token"].as_str().unwrap(),
    );
    let phone = app.client.phone(token.as_str(), "phone-1");
    let scan = phone
        .request(reqwest::Method::POST, &format!("/api/v1/qr/{id}/scan"))
        .send()
        .await
        .unwrap();
    no_store(&scan, "scan");
    let ticket = scan.json::<serde_json::Value>().await.unwrap()["scan_ticket"]
        .as_str()
        .unwrap()
        .to_owned();
    phone.confirm(id, &ticket).await.expect("confirm");
    let redeem = app
        .raw()
        .post(format!("{}/api/v1/qr/{id}/redeem", app.url))
        .bearer_auth(poll)
        .send()
        .await
        .unwrap();
    assert_eq!(redeem.status(), 200);
    no_store(&redeem, "redeem");
    let problem = app
        .raw()
        .get(format!("{}/api/v1/qr/{id}", app.url))
        .send()
        .await
        .unwrap();
    no_store(&problem, "a problem answer");
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.raw()
        .request(reqwest::Method::OPTIONS, format!("{}/api/v1/qr", app.url))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_is_off_by_default() {
    let app = spawn_app(Config::for_tests()).await;
    let res = preflight(&app, "https://shop.example").await;
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let create = app
        .raw()
        .post(format!("{}/api/v1/qr", app.url))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert!(create
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn cors_answers_a_configured_origin_with_the_widget_headers_and_no_other() {
    let app = spawn_app(Config {
        cors_origins: vec!["https://shop.example".into()],
        ..Config::for_tests()
    })
    .await;
    let res = preflight(&app, "https://shop.example").await;
    assert!(res.status().is_success(), "{}", res.status());
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "https://shop.example");
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for needed in ["authorization", "content-type", "x-device-id"] {
        assert!(allowed.contains(needed), "{allowed}");
    }
    let create = app
        .raw()
        .post(format!("{}/api/v1/qr", app.url))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        create.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let other = preflight(&app, "https://evil.example").await;
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn an_array_is_not_a_create_body() {
    let app = spawn_app(Config::for_tests()).await;
    for body in ["[]", "[1]", "5", "\"x\""] {
        let res = app
            .raw()
            .post(format!("{}/api/v1/qr", app.url))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{body}");
        assert_eq!(code(res).await, "invalid_request");
    }
}
