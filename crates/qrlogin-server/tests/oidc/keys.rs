//! Signing keys: a rotation makes new ID tokens carry the new `kid` while tokens signed
//! before it still verify against the JWKS; RS256 clients get RS256 tokens.

use crate::helpers::*;
use openidconnect::core::{CoreAuthenticationFlow, CoreJsonWebKeySet};
use openidconnect::{AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, TokenResponse};
use qrlogin_server::service::oauth::keys;

/// A full login of `client_id`; the ID token (raw) and the nonce it carries.
async fn id_token(app: &TestApp, rp: &Rp) -> (openidconnect::core::CoreIdToken, Nonce) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .url();
    let qr = open_page(app, &url, "Demo").await;
    phone_decides(app, qr["qr_id"].as_str().unwrap(), true).await;
    let code = param(&complete(app, &qr).await, "code").unwrap();
    let c = http();
    let hc = move |r| send(c.clone(), r);
    let t = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&hc)
        .await
        .expect("exchange");
    (t.id_token().expect("id token").clone(), nonce)
}

fn kid(t: &openidconnect::core::CoreIdToken) -> String {
    let header = t.to_string().split('.').next().unwrap().to_owned();
    let json = base64_url(&header);
    json["kid"].as_str().unwrap().to_owned()
}

fn base64_url(s: &str) -> serde_json::Value {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn a_rotated_key_keeps_old_tokens_verifiable_and_new_ones_use_the_new_kid() {
    let app = spawn().await;
    let rp = rp(&app, "demo").await;
    let (old, old_nonce) = id_token(&app, &rp).await;
    keys::rotate(app.state.db.as_ref(), app.now())
        .await
        .expect("rotate");
    let (new, new_nonce) = id_token(&app, &rp).await;
    assert_ne!(kid(&old), kid(&new));
    // A relying party that fetches the JWKS again verifies both.
    let c = http();
    let hc = move |r| send(c.clone(), r);
    let jwks = CoreJsonWebKeySet::fetch_async(
        &openidconnect::JsonWebKeySetUrl::new(format!("{}/oauth2/jwks", app.url)).unwrap(),
        &hc,
    )
    .await
    .expect("jwks");
    let verifier = openidconnect::core::CoreIdTokenVerifier::new_public_client(
        openidconnect::ClientId::new("demo".into()),
        openidconnect::IssuerUrl::new(app.url.clone()).unwrap(),
        jwks,
    )
    .set_allowed_algs(vec![
        openidconnect::core::CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    ]);
    old.claims(&verifier, &old_nonce)
        .expect("the old token still verifies");
    new.claims(&verifier, &new_nonce)
        .expect("the new token verifies");
    // Once every token of the old key has expired, the old key leaves the JWKS.
    app.advance(keys::RETIRED_KEY_PUBLISHED_MS);
    let set = keys::key_set(app.state.db.as_ref(), app.now())
        .await
        .unwrap();
    assert!(set
        .keys
        .iter()
        .all(|k| k.common.key_id.as_deref() != Some(kid(&old).as_str())));
    assert!(set
        .keys
        .iter()
        .any(|k| k.common.key_id.as_deref() == Some(kid(&new).as_str())));
}

#[tokio::test]
async fn a_client_registered_for_rs256_gets_rs256_id_tokens() {
    let app = spawn().await;
    let mut demo = app.state.db.client("demo").await.unwrap().unwrap();
    app.state.db.remove_client("demo").await.unwrap();
    demo.id_token_alg = qrlogin_oauth::Alg::RS256;
    app.state.db.create_client(&demo).await.unwrap();
    let rp = rp(&app, "demo").await;
    let (t, nonce) = id_token(&app, &rp).await;
    let verifier = rp.id_token_verifier().set_allowed_algs(vec![
        openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    ]);
    t.claims(&verifier, &nonce).expect("verifies");
    assert_eq!(
        *t.signing_alg().unwrap(),
        openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256
    );
}
