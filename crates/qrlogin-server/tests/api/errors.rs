//! Every error code of the contract, from the outside: bad input gets a clear 4xx
//! problem+json and changes nothing.

use crate::helpers::*;
use qrlogin_core::QrState;
use serde_json::json;

#[tokio::test]
async fn the_poll_token_is_required_and_must_be_this_qr_sessions() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let other = app.pc().await;
    let url = format!("{}/api/v1/qr/{}", app.url, pc.qr_id());
    assert_problem(
        app.raw().get(&url).send().await.unwrap(),
        401,
        "unauthorized",
    )
    .await;
    assert_problem(
        app.raw()
            .get(&url)
            .bearer_auth("qlp_nonsense")
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    let unknown = qrlogin_core::Secret::generate(qrlogin_core::SecretKind::Poll);
    assert_problem(
        app.raw()
            .get(&url)
            .bearer_auth(unknown.expose())
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    let foreign = app
        .raw()
        .get(&url)
        .bearer_auth(other.poll_token().expose())
        .send()
        .await
        .unwrap();
    assert_problem(foreign, 403, "forbidden").await;
    let redeem = app
        .raw()
        .post(format!("{url}/redeem"))
        .bearer_auth(other.poll_token().expose())
        .send()
        .await
        .unwrap();
    assert_problem(redeem, 403, "forbidden").await;
    let cancel = app
        .raw()
        .delete(&url)
        .bearer_auth(other.poll_token().expose())
        .send()
        .await
        .unwrap();
    assert_problem(cancel, 403, "forbidden").await;
    assert_eq!(pc.status().await.unwrap().state, QrState::Pending);
}

#[tokio::test]
async fn malformed_and_unknown_qr_ids_are_400_and_404() {
    let app = spawn_app().await;
    let phone = app.phone("alice", "phone-1").await;
    assert_problem(
        app.raw()
            .get(format!("{}/api/v1/qr/not-an-id/qr.png", app.url))
            .send()
            .await
            .unwrap(),
        400,
        "invalid_request",
    )
    .await;
    let unknown = qrlogin_core::QrId::generate();
    assert_problem(
        app.raw()
            .get(format!("{}/api/v1/qr/{unknown}/qr.svg", app.url))
            .send()
            .await
            .unwrap(),
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
async fn a_mobile_token_only_works_from_the_device_it_was_issued_to() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    assert_eq!(
        code_of(phone.with_device_id("phone-2").scan(pc.qr_id()).await),
        Some("device_mismatch")
    );
    let no_header = app
        .raw()
        .post(format!("{}/api/v1/qr/{}/scan", app.url, pc.qr_id()))
        .bearer_auth(phone.token().expose())
        .send()
        .await
        .unwrap();
    assert_problem(no_header, 401, "device_mismatch").await;
    let wrong_type = app
        .raw()
        .get(format!("{}/api/v1/sessions", app.url))
        .bearer_auth(phone.token().expose())
        .header("x-device-id", "phone-1")
        .header("x-device-type", "android")
        .send()
        .await
        .unwrap();
    assert_problem(wrong_type, 401, "device_mismatch").await;
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
    assert_problem(
        post("{not json").send().await.unwrap(),
        400,
        "invalid_request",
    )
    .await;
    assert_problem(
        post(r#"{"username": 5, "password": "x", "device": {}}"#)
            .send()
            .await
            .unwrap(),
        400,
        "invalid_request",
    )
    .await;
    assert_problem(
        post(r#"{"username": "alice"}"#).send().await.unwrap(),
        400,
        "invalid_request",
    )
    .await;
    assert_problem(
        post(r#"{"username":"alice","password":"alice-demo","device":{"type":"ios"}}"#)
            .send()
            .await
            .unwrap(),
        400,
        "invalid_request",
    )
    .await;
    assert_problem(
        post(r#"{"username":"alice","password":"alice-demo","device":{"id":"x"}}"#)
            .send()
            .await
            .unwrap(),
        400,
        "invalid_request",
    )
    .await;
    let text = app
        .raw()
        .post(&login)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_problem(text, 415, "unsupported_media_type").await;
    let big = format!(r#"{{"device": {{"name": "{}"}}}}"#, "x".repeat(17 * 1024));
    let res = app
        .raw()
        .post(format!("{}/api/v1/qr", app.url))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_problem(res, 413, "payload_too_large").await;
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let app = spawn_app().await;
    assert_problem(
        app.raw()
            .get(format!("{}/api/v1/nothing", app.url))
            .send()
            .await
            .unwrap(),
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
async fn a_scan_by_a_second_device_is_rejected() {
    let app = spawn_app().await;
    let (pc, _, _) = app.scanned().await;
    let bob = app.phone("bob", "phone-b").await;
    assert_eq!(code_of(bob.scan(pc.qr_id()).await), Some("already_scanned"));
    let alice_tablet = app.phone("alice", "tablet").await;
    assert_eq!(
        code_of(alice_tablet.scan(pc.qr_id()).await),
        Some("already_scanned")
    );
}

#[tokio::test]
async fn confirm_needs_the_scan_ticket_of_this_device_and_this_qr() {
    let app = spawn_app().await;
    let (pc, phone, ticket) = app.scanned().await;
    let (other_pc, _, other_ticket) = app.scanned().await;
    let url = format!("{}/api/v1/qr/{}/confirm", app.url, pc.qr_id());
    let send = |body: serde_json::Value| {
        app.raw()
            .post(&url)
            .bearer_auth(phone.token().expose())
            .header("x-device-id", "phone-1")
            .json(&body)
            .send()
    };
    assert_problem(send(json!({})).await.unwrap(), 403, "invalid_scan_ticket").await;
    assert_problem(
        send(json!({"scan_ticket": "qls_garbage"})).await.unwrap(),
        403,
        "invalid_scan_ticket",
    )
    .await;
    assert_problem(
        send(json!({"scan_ticket": other_ticket})).await.unwrap(),
        403,
        "invalid_scan_ticket",
    )
    .await;
    assert_problem(
        send(json!({"scan_ticket": 7})).await.unwrap(),
        400,
        "invalid_request",
    )
    .await;
    let bob = app.phone("bob", "phone-b").await;
    assert_eq!(
        code_of(bob.confirm(pc.qr_id(), &ticket).await),
        Some("invalid_scan_ticket")
    );
    assert_eq!(
        code_of(bob.decline(pc.qr_id(), &ticket).await),
        Some("invalid_scan_ticket")
    );
    assert_eq!(pc.status().await.unwrap().state, QrState::Scanned);
    assert_eq!(other_pc.status().await.unwrap().state, QrState::Scanned);
}

#[tokio::test]
async fn transitions_from_the_wrong_state_are_invalid_state() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    assert_eq!(code_of(pc.redeem().await), Some("invalid_state"));
    let fake_ticket = qrlogin_core::Secret::generate(qrlogin_core::SecretKind::ScanTicket);
    assert_eq!(
        code_of(phone.confirm(pc.qr_id(), fake_ticket.expose()).await),
        Some("invalid_state")
    );
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    assert_eq!(code_of(pc.redeem().await), Some("invalid_state"));
    phone.confirm(pc.qr_id(), &ticket).await.unwrap();
    assert_eq!(
        code_of(phone.confirm(pc.qr_id(), &ticket).await),
        Some("invalid_state")
    );
    assert_eq!(
        code_of(phone.decline(pc.qr_id(), &ticket).await),
        Some("invalid_state")
    );
    assert_eq!(code_of(phone.scan(pc.qr_id()).await), Some("invalid_state"));
    pc.redeem().await.unwrap();
    assert_eq!(code_of(pc.redeem().await), Some("already_redeemed"));
    assert_eq!(code_of(pc.cancel().await), Some("invalid_state"));
}

#[tokio::test]
async fn bad_long_poll_parameters_are_400() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    for q in ["wait=61", "wait=-1", "wait=abc", "since=x"] {
        let res = app
            .raw()
            .get(format!("{}/api/v1/qr/{}?{q}", app.url, pc.qr_id()))
            .bearer_auth(pc.poll_token().expose())
            .send()
            .await
            .unwrap();
        assert_problem(res, 400, "invalid_request").await;
    }
}
