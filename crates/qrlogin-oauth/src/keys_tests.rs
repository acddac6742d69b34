use super::*;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, KeyAlgorithm};

const NOW: Millis = 1_795_287_600_000;

#[test]
fn an_es256_key_has_a_p256_public_jwk_with_its_thumbprint_as_kid() {
    let k = SigningKey::generate(Alg::ES256, NOW).unwrap();
    let jwk = k.public_jwk();
    match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) => {
            assert_eq!(ec.curve, EllipticCurve::P256);
            assert_eq!((ec.x.len(), ec.y.len()), (43, 43));
        }
        other => panic!("not an EC key: {other:?}"),
    }
    assert_eq!(jwk.common.key_id.as_deref(), Some(k.kid()));
    assert_eq!(jwk.common.key_algorithm, Some(KeyAlgorithm::ES256));
    assert_eq!(jwk.common.public_key_use, Some(PublicKeyUse::Signature));
    assert_eq!(k.kid(), jwk.thumbprint(ThumbprintHash::SHA256).unwrap());
    assert_eq!(k.kid().len(), 43);
}

#[test]
fn an_rs256_key_is_2048_bits_with_exponent_65537() {
    let k = SigningKey::generate(Alg::RS256, NOW).unwrap();
    let v = serde_json::to_value(k.public_jwk()).unwrap();
    assert_eq!(v["kty"], "RSA");
    assert_eq!(v["e"], "AQAB");
    assert_eq!(v["alg"], "RS256");
    assert_eq!(v["use"], "sig");
    assert_eq!(v["kid"], k.kid());
    // 256 bytes of modulus in base64url without padding.
    assert_eq!(v["n"].as_str().unwrap().len(), 342);
    assert!(v.get("d").is_none(), "no private part in the public JWK");
}

#[test]
fn the_public_es256_jwk_serialises_with_its_standard_members_only() {
    let k = SigningKey::generate(Alg::ES256, NOW).unwrap();
    let v = serde_json::to_value(k.public_jwk()).unwrap();
    let mut names: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["alg", "crv", "kid", "kty", "use", "x", "y"]);
    assert_eq!(
        (v["kty"].as_str(), v["crv"].as_str()),
        (Some("EC"), Some("P-256"))
    );
}

#[test]
fn a_stored_key_reads_back_with_the_same_public_jwk() {
    for alg in [Alg::ES256, Alg::RS256] {
        let k = SigningKey::generate(alg, NOW).unwrap();
        let pem = k.private_pkcs8_pem().expose().to_owned();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = SigningKey::from_stored(k.kid().into(), alg, pem, NOW, Some(NOW + 1)).unwrap();
        assert_eq!(back.public_jwk(), k.public_jwk());
        assert_eq!((back.created_at(), back.not_after()), (NOW, Some(NOW + 1)));
    }
}

#[test]
fn a_pem_of_the_wrong_algorithm_or_garbage_is_refused() {
    let es = SigningKey::generate(Alg::ES256, NOW).unwrap();
    let pem = es.private_pkcs8_pem().expose().to_owned();
    assert_eq!(
        SigningKey::from_stored("k".into(), Alg::RS256, pem, NOW, None).unwrap_err(),
        KeyError::BadPem(Alg::RS256)
    );
    assert_eq!(
        SigningKey::from_stored("k".into(), Alg::ES256, "nope".into(), NOW, None).unwrap_err(),
        KeyError::BadPem(Alg::ES256)
    );
}

#[test]
fn debug_output_never_shows_the_private_key() {
    let k = SigningKey::generate(Alg::ES256, NOW).unwrap();
    let body: String = k
        .private_pkcs8_pem()
        .expose()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    let shown = format!("{k:?}");
    assert!(!shown.contains(&body), "{shown}");
    assert!(shown.contains(k.kid()));
}

#[test]
fn algorithms_read_back_from_their_names() {
    assert_eq!(Alg::parse("ES256"), Ok(Alg::ES256));
    assert_eq!(Alg::parse("RS256"), Ok(Alg::RS256));
    assert_eq!(Alg::parse("HS256"), Err(KeyError::UnknownAlg));
    assert_eq!(Alg::RS256.to_string(), "RS256");
}

#[test]
fn the_jwks_holds_active_and_still_needed_keys_and_the_newest_active_key_signs() {
    let old = SigningKey::generate(Alg::ES256, NOW).unwrap();
    let mut retired = SigningKey::generate(Alg::ES256, NOW + 10).unwrap();
    retired.retire(NOW + 1_000);
    let mut gone = SigningKey::generate(Alg::ES256, NOW + 20).unwrap();
    gone.retire(NOW + 500);
    let newest = SigningKey::generate(Alg::ES256, NOW + 30).unwrap();
    let keys = vec![old.clone(), retired.clone(), gone.clone(), newest.clone()];

    let kids = |now| -> Vec<String> {
        jwks(&keys, now)
            .keys
            .iter()
            .map(|k| k.common.key_id.clone().unwrap())
            .collect()
    };
    assert_eq!(
        kids(NOW + 400),
        [old.kid(), retired.kid(), gone.kid(), newest.kid()]
    );
    assert_eq!(kids(NOW + 500), [old.kid(), retired.kid(), newest.kid()]);
    assert_eq!(kids(NOW + 1_000), [old.kid(), newest.kid()]);

    assert_eq!(active_key(&keys, Alg::ES256).unwrap().kid(), newest.kid());
    assert!(active_key(&keys, Alg::RS256).is_none());
}
