//! The OpenID Provider's use cases, over the QR-session state machine: an OAuth request
//! (the authorization page's, or a device's) is a QR session plus an
//! [`OAuthRequest`](qrlogin_db::OAuthRequest) row under its `qr_id`; the phone scans
//! and confirms it like any other, and the QR session's compare-and-set `redeem` is the
//! one use of the login, atomic on every instance.
//!
//! - [`keys`]: signing keys (made at first start, rotated, published).
//! - [`clients`]: client lookup and authentication, the demo client.
//! - [`authorize`]: the authorization page's QR session and its redirect.
//! - [`device`]: device authorization and the typed user code.
//! - [`token`]: the token endpoint's grants; [`issue`]: the tokens they hand out.
//! - [`exchange`]: the token exchange of trusted issuers' JWTs ([`jwks_cache`]: their keys).
//! - [`qr_client`]: a plain QR login made for a client, and its ID token.
//! - [`userinfo`]: the userinfo and revocation endpoints.

pub mod authorize;
pub mod clients;
pub mod device;
pub mod exchange;
pub mod issue;
pub mod jwks_cache;
pub mod keys;
pub mod qr_client;
pub mod token;
pub mod userinfo;

use super::Error;
use qrlogin_oauth::{ErrorCode, OAuthError};

/// Why an OAuth use case refused: an RFC 6749 error (rendered as its JSON), or a failure
/// of the server itself (rendered as problem+json: 503 `store_unavailable`, 500).
#[derive(Debug)]
pub enum Failure {
    /// The protocol's own answer.
    OAuth(OAuthError),
    /// The database, the store or an invariant failed.
    Service(Error),
}

/// Result of an OAuth use case.
pub type OResult<T> = std::result::Result<T, Failure>;

impl From<OAuthError> for Failure {
    fn from(e: OAuthError) -> Self {
        Failure::OAuth(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Service(e)
    }
}

impl From<qrlogin_db::DbError> for Failure {
    fn from(e: qrlogin_db::DbError) -> Self {
        Failure::Service(e.into())
    }
}

impl From<qrlogin_store::StoreError> for Failure {
    fn from(e: qrlogin_store::StoreError) -> Self {
        Failure::Service(e.into())
    }
}

/// An RFC 6749 error with a description.
pub fn oauth(code: ErrorCode, why: &str) -> Failure {
    Failure::OAuth(OAuthError::new(code, why))
}
