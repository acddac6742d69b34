//! Interop with a stock relying party: the `openidconnect` crate (the client the
//! server's end-to-end tests use) reads our discovery document and verifies our ID
//! tokens against our JWKS, for both signing algorithms. If these pass, any client
//! built on it can sign users in without qrlogin-specific code.

use openidconnect::core::{
    CoreIdToken, CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{ClientId, IdTokenVerifier, IssuerUrl, Nonce};
use qrlogin_oauth::jwt::sign_id_token;
use qrlogin_oauth::keys::jwks;
use qrlogin_oauth::{Alg, IdTokenClaims, ProviderMetadata, SigningKey};

const NOW: i64 = 1_795_287_600_000;
const ISSUER: &str = "https://id.example";

fn jwks_json(keys: &[&SigningKey]) -> String {
    serde_json::to_string(&jwks(keys.iter().copied(), NOW)).unwrap()
}

fn verifier(
    keys: &[&SigningKey],
    client: &str,
) -> IdTokenVerifier<'static, openidconnect::core::CoreJsonWebKey> {
    let set: CoreJsonWebKeySet = serde_json::from_str(&jwks_json(keys)).unwrap();
    IdTokenVerifier::new_public_client(
        ClientId::new(client.into()),
        IssuerUrl::new(ISSUER.into()).unwrap(),
        set,
    )
    .set_allowed_algs([
        CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    ])
    .set_time_fn(|| chrono::DateTime::from_timestamp_millis(NOW + 30_000).unwrap())
}

fn claims(nonce: &str) -> IdTokenClaims {
    let mut c =
        IdTokenClaims::qr_login(ISSUER, "acc_alice", "shop", "ses_1", NOW - 2_000, NOW, 600);
    c.nonce = Some(nonce.into());
    c.name = Some("Alice Liddell".into());
    c.preferred_username = Some("alice".into());
    c.picture = Some("https://id.example/a.png".into());
    c
}

#[test]
fn the_discovery_document_reads_as_core_provider_metadata() {
    let json = serde_json::to_string(&ProviderMetadata::for_issuer(ISSUER)).unwrap();
    let m: CoreProviderMetadata = serde_json::from_str(&json).unwrap();
    assert_eq!(m.issuer().as_str(), ISSUER);
    assert_eq!(m.jwks_uri().as_str(), "https://id.example/oauth2/jwks");
    assert_eq!(
        m.token_endpoint().map(|u| u.as_str()),
        Some("https://id.example/oauth2/token")
    );
    let algs = m.id_token_signing_alg_values_supported();
    assert!(algs.contains(&CoreJwsSigningAlgorithm::EcdsaP256Sha256));
    assert!(algs.contains(&CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256));
}

#[test]
fn our_jwks_reads_as_a_core_json_web_key_set() {
    let es = SigningKey::generate(Alg::ES256, NOW).unwrap();
    let rs = SigningKey::generate(Alg::RS256, NOW).unwrap();
    let set: CoreJsonWebKeySet = serde_json::from_str(&jwks_json(&[&es, &rs])).unwrap();
    assert_eq!(set.keys().len(), 2);
}

#[test]
fn id_tokens_of_either_algorithm_verify_with_the_stock_id_token_verifier() {
    let es = SigningKey::generate(Alg::ES256, NOW).unwrap();
    let rs = SigningKey::generate(Alg::RS256, NOW).unwrap();
    for key in [&es, &rs] {
        let token = sign_id_token(key, &claims("n-0S6_WzA2Mj")).unwrap();
        let id_token: CoreIdToken = token.parse().unwrap();
        let v = verifier(&[&es, &rs], "shop");
        let c = id_token
            .claims(&v, &Nonce::new("n-0S6_WzA2Mj".into()))
            .unwrap_or_else(|e| panic!("{} token refused: {e}", key.alg()));
        assert_eq!(c.subject().as_str(), "acc_alice");
        assert_eq!(c.issuer().as_str(), ISSUER);
        assert_eq!(c.preferred_username().map(|u| u.as_str()), Some("alice"));
        let amr: Vec<&str> = c
            .auth_method_refs()
            .unwrap()
            .iter()
            .map(|a| a.as_str())
            .collect();
        assert_eq!(amr, ["qr"]);
        assert_eq!(c.auth_time().unwrap().timestamp(), NOW / 1000 - 2);
    }
}

#[test]
fn the_stock_verifier_refuses_our_token_for_another_client_or_nonce() {
    let key = SigningKey::generate(Alg::ES256, NOW).unwrap();
    let token: CoreIdToken = sign_id_token(&key, &claims("right"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(token
        .claims(&verifier(&[&key], "other"), &Nonce::new("right".into()))
        .is_err());
    assert!(token
        .claims(&verifier(&[&key], "shop"), &Nonce::new("wrong".into()))
        .is_err());
    let stranger = SigningKey::generate(Alg::ES256, NOW).unwrap();
    assert!(token
        .claims(&verifier(&[&stranger], "shop"), &Nonce::new("right".into()))
        .is_err());
}
