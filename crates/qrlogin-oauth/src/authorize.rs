//! The authorization request (`GET /oauth2/authorize`) and the authorization code it
//! ends in: which failures may be redirected to the client and which must be an error
//! page, and the checks at the code's one redemption (RFC 6749 §4.1, RFC 7636, OAuth
//! 2.0 Security BCP).

use crate::client::{Client, Grant};
use crate::error::{ErrorCode, OAuthError};
use crate::pkce::CodeChallenge;
use crate::redirect::{self, RedirectError};
use crate::scope::{self, Scopes};
use qrlogin_core::Millis;
use serde::{Deserialize, Serialize};
use url::Url;

/// An authorization code is redeemable for 60 s (API.md).
pub const CODE_TTL_MS: Millis = 60_000;

/// Longest `state` or `nonce` accepted: they come back in URLs and tokens.
const MAX_ECHO_LEN: usize = 512;

/// The query of an authorization request, as received (every field optional so that
/// a missing one is our error to report, not a deserialisation failure).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AuthorizeParams {
    /// Must be `code`.
    pub response_type: Option<String>,
    /// The client.
    pub client_id: Option<String>,
    /// Where to send the answer; must match a registration.
    pub redirect_uri: Option<String>,
    /// Space-delimited scopes.
    pub scope: Option<String>,
    /// Opaque client value, echoed in the redirect.
    pub state: Option<String>,
    /// Echoed in the ID token.
    pub nonce: Option<String>,
    /// PKCE challenge (required for public clients).
    pub code_challenge: Option<String>,
    /// Must be `S256` when a challenge is sent.
    pub code_challenge_method: Option<String>,
}

/// A refused authorization request, in the form it must be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The client or its redirect URI cannot be trusted: show an error page, never
    /// redirect (RFC 6749 §4.1.2.1, API.md).
    Page(OAuthError),
    /// The client is known and the URI is registered: redirect the error there.
    Redirect {
        /// The matched redirect URI (boxed: it is most of the error's size).
        redirect_uri: Box<Url>,
        /// The error.
        error: OAuthError,
        /// The client's `state`, echoed.
        state: Option<String>,
    },
}

/// A valid authorization request, ready to become a QR session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// The client.
    pub client_id: String,
    /// Where the answer goes (with the loopback port the client asked for).
    pub redirect_uri: Url,
    /// Granted scopes.
    pub scopes: Scopes,
    /// Echoed in the redirect.
    pub state: Option<String>,
    /// Echoed in the ID token.
    pub nonce: Option<String>,
    /// Kept with the code; `None` only for confidential clients that sent none.
    pub code_challenge: Option<CodeChallenge>,
}

fn page(error: ErrorCode, why: &str) -> AuthorizeError {
    AuthorizeError::Page(OAuthError::new(error, why))
}

