//! The entry-point limits count in Redis, so a guesser cannot multiply its budget by
//! the number of instances behind the load balancer.

use crate::helpers::*;
use qrlogin_server::limits::Limits;
use qrlogin_server::ApiRoles;
use qrlogin_testkit::{redis_available, spawn_app, RedisServer, TestApp};
use serde_json::{json, Value};

/// `POST /api/v1/device/code` with `user_code` by the phone of `token` on `app`.
async fn type_code(app: &TestApp, token: &str, user_code: &str) -> u16 {
    app.raw()
        .post(format!("{}/api/v1/device/code", app.url))
        .header("x-device-id", "phone-1")
        .bearer_auth(token)
        .json(&json!({ "user_code": user_code }))
        .send()
        .await
        .expect("user code request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn user_codes_typed_on_two_instances_count_against_one_budget() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let config = || qrlogin_server::Config {
        limits: Limits {
            user_code_attempts_per_ip: 2,
            ..Limits::default()
        },
        ..on(&redis.url(), ApiRoles::All)
    };
    let (a, b) = (spawn_app(config()).await, spawn_app(config()).await);
    let started: Value = a
        .raw()
        .post(format!("{}/oauth2/device_authorization", a.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("client_id=demo&scope=openid")
        .send()
        .await
        .expect("device authorization")
        .json()
        .await
        .expect("JSON");
    let user_code = started["user_code"].as_str().expect("user_code");
    let phone = a.phone("alice", "phone-1").await;
    let token = phone.token().expose().to_owned();
    assert_eq!(type_code(&a, &token, "BBBB-BBBB").await, 404);
    assert_eq!(type_code(&b, &token, "CCCC-CCCC").await, 404);
    assert_eq!(type_code(&a, &token, user_code).await, 429);
    assert_eq!(type_code(&b, &token, user_code).await, 429);
}
