//! An account's passkeys without a browser: a phone lists, renames and removes only its
//! own account's, a `--no-password` account cannot use the password endpoint, an
//! enrollment link works until used or expired, passkeys are off without a domain, and
//! the OpenAPI document describes every endpoint.

use crate::helpers::{expect_problem, spawn_app, spawn_with, spawn_with_manual_clock};
use crate::passkeys::{post, refused};
use qrlogin_core::Username;
use qrlogin_db::PasskeyRecord;
use qrlogin_server::service::passkeys_enroll::{create_passwordless_account, enrollment_link};
use qrlogin_server::Config;
use serde_json::{json, Value};

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
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
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
