//! Passkeys with Chromium's own WebAuthn and a virtual authenticator: a phone adds a
//! passkey after a password sign-in, signs in with it and approves a PC; a
//! `--no-password` account enrolls from its link and does the same. The refusals are
//! in `passkeys_refusals`.

use crate::harness::{Browser, Test, WAIT};
use crate::passkeys_app::PkServer;
use crate::webauthn;
use qrlogin_core::QrState;
use qrlogin_db::ActivityKind;
use serde_json::json;

/// A phone browser with a virtual platform authenticator, and the authenticator's id.
pub async fn phone_with_authenticator(t: &Test) -> (Browser, String) {
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
pub async fn password_then_passkey(server: &PkServer, phone: &Browser, user: &str, pass: &str) {
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
