//! Which address a request is from. Through a trusted proxy the client is the
//! right-most `X-Forwarded-For` entry our proxies did not write, so a client cannot
//! pose as the phone's network; without trusted proxies the header is ignored.

use crate::helpers::*;
use qrlogin_server::limits::Limits;
use qrlogin_server::Config;
use serde_json::Value;

/// Alice's phone, signed in from `phone_ip`, scans `qr_id` from there; the scan body.
async fn scan_from(app: &TestApp, qr_id: &str, phone_ip: &str) -> Value {
    let phone = app.phone("alice", "phone-1").await;
    let res = app
        .raw()
        .post(format!("{}/api/v1/qr/{qr_id}/scan", app.url))
        .header("x-forwarded-for", phone_ip)
        .header("x-device-id", "phone-1")
        .bearer_auth(phone.token().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_spoofed_forwarded_for_through_a_trusted_proxy_does_not_become_the_requester() {
    let app = spawn_app(behind_proxy()).await;
    let phone_ip = "198.51.100.7";
    // The attacker writes the phone's address; our proxy appends the one it saw.
    let res = create_from(&app, &format!("{phone_ip}, 203.0.113.66")).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let scan = scan_from(&app, created["qr_id"].as_str().unwrap(), phone_ip).await;
    assert_eq!(scan["requester"]["ip"], "203.0.113.66");
    assert_ne!(scan["requester"]["same_network"], true);
}

#[tokio::test]
async fn the_real_client_behind_two_trusted_hops_is_found() {
    let app = spawn_app(Config {
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..behind_proxy()
    })
    .await;
    let res = create_from(&app, "6.6.6.6, 192.0.2.44, 10.1.1.1").await;
    let created: Value = res.json().await.unwrap();
    let scan = scan_from(&app, created["qr_id"].as_str().unwrap(), "198.51.100.7").await;
    assert_eq!(scan["requester"]["ip"], "192.0.2.44");
}

#[tokio::test]
async fn without_trusted_proxies_every_client_behind_a_proxy_shares_one_address() {
    let app = spawn_app(Config {
        limits: Limits {
            qr_per_ip_per_minute: 2,
            ..Limits::default()
        },
        ..Config::for_tests()
    })
    .await;
    let first = create_from(&app, "203.0.113.1").await;
    let created: Value = first.json().await.unwrap();
    assert_eq!(create_from(&app, "203.0.113.2").await.status(), 201);
    let third = create_from(&app, "203.0.113.3").await;
    assert_eq!(
        third.status(),
        429,
        "all three came from the proxy's address"
    );
    let scan = scan_from(&app, created["qr_id"].as_str().unwrap(), "203.0.113.1").await;
    assert_eq!(scan["requester"]["ip"], "127.0.0.1");
}
