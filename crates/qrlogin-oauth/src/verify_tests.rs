use super::*;
use crate::jwt::sign;
use crate::keys::{jwks, Alg, SigningKey};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{json, Value};

const NOW: Millis = 1_795_287_600_000;
const T: i64 = NOW / 1000;
const ISS: &str = "https://idp.shop.example";
const AUD: &str = "qrlogin";

fn key(alg: Alg) -> SigningKey {
    SigningKey::generate(alg, NOW).unwrap()
}

fn claims() -> Value {
    json!({ "iss": ISS, "sub": "user-42", "aud": AUD, "exp": T + 300, "iat": T,
            "display": "Alice" })
}

fn check(token: &str, key: &SigningKey) -> Result<ExternalClaims, VerifyError> {
    verify_external(token, &jwks([key], NOW), ISS, AUD, NOW)
}

fn with(changes: Value) -> Value {
    let mut c = claims();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

#[test]
fn a_good_token_from_a_trusted_issuer_verifies_with_either_algorithm() {
    for alg in [Alg::ES256, Alg::RS256] {
        let k = key(alg);
        let got = check(&sign(&k, &claims()).unwrap(), &k).unwrap();
        assert_eq!((got.iss.as_str(), got.sub.as_str()), (ISS, "user-42"));
        assert_eq!(got.claim_str("display"), Some("Alice"));
    }
}

#[test]
fn fractional_numeric_dates_are_accepted() {
    let k = key(Alg::ES256);
    let t = sign(
        &k,
        &with(json!({ "exp": T as f64 + 300.5, "nbf": T as f64 - 0.25, "iat": T as f64 })),
    )
    .unwrap();
    let got = check(&t, &k).unwrap();
    assert_eq!((got.exp, got.nbf, got.iat), (T + 300, Some(T - 1), Some(T)));
}

#[test]
fn an_audience_list_containing_ours_is_accepted() {
    let k = key(Alg::ES256);
    let t = sign(&k, &with(json!({ "aud": ["other", AUD] }))).unwrap();
    assert!(check(&t, &k).is_ok());
}

#[test]
fn a_wrong_audience_is_refused() {
    let k = key(Alg::ES256);
    let t = sign(&k, &with(json!({ "aud": "someone-else" }))).unwrap();
    assert_eq!(check(&t, &k).unwrap_err(), VerifyError::WrongAudience);
}

#[test]
fn a_wrong_issuer_is_refused() {
    let k = key(Alg::ES256);
    let t = sign(&k, &with(json!({ "iss": "https://evil.example" }))).unwrap();
    assert_eq!(check(&t, &k).unwrap_err(), VerifyError::WrongIssuer);
}

#[test]
fn an_expired_token_is_refused_after_the_60_second_leeway() {
    let k = key(Alg::ES256);
    let within = sign(&k, &with(json!({ "exp": T - 59 }))).unwrap();
    assert!(check(&within, &k).is_ok());
    let expired = sign(&k, &with(json!({ "exp": T - 60 }))).unwrap();
    assert_eq!(check(&expired, &k).unwrap_err(), VerifyError::Expired);
}

#[test]
fn a_token_whose_nbf_is_in_the_future_is_refused_beyond_the_leeway() {
    let k = key(Alg::ES256);
    let within = sign(&k, &with(json!({ "nbf": T + 60 }))).unwrap();
    assert!(check(&within, &k).is_ok());
    let early = sign(&k, &with(json!({ "nbf": T + 61 }))).unwrap();
    assert_eq!(check(&early, &k).unwrap_err(), VerifyError::NotYetValid);
}

#[test]
fn a_tampered_token_is_refused() {
    let k = key(Alg::ES256);
    let t = sign(&k, &claims()).unwrap();
    let parts: Vec<&str> = t.split('.').collect();
    let forged_payload = URL_SAFE_NO_PAD.encode(with(json!({ "sub": "admin" })).to_string());
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_eq!(check(&forged, &k).unwrap_err(), VerifyError::BadSignature);
    let other_sig = sign(&key(Alg::ES256), &claims()).unwrap();
    let spliced = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        other_sig.split('.').nth(2).unwrap()
    );
    assert_eq!(check(&spliced, &k).unwrap_err(), VerifyError::BadSignature);
}

#[test]
fn alg_none_is_refused() {
    let k = key(Alg::ES256);
    let header = URL_SAFE_NO_PAD.encode(json!({ "alg": "none", "kid": k.kid() }).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims().to_string());
    for t in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        assert_eq!(check(&t, &k).unwrap_err(), VerifyError::AlgorithmRefused);
    }
}

