//! The hourly housekeeping deletes expired OAuth rows (here a device login's request,
//! with its device and user codes) and keeps live ones. The hour passes on the server's
//! `ManualClock`; nothing sleeps for it.

use crate::helpers::*;
use qrlogin_core::{Secret, SecretKind, TokenHash};
use qrlogin_server::service::housekeeping::PURGE_EVERY_MS;
use std::time::Duration;

/// A device authorization for the demo client: the hash of its device code, as the
/// database keys it.
async fn device_login(app: &TestApp) -> TokenHash {
    let res = http()
        .post(format!("{}/oauth2/device_authorization", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[("client_id", "demo"), ("scope", "openid")]))
        .send()
        .await
        .expect("device authorization");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    let code = body["device_code"].as_str().expect("device_code");
    Secret::parse_hash(SecretKind::DeviceCode, code).expect("a device code")
}

/// Whether the database still holds the device login of `hash`, expired or not.
async fn stored(app: &TestApp, hash: &TokenHash) -> bool {
    app.state
        .db
        .device_request(hash)
        .await
        .expect("database")
        .is_some()
}

#[tokio::test]
async fn an_hour_later_the_expired_device_login_is_purged_and_a_live_one_is_kept() {
    let app = spawn().await;
    let old = device_login(&app).await;
    app.advance(PURGE_EVERY_MS - 1);
    // Expired long ago (a device login lives minutes), but the hour is not over yet.
    let fresh = device_login(&app).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(stored(&app, &old).await, "purged before the hour was over");

    app.advance(1);
    // The purge runs in the background once the clock moved: wait for it, bounded.
    let gone = async {
        while stored(&app, &old).await {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), gone)
        .await
        .expect("the expired device login is purged");
    assert!(stored(&app, &fresh).await, "a live device login was purged");
}