/// Validates an authorization request for `client` (the one `params.client_id` names,
/// or `None` when unknown). Client and redirect URI are checked first, as only they
/// make a redirect safe; every later failure is redirected with `state`.
pub fn validate(
    params: &AuthorizeParams,
    client: Option<&Client>,
) -> Result<AuthorizationRequest, AuthorizeError> {
    let client = match (client, params.client_id.as_deref()) {
        (Some(c), Some(id)) if c.id == id => c,
        (_, None) => return Err(page(ErrorCode::InvalidRequest, "client_id is required")),
        _ => return Err(page(ErrorCode::InvalidClient, "unknown client")),
    };
    let redirect_uri = match params.redirect_uri.as_deref() {
        Some(r) => redirect::match_registered(&client.redirect_uris, r, client.is_public())
            .map_err(|e| page(ErrorCode::InvalidRequest, redirect_reason(e)))?,
        None => return Err(page(ErrorCode::InvalidRequest, "redirect_uri is required")),
    };
    let state = params.state.clone().filter(|s| !s.is_empty());
    let fail = |error: ErrorCode, why: &str| AuthorizeError::Redirect {
        redirect_uri: Box::new(redirect_uri.clone()),
        error: OAuthError::new(error, why),
        state: state.clone(),
    };
    if state.as_ref().is_some_and(|s| s.len() > MAX_ECHO_LEN) {
        return Err(page(ErrorCode::InvalidRequest, "state too long"));
    }
    match params.response_type.as_deref() {
        Some("code") => {}
        None => return Err(fail(ErrorCode::InvalidRequest, "response_type is required")),
        Some(_) => {
            return Err(fail(
                ErrorCode::UnsupportedResponseType,
                "only code is supported",
            ))
        }
    }
    if client.check_grant(Grant::AuthorizationCode).is_err() {
        return Err(fail(
            ErrorCode::UnauthorizedClient,
            "client is not registered for authorization_code",
        ));
    }
    let scopes = scope::grant_requested(params.scope.as_deref(), client).map_err(|e| {
        fail(
            e.error,
            e.error_description.as_deref().unwrap_or("invalid scope"),
        )
    })?;
    let nonce = params.nonce.clone().filter(|n| !n.is_empty());
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_ECHO_LEN) {
        return Err(fail(ErrorCode::InvalidRequest, "nonce too long"));
    }
    let code_challenge = match params.code_challenge.as_deref() {
        Some(c) => Some(
            CodeChallenge::parse(c, params.code_challenge_method.as_deref())
                .map_err(|e| fail(ErrorCode::InvalidRequest, &e.to_string()))?,
        ),
        None if client.is_public() => {
            return Err(fail(ErrorCode::InvalidRequest, "PKCE (S256) is required"))
        }
        None => None,
    };
    Ok(AuthorizationRequest {
        client_id: client.id.clone(),
        redirect_uri,
        scopes,
        state,
        nonce,
        code_challenge,
    })
}

fn redirect_reason(e: RedirectError) -> &'static str {
    match e {
        RedirectError::NotRegistered => "redirect_uri is not registered for this client",
        RedirectError::Fragment => "redirect_uri must not have a fragment",
        _ => "redirect_uri is malformed",
    }
}

/// What is stored under an authorization code's hash until its one redemption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI of the request, exactly as sent.
    pub redirect_uri: String,
    /// Granted scopes, space-delimited.
    pub scope: String,
    /// For the ID token.
    pub nonce: Option<String>,
    /// The PKCE challenge to meet.
    pub code_challenge: Option<String>,
    /// The account that confirmed (the `sub`).
    pub account_id: String,
    /// The PC session the login made (the `sid`).
    pub session_id: String,
    /// When the user confirmed.
    pub auth_time: Millis,
    /// Redeemable until then.
    pub expires_at: Millis,
}

fn invalid_grant(why: &str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidGrant, why)
}

impl CodeGrant {
    /// Checks a token request against this code (already taken from the store, so a
    /// replay finds nothing): expiry, the same client, the same `redirect_uri`, and the
    /// PKCE verifier. A verifier for a code issued without a challenge is refused too
    /// (no PKCE downgrade). Every failure is `invalid_grant`.
    pub fn check_redemption(
        &self,
        client_id: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        now: Millis,
    ) -> Result<(), OAuthError> {
        if now >= self.expires_at {
            return Err(invalid_grant("authorization code expired"));
        }
        if client_id != self.client_id {
            return Err(invalid_grant(
                "authorization code was issued to another client",
            ));
        }
        if redirect_uri != Some(self.redirect_uri.as_str()) {
            return Err(invalid_grant(
                "redirect_uri does not match the authorization request",
            ));
        }
        match (&self.code_challenge, code_verifier) {
            (Some(c), Some(v)) => CodeChallenge::parse(c, Some("S256"))
                .and_then(|c| c.verify(v))
                .map_err(|_| invalid_grant("code_verifier does not match")),
            (Some(_), None) => Err(invalid_grant("code_verifier is required")),
            (None, Some(_)) => Err(invalid_grant("no code_challenge was sent for this code")),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
