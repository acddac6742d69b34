//! The entry points that check no password but let one client guess or churn: the
//! OAuth token, device authorization and revocation endpoints, typed device user codes, passkey
//! sign-in. Past an address's budget each answers 429 `rate_limited` with
//! `Retry-After` (in RFC 6749 JSON on the OAuth endpoints), changes nothing, and
//! leaves every other address alone; the budget comes back when its window ends.

use crate::helpers::*;
use qrlogin_server::limits::Limits;
use qrlogin_server::Config;
use qrlogin_testkit::spawn_app_with_manual_clock;
use serde_json::{json, Value};

/// A server behind a trusted proxy with `limits`, on a clock the test moves.
async fn spawn_with(limits: Limits) -> TestApp {
    spawn_app_with_manual_clock(Config {
        limits,
        ..behind_proxy()
    })
    .await
}

/// A form POST to `path` as if from `ip`.
async fn form_from(
    app: &TestApp,
    path: &str,
    ip: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    app.raw()
        .post(format!("{}{path}", app.url))
        .header("x-forwarded-for", ip)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("form request")
}

/// A device authorization of the demo client from `ip`.
async fn device_authorization(app: &TestApp, ip: &str) -> reqwest::Response {
    let form = [("client_id", "demo"), ("scope", "openid")];
    form_from(app, "/oauth2/device_authorization", ip, &form).await
}

/// One device-grant poll of `device_code` from `ip`.
async fn poll_from(app: &TestApp, ip: &str, device_code: &str) -> reqwest::Response {
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device_code", device_code),
        ("client_id", "demo"),
    ];
    form_from(app, "/oauth2/token", ip, &form).await
}

/// Checks an OAuth endpoint's 429: RFC 6749 JSON `rate_limited`, `Retry-After`, no-store.
async fn assert_oauth_429(res: reqwest::Response) {
    assert_eq!(res.status(), 429);
    assert!(retry_after(&res) >= 1);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.expect("JSON");
    assert_eq!(body["error"], "rate_limited", "{body}");
}

/// `POST /api/v1/device/code` with `user_code` by alice's phone, as if from `ip`.
async fn type_code_from(
    app: &TestApp,
    token: &str,
    ip: &str,
    user_code: &str,
) -> reqwest::Response {
    app.raw()
        .post(format!("{}/api/v1/device/code", app.url))
        .header("x-forwarded-for", ip)
        .header("x-device-id", "phone-1")
        .bearer_auth(token)
        .json(&json!({ "user_code": user_code }))
        .send()
        .await
        .expect("user code request")
}

