//! Refresh tokens (RFC 6749 §6) with rotation: every use hands out a new token of the
//! same *family* and retires the old one. Presenting a retired token means it leaked
//! (or the client raced itself): the whole family is revoked (OAuth 2.0 Security BCP
//! §4.14.2). The store makes use-and-rotate atomic; the rules are here.

use crate::error::{ErrorCode, OAuthError};
use crate::scope::Scopes;
use qrlogin_core::Millis;
use serde::{Deserialize, Serialize};

/// What is stored under a refresh token's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshGrant {
    /// Shared by every rotation of one login: the unit of revocation.
    pub family_id: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The account (the `sub`).
    pub account_id: String,
    /// The PC session of the original login (the `sid`).
    pub session_id: String,
    /// Scopes of the original grant, space-delimited; a refresh may only narrow them.
    pub scope: String,
    /// When the user confirmed the original login.
    pub auth_time: Millis,
    /// Usable until then.
    pub expires_at: Millis,
    /// Set when rotated: presenting it again is a reuse.
    pub used: bool,
}

/// What the token endpoint must do with a presented refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// Issue a new access token (and the next refresh token of the family) for these
    /// scopes, and mark this one used.
    Rotate(Scopes),
    /// A used token came back: revoke every token of `family_id`, answer
    /// `invalid_grant`.
    RevokeFamily(String),
}

fn invalid_grant(why: &str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidGrant, why)
}

impl RefreshGrant {
    /// Decides a refresh request by `client_id` asking for `requested` scopes (none:
    /// the original ones) at `now`. Another client's token is `invalid_grant` without
    /// touching the family (the presenter is not its owner, so it proves no leak).
    pub fn use_at(
        &self,
        client_id: &str,
        requested: Option<&str>,
        now: Millis,
    ) -> Result<RefreshOutcome, OAuthError> {
        if client_id != self.client_id {
            return Err(invalid_grant("refresh token was issued to another client"));
        }
        if self.used {
            return Ok(RefreshOutcome::RevokeFamily(self.family_id.clone()));
        }
        if now >= self.expires_at {
            return Err(invalid_grant("refresh token expired"));
        }
        let original = Scopes::parse(&self.scope)?;
        let scopes = match requested.map(Scopes::parse).transpose()? {
            Some(r) if !r.is_empty() => r,
            _ => original.clone(),
        };
        if !scopes.is_subset_of(&original) {
            return Err(OAuthError::new(
                ErrorCode::InvalidScope,
                "a refresh cannot widen the original scope",
            ));
        }
        Ok(RefreshOutcome::Rotate(scopes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> RefreshGrant {
        RefreshGrant {
            family_id: "fam_1".into(),
            client_id: "demo".into(),
            account_id: "acc_1".into(),
            session_id: "ses_1".into(),
            scope: "offline_access openid profile".into(),
            auth_time: 0,
            expires_at: 1_000,
            used: false,
        }
    }

    #[test]
    fn a_fresh_token_rotates_with_the_original_or_narrower_scopes() {
        let g = grant();
        let all = Scopes::parse("offline_access openid profile").unwrap();
        assert_eq!(g.use_at("demo", None, 0), Ok(RefreshOutcome::Rotate(all)));
        let narrow = Scopes::parse("openid").unwrap();
        assert_eq!(
            g.use_at("demo", Some("openid"), 0),
            Ok(RefreshOutcome::Rotate(narrow))
        );
    }

    #[test]
    fn a_reused_token_revokes_its_family() {
        let mut g = grant();
        g.used = true;
        assert_eq!(
            g.use_at("demo", None, 0),
            Ok(RefreshOutcome::RevokeFamily("fam_1".into()))
        );
    }

    #[test]
    fn another_clients_expired_or_widened_use_is_refused() {
        let g = grant();
        assert_eq!(
            g.use_at("other", None, 0).unwrap_err().error,
            ErrorCode::InvalidGrant
        );
        assert_eq!(
            g.use_at("demo", None, 1_000).unwrap_err().error,
            ErrorCode::InvalidGrant
        );
        assert_eq!(
            g.use_at("demo", Some("openid qr:approve"), 0)
                .unwrap_err()
                .error,
            ErrorCode::InvalidScope
        );
    }
}
