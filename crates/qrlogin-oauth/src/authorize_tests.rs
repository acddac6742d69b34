use super::*;
use crate::keys::Alg;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn demo() -> Client {
    Client {
        id: "demo".into(),
        name: "Demo".into(),
        secret_hash: None,
        redirect_uris: vec!["http://127.0.0.1/callback".into()],
        grants: vec![
            Grant::AuthorizationCode,
            Grant::RefreshToken,
            Grant::DeviceCode,
        ],
        scopes: vec!["openid".into(), "profile".into(), "offline_access".into()],
        id_token_alg: Alg::ES256,
        created_at: 0,
    }
}

fn params() -> AuthorizeParams {
    AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some("demo".into()),
        redirect_uri: Some("http://127.0.0.1:5555/callback".into()),
        scope: Some("openid profile".into()),
        state: Some("st".into()),
        nonce: Some("no".into()),
        code_challenge: Some(CHALLENGE.into()),
        code_challenge_method: Some("S256".into()),
    }
}

fn redirected_error(r: Result<AuthorizationRequest, AuthorizeError>) -> ErrorCode {
    match r.unwrap_err() {
        AuthorizeError::Redirect { error, state, .. } => {
            assert_eq!(state.as_deref(), Some("st"));
            error.error
        }
        other => panic!("expected a redirect, got {other:?}"),
    }
}

fn page_error(r: Result<AuthorizationRequest, AuthorizeError>) -> ErrorCode {
    match r.unwrap_err() {
        AuthorizeError::Page(e) => e.error,
        other => panic!("expected an error page, got {other:?}"),
    }
}

#[test]
fn a_valid_public_request_with_pkce_is_accepted() {
    let r = validate(&params(), Some(&demo())).unwrap();
    assert_eq!(r.redirect_uri.as_str(), "http://127.0.0.1:5555/callback");
    assert_eq!(r.scopes.to_string(), "openid profile");
    assert_eq!(
        (r.state.as_deref(), r.nonce.as_deref()),
        (Some("st"), Some("no"))
    );
    assert_eq!(r.code_challenge.unwrap().as_str(), CHALLENGE);
}

#[test]
fn an_unknown_client_or_unregistered_redirect_uri_is_an_error_page() {
    assert_eq!(
        page_error(validate(&params(), None)),
        ErrorCode::InvalidClient
    );
    let mut other = demo();
    other.id = "other".into();
    assert_eq!(
        page_error(validate(&params(), Some(&other))),
        ErrorCode::InvalidClient
    );
    let mut p = params();
    p.redirect_uri = Some("https://evil.example/callback".into());
    assert_eq!(
        page_error(validate(&p, Some(&demo()))),
        ErrorCode::InvalidRequest
    );
    p.redirect_uri = None;
    assert_eq!(
        page_error(validate(&p, Some(&demo()))),
        ErrorCode::InvalidRequest
    );
    p = params();
    p.client_id = None;
    assert_eq!(
        page_error(validate(&p, Some(&demo()))),
        ErrorCode::InvalidRequest
    );
}

#[test]
fn later_failures_are_redirected_with_state() {
    let mut p = params();
    p.response_type = Some("token".into());
    assert_eq!(
        redirected_error(validate(&p, Some(&demo()))),
        ErrorCode::UnsupportedResponseType
    );
    p = params();
    p.scope = Some("openid qr:approve".into());
    assert_eq!(
        redirected_error(validate(&p, Some(&demo()))),
        ErrorCode::InvalidScope
    );
    p = params();
    p.code_challenge_method = Some("plain".into());
    assert_eq!(
        redirected_error(validate(&p, Some(&demo()))),
        ErrorCode::InvalidRequest
    );
    let mut no_code = demo();
    no_code.grants = vec![Grant::DeviceCode];
    assert_eq!(
        redirected_error(validate(&params(), Some(&no_code))),
        ErrorCode::UnauthorizedClient
    );
}

#[test]
fn pkce_is_required_of_public_clients_only() {
    let mut p = params();
    p.code_challenge = None;
    p.code_challenge_method = None;
    assert_eq!(
        redirected_error(validate(&p, Some(&demo()))),
        ErrorCode::InvalidRequest
    );
    let mut confidential = demo();
    confidential.secret_hash = Some(crate::client::generate_secret().hash());
    confidential.redirect_uris = vec!["http://127.0.0.1:5555/callback".into()];
    assert!(validate(&p, Some(&confidential))
        .unwrap()
        .code_challenge
        .is_none());
}

fn grant() -> CodeGrant {
    CodeGrant {
        client_id: "demo".into(),
        redirect_uri: "http://127.0.0.1:5555/callback".into(),
        scope: "openid".into(),
        nonce: None,
        code_challenge: Some(CHALLENGE.into()),
        account_id: "acc_1".into(),
        session_id: "ses_1".into(),
        auth_time: 1_000,
        expires_at: 1_000 + CODE_TTL_MS,
    }
}

#[test]
fn a_code_redeems_with_its_client_redirect_uri_and_verifier() {
    let g = grant();
    let uri = Some(g.redirect_uri.as_str());
    assert_eq!(
        g.check_redemption("demo", uri, Some(VERIFIER), 2_000),
        Ok(())
    );
}

#[test]
fn a_code_is_refused_expired_to_another_client_elsewhere_or_with_a_wrong_verifier() {
    let g = grant();
    let uri = Some(g.redirect_uri.as_str());
    let wrong_verifier = "x".repeat(43);
    let cases = [
        g.check_redemption("demo", uri, Some(VERIFIER), g.expires_at),
        g.check_redemption("other", uri, Some(VERIFIER), 2_000),
        g.check_redemption(
            "demo",
            Some("http://127.0.0.1:5556/callback"),
            Some(VERIFIER),
            2_000,
        ),
        g.check_redemption("demo", None, Some(VERIFIER), 2_000),
        g.check_redemption("demo", uri, Some(&wrong_verifier), 2_000),
        g.check_redemption("demo", uri, None, 2_000),
    ];
    for r in cases {
        assert_eq!(r.unwrap_err().error, ErrorCode::InvalidGrant);
    }
}

#[test]
fn a_verifier_for_a_code_issued_without_a_challenge_is_refused() {
    let mut g = grant();
    g.code_challenge = None;
    let uri = Some(g.redirect_uri.as_str());
    assert_eq!(
        g.check_redemption("demo", uri, Some(VERIFIER), 2_000)
            .unwrap_err()
            .error,
        ErrorCode::InvalidGrant
    );
    assert_eq!(g.check_redemption("demo", uri, None, 2_000), Ok(()));
}
