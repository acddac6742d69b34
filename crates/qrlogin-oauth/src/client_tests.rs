use super::*;

fn client(secret: Option<&Secret>) -> Client {
    Client {
        id: "shop".into(),
        name: "Shop".into(),
        secret_hash: secret.map(Secret::hash),
        redirect_uris: vec!["https://shop.example/cb".into()],
        grants: vec![Grant::AuthorizationCode, Grant::RefreshToken],
        scopes: vec!["openid".into(), "profile".into()],
        id_token_alg: Alg::ES256,
        created_at: 0,
    }
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

#[test]
fn grants_have_the_contract_names_and_grant_type_urns() {
    let want = [
        ("authorization_code", "authorization_code"),
        ("refresh_token", "refresh_token"),
        (
            "device_code",
            "urn:ietf:params:oauth:grant-type:device_code",
        ),
        ("client_credentials", "client_credentials"),
        (
            "token_exchange",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
    ];
    for (g, (name, urn)) in Grant::ALL.into_iter().zip(want) {
        assert_eq!((g.name(), g.grant_type()), (name, urn));
        assert_eq!(Grant::from_name(name), Some(g));
        assert_eq!(Grant::from_grant_type(urn), Some(g));
        assert_eq!(serde_json::to_value(g).unwrap(), name);
    }
    assert_eq!(Grant::from_grant_type("password"), None);
    assert_eq!(Grant::from_grant_type("device_code"), None);
}

#[test]
fn a_client_may_use_only_its_registered_grants() {
    let c = client(None);
    assert!(c.check_grant(Grant::AuthorizationCode).is_ok());
    let e = c.check_grant(Grant::ClientCredentials).unwrap_err();
    assert_eq!(e.error, ErrorCode::UnauthorizedClient);
}

#[test]
fn client_secrets_have_the_qlc_prefix() {
    assert!(generate_secret().expose().starts_with("qlc_"));
}

#[test]
fn client_ids_are_short_url_safe_names() {
    assert!(is_valid_client_id("demo"));
    assert!(is_valid_client_id("shop.web-1_a"));
    for bad in ["", "a b", "a/b", "é", &"a".repeat(65)] {
        assert!(!is_valid_client_id(bad), "{bad}");
    }
}

#[test]
fn client_secret_basic_authenticates_a_confidential_client() {
    let s = generate_secret();
    let creds = credentials_from_request(Some(&basic("shop", s.expose())), None, None).unwrap();
    assert_eq!(creds.method, AuthMethod::ClientSecretBasic);
    assert_eq!(authenticate(&client(Some(&s)), &creds), Ok(()));
}

#[test]
fn basic_credentials_are_form_urlencoded_inside() {
    // RFC 6749 §2.3.1: "a:b c" is sent as "a%3Ab+c".
    let header = format!("Basic {}", STANDARD.encode("a%3Ab+c:s%2Bt%25"));
    let creds = credentials_from_request(Some(&header), None, None).unwrap();
    assert_eq!(creds.client_id, "a:b c");
    assert_eq!(creds.secret.as_deref(), Some("s+t%"));
}

#[test]
fn client_secret_post_authenticates_a_confidential_client() {
    let s = generate_secret();
    let creds = credentials_from_request(None, Some("shop"), Some(s.expose())).unwrap();
    assert_eq!(creds.method, AuthMethod::ClientSecretPost);
    assert_eq!(authenticate(&client(Some(&s)), &creds), Ok(()));
}

#[test]
fn a_public_client_authenticates_with_its_id_alone() {
    let creds = credentials_from_request(None, Some("shop"), None).unwrap();
    assert_eq!(creds.method, AuthMethod::None);
    assert_eq!(authenticate(&client(None), &creds), Ok(()));
}

#[test]
fn a_wrong_missing_or_malformed_secret_is_invalid_client() {
    let s = generate_secret();
    let c = client(Some(&s));
    let other = generate_secret();
    for creds in [
        credentials_from_request(None, Some("shop"), Some(other.expose())).unwrap(),
        credentials_from_request(None, Some("shop"), None).unwrap(),
        credentials_from_request(None, Some("shop"), Some("qlc_short")).unwrap(),
        credentials_from_request(Some(&basic("shop", "")), None, None).unwrap(),
    ] {
        assert_eq!(
            authenticate(&c, &creds).unwrap_err().error,
            ErrorCode::InvalidClient
        );
    }
}

#[test]
fn a_public_client_presenting_a_secret_is_refused() {
    let s = generate_secret();
    let creds = credentials_from_request(None, Some("shop"), Some(s.expose())).unwrap();
    assert_eq!(
        authenticate(&client(None), &creds).unwrap_err().error,
        ErrorCode::InvalidClient
    );
}

#[test]
fn credentials_for_another_client_are_refused() {
    let s = generate_secret();
    let creds = credentials_from_request(Some(&basic("other", s.expose())), None, None).unwrap();
    assert_eq!(
        authenticate(&client(Some(&s)), &creds).unwrap_err().error,
        ErrorCode::InvalidClient
    );
}

#[test]
fn two_authentication_methods_at_once_are_an_invalid_request() {
    let s = generate_secret();
    let e = credentials_from_request(Some(&basic("shop", s.expose())), None, Some(s.expose()));
    assert_eq!(e.unwrap_err().error, ErrorCode::InvalidRequest);
    let e = credentials_from_request(Some(&basic("shop", s.expose())), Some("other"), None);
    assert_eq!(e.unwrap_err().error, ErrorCode::InvalidRequest);
    let same = credentials_from_request(Some(&basic("shop", s.expose())), Some("shop"), None);
    assert_eq!(same.unwrap().method, AuthMethod::ClientSecretBasic);
}

#[test]
fn missing_or_malformed_credentials_are_refused() {
    assert_eq!(
        credentials_from_request(None, None, None)
            .unwrap_err()
            .error,
        ErrorCode::InvalidClient
    );
    assert_eq!(
        credentials_from_request(None, None, Some("x"))
            .unwrap_err()
            .error,
        ErrorCode::InvalidRequest
    );
    for header in [
        "Bearer abc",
        "Basic",
        "Basic !!!",
        "Basic bm9jb2xvbg==",
        &basic("", "s"),
    ] {
        assert_eq!(
            credentials_from_request(Some(header), None, None)
                .unwrap_err()
                .error,
            ErrorCode::InvalidClient,
            "{header}"
        );
    }
}

#[test]
fn credentials_debug_hides_the_secret() {
    let creds = credentials_from_request(None, Some("shop"), Some("qlc_topsecret")).unwrap();
    assert!(!format!("{creds:?}").contains("topsecret"));
}