#[test]
fn an_hmac_token_signed_with_the_public_key_is_refused() {
    for alg in [Alg::ES256, Alg::RS256] {
        let k = key(alg);
        let public_json = serde_json::to_vec(k.public_jwk()).unwrap();
        let secrets: Vec<Vec<u8>> = match &k.public_jwk().algorithm {
            AlgorithmParameters::EllipticCurve(ec) => vec![
                public_json,
                [
                    URL_SAFE_NO_PAD.decode(&ec.x).unwrap(),
                    URL_SAFE_NO_PAD.decode(&ec.y).unwrap(),
                ]
                .concat(),
            ],
            AlgorithmParameters::RSA(rsa) => {
                vec![public_json, URL_SAFE_NO_PAD.decode(&rsa.n).unwrap()]
            }
            _ => unreachable!(),
        };
        for secret in secrets {
            for hs in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                let mut h = Header::new(hs);
                h.kid = Some(k.kid().to_owned());
                let t = jsonwebtoken::encode(
                    &h,
                    &claims(),
                    &EncodingKey::from_secret(&secret).unwrap(),
                )
                .unwrap();
                assert_eq!(check(&t, &k).unwrap_err(), VerifyError::AlgorithmRefused);
            }
        }
    }
}

#[test]
fn an_algorithm_other_than_the_one_the_key_declares_is_refused() {
    let k = key(Alg::RS256);
    let mut h = Header::new(Algorithm::RS512);
    h.kid = Some(k.kid().to_owned());
    let enc = EncodingKey::from_rsa_pem(k.private_pkcs8_pem().expose().as_bytes()).unwrap();
    let t = jsonwebtoken::encode(&h, &claims(), &enc).unwrap();
    assert_eq!(check(&t, &k).unwrap_err(), VerifyError::AlgorithmRefused);

    // The same token verifies when the key declares no `alg`: RSA implies RS512 too.
    let mut set = jwks([&k], NOW);
    set.keys[0].common.key_algorithm = None;
    assert!(verify_external(&t, &set, ISS, AUD, NOW).is_ok());
}

#[test]
fn an_unknown_kid_is_reported_as_such() {
    let k = key(Alg::ES256);
    let stranger = key(Alg::ES256);
    let t = sign(&stranger, &claims()).unwrap();
    assert_eq!(check(&t, &k).unwrap_err(), VerifyError::UnknownKid);
}

#[test]
fn a_token_without_kid_verifies_only_against_a_single_key_set() {
    let k = key(Alg::ES256);
    let enc = EncodingKey::from_ec_pem(k.private_pkcs8_pem().expose().as_bytes()).unwrap();
    let t = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims(), &enc).unwrap();
    assert!(check(&t, &k).is_ok());
    let other = key(Alg::ES256);
    let two = jwks([&k, &other], NOW);
    assert_eq!(
        verify_external(&t, &two, ISS, AUD, NOW).unwrap_err(),
        VerifyError::MissingKid
    );
}

#[test]
fn a_symmetric_key_in_the_set_is_never_used() {
    let k = key(Alg::ES256);
    let mut set = jwks([&k], NOW);
    set.keys[0].algorithm = AlgorithmParameters::OctetKey(jsonwebtoken::jwk::OctetKeyParameters {
        key_type: jsonwebtoken::jwk::OctetKeyType::Octet,
        value: URL_SAFE_NO_PAD.encode(b"shared"),
    });
    set.keys[0].common.key_algorithm = None;
    let t = sign(&k, &claims()).unwrap();
    assert_eq!(
        verify_external(&t, &set, ISS, AUD, NOW).unwrap_err(),
        VerifyError::KeyRefused
    );
}

#[test]
fn missing_required_claims_and_garbage_are_refused() {
    let k = key(Alg::ES256);
    for missing in ["sub", "exp", "iss", "aud"] {
        let t = sign(&k, &with(json!({ missing: null }))).unwrap();
        assert_eq!(
            check(&t, &k).unwrap_err(),
            VerifyError::BadClaim(missing.into())
        );
    }
    for garbage in ["", "a.b", "a.b.c", "....", "eyJhbGciOiJFUzI1NiJ9.x.y"] {
        assert!(check(garbage, &k).is_err(), "{garbage}");
    }
}
