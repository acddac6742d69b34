//! [`IssuerDb`]: the trusted issuers of "Bring your own users" (RFC 8693 token
//! exchange), registered by `qrlogin issuers add` and read by the token endpoint.

use crate::DbResult;
use async_trait::async_trait;
use qrlogin_core::Millis;

/// A product's identity provider whose JWTs qrlogin accepts in a token exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedIssuer {
    /// The exact `iss` of its tokens; the key.
    pub issuer: String,
    /// Where its public keys (a JWK Set) are fetched from.
    pub jwks_uri: String,
    /// The `aud` its tokens must carry for qrlogin.
    pub audience: String,
    /// The claim holding the display name of a new account (e.g. `name`).
    pub name_claim: Option<String>,
    /// The claim holding the avatar URL of a new account (e.g. `picture`).
    pub picture_claim: Option<String>,
    /// When it was registered.
    pub created_at: Millis,
}

/// Trusted issuers, by `iss`.
#[async_trait]
pub trait IssuerDb: Send + Sync + 'static {
    /// Registers an issuer; `false` (nothing written) if it is already registered.
    async fn add_issuer(&self, issuer: &TrustedIssuer) -> DbResult<bool>;
    /// The issuer with this exact `iss`.
    async fn issuer(&self, issuer: &str) -> DbResult<Option<TrustedIssuer>>;
    /// Every issuer, by `iss`.
    async fn list_issuers(&self) -> DbResult<Vec<TrustedIssuer>>;
    /// Stops trusting an issuer (accounts already linked stay); `false` if unknown.
    async fn remove_issuer(&self, issuer: &str) -> DbResult<bool>;
}
