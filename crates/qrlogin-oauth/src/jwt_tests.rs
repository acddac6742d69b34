use super::*;
use crate::keys::{jwks, Alg};
use crate::verify::verify_id_token;

const NOW: Millis = 1_795_287_600_000;
const ISS: &str = "https://id.example";

fn claims() -> IdTokenClaims {
    let mut c = IdTokenClaims::qr_login(ISS, "acc_1", "shop", "ses_1", NOW - 5_000, NOW, 600);
    c.nonce = Some("n-0S6_WzA2Mj".into());
    c.name = Some("Alice".into());
    c
}

#[test]
fn a_qr_login_has_one_audience_azp_and_amr_qr() {
    let c = claims();
    assert_eq!((c.aud.as_str(), c.azp.as_str()), ("shop", "shop"));
    assert_eq!(c.amr, ["qr"]);
    assert_eq!(c.iat, NOW / 1000);
    assert_eq!(c.exp, NOW / 1000 + 600);
    assert_eq!(c.auth_time, NOW / 1000 - 5);
}

#[test]
fn absent_optional_claims_are_left_out_of_the_token() {
    let c = IdTokenClaims::qr_login(ISS, "acc_1", "shop", "ses_1", NOW, NOW, 600);
    let v = serde_json::to_value(&c).unwrap();
    for absent in ["nonce", "name", "preferred_username", "picture"] {
        assert!(v.get(absent).is_none(), "{absent}");
    }
}

#[test]
fn id_tokens_signed_with_either_algorithm_verify_and_name_their_kid() {
    for alg in [Alg::ES256, Alg::RS256] {
        let key = SigningKey::generate(alg, NOW).unwrap();
        let token = sign_id_token(&key, &claims()).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        assert_eq!(header.alg, alg.jwt());
        let set = jwks([&key], NOW);
        assert_eq!(
            verify_id_token(&token, &set, ISS, "shop", NOW),
            Ok(claims())
        );
    }
}

fn alice() -> Profile {
    Profile {
        name: Some("Alice".into()),
        preferred_username: Some("alice".into()),
        picture: None,
    }
}

#[test]
fn profile_claims_are_released_with_the_profile_scope_only() {
    let base = IdTokenClaims::qr_login(ISS, "acc_1", "shop", "ses_1", NOW, NOW, 600);
    let with = base
        .clone()
        .with_profile(&Scopes::parse("openid profile").unwrap(), &alice());
    assert_eq!(with.preferred_username.as_deref(), Some("alice"));
    let without = base.with_profile(&Scopes::parse("openid").unwrap(), &alice());
    assert_eq!((without.name, without.preferred_username), (None, None));
}

#[test]
fn userinfo_shows_sub_and_with_profile_the_profile_claims() {
    let full = UserInfo::new("acc_1", &Scopes::parse("openid profile").unwrap(), &alice());
    assert_eq!(
        serde_json::to_value(&full).unwrap(),
        serde_json::json!({ "sub": "acc_1", "name": "Alice", "preferred_username": "alice" })
    );
    let bare = UserInfo::new("acc_1", &Scopes::parse("openid").unwrap(), &alice());
    assert_eq!(
        serde_json::to_value(&bare).unwrap(),
        serde_json::json!({ "sub": "acc_1" })
    );
}
