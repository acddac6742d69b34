//! Passkey refusals with credentials the browser really produced (replayed, expired,
//! removed, signed for another rp id, from a cloned key), and two instances sharing
//! one store, each finishing what the other started.

use crate::harness::Test;
use crate::passkeys::{password_then_passkey, phone_with_authenticator};
use crate::passkeys_app::{PkServer, Setup};
use crate::webauthn;
use qrlogin_db::ActivityKind;
use serde_json::{json, Value};

/// Five minutes and a millisecond: a challenge is gone.
const PAST_CHALLENGE: i64 = 5 * 60_000 + 1;

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
    server.advance(PAST_CHALLENGE);
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
