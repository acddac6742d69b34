//! RFC 8693 token exchange of a trusted issuer's phone JWT.

use crate::helpers::{accounts, client, spawn, token, TestApp};
use crate::idp::{sign_with, Idp, AUD};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use qrlogin_db::TrustedIssuer;
use qrlogin_oauth::{Alg, Grant, SigningKey};
use serde_json::{json, Value};

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";

/// A server trusting a fresh provider, with the public client `app` (token exchange).
async fn setup() -> (TestApp, Idp) {
    let app = spawn().await;
    let idp = Idp::start().await;
    let issuer = TrustedIssuer {
        issuer: idp.iss.clone(),
        jwks_uri: idp.jwks_uri(),
        audience: AUD.into(),
        name_claim: Some("name".into()),
        picture_claim: Some("picture".into()),
        created_at: app.now(),
    };
    assert!(app.state.db.add_issuer(&issuer).await.expect("issuer"));
    client(&app, "app", vec![Grant::TokenExchange], &["openid"], true).await;
    (app, idp)
}

async fn exchange(app: &TestApp, jwt: &str) -> (u16, Value) {
    token(
        app,
        None,
        &[
            ("grant_type", EXCHANGE),
            ("client_id", "app"),
            ("subject_token", jwt),
            ("subject_token_type", JWT),
            ("device_id", "carol-phone"),
            ("device_type", "ios"),
            ("device_name", "Carol's iPhone"),
        ],
    )
    .await
}

/// Asserts an `invalid_grant` refusal that made no account.
async fn refused(app: &TestApp, jwt: &str) {
    let before = accounts(app).await;
    let (status, body) = exchange(app, jwt).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    assert_eq!(accounts(app).await, before, "nothing made");
}

#[tokio::test]
async fn a_trusted_issuers_jwt_becomes_a_phone_token_that_works_on_the_phone_endpoints() {
    let (app, idp) = setup().await;
    let jwt = idp.sign(&idp.claims("carol-1", app.now()));
    let (status, body) = exchange(&app, &jwt).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["issued_token_type"], "urn:qrlogin:token-type:mobile");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().unwrap() > 0);
    let at = body["access_token"].as_str().unwrap();
    assert!(at.starts_with("qlm_"));
    let phone = app.client.phone(at.to_owned(), "carol-phone");
    assert_eq!(phone.sessions().await.expect("sessions").len(), 0);
    assert_eq!(
        qrlogin_testkit::code_of(phone.with_device_id("other").sessions().await),
        Some("device_mismatch")
    );
    // The phone signs a PC in as the linked account, named from the claims.
    let pc = app.pc().await;
    let scan = phone.scan(pc.qr_id()).await.expect("scan");
    phone
        .confirm(pc.qr_id(), &scan.scan_ticket)
        .await
        .expect("confirm");
    let redeemed = pc.redeem().await.expect("redeem");
    assert_eq!(redeemed.account.display_name, "Carol Example");
    assert_eq!(
        redeemed.account.avatar_url.as_deref(),
        Some("https://img.example/carol.png")
    );
    // A second exchange for the same subject finds the same account.
    let count = accounts(&app).await;
    let (status, _) = exchange(&app, &idp.sign(&idp.claims("carol-1", app.now()))).await;
    assert_eq!(status, 200);
    assert_eq!(accounts(&app).await, count);
    let ev = app
        .state
        .db
        .events_of(
            &qrlogin_core::AccountId::parse(&redeemed.account.id).unwrap(),
            10,
        )
        .await
        .unwrap();
    assert!(ev
        .iter()
        .any(|e| e.method.as_deref() == Some("token_exchange")));
}

