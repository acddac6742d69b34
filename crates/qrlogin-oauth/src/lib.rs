//! The OAuth 2.0 / OpenID Connect domain of qrlogin, pure and I/O-free (except the OS
//! CSPRNG), so the HTTP endpoints stay thin and every rule is unit-tested here.
//!
//! - [`keys`]: ES256/RS256 signing keys, PKCS#8 PEM for the database, the JWKS.
//! - [`jwt`]: ID token claims and signing.
//! - [`verify`]: verifying JWTs against a JWK set (ours, or a trusted issuer's) with
//!   the algorithm pinned by the key.
//! - [`pkce`]: RFC 7636 `S256` only.
//! - [`user_code`]: RFC 8628 user codes (`XXXX-XXXX`).
//! - [`redirect`]: redirect URI registration, matching (RFC 8252 loopback) and the
//!   success/error redirects (RFC 9207 `iss`).
//! - [`client`]: registered clients, grants, and client authentication.
//! - [`scope`]: parsing requested scopes and checking them against the client's.
//! - [`error`]: RFC 6749 §5.2 / RFC 8628 / RFC 8693 error responses.
//! - [`authorize`]: the authorization request (error page vs. redirect) and the
//!   checks at an authorization code's redemption.
//! - [`device`]: the device authorization answer and the `slow_down` pacing.
//! - [`refresh`]: refresh token rotation and reuse detection (family revocation).
//! - [`token`]: token endpoint answers and token lifetimes.
//! - [`discovery`]: the OpenID Provider metadata document.

pub mod authorize;
pub mod client;
pub mod device;
pub mod discovery;
pub mod error;
pub mod jwt;
pub mod keys;
pub mod pkce;
mod provider;
pub mod redirect;
pub mod refresh;
pub mod scope;
pub mod token;
pub mod user_code;
pub mod verify;

pub use authorize::{AuthorizationRequest, AuthorizeError, AuthorizeParams, CodeGrant};
pub use client::{AuthMethod, Client, ClientCredentials, Grant};
pub use device::{DeviceAuthorizationResponse, PollPace};
pub use discovery::ProviderMetadata;
pub use error::{ErrorCode, OAuthError};
pub use jsonwebtoken::jwk::JwkSet;
pub use jwt::{IdTokenClaims, Profile, UserInfo};
pub use keys::{Alg, KeyError, SigningKey};
pub use pkce::CodeChallenge;
pub use redirect::RedirectError;
pub use refresh::{RefreshGrant, RefreshOutcome};
pub use scope::Scopes;
pub use token::TokenResponse;
pub use user_code::UserCode;
pub use verify::{ExternalClaims, VerifyError};
