use super::*;

fn reg(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn https_and_loopback_http_can_be_registered() {
    for ok in [
        "https://shop.example/cb",
        "https://shop.example/cb?x=1",
        "http://127.0.0.1/callback",
        "http://[::1]/callback",
        "http://localhost:3000/cb",
    ] {
        assert!(validate_registration(ok, false).is_ok(), "{ok}");
    }
}

#[test]
fn fragments_credentials_and_foreign_schemes_cannot_be_registered() {
    let cases = [
        ("https://shop.example/cb#x", RedirectError::Fragment),
        ("https://shop.example/cb#", RedirectError::Fragment),
        ("https://u:p@shop.example/cb", RedirectError::Credentials),
        ("http://shop.example/cb", RedirectError::Scheme),
        ("http://127.0.0.2/cb", RedirectError::Scheme),
        ("javascript:alert(1)", RedirectError::Scheme),
        ("data:text/html,hi", RedirectError::Scheme),
        ("com.example.app:/cb", RedirectError::Scheme),
        ("/relative/cb", RedirectError::Malformed),
    ];
    for (uri, want) in cases {
        assert_eq!(
            validate_registration(uri, false).unwrap_err(),
            want,
            "{uri}"
        );
    }
}

#[test]
fn public_clients_may_register_private_use_schemes() {
    assert!(validate_registration("com.example.app:/cb", true).is_ok());
    assert_eq!(
        validate_registration("myapp:/cb", true).unwrap_err(),
        RedirectError::Scheme
    );
}

#[test]
fn registered_uris_match_exactly() {
    let r = reg(&["https://shop.example/cb?x=1"]);
    assert!(match_registered(&r, "https://shop.example/cb?x=1", false).is_ok());
    for other in [
        "https://shop.example/cb",
        "https://shop.example/cb?x=1&y=2",
        "https://shop.example/cb/",
        "https://SHOP.example/cb?x=1",
        "https://shop.example:443/cb?x=1",
        "https://shop.example/cb?x=1#f",
    ] {
        assert!(match_registered(&r, other, false).is_err(), "{other}");
    }
}

#[test]
fn a_public_loopback_registration_matches_any_port() {
    let r = reg(&["http://127.0.0.1/callback", "http://[::1]/callback"]);
    let got = match_registered(&r, "http://127.0.0.1:49152/callback", true).unwrap();
    assert_eq!(got.as_str(), "http://127.0.0.1:49152/callback");
    assert!(match_registered(&r, "http://[::1]:8080/callback", true).is_ok());
    assert!(match_registered(&r, "http://127.0.0.1/callback", true).is_ok());
}

#[test]
fn the_loopback_port_rule_keeps_host_path_and_query_exact_and_is_for_public_clients() {
    let r = reg(&["http://127.0.0.1/callback"]);
    for other in [
        "http://127.0.0.1:8080/callback/x",
        "http://127.0.0.1:8080/other",
        "http://127.0.0.1:8080/callback?x=1",
        "http://localhost:8080/callback",
        "http://[::1]:8080/callback",
        "https://127.0.0.1:8080/callback",
        "http://127.0.0.1:8080/callback#frag",
    ] {
        assert!(match_registered(&r, other, true).is_err(), "{other}");
    }
    assert_eq!(
        match_registered(&r, "http://127.0.0.1:8080/callback", false).unwrap_err(),
        RedirectError::NotRegistered
    );
}

#[test]
fn localhost_and_loopback_registered_with_a_port_match_only_exactly() {
    let r = reg(&["http://localhost/cb", "http://127.0.0.1:3000/cb"]);
    assert!(match_registered(&r, "http://localhost/cb", true).is_ok());
    assert!(match_registered(&r, "http://localhost:3000/cb", true).is_err());
    assert!(match_registered(&r, "http://127.0.0.1:3000/cb", true).is_ok());
    assert!(match_registered(&r, "http://127.0.0.1:3001/cb", true).is_err());
}

#[test]
fn the_success_redirect_appends_code_state_and_iss_encoded() {
    let base = Url::parse("https://shop.example/cb?lang=en").unwrap();
    let url = success_redirect(&base, "qlo_abc", Some("a b&c=d/é"), "https://id.example");
    assert_eq!(
        url.as_str(),
        "https://shop.example/cb?lang=en&code=qlo_abc&state=a+b%26c%3Dd%2F%C3%A9&iss=https%3A%2F%2Fid.example"
    );
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs[2], ("state".into(), "a b&c=d/é".into()));
}

#[test]
fn the_success_redirect_omits_an_absent_state() {
    let base = Url::parse("http://127.0.0.1:5000/cb").unwrap();
    let url = success_redirect(&base, "c", None, "https://id.example");
    assert_eq!(url.query(), Some("code=c&iss=https%3A%2F%2Fid.example"));
}

#[test]
fn the_error_redirect_carries_access_denied_state_and_iss() {
    let base = Url::parse("https://shop.example/cb").unwrap();
    let url = error_redirect(
        &base,
        ErrorCode::AccessDenied,
        None,
        Some("s1"),
        "https://id.example",
    );
    assert_eq!(
        url.query(),
        Some("error=access_denied&state=s1&iss=https%3A%2F%2Fid.example")
    );
}
