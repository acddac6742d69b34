//! Passkeys with Chromium's own WebAuthn and a virtual authenticator: a phone adds a
//! passkey after a password sign-in, signs in with it and approves a PC; a
//! `--no-password` account enrolls from its link and does the same; and the refusals,
//! with credentials the browser really produced (replayed, expired, removed, for
//! another rp id, from a cloned key); and two instances sharing one store, each
//! finishing what the other started.

use crate::harness::{Browser, Test, WAIT};
use crate::passkeys_app::{PkServer, Setup};
use crate::webauthn;
use qrlogin_core::QrState;
use qrlogin_db::ActivityKind;
use serde_json::{json, Value};

/// Five minutes and a millisecond: a challenge is gone.
const PAST_CHALLENGE: i64 = 5 * 60_000 + 1;

async fn phone_with_authenticator(t: &Test) -> (Browser, String) {
    let phone = t.phone("phone", 412, 915, 2.0).await;
    let authenticator = webauthn::add_authenticator(&phone).await;
    (phone, authenticator)
}

/// The phone signs in with its passkey from the sign-in view.
async fn sign_in_with_passkey(phone: &Browser) {
    phone.wait_view("signin").await;
    phone.click("#passkey-signin").await;
    phone.wait_view("home").await;
}

/// A PC asks to sign in; the phone opens the code's link and approves.
async fn approve_a_pc(server: &PkServer, phone: &Browser) {
    let pc = server.client.create_qr(None).await.expect("a PC asks");
    phone
        .goto(&server.at(&format!("/m/qr/{}", pc.qr_id())))
        .await;
    phone.wait_view("prescan").await;
    phone.click("#prescan-continue").await;
    phone.wait_view("request").await;
    phone.click("#confirm").await;
    phone
        .wait_for(
            "the confirmed result",
            "document.querySelector('#view-result[data-result=confirmed]:not([hidden])')",
            WAIT,
        )
        .await;
    let status = pc.status().await.expect("status");
    assert_eq!(status.state, QrState::Confirmed);
}

/// Signs `user` in on the page with a password and adds a passkey from the offer.
async fn password_then_passkey(server: &PkServer, phone: &Browser, user: &str, pass: &str) {
    phone.goto(&server.at("/m")).await;
    phone.wait_view("signin").await;
    phone.type_into("#username", user).await;
    phone.type_into("#password", pass).await;
    phone.click("#signin-submit").await;
    phone.wait_view("home").await;
    phone
        .wait_for(
            "the passkey offer",
            "!document.getElementById('passkey-offer').hidden",
            WAIT,
        )
        .await;
    phone.click("#passkey-offer-add").await;
    phone
        .wait_for(
            "the new passkey in the list",
            "document.querySelectorAll('#passkeys li[data-passkey-id]').length === 1",
            WAIT,
        )
        .await;
}

#[tokio::test]
async fn a_phone_adds_a_passkey_signs_in_with_it_and_approves_a_pc_login() {
    let Some(t) = Test::start("passkeys_add").await else {
        return;
    };
    let server = PkServer::start().await;
    let (phone, authenticator) = phone_with_authenticator(&t).await;
    password_then_passkey(&server, &phone, "alice", "alice-demo").await;
    assert!(phone.visible("#passkey-add").await);
    phone.shot("01-passkey-added").await;
    let held = webauthn::credentials(&phone, &authenticator).await;
    assert_eq!(held.len(), 1, "one resident credential: {held:?}");
    assert_eq!(held[0]["rpId"], "localhost");
    assert_eq!(held[0]["isResidentCredential"], true);

    phone.click("#signout").await;
    sign_in_with_passkey(&phone).await;
    assert_eq!(phone.text("#home-name").await, "Alice");
    phone.shot("02-signed-in-with-passkey").await;
    approve_a_pc(&server, &phone).await;
    phone.shot("03-approved").await;

    assert!(
        server
            .logged("alice", ActivityKind::PasskeyAdded, None)
            .await
    );
    let by_passkey = Some("passkey");
    assert!(
        server
            .logged("alice", ActivityKind::PhoneSignedIn, by_passkey)
            .await
    );
    phone.assert_no_secret_in_urls().await;
}

