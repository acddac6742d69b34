//! Records of the OpenID Provider for the checks.

use super::fixtures::{hash, NOW};
use crate::{AccessToken, OAuthRequest, StoredKey};
use qrlogin_core::{AccountId, Millis, Secret, SecretKind};
use qrlogin_oauth::{Alg, Client, CodeGrant, Grant, PollPace, RefreshGrant};

/// A confidential client with every grant, a random id and non-ASCII name.
pub fn client() -> Client {
    let tag = AccountId::generate().into_string();
    Client {
        id: format!("c-{}", &tag[tag.len() - 10..]),
        name: "Shop ✓ \"the\" shop".into(),
        secret_hash: Some(Secret::generate(SecretKind::ClientSecret).hash()),
        redirect_uris: vec![
            "https://shop.example/cb?x=1".into(),
            "http://127.0.0.1/cb".into(),
        ],
        grants: Grant::ALL.to_vec(),
        scopes: vec!["openid".into(), "profile".into()],
        id_token_alg: Alg::RS256,
        created_at: NOW,
    }
}

/// A code grant of `client` for `account`, expiring at `expires_at`.
pub fn code(client: &str, account: &AccountId, expires_at: Millis) -> CodeGrant {
    CodeGrant {
        client_id: client.into(),
        redirect_uri: "https://shop.example/cb?x=1".into(),
        scope: "openid profile".into(),
        nonce: Some("n-ø".into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        account_id: account.as_str().into(),
        session_id: "ses_1".into(),
        auth_time: NOW,
        expires_at,
    }
}

/// A fresh refresh grant of `client` for `account` in `family`.
pub fn refresh(client: &str, account: &AccountId, family: &str) -> RefreshGrant {
    RefreshGrant {
        family_id: family.into(),
        client_id: client.into(),
        account_id: account.as_str().into(),
        session_id: "ses_1".into(),
        scope: "openid offline_access".into(),
        auth_time: NOW,
        expires_at: NOW + 1_000,
        used: false,
    }
}

/// An access token of `client` (for `account`, if any), in `family`, until `expires_at`.
pub fn access(
    client: &str,
    account: Option<&AccountId>,
    family: Option<&str>,
    expires_at: Millis,
) -> AccessToken {
    AccessToken {
        client_id: client.into(),
        account_id: account.cloned(),
        scope: "openid".into(),
        family_id: family.map(str::to_owned),
        created_at: NOW,
        expires_at,
    }
}

/// A device grant request of `client` for QR session `qr_id`.
pub fn device_request(client: &str, qr_id: &str) -> OAuthRequest {
    OAuthRequest {
        qr_id: qr_id.into(),
        client_id: client.into(),
        redirect_uri: None,
        scope: "openid".into(),
        state: None,
        nonce: None,
        code_challenge: None,
        device_code_hash: Some(hash()),
        user_code_hash: Some(hash()),
        pace: PollPace::default(),
        expires_at: NOW + 120_000,
    }
}

/// A stored-key record (the PEM is not parsed by the database).
pub fn key(kid: &str, alg: &str, created_at: Millis) -> StoredKey {
    StoredKey {
        kid: kid.into(),
        alg: alg.into(),
        private_pem: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n".into(),
        created_at,
        not_after: None,
    }
}
