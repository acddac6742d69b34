//! The authorization code flow with PKCE by the stock client, discovery, client
//! credentials and revocation, and the OpenAPI document.

use crate::helpers::*;
use openidconnect::core::CoreUserInfoClaims;
use openidconnect::{AuthorizationCode, OAuth2TokenResponse, TokenResponse};

#[tokio::test]
async fn discovery_lists_every_endpoint_s256_and_both_algorithms() {
    let app = spawn().await;
    let doc: serde_json::Value = http()
        .get(format!("{}/.well-known/openid-configuration", app.url))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(doc["issuer"], app.url.as_str());
    for (k, path) in [
        ("authorization_endpoint", "/oauth2/authorize"),
        ("token_endpoint", "/oauth2/token"),
        ("userinfo_endpoint", "/oauth2/userinfo"),
        ("jwks_uri", "/oauth2/jwks"),
        ("revocation_endpoint", "/oauth2/revoke"),
        (
            "device_authorization_endpoint",
            "/oauth2/device_authorization",
        ),
    ] {
        assert_eq!(doc[k], format!("{}{path}", app.url), "{k}");
    }
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    let algs = doc["id_token_signing_alg_values_supported"].to_string();
    assert!(algs.contains("ES256") && algs.contains("RS256"), "{algs}");
    let meta = metadata(&app).await;
    assert_eq!(meta.issuer().as_str(), app.url);
}

#[tokio::test]
async fn a_stock_client_signs_in_with_code_and_pkce_verifies_the_id_token_and_refreshes() {
    let app = spawn().await;
    let rp = rp(&app, "demo").await;
    let (code, verifier, nonce) = login(&app, &rp).await;
    let c = http();
    let hc = move |r| send(c.clone(), r);
    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .expect("configured")
        .set_pkce_verifier(verifier)
        .request_async(&hc)
        .await
        .expect("code exchange");
    assert!(tokens.access_token().secret().starts_with("qla_"));
    let id_token = tokens.id_token().expect("id token");
    let claims = id_token
        .claims(&rp.id_token_verifier(), &nonce)
        .expect("verified against the JWKS");
    let alice = app
        .phone("alice", "phone-2")
        .await
        .account()
        .expect("account")
        .id
        .clone();
    assert_eq!(claims.subject().as_str(), alice);
    assert_eq!(claims.audiences()[0].as_str(), "demo");
    assert!(claims.auth_time().is_some());
    let amr: Vec<&str> = claims
        .auth_method_refs()
        .expect("amr")
        .iter()
        .map(|a| a.as_str())
        .collect();
    assert_eq!(amr, ["qr"]);
    assert_eq!(
        *id_token.signing_alg().expect("alg"),
        openidconnect::core::CoreJwsSigningAlgorithm::EcdsaP256Sha256
    );

    let info: CoreUserInfoClaims = rp
        .user_info(tokens.access_token().clone(), None)
        .expect("configured")
        .request_async(&hc)
        .await
        .expect("userinfo");
    assert_eq!(info.subject().as_str(), alice);
    assert_eq!(info.preferred_username().map(|u| u.as_str()), Some("alice"));

    let refresh = tokens.refresh_token().expect("refresh token");
    assert!(refresh.secret().starts_with("qlr_"));
    let again = rp
        .exchange_refresh_token(refresh)
        .expect("configured")
        .request_async(&hc)
        .await
        .expect("refresh");
    assert_ne!(
        again.access_token().secret(),
        tokens.access_token().secret()
    );
    assert_ne!(
        again.refresh_token().expect("rotated").secret(),
        refresh.secret()
    );
}

#[tokio::test]
async fn a_confidential_client_gets_client_credentials_and_revoked_tokens_stop_working() {
    let app = spawn().await;
    let secret = qrlogin_oauth::client::generate_secret();
    let mut shop = qrlogin_server::service::oauth::clients::demo_client(app.now());
    shop.id = "shop".into();
    shop.secret_hash = Some(secret.hash());
    shop.grants = vec![qrlogin_oauth::Grant::ClientCredentials];
    assert!(app.state.db.create_client(&shop).await.expect("create"));
    let res = http()
        .post(format!("{}/oauth2/token", app.url))
        .basic_auth("shop", Some(secret.expose()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[("grant_type", "client_credentials")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    let at = body["access_token"].as_str().unwrap();
    let res = http()
        .post(format!("{}/oauth2/token", app.url))
        .basic_auth("shop", Some("qlc_wrong"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[("grant_type", "client_credentials")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = http()
        .post(format!("{}/oauth2/revoke", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("token", at),
            ("client_id", "shop"),
            ("client_secret", secret.expose()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(app
        .state
        .db
        .access_token(
            &qrlogin_core::Secret::parse_hash(qrlogin_core::SecretKind::Access, at).unwrap(),
            app.now()
        )
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn the_openapi_document_lists_the_provider_endpoints() {
    let app = spawn().await;
    let doc: serde_json::Value = http()
        .get(format!("{}/openapi.json", app.url))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    for path in [
        "/.well-known/openid-configuration",
        "/oauth2/jwks",
        "/oauth2/authorize",
        "/oauth2/token",
        "/oauth2/userinfo",
        "/oauth2/revoke",
        "/oauth2/device_authorization",
        "/api/v1/device/code",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} is in the OpenAPI document"
        );
    }
}
