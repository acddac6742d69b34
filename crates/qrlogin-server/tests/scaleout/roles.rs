//! Split roles: a PC-facing and a phone-facing deployment sharing one Redis, each
//! refusing the other side's endpoints, together serving one login.

use crate::helpers::*;
use qrlogin_client::Method;
use qrlogin_core::QrState;
use qrlogin_server::ApiRoles;
use qrlogin_testkit::{phone_device, redis_available, spawn_app, RedisServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pc_instance_and_a_phone_instance_refuse_each_others_endpoints_and_together_complete_a_login(
) {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    // Started together, so both seed the demo accounts at once.
    let (pc_app, phone_app) = tokio::join!(
        spawn_app(on(&redis.url(), ApiRoles::Pc)),
        spawn_app(on(&redis.url(), ApiRoles::Phone)),
    );

    let http = pc_app.client.http();
    let login = serde_json::json!({ "username": "alice", "password": "alice-demo",
        "device": { "id": "phone-1", "type": "ios" } });
    expect_problem(
        http.post(pc_app.client.url("/api/v1/auth/login"))
            .json(&login),
        404,
        "not_found",
    )
    .await;
    let pc = pc_app.pc().await;
    expect_problem(
        http.post(
            pc_app
                .client
                .url(&format!("/api/v1/qr/{}/scan", pc.qr_id())),
        )
        .json(&serde_json::json!({})),
        404,
        "not_found",
    )
    .await;
    expect_problem(
        phone_app
            .client
            .request(Method::POST, "/api/v1/qr")
            .json(&serde_json::json!({})),
        404,
        "not_found",
    )
    .await;

    let phone = phone_app.phone("alice", "phone-1").await;
    let ticket = phone.scan(pc.qr_id()).await.expect("scan").scan_ticket;
    assert_eq!(pc.status().await.unwrap().state, QrState::Scanned);
    phone.confirm(pc.qr_id(), &ticket).await.expect("confirm");
    let session = pc.redeem().await.expect("redeem on the PC instance");
    let alice = phone.account().expect("login answer").id.clone();
    assert_eq!(session.account.id, alice, "one alice, whoever seeded her");
    pc_app.client.me(&session.session_token).await.unwrap();
    assert_eq!(phone.sessions().await.unwrap().len(), 1);

    // A third instance seeds again: nothing changes, bob stays a different account.
    let all = spawn_app(on(&redis.url(), ApiRoles::All)).await;
    let again = all.phone("alice", "phone-2").await;
    assert_eq!(again.account().unwrap().id, alice);
    let bob = phone_app
        .client
        .login_phone("bob", "bob-demo", phone_device("phone-3"))
        .await
        .unwrap();
    assert_ne!(bob.account().unwrap().id, alice);
}
