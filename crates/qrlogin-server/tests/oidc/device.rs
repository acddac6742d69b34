//! The device grant (RFC 8628) by the stock client, its polling (`authorization_pending`,
//! `slow_down`), and its refusals. Time moves with the `ManualClock`: the client's
//! `sleep_fn` advances it instead of sleeping.

use crate::helpers::*;
use openidconnect::core::CoreDeviceAuthorizationResponse;
use openidconnect::{DeviceAuthorizationUrl, OAuth2TokenResponse, Scope};
use std::sync::Mutex;
use std::time::Duration;

/// Raw device authorization for the demo client.
async fn start(app: &TestApp) -> serde_json::Value {
    let res = http()
        .post(format!("{}/oauth2/device_authorization", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[("client_id", "demo"), ("scope", "openid")]))
        .send()
        .await
        .expect("device authorization");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.expect("json")
}

fn qr_id_of(complete_uri: &str) -> String {
    complete_uri.rsplit('/').next().expect("qr id").to_owned()
}

async fn poll(app: &TestApp, device_code: &str) -> (u16, serde_json::Value) {
    token(
        app,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
            ("client_id", "demo"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_stock_device_client_polls_through_pending_and_slow_down_to_tokens() {
    let app = spawn().await;
    let meta = metadata(&app).await;
    let rp = openidconnect::core::CoreClient::from_provider_metadata(
        meta,
        openidconnect::ClientId::new("demo".into()),
        None,
    )
    .set_device_authorization_url(
        DeviceAuthorizationUrl::new(format!("{}/oauth2/device_authorization", app.url)).unwrap(),
    );
    let c = http();
    let hc = move |r| send(c.clone(), r);
    let details: CoreDeviceAuthorizationResponse = rp
        .exchange_device_code()
        .add_scope(Scope::new("profile".into()))
        .request_async(&hc)
        .await
        .expect("device code");
    let user_code = details.user_code().secret().clone();
    assert!(
        user_code.len() == 9 && user_code.as_bytes()[4] == b'-',
        "{user_code}"
    );
    assert!(user_code
        .chars()
        .filter(|c| *c != '-')
        .all(|c| "BCDFGHJKLMNPQRSTVWXZ".contains(c)));
    assert_eq!(
        details.verification_uri().as_str(),
        format!("{}/m/device", app.url)
    );
    let complete_uri = details
        .verification_uri_complete()
        .expect("complete")
        .secret()
        .clone();
    assert!(
        complete_uri.starts_with(&format!("{}/m/qr/", app.url)),
        "{complete_uri}"
    );
    assert_eq!(details.interval(), Duration::from_secs(5));

    // The phone types the user code and lands on the same QR session.
    let phone = app.phone("alice", "phone-1").await;
    let res = phone
        .request(reqwest::Method::POST, "/api/v1/device/code")
        .json(&serde_json::json!({ "user_code": user_code.to_lowercase() }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let found: serde_json::Value = res.json().await.unwrap();
    let qr_id = qr_id_of(&complete_uri);
    assert_eq!(found["qr_id"], qr_id.as_str());

    let slept = Mutex::new(Vec::new());
    let sleep = |d: Duration| {
        let n = {
            let mut s = slept.lock().unwrap();
            s.push(d);
            s.len()
        };
        let (app, phone, qr_id) = (&app, &phone, qr_id.as_str());
        async move {
            if n == 1 {
                app.advance(1_000); // too soon: the server answers slow_down
            } else {
                app.advance(d.as_millis() as i64);
                if n == 2 {
                    let scan = phone.scan(qr_id).await.expect("scan");
                    phone
                        .confirm(qr_id, &scan.scan_ticket)
                        .await
                        .expect("confirm");
                }
            }
        }
    };
    let tokens = rp
        .exchange_device_access_token(&details)
        .expect("configured")
        .request_async(&hc, sleep, None)
        .await
        .expect("device tokens");
    assert!(tokens.access_token().secret().starts_with("qla_"));
    assert_eq!(
        *slept.lock().unwrap(),
        [Duration::from_secs(5), Duration::from_secs(10)]
    );
}

#[tokio::test]
async fn polling_too_fast_is_slow_down_and_the_interval_grows_by_five_seconds() {
    let app = spawn().await;
    let d = start(&app).await;
    let code = d["device_code"].as_str().unwrap();
    assert_eq!(poll(&app, code).await.1["error"], "authorization_pending");
    assert_eq!(poll(&app, code).await.1["error"], "slow_down");
    app.advance(5_000);
    assert_eq!(
        poll(&app, code).await.1["error"],
        "slow_down",
        "the interval is now 10 s"
    );
    app.advance(15_000);
    assert_eq!(poll(&app, code).await.1["error"], "authorization_pending");
}

#[tokio::test]
async fn a_declined_device_login_is_access_denied() {
    let app = spawn().await;
    let d = start(&app).await;
    phone_decides(
        &app,
        &qr_id_of(d["verification_uri_complete"].as_str().unwrap()),
        false,
    )
    .await;
    let (status, body) = poll(&app, d["device_code"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied"))
    );
}

#[tokio::test]
async fn an_expired_device_code_is_expired_token() {
    let app = spawn().await;
    let d = start(&app).await;
    app.advance(d["expires_in"].as_i64().unwrap() * 1000);
    let (status, body) = poll(&app, d["device_code"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("expired_token"))
    );
}

#[tokio::test]
async fn a_used_device_code_is_invalid_grant() {
    let app = spawn().await;
    let d = start(&app).await;
    let code = d["device_code"].as_str().unwrap();
    phone_decides(
        &app,
        &qr_id_of(d["verification_uri_complete"].as_str().unwrap()),
        true,
    )
    .await;
    let (status, body) = poll(&app, code).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["id_token"].is_string());
    app.advance(5_000);
    let (status, body) = poll(&app, code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn an_unknown_user_code_is_not_found_on_the_phone() {
    let app = spawn().await;
    let phone = app.phone("alice", "phone-1").await;
    let res = phone
        .request(reqwest::Method::POST, "/api/v1/device/code")
        .json(&serde_json::json!({ "user_code": "BBBB-BBBB" }))
        .send()
        .await
        .unwrap();
    qrlogin_testkit::assert_problem(res, 404, "not_found").await;
}

#[tokio::test]
async fn the_tv_page_and_the_phones_code_page_are_served() {
    let app = spawn().await;
    for (path, needle) in [
        ("/device", "/static/device.js"),
        ("/m/device", "/static/m-device.js"),
    ] {
        let res = http()
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.text().await.expect("html").contains(needle), "{path}");
    }
}
