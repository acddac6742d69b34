//! What the authorization code flow refuses: replayed codes, wrong verifiers, foreign
//! clients, unregistered redirects, reused refresh tokens, declined logins.

use crate::helpers::*;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier};

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