#[tokio::test]
async fn a_no_password_account_enrolls_from_its_link_signs_in_and_approves_a_pc_login() {
    let Some(t) = Test::start("passkeys_enroll").await else {
        return;
    };
    let server = PkServer::start().await;
    let (_, link) = server.passwordless("carol", "Carol").await;
    assert!(link.starts_with(&server.at("/m/enroll#qle_")), "{link}");
    let secret = link
        .split_once('#')
        .map(|(_, s)| s.to_owned())
        .unwrap_or_default();

    // No password: the password endpoint answers as for a wrong one.
    let body = json!({ "username": "carol", "password": "", "device": PkServer::device("d1") });
    let (status, problem) = server
        .call("POST", "/api/v1/auth/login", Some(body), None)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("invalid_credentials"))
    );

    let (phone, _) = phone_with_authenticator(&t).await;
    phone.goto(&link).await;
    phone.wait_view("enroll").await;
    phone
        .wait_for(
            "the enroll button",
            "!document.getElementById('enroll-submit').hidden",
            WAIT,
        )
        .await;
    assert!(phone.text("#enroll-text").await.contains("Carol"));
    let href = phone.js("return location.href;", vec![]).await;
    assert!(
        !href.as_str().unwrap_or_default().contains("qle_"),
        "the secret leaves the address bar: {href}"
    );
    phone.shot("01-enroll").await;
    phone.click("#enroll-submit").await;
    sign_in_with_passkey(&phone).await;
    assert_eq!(phone.text("#home-name").await, "Carol");
    approve_a_pc(&server, &phone).await;
    assert!(
        server
            .logged("carol", ActivityKind::PasskeyAdded, None)
            .await
    );
    assert!(
        server
            .logged("carol", ActivityKind::PhoneSignedIn, Some("passkey"))
            .await
    );

    // The link was used: the page says so, and the API refuses it.
    phone.goto(&link).await;
    phone.wait_view("enroll").await;
    phone
        .wait_for(
            "the used-link message",
            "document.getElementById('enroll-error').textContent.length > 0",
            WAIT,
        )
        .await;
    assert!(phone.text("#enroll-error").await.contains("used"));
    let (status, problem) = server
        .call(
            "POST",
            "/api/v1/auth/passkeys/enroll/start",
            Some(json!({ "token": secret })),
            None,
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    phone.assert_no_secret_in_urls().await;
}

/// `login/start` on `server`: (challenge_id, options).
async fn start(server: &PkServer) -> (String, Value) {
    let (status, body) = server
        .call("POST", "/api/v1/auth/passkeys/login/start", None, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["options"].get("mediation").is_none(),
        "a modal request, not autofill"
    );
    (
        body["challenge_id"].as_str().unwrap().to_owned(),
        body["options"].clone(),
    )
}

/// `login/finish` on `server`: (status, error code).
async fn finish(server: &PkServer, challenge: &str, credential: &Value) -> (u16, Value) {
    let body = json!({ "challenge_id": challenge, "credential": credential, "device": PkServer::device("api") });
    server
        .call(
            "POST",
            "/api/v1/auth/passkeys/login/finish",
            Some(body),
            None,
        )
        .await
}

fn code(body: &Value) -> Option<&str> {
    body["code"].as_str()
}