#[tokio::test]
async fn a_device_polling_past_the_token_budget_gets_429_and_its_login_still_completes() {
    let app = spawn_with(Limits {
        oauth_per_ip_per_minute: 2,
        ..Limits::default()
    })
    .await;
    let started: Value = device_authorization(&app, "203.0.113.1")
        .await
        .json()
        .await
        .unwrap();
    let device_code = started["device_code"].as_str().expect("device_code");
    let tv = "203.0.113.9";
    assert_eq!(poll_from(&app, tv, device_code).await.status(), 400);
    assert_eq!(poll_from(&app, tv, device_code).await.status(), 400);
    assert_oauth_429(poll_from(&app, tv, device_code).await).await;
    // Another address is not limited by this one.
    let other = poll_from(&app, "203.0.113.10", device_code).await;
    assert_eq!(
        other.status(),
        400,
        "another address is refused for its own reasons"
    );

    // Nothing changed: once the window ends (the device login still has a minute to
    // live) the same device code gets its tokens.
    app.advance(60_000);
    let qr_id = started["verification_uri_complete"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("qr id");
    let phone = app.phone("alice", "phone-1").await;
    let ticket = phone.scan(qr_id).await.expect("scan").scan_ticket;
    phone.confirm(qr_id, &ticket).await.expect("confirm");
    let res = poll_from(&app, tv, device_code).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
}

#[tokio::test]
async fn device_authorizations_past_the_budget_get_429_in_oauth_json_and_other_addresses_go_on() {
    let app = spawn_with(Limits {
        oauth_per_ip_per_minute: 2,
        ..Limits::default()
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            device_authorization(&app, "203.0.113.1").await.status(),
            200
        );
    }
    assert_oauth_429(device_authorization(&app, "203.0.113.1").await).await;
    assert_eq!(
        device_authorization(&app, "203.0.113.2").await.status(),
        200
    );
    // Token requests have a budget of their own.
    let poll = poll_from(&app, "203.0.113.1", "qld_unknown").await;
    assert_eq!(poll.status(), 400);
    app.advance(60_000);
    assert_eq!(
        device_authorization(&app, "203.0.113.1").await.status(),
        200
    );
}

#[tokio::test]
async fn revocations_past_the_budget_get_429_in_oauth_json_and_other_addresses_go_on() {
    let app = spawn_with(Limits {
        oauth_per_ip_per_minute: 2,
        ..Limits::default()
    })
    .await;
    let form = [("client_id", "demo"), ("token", "qla_unknown")];
    for _ in 0..2 {
        let res = form_from(&app, "/oauth2/revoke", "203.0.113.1", &form).await;
        assert_eq!(res.status(), 200, "an unknown token is revoked quietly");
    }
    assert_oauth_429(form_from(&app, "/oauth2/revoke", "203.0.113.1", &form).await).await;
    let other = form_from(&app, "/oauth2/revoke", "203.0.113.2", &form).await;
    assert_eq!(other.status(), 200);
    // Token requests have a budget of their own.
    let poll = poll_from(&app, "203.0.113.1", "qld_unknown").await;
    assert_eq!(poll.status(), 400);
    app.advance(60_000);
    let res = form_from(&app, "/oauth2/revoke", "203.0.113.1", &form).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn guessing_user_codes_is_stopped_even_for_the_right_code_and_only_at_that_address() {
    let app = spawn_with(Limits {
        user_code_attempts_per_ip: 3,
        ..Limits::default()
    })
    .await;
    let started: Value = device_authorization(&app, "203.0.113.1")
        .await
        .json()
        .await
        .unwrap();
    let user_code = started["user_code"].as_str().expect("user_code");
    let phone = app.phone("alice", "phone-1").await;
    let token = phone.token().expose().to_owned();
    let guesser = "198.51.100.66";
    for wrong in ["BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD"] {
        let res = type_code_from(&app, &token, guesser, wrong).await;
        assert_eq!(res.status(), 404, "{wrong}");
    }
    let stopped = type_code_from(&app, &token, guesser, user_code).await;
    assert_eq!(stopped.status(), 429);
    assert!(retry_after(&stopped) >= 1);
    assert_eq!(code(stopped).await, "rate_limited");

    // Nothing changed: the code still opens its login, from another address.
    let res = type_code_from(&app, &token, "198.51.100.7", user_code).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(started["verification_uri_complete"]
        .as_str()
        .unwrap()
        .ends_with(body["qr_id"].as_str().unwrap()));
    // The guesser's budget comes back only when the window (5 minutes) ends.
    app.advance(299_000);
    let again = type_code_from(&app, &token, guesser, "BBBB-BBBB").await;
    assert_eq!(again.status(), 429);
    app.advance(1_000);
    let next: Value = device_authorization(&app, "203.0.113.1")
        .await
        .json()
        .await
        .unwrap();
    let next_code = next["user_code"].as_str().expect("user_code");
    let res = type_code_from(&app, &token, guesser, next_code).await;
    assert_eq!(res.status(), 200);
}

/// A passkey sign-in request to `path` (`start` or `finish`) as if from `ip`.
async fn passkey_from(app: &TestApp, ip: &str, path: &str, body: Value) -> reqwest::Response {
    app.raw()
        .post(format!("{}/api/v1/auth/passkeys/login/{path}", app.url))
        .header("x-forwarded-for", ip)
        .json(&body)
        .send()
        .await
        .expect("passkey request")
}

#[tokio::test]
async fn passkey_sign_in_start_and_finish_share_one_budget_per_address() {
    let app = spawn_with(Limits {
        passkey_per_ip_per_minute: 3,
        ..Limits::default()
    })
    .await;
    let ip = "203.0.113.5";
    for _ in 0..2 {
        assert_eq!(
            passkey_from(&app, ip, "start", json!({})).await.status(),
            200
        );
    }
    let finish = json!({
        "challenge_id": "nope",
        "credential": {},
        "device": { "id": "p1", "type": "android", "name": "Test" },
    });
    let refused = passkey_from(&app, ip, "finish", finish.clone()).await;
    assert_ne!(
        refused.status(),
        429,
        "the third request is within the budget"
    );
    for path in ["start", "finish"] {
        let body = if path == "start" {
            json!({})
        } else {
            finish.clone()
        };
        let res = passkey_from(&app, ip, path, body).await;
        assert_eq!(res.status(), 429, "{path}");
        assert!(retry_after(&res) >= 1);
        assert_eq!(code(res).await, "rate_limited");
    }
    assert_eq!(
        passkey_from(&app, "203.0.113.6", "start", json!({}))
            .await
            .status(),
        200
    );
    app.advance(60_000);
    assert_eq!(
        passkey_from(&app, ip, "start", json!({})).await.status(),
        200
    );
}
