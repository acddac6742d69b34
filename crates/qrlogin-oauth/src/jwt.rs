//! Signing: the ID tokens we issue, and any JWT with one of our keys (the same path
//! signs the test issuers' tokens, so tests use real JWS, never hand-made ones).
//! Verification lives in [`crate::verify`]. Also the userinfo answer, which releases
//! the same profile claims under the same rule.

use crate::keys::SigningKey;
use crate::scope::{self, Scopes};
use jsonwebtoken::Header;
use qrlogin_core::Millis;
use serde::{Deserialize, Serialize};

/// The claims of an ID token we issue (OpenID Connect Core §2, API.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    /// The issuer: our `--public-url`.
    pub iss: String,
    /// The account id.
    pub sub: String,
    /// The client the token is for.
    pub aud: String,
    /// The authorized party: the same client (one audience).
    pub azp: String,
    /// Expiry, unix seconds.
    pub exp: i64,
    /// Issue time, unix seconds.
    pub iat: i64,
    /// When the user confirmed on the phone, unix seconds.
    pub auth_time: i64,
    /// The client's `nonce`, echoed when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The PC session the login made.
    pub sid: String,
    /// How the user authenticated: always `["qr"]`.
    pub amr: Vec<String>,
    /// Display name (scope `profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Username (scope `profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// Avatar URL (scope `profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
}

impl IdTokenClaims {
    /// The claims of a QR login of account `sub` for client `client_id`, valid
    /// `lifetime_secs` from `now`; `aud` and `azp` are the client, `amr` is `["qr"]`.
    /// Profile claims and `nonce` are left for the caller to fill.
    pub fn qr_login(
        iss: &str,
        sub: &str,
        client_id: &str,
        sid: &str,
        auth_time: Millis,
        now: Millis,
        lifetime_secs: i64,
    ) -> Self {
        let iat = now.div_euclid(1000);
        Self {
            iss: iss.to_owned(),
            sub: sub.to_owned(),
            aud: client_id.to_owned(),
            azp: client_id.to_owned(),
            exp: iat + lifetime_secs,
            iat,
            auth_time: auth_time.div_euclid(1000),
            nonce: None,
            sid: sid.to_owned(),
            amr: vec!["qr".to_owned()],
            name: None,
            preferred_username: None,
            picture: None,
        }
    }
}

/// The profile claims of an account, released with scope `profile` only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Display name.
    pub name: Option<String>,
    /// Username.
    pub preferred_username: Option<String>,
    /// Avatar URL.
    pub picture: Option<String>,
}

impl IdTokenClaims {
    /// Adds the profile claims when `scopes` grants `profile`, and nothing otherwise.
    pub fn with_profile(mut self, scopes: &Scopes, profile: &Profile) -> Self {
        if scopes.contains(scope::PROFILE) {
            self.name = profile.name.clone();
            self.preferred_username = profile.preferred_username.clone();
            self.picture = profile.picture.clone();
        }
        self
    }
}

/// The answer of `/oauth2/userinfo` (OpenID Connect Core §5.3): `sub`, and the profile
/// claims with scope `profile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The account id, the same `sub` as in the ID token.
    pub sub: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
}

impl UserInfo {
    /// What the access token's `scopes` release about account `sub`.
    pub fn new(sub: &str, scopes: &Scopes, profile: &Profile) -> Self {
        let shown = scopes.contains(scope::PROFILE);
        let pick = |v: &Option<String>| if shown { v.clone() } else { None };
        Self {
            sub: sub.to_owned(),
            name: pick(&profile.name),
            preferred_username: pick(&profile.preferred_username),
            picture: pick(&profile.picture),
        }
    }
}

/// Signing failed: the key could not sign (a library failure, not bad input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SignError(String);

/// Signs `claims` as a compact JWS with `key`, its `kid` in the header.
pub fn sign<T: Serialize>(key: &SigningKey, claims: &T) -> Result<String, SignError> {
    crate::provider::install();
    let mut header = Header::new(key.alg().jwt());
    header.kid = Some(key.kid().to_owned());
    jsonwebtoken::encode(&header, claims, key.encoding_key()).map_err(|e| SignError(e.to_string()))
}

/// Signs an ID token.
pub fn sign_id_token(key: &SigningKey, claims: &IdTokenClaims) -> Result<String, SignError> {
    sign(key, claims)
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
