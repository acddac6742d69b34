//! OAuth error responses: RFC 6749 §5.2, RFC 8628 §3.5, RFC 7009 §2.2.1 and RFC 8693
//! §2.2.2. These endpoints answer `{ "error", "error_description" }` (not
//! problem+json) because that is what every client library parses.

use serde::Serialize;
use std::fmt;

/// The `error` codes of the OAuth endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Missing or repeated parameter, malformed value (RFC 6749).
    InvalidRequest,
    /// Client authentication failed: unknown client, wrong secret, wrong method.
    InvalidClient,
    /// The code, refresh token or device code is invalid, expired, used, or not
    /// this client's; or the PKCE verifier / redirect URI does not match.
    InvalidGrant,
    /// The client is not registered for this grant.
    UnauthorizedClient,
    /// A grant type we do not know.
    UnsupportedGrantType,
    /// A scope the client may not ask for, or a malformed scope.
    InvalidScope,
    /// Device grant: the user has not decided yet (RFC 8628).
    AuthorizationPending,
    /// Device grant: polled sooner than the interval; the interval grows by 5 s.
    SlowDown,
    /// The user declined (or cancelled on the phone).
    AccessDenied,
    /// Device grant: the device code expired.
    ExpiredToken,
    /// Token exchange: the requested audience or resource is not acceptable (RFC 8693).
    InvalidTarget,
    /// Revocation: a token type hint we cannot revoke (RFC 7009).
    UnsupportedTokenType,
    /// Authorization endpoint: a `response_type` other than `code`.
    UnsupportedResponseType,
    /// Something failed on our side; details go to the log.
    ServerError,
    /// The store or database cannot be reached; nothing was changed.
    TemporarilyUnavailable,
    /// Too many requests from this client address; the response has `Retry-After`.
    /// Not an RFC 6749 code (it has none for this): the API's own `rate_limited`, in the
    /// RFC 6749 body that client libraries parse, with the HTTP status they know.
    RateLimited,
}

impl ErrorCode {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AuthorizationPending => "authorization_pending",
            ErrorCode::SlowDown => "slow_down",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::ExpiredToken => "expired_token",
            ErrorCode::InvalidTarget => "invalid_target",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::RateLimited => "rate_limited",
        }
    }

    /// The HTTP status: 400 for every client error (RFC 6749 §5.2, RFC 8628 §3.5),
    /// 401 for `invalid_client`, 429 for `rate_limited`, 500/503 for our own failures.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidClient => 401,
            ErrorCode::ServerError => 500,
            ErrorCode::TemporarilyUnavailable => 503,
            ErrorCode::RateLimited => 429,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One OAuth error response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{error}")]
pub struct OAuthError {
    /// The machine-readable code.
    pub error: ErrorCode,
    /// A short human-readable reason; never contains a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// The `WWW-Authenticate` value sent with 401 `invalid_client` (RFC 6749 §5.2: the
/// scheme the client may authenticate with).
pub const WWW_AUTHENTICATE_BASIC: &str = "Basic realm=\"qrlogin\", charset=\"UTF-8\"";

impl OAuthError {
    /// An error with a description.
    pub fn new(error: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            error,
            error_description: Some(description.into()),
        }
    }

    /// An error without a description (device polling: the code says it all).
    pub const fn bare(error: ErrorCode) -> Self {
        Self {
            error,
            error_description: None,
        }
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.error.status()
    }

    /// The `WWW-Authenticate` header the response must carry, if any.
    pub fn www_authenticate(&self) -> Option<&'static str> {
        (self.error == ErrorCode::InvalidClient).then_some(WWW_AUTHENTICATE_BASIC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialise_as_rfc_6749_json() {
        let e = OAuthError::new(ErrorCode::InvalidGrant, "code already used");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({ "error": "invalid_grant", "error_description": "code already used" })
        );
        let bare = serde_json::to_value(OAuthError::bare(ErrorCode::SlowDown)).unwrap();
        assert_eq!(bare, serde_json::json!({ "error": "slow_down" }));
    }

    #[test]
    fn every_code_serialises_as_its_wire_name() {
        use ErrorCode::*;
        for c in [
            InvalidRequest,
            InvalidClient,
            InvalidGrant,
            UnauthorizedClient,
            UnsupportedGrantType,
            InvalidScope,
            AuthorizationPending,
            SlowDown,
            AccessDenied,
            ExpiredToken,
            InvalidTarget,
            UnsupportedTokenType,
            UnsupportedResponseType,
            ServerError,
            TemporarilyUnavailable,
            RateLimited,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }

    #[test]
    fn invalid_client_is_401_with_a_basic_challenge_and_the_rest_are_400() {
        let e = OAuthError::bare(ErrorCode::InvalidClient);
        assert_eq!(e.status(), 401);
        assert!(e.www_authenticate().unwrap().starts_with("Basic "));
        for c in [
            ErrorCode::InvalidGrant,
            ErrorCode::AuthorizationPending,
            ErrorCode::SlowDown,
            ErrorCode::ExpiredToken,
            ErrorCode::AccessDenied,
            ErrorCode::InvalidTarget,
        ] {
            assert_eq!(OAuthError::bare(c).status(), 400);
            assert_eq!(OAuthError::bare(c).www_authenticate(), None);
        }
        assert_eq!(ErrorCode::TemporarilyUnavailable.status(), 503);
        assert_eq!(ErrorCode::RateLimited.status(), 429);
    }
}
