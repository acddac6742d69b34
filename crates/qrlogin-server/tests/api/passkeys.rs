//! Passkey endpoints without a browser: what the server says before any credential is
//! checked, and the refusals that need no authenticator (unknown, used, expired or
//! other-purpose challenges, unknown credentials, `--no-password` accounts at the
//! password endpoint, used enrollment links). The ceremonies themselves, with real
//! credentials, are tested in Chromium (crates/qrlogin-e2e, `passkeys`).

use crate::helpers::{expect_problem, spawn_app, spawn_with, spawn_with_manual_clock, TestApp};
use qrlogin_core::Username;
use qrlogin_db::PasskeyRecord;
use qrlogin_server::service::passkeys_enroll::{create_passwordless_account, enrollment_link};
use qrlogin_server::Config;
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

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
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

fn refused(answer: &(u16, Value)) -> bool {
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

#[tokio::test]
async fn a_phone_lists_renames_and_removes_only_its_own_accounts_passkeys() {
    let app = spawn_app().await;
    let alice = app.phone("alice", "p1").await;
    let bob = app.phone("bob", "p2").await;
    let db = &app.state.db;
    let owner = db
        .account_by_username(&Username::parse("alice").unwrap())
        .await
        .unwrap()
        .unwrap();
    let p = PasskeyRecord {
        id: qrlogin_core::RandomId::generate(qrlogin_db::PASSKEY_ID_PREFIX),
        account_id: owner.id.clone(),
        name: "Old phone".into(),
        credential_id: b"cred-1".to_vec(),
        passkey: "{}".into(),
        counter: 0,
        created_at: app.now(),
        last_used_at: None,
    };
    assert!(db.add_passkey(&p).await.unwrap());
    let url = |path: &str| format!("{}{path}", app.url);
    let as_ = |req: reqwest::RequestBuilder, ph: &qrlogin_client::Phone, dev: &str| {
        req.bearer_auth(ph.token().expose())
            .header("X-Device-Id", dev)
    };
    let list: Value = as_(app.raw().get(url("/api/v1/auth/passkeys")), &alice, "p1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["passkeys"][0]["name"], "Old phone");
    assert_eq!(list["passkeys"][0]["last_used_at"], Value::Null);
    let bobs: Value = as_(app.raw().get(url("/api/v1/auth/passkeys")), &bob, "p2")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bobs, json!({ "passkeys": [] }));
    let one = url(&format!("/api/v1/auth/passkeys/{}", p.id));
    let rename = json!({ "name": "Work phone" });
    expect_problem(
        as_(app.raw().patch(&one), &bob, "p2").json(&rename),
        404,
        "not_found",
    )
    .await;
    expect_problem(as_(app.raw().delete(&one), &bob, "p2"), 404, "not_found").await;
    let renamed: Value = as_(app.raw().patch(&one), &alice, "p1")
        .json(&rename)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["name"], "Work phone");
    let long = json!({ "name": "x".repeat(65) });
    expect_problem(
        as_(app.raw().patch(&one), &alice, "p1").json(&long),
        400,
        "invalid_request",
    )
    .await;
    let gone = as_(app.raw().delete(&one), &alice, "p1")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    expect_problem(as_(app.raw().delete(&one), &alice, "p1"), 404, "not_found").await;
    let unknown = url("/api/v1/auth/passkeys/pk_unknown");
    expect_problem(
        as_(app.raw().delete(&unknown), &alice, "p1"),
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_no_password_account_is_refused_at_the_password_endpoint() {
    let app = spawn_app().await;
    let user = Username::parse("carol").unwrap();
    let made = create_passwordless_account(app.state.db.as_ref(), &user, "Carol", None, app.now());
    assert!(made.await.unwrap().is_some());
    for password in ["", "carol-demo", "anything"] {
        let device = json!({ "id": "p1", "type": "android" });
        let body = json!({ "username": "carol", "password": password, "device": device });
        assert!(
            refused(&post(&app, "/api/v1/auth/login", body).await),
            "password {password:?}"
        );
    }
}

#[tokio::test]
async fn an_enrollment_link_starts_until_it_is_used_or_expires_and_never_after() {
    let app = spawn_with_manual_clock().await;
    let db = app.state.db.as_ref();
    let user = Username::parse("dave").unwrap();
    let id = create_passwordless_account(db, &user, "Dave", None, app.now())
        .await
        .unwrap()
        .unwrap();
    let link = enrollment_link(db, &app.url, &id, app.now())
        .await
        .unwrap()
        .unwrap();
    let (base, secret) = link.split_once('#').expect("the secret after #");
    assert_eq!(base, format!("{}/m/enroll", app.url));
    let start = |token: &str| {
        post(
            &app,
            "/api/v1/auth/passkeys/enroll/start",
            json!({ "token": token }),
        )
    };
    let (status, body) = start(secret).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account"]["display_name"], "Dave");
    assert_eq!(
        body["options"]["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert!(refused(&start("qle_malformed").await));
    assert!(refused(&start(&secret.replace("qle_", "qlm_")).await));

    // Used (an enrollment finished): never again.
    let hash =
        qrlogin_core::Secret::parse_hash(qrlogin_core::SecretKind::Enrollment, secret).unwrap();
    let p = PasskeyRecord {
        id: qrlogin_core::RandomId::generate(qrlogin_db::PASSKEY_ID_PREFIX),
        account_id: id.clone(),
        name: "Phone".into(),
        credential_id: b"dave-1".to_vec(),
        passkey: "{}".into(),
        counter: 0,
        created_at: app.now(),
        last_used_at: None,
    };
    assert!(db.enroll_passkey(&hash, &p, app.now()).await.unwrap());
    assert!(refused(&start(secret).await), "a used link");

    // Another link expires after 24 hours.
    let link = enrollment_link(db, &app.url, &id, app.now())
        .await
        .unwrap()
        .unwrap();
    let secret = link.split_once('#').unwrap().1.to_owned();
    assert_eq!(start(&secret).await.0, 200);
    app.advance(24 * 3_600_000);
    assert!(refused(&start(&secret).await), "an expired link");
}

#[tokio::test]
async fn passkeys_are_off_when_the_public_url_is_not_a_domain() {
    let config = Config {
        public_url: Some("http://10.1.2.3:8080".into()),
        ..Config::for_tests()
    };
    let app = spawn_with(config).await;
    let (status, body) = post(&app, "/api/v1/auth/passkeys/login/start", json!({})).await;
    assert_eq!((status, body["code"].as_str()), (503, Some("unavailable")));
}

#[tokio::test]
async fn the_openapi_document_describes_every_passkey_endpoint() {
    let app = spawn_app().await;
    let doc: Value = app
        .raw()
        .get(format!("{}/openapi.json", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/auth/passkeys", "get"),
        ("/api/v1/auth/passkeys/{id}", "delete"),
        ("/api/v1/auth/passkeys/{id}", "patch"),
        ("/api/v1/auth/passkeys/register/start", "post"),
        ("/api/v1/auth/passkeys/register/finish", "post"),
        ("/api/v1/auth/passkeys/login/start", "post"),
        ("/api/v1/auth/passkeys/login/finish", "post"),
        ("/api/v1/auth/passkeys/enroll/start", "post"),
        ("/api/v1/auth/passkeys/enroll/finish", "post"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} is not in the document"
        );
    }
}