#[tokio::test]
async fn replayed_expired_removed_cloned_and_foreign_credentials_are_refused() {
    let Some(t) = Test::start("passkeys_refusals").await else {
        return;
    };
    let server = PkServer::start().await;
    let (phone, authenticator) = phone_with_authenticator(&t).await;
    password_then_passkey(&server, &phone, "alice", "alice-demo").await;

    // A good assertion signs in once; the same again is a replay.
    let (id, options) = start(&server).await;
    let good = webauthn::sign(&phone, &options, None).await;
    let (status, answer) = finish(&server, &id, &good).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["account"]["display_name"], "Alice");
    let (status, body) = finish(&server, &id, &good).await;
    assert_eq!(
        (status, code(&body)),
        (401, Some("invalid_credentials")),
        "replayed challenge"
    );
    let (fresh, _) = start(&server).await;
    let (status, body) = finish(&server, &fresh, &good).await;
    assert_eq!(
        (status, code(&body)),
        (401, Some("invalid_credentials")),
        "an old assertion on a new challenge"
    );

    // Expired: signed in time, presented after five minutes.
    let (id, options) = start(&server).await;
    let late = webauthn::sign(&phone, &options, None).await;
    server.clock.advance(PAST_CHALLENGE);
    let (status, body) = finish(&server, &id, &late).await;
    assert_eq!(
        (status, code(&body)),
        (401, Some("invalid_credentials")),
        "expired challenge"
    );

    // A copy of the key with an older counter: refused, logged, in the activity log.
    let held = webauthn::credentials(&phone, &authenticator).await;
    webauthn::replace_with_count(&phone, &authenticator, &held[0], 0).await;
    let (id, options) = start(&server).await;
    let cloned = webauthn::sign(&phone, &options, None).await;
    let (status, body) = finish(&server, &id, &cloned).await;
    assert_eq!(
        (status, code(&body)),
        (401, Some("invalid_credentials")),
        "counter went back"
    );
    assert!(
        server
            .logged("alice", ActivityKind::PasskeyCloneWarning, None)
            .await
    );
    let count = held[0]["signCount"].as_u64().unwrap_or(0) + 5;
    webauthn::replace_with_count(&phone, &authenticator, &held[0], count).await;

    // Another rp id: a server whose relying party is sub.localhost knows this very
    // credential (same account, same key), but the browser signed for localhost.
    let other = PkServer::on_host("sub.localhost", false).await;
    let alice = server
        .state
        .db
        .account_by_username(&qrlogin_core::Username::parse("alice").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(other.state.db.create_account(&alice).await.unwrap());
    for p in server.state.db.passkeys_of(&alice.id).await.unwrap() {
        assert!(other.state.db.add_passkey(&p).await.unwrap());
    }
    let (id, options) = start(&other).await;
    let foreign = webauthn::sign(&phone, &options, Some("localhost")).await;
    let (status, body) = finish(&other, &id, &foreign).await;
    assert_eq!(
        (status, code(&body)),
        (401, Some("invalid_credentials")),
        "another rp id"
    );

    // Removed: an assertion of a passkey removed meanwhile is refused; so is removing
    // it again, or another account's.
    let (id, options) = start(&server).await;
    let signed = webauthn::sign(&phone, &options, None).await;
    let token = answer["access_token"].as_str().unwrap().to_owned();
    let auth = Some((token.as_str(), "api"));
    let (_, list) = server
        .call("GET", "/api/v1/auth/passkeys", None, auth)
        .await;
    let pk = list["passkeys"][0]["id"]
        .as_str()
        .expect("a passkey")
        .to_owned();
    let bob_body =
        json!({ "username": "bob", "password": "bob-demo", "device": PkServer::device("bob") });
    let (_, bob) = server
        .call("POST", "/api/v1/auth/login", Some(bob_body), None)
        .await;
    let bob_auth = Some((bob["access_token"].as_str().unwrap(), "bob"));
    let path = format!("/api/v1/auth/passkeys/{pk}");
    let (status, body) = server.call("DELETE", &path, None, bob_auth).await;
    assert_eq!(
        (status, code(&body)),
        (404, Some("not_found")),
        "another account's passkey"
    );
    assert_eq!(server.call("DELETE", &path, None, auth).await.0, 204);
    assert_eq!(server.call("DELETE", &path, None, auth).await.0, 404);
    let (status, body) = finish(&server, &id, &signed).await;
    assert_eq!(
        (status, code(&body)),
        (401, Some("invalid_credentials")),
        "removed passkey"
    );
    assert!(
        server
            .logged("alice", ActivityKind::PasskeyRemoved, None)
            .await
    );
}

#[tokio::test]
async fn a_sign_in_started_on_one_instance_finishes_on_another() {
    let Some(t) = Test::start("passkeys_two_instances").await else {
        return;
    };
    assert!(
        qrlogin_testkit::redis::redis_available(),
        "redis-server is needed for two instances sharing one store"
    );
    let redis = qrlogin_testkit::redis::RedisServer::start();
    let file = std::env::temp_dir().join(format!(
        "qrlogin-pk-{}.db",
        qrlogin_core::AccountId::generate()
    ));
    let shared = (redis.url(), format!("sqlite://{}", file.display()));
    let setup = |public_port| Setup {
        host: "localhost",
        demo: true,
        public_port,
        store_and_db: Some(shared.clone()),
    };
    let a = PkServer::with(setup(None)).await;
    // Behind one address: b's relying party is a's public URL.
    let b = PkServer::with(setup(Some(a.port()))).await;
    let (phone, _) = phone_with_authenticator(&t).await;
    password_then_passkey(&a, &phone, "alice", "alice-demo").await;

    let (id, options) = start(&a).await;
    let signed = webauthn::sign(&phone, &options, None).await;
    let (status, body) = finish(&b, &id, &signed).await;
    assert_eq!(status, 200, "started on a, finished on b: {body}");
    let (status, body) = finish(&a, &id, &signed).await;
    assert_eq!(
        (status, code(&body)),
        (401, Some("invalid_credentials")),
        "taken on b, so gone on a"
    );

    let (id, options) = start(&b).await;
    let signed = webauthn::sign(&phone, &options, None).await;
    let (status, body) = finish(&a, &id, &signed).await;
    assert_eq!(status, 200, "started on b, finished on a: {body}");
    drop((a, b));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}
