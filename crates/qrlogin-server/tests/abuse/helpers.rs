//! A server behind a "proxy" (the test client connects from loopback, which
//! `--trust-proxy` trusts, and writes the `X-Forwarded-For` a proxy would append), and
//! raw requests from a chosen client address.

use qrlogin_core::DeviceInfo;
use qrlogin_server::Config;
pub use qrlogin_testkit::{phone_device, spawn_app, TestApp};
use serde_json::{json, Value};

/// Test config with loopback trusted as our proxy.
pub fn behind_proxy() -> Config {
    Config {
        trust_proxy: true,
        ..Config::for_tests()
    }
}

/// `POST /api/v1/qr` as if from `ip` (through the trusted proxy).
pub async fn create_from(app: &TestApp, ip: &str) -> reqwest::Response {
    app.raw()
        .post(format!("{}/api/v1/qr", app.url))
        .header("x-forwarded-for", ip)
        .send()
        .await
        .expect("create request")
}

/// A phone password login as if from `ip`; the raw answer.
pub async fn login_from(app: &TestApp, ip: &str, user: &str, password: &str) -> reqwest::Response {
    app.raw()
        .post(format!("{}/api/v1/auth/login", app.url))
        .header("x-forwarded-for", ip)
        .json(&json!({ "username": user, "password": password, "device": phone_device("phone-1") }))
        .send()
        .await
        .expect("login request")
}

/// A long poll held on `pc`'s session (`since` = its version 1) as if from `ip`.
pub fn long_poll_from(
    app: &TestApp,
    qr_id: &str,
    token: &str,
    ip: &str,
) -> reqwest::RequestBuilder {
    app.raw()
        .get(format!("{}/api/v1/qr/{qr_id}?wait=30&since=1", app.url))
        .header("x-forwarded-for", ip)
        .bearer_auth(token)
}

/// The `Retry-After` seconds of a response (panics if absent: every 429 has one).
pub fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .expect("a Retry-After header")
}

/// The `code` of a problem+json body.
pub async fn code(res: reqwest::Response) -> String {
    let body: Value = res.json().await.expect("a JSON body");
    body["code"].as_str().unwrap_or_default().to_owned()
}

/// A PC device description with `name`.
pub fn pc_named(name: &str) -> DeviceInfo {
    DeviceInfo {
        id: None,
        kind: Some("web".into()),
        name: Some(name.into()),
    }
}

/// Waits (bounded) until the server holds `n` waiters.
pub async fn until_waiters_held(app: &TestApp, n: usize) {
    for _ in 0..500 {
        if app.state.held.load(std::sync::atomic::Ordering::Relaxed) >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the server never held {n} waiters");
}
