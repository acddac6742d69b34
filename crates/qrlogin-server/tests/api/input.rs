//! Bad input from the outside: malformed ids, bodies, queries, routes, methods. Each
//! gets a clear 4xx problem+json and changes nothing.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn malformed_and_unknown_qr_ids_are_400_and_404() {
    let app = spawn_app().await;
    let phone = app.phone("alice", "phone-1").await;
    expect_problem(
        app.raw()
            .get(format!("{}/api/v1/qr/not-an-id/qr.png", app.url)),
        400,
        "invalid_request",
    )
    .await;
    let unknown = qrlogin_core::QrId::generate();
    expect_problem(
        app.raw()
            .get(format!("{}/api/v1/qr/{unknown}/qr.svg", app.url)),
        404,
        "qr_not_found",
    )
    .await;
    assert_eq!(
        code_of(phone.scan(unknown.as_str()).await),
        Some("qr_not_found")
    );
    assert_eq!(code_of(phone.scan("short").await), Some("invalid_request"));
}

#[tokio::test]
async fn bad_bodies_get_400_413_and_415_problems() {
    let app = spawn_app().await;
    let login = format!("{}/api/v1/auth/login", app.url);
    let post = |b: &'static str| {
        app.raw()
            .post(&login)
            .header("content-type", "application/json")
            .body(b)
    };
    expect_problem(post("{not json"), 400, "invalid_request").await;
    expect_problem(
        post(r#"{"username": 5, "password": "x", "device": {}}"#),
        400,
        "invalid_request",
    )
    .await;
    expect_problem(post(r#"{"username": "alice"}"#), 400, "invalid_request").await;
    expect_problem(
        post(r#"{"username":"alice","password":"alice-demo","device":{"type":"ios"}}"#),
        400,
        "invalid_request",
    )
    .await;
    expect_problem(
        post(r#"{"username":"alice","password":"alice-demo","device":{"id":"x"}}"#),
        400,
        "invalid_request",
    )
    .await;
    expect_problem(
        app.raw()
            .post(&login)
            .header("content-type", "text/plain")
            .body("hello"),
        415,
        "unsupported_media_type",
    )
    .await;
    let big = format!(r#"{{"device": {{"name": "{}"}}}}"#, "x".repeat(17 * 1024));
    expect_problem(
        app.raw()
            .post(format!("{}/api/v1/qr", app.url))
            .header("content-type", "application/json")
            .body(big),
        413,
        "payload_too_large",
    )
    .await;
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let app = spawn_app().await;
    expect_problem(
        app.raw().get(format!("{}/api/v1/nothing", app.url)),
        404,
        "not_found",
    )
    .await;
    let res = app
        .raw()
        .put(format!("{}/api/v1/qr", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_client_chosen_qr_id_is_ignored() {
    let app = spawn_app().await;
    let chosen = "AAAAAAAAAAAAAAAAAAAAAA";
    let res = app
        .raw()
        .post(format!("{}/api/v1/qr", app.url))
        .json(&json!({"qr_id": chosen}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_ne!(body["qr_id"], chosen);
}

#[tokio::test]
async fn bad_long_poll_parameters_are_400() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    for q in ["wait=61", "wait=-1", "wait=abc", "since=x"] {
        expect_problem(
            app.raw()
                .get(format!("{}/api/v1/qr/{}?{q}", app.url, pc.qr_id()))
                .bearer_auth(pc.poll_token().expose()),
            400,
            "invalid_request",
        )
        .await;
    }
}

#[tokio::test]
async fn a_device_name_of_129_characters_is_refused_for_pc_and_phone_alike() {
    let app = spawn_app().await;
    let name = "n".repeat(129);
    let pc = serde_json::json!({ "device": { "type": "web", "name": name } });
    expect_problem(
        app.raw().post(format!("{}/api/v1/qr", app.url)).json(&pc),
        400,
        "invalid_request",
    )
    .await;
    let phone = serde_json::json!({
        "username": "alice", "password": "alice-demo",
        "device": { "id": "p1", "type": "ios", "name": name },
    });
    expect_problem(
        app.raw()
            .post(format!("{}/api/v1/auth/login", app.url))
            .json(&phone),
        400,
        "invalid_request",
    )
    .await;
    let fits = serde_json::json!({
        "username": "alice", "password": "alice-demo",
        "device": { "id": "p1", "type": "ios", "name": "n".repeat(128) },
    });
    let res = app
        .raw()
        .post(format!("{}/api/v1/auth/login", app.url))
        .json(&fits)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
