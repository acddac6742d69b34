//! The authorization code flow with PKCE, by the stock client, and its refusals.

use crate::helpers::*;
use openidconnect::core::{CoreAuthenticationFlow, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RefreshToken, Scope, TokenResponse,
};

/// One login through the page and the phone: the code, the verifier and the nonce.
async fn login(app: &TestApp, rp: &Rp) -> (String, PkceCodeVerifier, Nonce) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let qr = open_page(app, &url, "Demo").await;
    phone_decides(app, qr["qr_id"].as_str().expect("id"), true).await;
    let back = complete(app, &qr).await;
    assert!(back.as_str().starts_with(REDIRECT));
    assert_eq!(
        param(&back, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(param(&back, "iss").as_deref(), Some(app.url.as_str()));
    (param(&back, "code").expect("code"), verifier, nonce)
}

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
async fn a_replayed_code_is_invalid_grant() {
    let app = spawn().await;
    let rp = rp(&app, "demo").await;
    let (code, verifier, _) = login(&app, &rp).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", "demo"),
        ("code_verifier", verifier.secret().as_str()),
    ];
    assert_eq!(token(&app, &form).await.0, 200);
    let (status, body) = token(&app, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_invalid_grant_and_burns_the_code() {
    let app = spawn().await;
    let rp = rp(&app, "demo").await;
    let (code, verifier, _) = login(&app, &rp).await;
    let wrong = PkceCodeVerifier::new("x".repeat(64));
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", "demo"),
        ("code_verifier", wrong.secret().as_str()),
    ];
    let (status, body) = token(&app, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    form[4].1 = verifier.secret();
    assert_eq!(token(&app, &form).await.1["error"], "invalid_grant");
}

#[tokio::test]
async fn an_unregistered_redirect_uri_or_unknown_client_gets_an_error_page_never_a_redirect() {
    let app = spawn().await;
    for query in [
        "response_type=code&client_id=demo&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        "response_type=code&client_id=nobody&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback",
    ] {
        let res = http().get(format!("{}/oauth2/authorize?{query}", app.url)).send().await.expect("get");
        assert_eq!(res.status(), 400);
        assert!(res.headers().get("location").is_none());
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    }
    // A valid client and redirect without PKCE (public client): redirected with the error.
    let res = http().get(format!("{}/oauth2/authorize?response_type=code&client_id=demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcallback&state=s1", app.url))
        .send().await.expect("get");
    assert_eq!(res.status(), 303);
    let to = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(param(&to, "error").as_deref(), Some("invalid_request"));
    assert_eq!(param(&to, "state").as_deref(), Some("s1"));
}

#[tokio::test]
async fn a_code_presented_by_another_client_is_invalid_grant() {
    let app = spawn().await;
    let mut other = qrlogin_server::service::oauth::clients::demo_client(app.now());
    other.id = "other".into();
    assert!(app.state.db.create_client(&other).await.expect("create"));
    let rp = rp(&app, "demo").await;
    let (code, verifier, _) = login(&app, &rp).await;
    let (status, body) = token(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", "other"),
            ("code_verifier", verifier.secret().as_str()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family() {
    let app = spawn().await;
    let rp = rp(&app, "demo").await;
    let (code, verifier, _) = login(&app, &rp).await;
    let (_, first) = token(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", "demo"),
            ("code_verifier", verifier.secret().as_str()),
        ],
    )
    .await;
    let old = first["refresh_token"].as_str().expect("rt").to_owned();
    let refresh = |rt: String| {
        let app = &app;
        async move {
            token(
                app,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", rt.as_str()),
                    ("client_id", "demo"),
                ],
            )
            .await
        }
    };
    let (status, second) = refresh(old.clone()).await;
    assert_eq!(status, 200);
    let newer = second["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    let (status, body) = refresh(old).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // The rotated token and its access token died with the family.
    assert_eq!(refresh(newer).await.1["error"], "invalid_grant");
    let res = http()
        .get(format!("{}/oauth2/userinfo", app.url))
        .bearer_auth(second["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let _ = RefreshToken::new(String::new());
}

#[tokio::test]
async fn a_declined_login_redirects_with_access_denied_and_the_phone_saw_the_client() {
    let app = spawn().await;
    let rp = rp(&app, "demo").await;
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, _) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .url();
    let qr = open_page(&app, &url, "Demo").await;
    let qr_id = qr["qr_id"].as_str().unwrap();
    let phone = app.phone("alice", "phone-1").await;
    let scan = phone.scan(qr_id).await.expect("scan");
    let client = scan
        .requester
        .client
        .clone()
        .expect("the scan names the client");
    assert_eq!((client.id.as_str(), client.name.as_str()), ("demo", "Demo"));
    phone
        .decline(qr_id, &scan.scan_ticket)
        .await
        .expect("decline");
    let back = complete(&app, &qr).await;
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        param(&back, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(param(&back, "iss").as_deref(), Some(app.url.as_str()));
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
