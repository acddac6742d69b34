//! Registered OAuth clients, their grants, and client authentication at the token,
//! revocation and device authorization endpoints (RFC 6749 §2.3).

use crate::error::{ErrorCode, OAuthError};
use crate::keys::Alg;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use qrlogin_core::{Millis, Secret, SecretKind, TokenHash};

/// The grants a client can be registered for, by their API.md names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// Authorization code flow (with PKCE).
    AuthorizationCode,
    /// Refresh tokens, rotated at every use.
    RefreshToken,
    /// RFC 8628 device authorization grant.
    DeviceCode,
    /// Confidential clients acting for themselves (trusted backends).
    ClientCredentials,
    /// RFC 8693 token exchange (trusted issuers' phone apps).
    TokenExchange,
}

impl Grant {
    /// Every grant, in the order of API.md.
    pub const ALL: [Grant; 5] = [
        Grant::AuthorizationCode,
        Grant::RefreshToken,
        Grant::DeviceCode,
        Grant::ClientCredentials,
        Grant::TokenExchange,
    ];

    /// The short name of the CLI (`--grant`) and the database.
    pub const fn name(self) -> &'static str {
        match self {
            Grant::AuthorizationCode => "authorization_code",
            Grant::RefreshToken => "refresh_token",
            Grant::DeviceCode => "device_code",
            Grant::ClientCredentials => "client_credentials",
            Grant::TokenExchange => "token_exchange",
        }
    }

    /// The `grant_type` value of a token request.
    pub const fn grant_type(self) -> &'static str {
        match self {
            Grant::AuthorizationCode => "authorization_code",
            Grant::RefreshToken => "refresh_token",
            Grant::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            Grant::ClientCredentials => "client_credentials",
            Grant::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
        }
    }

    /// Reads a CLI/database name.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.name() == s)
    }

    /// Reads a token request's `grant_type`; `None` is `unsupported_grant_type`.
    pub fn from_grant_type(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.grant_type() == s)
    }
}

/// A registered client, as the database keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// The `client_id`.
    pub id: String,
    /// Shown to the user: "Sign in to {name}".
    pub name: String,
    /// SHA-256 of the `qlc_` secret; `None` for a public client.
    pub secret_hash: Option<TokenHash>,
    /// Registered redirect URIs (see [`crate::redirect`]).
    pub redirect_uris: Vec<String>,
    /// The grants it may use.
    pub grants: Vec<Grant>,
    /// The scopes it may ask for.
    pub scopes: Vec<String>,
    /// What its ID tokens are signed with.
    pub id_token_alg: Alg,
    /// Registration time.
    pub created_at: Millis,
}

impl Client {
    /// A public client has no secret (native apps, SPAs, devices): it authenticates
    /// with `none` and must use PKCE.
    pub fn is_public(&self) -> bool {
        self.secret_hash.is_none()
    }

    /// Whether the client is registered for `grant`; if not, `unauthorized_client`.
    pub fn check_grant(&self, grant: Grant) -> Result<(), OAuthError> {
        if self.grants.contains(&grant) {
            Ok(())
        } else {
            Err(OAuthError::new(
                ErrorCode::UnauthorizedClient,
                format!("client is not registered for {}", grant.name()),
            ))
        }
    }
}

/// A fresh client secret, printed once and stored as its hash.
pub fn generate_secret() -> Secret {
    Secret::generate(SecretKind::ClientSecret)
}

/// Client ids: 1–64 of `A-Z a-z 0-9 . _ -`, so they are safe in URLs, logs and keys.
pub fn is_valid_client_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// How the client authenticated (the names of the discovery document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// Public client: `client_id` only.
    None,
}

/// What a request presented to authenticate its client.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The claimed client id.
    pub client_id: String,
    /// The secret in clear, when one was sent.
    pub secret: Option<String>,
    /// The method used.
    pub method: AuthMethod,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("method", &self.method)
            .finish()
    }
}

fn invalid_client(why: &str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClient, why)
}

fn invalid_request(why: &str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequest, why)
}

/// Reads the client's credentials from a request: the `Authorization` header value
/// and the form's `client_id` / `client_secret`. Using two methods at once is
/// `invalid_request` (RFC 6749 §2.3); a `client_id` in the form beside Basic is allowed
/// only when it names the same client.
pub fn credentials_from_request(
    authorization: Option<&str>,
    form_client_id: Option<&str>,
    form_client_secret: Option<&str>,
) -> Result<ClientCredentials, OAuthError> {
    if let Some(header) = authorization {
        let (id, secret) = parse_basic(header)?;
        if form_client_secret.is_some() {
            return Err(invalid_request(
                "more than one client authentication method",
            ));
        }
        if form_client_id.is_some_and(|f| f != id) {
            return Err(invalid_request(
                "client_id does not match the Authorization header",
            ));
        }
        return Ok(ClientCredentials {
            client_id: id,
            secret: Some(secret),
            method: AuthMethod::ClientSecretBasic,
        });
    }
    let client_id = match (form_client_id, form_client_secret) {
        (Some(id), _) if !id.is_empty() => id.to_owned(),
        (_, Some(_)) => return Err(invalid_request("client_secret without client_id")),
        _ => return Err(invalid_client("client authentication required")),
    };
    Ok(match form_client_secret {
        Some(secret) => ClientCredentials {
            client_id,
            secret: Some(secret.to_owned()),
            method: AuthMethod::ClientSecretPost,
        },
        None => ClientCredentials {
            client_id,
            secret: None,
            method: AuthMethod::None,
        },
    })
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1: the parts
/// are form-urlencoded before Basic, so a `:` inside either survives).
fn parse_basic(header: &str) -> Result<(String, String), OAuthError> {
    let (scheme, b64) = header
        .trim()
        .split_once(' ')
        .ok_or_else(|| invalid_client("malformed Authorization header"))?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid_client("unsupported authentication scheme"));
    }
    let raw = STANDARD
        .decode(b64.trim())
        .map_err(|_| invalid_client("malformed Basic credentials"))?;
    let text = String::from_utf8(raw).map_err(|_| invalid_client("malformed Basic credentials"))?;
    let (id, secret) = text
        .split_once(':')
        .ok_or_else(|| invalid_client("malformed Basic credentials"))?;
    let id = form_decode(id)?;
    if id.is_empty() {
        return Err(invalid_client("empty client_id"));
    }
    Ok((id, form_decode(secret)?))
}

fn form_decode(s: &str) -> Result<String, OAuthError> {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| invalid_client("malformed Basic credentials"))
}

/// Authenticates `creds` as `client` (already looked up by `creds.client_id`): a
/// confidential client must present its secret by a secret method, compared as hashes
/// in constant time; a public client must present none. Every failure is
/// `invalid_client` with the same description, so it tells an attacker nothing.
pub fn authenticate(client: &Client, creds: &ClientCredentials) -> Result<(), OAuthError> {
    let refused = || invalid_client("client authentication failed");
    if client.id != creds.client_id {
        return Err(refused());
    }
    match (&client.secret_hash, &creds.secret) {
        (None, None) => Ok(()),
        (Some(stored), Some(secret)) => {
            let presented =
                Secret::parse_hash(SecretKind::ClientSecret, secret).map_err(|_| refused())?;
            if presented == *stored {
                Ok(())
            } else {
                Err(refused())
            }
        }
        _ => Err(refused()),
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
