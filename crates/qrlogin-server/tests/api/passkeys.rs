//! Passkey endpoints without a browser: what the server says before any credential is
//! checked, and the refusals that need no authenticator (unknown, used, expired or
//! other-purpose challenges, unknown credentials, `--no-password` accounts at the
//! password endpoint, used enrollment links). The ceremonies themselves, with real
//! credentials, are tested in Chromium (crates/qrlogin-e2e, `passkeys`). What a phone
//! and the operator do with an account's passkeys is in `passkeys_accounts`.

use crate::helpers::{expect_problem, spawn_app, spawn_with_manual_clock, TestApp};
use serde_json::{json, Value};

/// base64url of `bytes`.
fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// A well-formed assertion of a credential this server never registered.
fn stranger() -> Value {
    let raw = b64(b"never-registered-credential");
    json!({ "id": raw, "rawId": raw, "type": "public-key", "extensions": {}, "response": {
        "authenticatorData": b64(&[0u8; 37]), "clientDataJSON": b64(b"{}"),
        "signature": b64(&[1u8; 64]), "userHandle": b64(&[2u8; 16]) } })
}

/// `POST path` with a JSON body: `(status, JSON body or null)`.
pub(crate) async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let res = app
        .raw()
        .post(format!("{}{path}", app.url))
        .json(&body)
        .send()
        .await
        .expect("answer");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn login_start(app: &TestApp) -> String {
    let (status, body) = post(app, "/api/v1/auth/passkeys/login/start", json!({})).await;
    assert_eq!(status, 200, "{body}");
    body["challenge_id"]
        .as_str()
        .expect("challenge_id")
        .to_owned()
}

async fn login_finish(app: &TestApp, challenge: &str, credential: Value) -> (u16, Value) {
    let device = json!({ "id": "p1", "type": "android", "name": "Test" });
    let body = json!({ "challenge_id": challenge, "credential": credential, "device": device });
    post(app, "/api/v1/auth/passkeys/login/finish", body).await
}

/// Whether `answer` is the one refusal every failed passkey sign-in gets.
pub(crate) fn refused(answer: &(u16, Value)) -> bool {
    answer.0 == 401 && answer.1["code"] == "invalid_credentials"
}

#[tokio::test]
async fn a_sign_in_starts_without_a_username_or_token_for_the_localhost_relying_party() {
    let app = spawn_app().await;
    let (status, body) = post(&app, "/api/v1/auth/passkeys/login/start", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let pk = &body["options"]["publicKey"];
    assert!(
        pk["challenge"].as_str().is_some_and(|c| c.len() >= 43),
        "{pk}"
    );
    // Served on 127.0.0.1 without --public-url: the relying party is localhost.
    assert_eq!(pk["rpId"], "localhost");
    assert_eq!(pk["allowCredentials"], json!([]));
    assert!(body["options"].get("mediation").is_none());
}

#[tokio::test]
async fn unknown_used_and_other_purpose_challenges_and_unknown_credentials_are_refused() {
    let app = spawn_app().await;
    assert!(refused(
        &login_finish(&app, "pkc_AAAAAAAAAAAAAAAAAAAAAA", stranger()).await
    ));
    assert!(refused(
        &login_finish(&app, "not a challenge", stranger()).await
    ));
    let id = login_start(&app).await;
    assert!(
        refused(&login_finish(&app, &id, stranger()).await),
        "unknown credential"
    );
    assert!(
        refused(&login_finish(&app, &id, stranger()).await),
        "used challenge"
    );
    let phone = app.phone("alice", "p1").await;
    let res = app
        .raw()
        .post(format!("{}/api/v1/auth/passkeys/register/start", app.url))
        .bearer_auth(phone.token().expose())
        .header("X-Device-Id", "p1")
        .send()
        .await
        .expect("answer");
    let reg: Value = res.json().await.expect("json");
    let reg_id = reg["challenge_id"].as_str().expect("challenge_id");
    assert!(
        refused(&login_finish(&app, reg_id, stranger()).await),
        "a registration challenge"
    );
}

#[tokio::test]
async fn a_challenge_presented_after_five_minutes_is_refused() {
    let app = spawn_with_manual_clock().await;
    let id = login_start(&app).await;
    app.advance(5 * 60_000);
    assert!(refused(&login_finish(&app, &id, stranger()).await));
}

#[tokio::test]
async fn registration_needs_a_phone_and_asks_for_a_discoverable_credential() {
    let app = spawn_app().await;
    let start = format!("{}/api/v1/auth/passkeys/register/start", app.url);
    expect_problem(app.raw().post(&start), 401, "unauthorized").await;
    let phone = app.phone("alice", "p1").await;
    let res = app
        .raw()
        .post(&start)
        .bearer_auth(phone.token().expose())
        .header("X-Device-Id", "p1");
    let body: Value = res
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    let pk = &body["options"]["publicKey"];
    assert_eq!(
        pk["authenticatorSelection"]["residentKey"], "required",
        "{pk}"
    );
    assert_eq!(pk["authenticatorSelection"]["userVerification"], "required");
    assert_eq!(pk["user"]["name"], "alice");
    assert_eq!(pk["rp"]["id"], "localhost");
}
