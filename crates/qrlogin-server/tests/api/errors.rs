//! Authentication errors from the outside: poll token, device binding, passwords.

use crate::helpers::*;
use qrlogin_core::QrState;
use serde_json::json;

#[tokio::test]
async fn the_poll_token_is_required_and_must_be_this_qr_sessions() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let other = app.pc().await;
    let url = format!("{}/api/v1/qr/{}", app.url, pc.qr_id());
    expect_problem(app.raw().get(&url), 401, "unauthorized").await;
    expect_problem(
        app.raw().get(&url).bearer_auth("qlp_nonsense"),
        401,
        "unauthorized",
    )
    .await;
    let unknown = qrlogin_core::Secret::generate(qrlogin_core::SecretKind::Poll);
    expect_problem(
        app.raw().get(&url).bearer_auth(unknown.expose()),
        401,
        "unauthorized",
    )
    .await;
    expect_problem(
        app.raw().get(&url).bearer_auth(other.poll_token().expose()),
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.raw()
            .post(format!("{url}/redeem"))
            .bearer_auth(other.poll_token().expose()),
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.raw()
            .delete(&url)
            .bearer_auth(other.poll_token().expose()),
        403,
        "forbidden",
    )
    .await;
    assert_eq!(pc.status().await.unwrap().state, QrState::Pending);
}

#[tokio::test]
async fn a_mobile_token_only_works_from_the_device_it_was_issued_to() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    assert_eq!(
        code_of(phone.with_device_id("phone-2").scan(pc.qr_id()).await),
        Some("device_mismatch")
    );
    expect_problem(
        app.raw()
            .post(format!("{}/api/v1/qr/{}/scan", app.url, pc.qr_id()))
            .bearer_auth(phone.token().expose()),
        401,
        "device_mismatch",
    )
    .await;
    expect_problem(
        app.raw()
            .get(format!("{}/api/v1/sessions", app.url))
            .bearer_auth(phone.token().expose())
            .header("x-device-id", "phone-1")
            .header("x-device-type", "android"),
        401,
        "device_mismatch",
    )
    .await;
    let unknown = app
        .client
        .phone("qlm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "phone-1");
    assert_eq!(
        code_of(unknown.scan(pc.qr_id()).await),
        Some("unauthorized")
    );
    assert_eq!(pc.status().await.unwrap().state, QrState::Pending);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    let body = |u: &str, p: &str| json!({"username": u, "password": p, "device": {"id": "d", "type": "ios"}});
    let url = format!("{}/api/v1/auth/login", app.url);
    let wrong = app
        .raw()
        .post(&url)
        .json(&body("alice", "nope"))
        .send()
        .await
        .unwrap();
    let unknown = app
        .raw()
        .post(&url)
        .json(&body("mallory", "nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (a, b): (serde_json::Value, serde_json::Value) =
        (wrong.json().await.unwrap(), unknown.json().await.unwrap());
    assert_eq!(a, b);
    assert_eq!(a["code"], "invalid_credentials");
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_with_retry_after() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/auth/login", app.url);
    let body =
        json!({"username": "bob", "password": "guess", "device": {"id": "d", "type": "ios"}});
    for _ in 0..10 {
        assert_eq!(
            app.raw()
                .post(&url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
    }
    let res = app.raw().post(&url).json(&body).send().await.unwrap();
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 429, "rate_limited").await;
}