#[tokio::test]
async fn a_wrong_audience_an_expired_token_and_an_unknown_issuer_are_refused() {
    let (app, idp) = setup().await;
    let mut c = idp.claims("x", app.now());
    c["aud"] = json!("someone-else");
    refused(&app, &idp.sign(&c)).await;
    let mut c = idp.claims("x", app.now());
    c["exp"] = json!(app.now() / 1000 - 61);
    refused(&app, &idp.sign(&c)).await;
    let mut c = idp.claims("x", app.now());
    c["nbf"] = json!(app.now() / 1000 + 120);
    refused(&app, &idp.sign(&c)).await;
    let mut c = idp.claims("x", app.now());
    c["iss"] = json!("https://evil.example");
    refused(&app, &idp.sign(&c)).await;
    // Within the 60 s leeway an expired token still passes.
    let mut c = idp.claims("x", app.now());
    c["exp"] = json!(app.now() / 1000 - 30);
    assert_eq!(exchange(&app, &idp.sign(&c)).await.0, 200);
}

#[tokio::test]
async fn a_tampered_token_alg_none_and_hs256_with_the_public_key_are_refused() {
    let (app, idp) = setup().await;
    let good = idp.sign(&idp.claims("victim", app.now()));
    let parts: Vec<&str> = good.split('.').collect();
    let other = URL_SAFE_NO_PAD.encode(idp.claims("attacker", app.now()).to_string());
    refused(&app, &format!("{}.{other}.{}", parts[0], parts[2])).await;
    let none = URL_SAFE_NO_PAD.encode(json!({ "alg": "none", "kid": idp.key.kid() }).to_string());
    refused(&app, &format!("{none}.{}.", parts[1])).await;
    // HS256 "signed" with the issuer's public key, as text (the classic confusion).
    let public = serde_json::to_vec(&idp.jwk_set().keys[0]).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(idp.key.kid().to_owned());
    let hs = jsonwebtoken::encode(
        &header,
        &idp.claims("attacker", app.now()),
        &jsonwebtoken::EncodingKey::from_secret(&public).unwrap(),
    )
    .unwrap();
    refused(&app, &hs).await;
    refused(&app, "not-a-jwt").await;
}

#[tokio::test]
async fn an_unknown_kid_refetches_the_jwks_once_a_minute_then_finds_a_rotated_key() {
    let (app, idp) = setup().await;
    assert_eq!(
        exchange(&app, &idp.sign(&idp.claims("a", app.now())))
            .await
            .0,
        200
    );
    assert_eq!(idp.fetches(), 1, "fetched once, then cached");
    assert_eq!(
        exchange(&app, &idp.sign(&idp.claims("a", app.now())))
            .await
            .0,
        200
    );
    assert_eq!(idp.fetches(), 1);
    let rotated = SigningKey::generate(Alg::ES256, 0).unwrap();
    let jwt = sign_with(&rotated, &idp.claims("b", app.now()));
    refused(&app, &jwt).await;
    assert_eq!(idp.fetches(), 2, "fetched again once for the unknown kid");
    refused(&app, &jwt).await;
    assert_eq!(idp.fetches(), 2, "not again within the minute");
    idp.publish(&rotated);
    app.advance(61_000);
    let jwt = sign_with(&rotated, &idp.claims("b", app.now()));
    assert_eq!(exchange(&app, &jwt).await.0, 200);
    assert_eq!(
        idp.fetches(),
        3,
        "a minute later the rotated key is fetched"
    );
}

#[tokio::test]
async fn missing_fields_are_invalid_request_and_a_client_without_the_grant_is_unauthorized() {
    let (app, idp) = setup().await;
    let jwt = idp.sign(&idp.claims("c", app.now()));
    let before = accounts(&app).await;
    let base = [
        ("grant_type", EXCHANGE),
        ("client_id", "app"),
        ("subject_token", jwt.as_str()),
        ("subject_token_type", JWT),
        ("device_id", "p"),
        ("device_type", "ios"),
    ];
    for skip in [
        "subject_token",
        "subject_token_type",
        "device_id",
        "device_type",
    ] {
        let form: Vec<_> = base.iter().copied().filter(|(k, _)| *k != skip).collect();
        let (status, body) = token(&app, None, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{skip}: {body}"
        );
    }
    client(
        &app,
        "web",
        vec![Grant::AuthorizationCode],
        &["openid"],
        true,
    )
    .await;
    let mut form = base.to_vec();
    form[1] = ("client_id", "web");
    let (status, body) = token(&app, None, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client")),
        "{body}"
    );
    assert_eq!(accounts(&app).await, before, "nothing made");
}
