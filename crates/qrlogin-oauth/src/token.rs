//! The token endpoint's request form and answers (RFC 6749 §4–5, RFC 8628 §3.4,
//! RFC 8693 §2), and the lifetimes API.md sets for what it hands out.

use crate::client::Grant;
use crate::error::{ErrorCode, OAuthError};
use serde::{Deserialize, Serialize};

/// Access tokens (`qla_…`) live 10 minutes.
pub const ACCESS_TOKEN_TTL_SECS: u64 = 600;
/// Refresh tokens (`qlr_…`) live 30 days.
pub const REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;
/// ID tokens live as long as the access token issued with them.
pub const ID_TOKEN_TTL_SECS: i64 = 600;
/// The only `subject_token_type` accepted in a token exchange.
pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// The `issued_token_type` of an exchange: a qrlogin phone token.
pub const MOBILE_TOKEN_TYPE: &str = "urn:qrlogin:token-type:mobile";

/// The form of `POST /oauth2/token`, every field optional so a missing one is an
/// `invalid_request` we word, not a framework rejection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TokenRequest {
    /// Which grant.
    pub grant_type: Option<String>,
    /// `authorization_code`: the code.
    pub code: Option<String>,
    /// `authorization_code`: the redirect URI of the authorization request.
    pub redirect_uri: Option<String>,
    /// `authorization_code`: the PKCE verifier.
    pub code_verifier: Option<String>,
    /// `refresh_token`: the token.
    pub refresh_token: Option<String>,
    /// Device grant: the device code.
    pub device_code: Option<String>,
    /// Requested scopes (refresh narrowing, client credentials).
    pub scope: Option<String>,
    /// Client authentication (`client_secret_post`, or `none`).
    pub client_id: Option<String>,
    /// Client authentication (`client_secret_post`).
    pub client_secret: Option<String>,
    /// Token exchange: the issuer's JWT.
    pub subject_token: Option<String>,
    /// Token exchange: must be [`JWT_TOKEN_TYPE`].
    pub subject_token_type: Option<String>,
    /// Token exchange: the phone's device id.
    pub device_id: Option<String>,
    /// Token exchange: the phone's device type.
    pub device_type: Option<String>,
    /// Token exchange: the phone's device name.
    pub device_name: Option<String>,
}

impl TokenRequest {
    /// The grant asked for: absent is `invalid_request`, unknown is
    /// `unsupported_grant_type`.
    pub fn grant(&self) -> Result<Grant, OAuthError> {
        let gt = self
            .grant_type
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "grant_type is required"))?;
        Grant::from_grant_type(gt).ok_or_else(|| {
            OAuthError::new(ErrorCode::UnsupportedGrantType, "unsupported grant_type")
        })
    }

    /// A parameter the grant needs: absent or empty is `invalid_request`.
    pub fn required<'a>(field: &'a Option<String>, name: &str) -> Result<&'a str, OAuthError> {
        field.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
            OAuthError::new(ErrorCode::InvalidRequest, format!("{name} is required"))
        })
    }

    /// The token exchange's subject token, checking its declared type.
    pub fn exchange_subject_token(&self) -> Result<&str, OAuthError> {
        let token = Self::required(&self.subject_token, "subject_token")?;
        match self.subject_token_type.as_deref() {
            Some(JWT_TOKEN_TYPE) => Ok(token),
            None => Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                "subject_token_type is required",
            )),
            Some(_) => Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                "subject_token_type must be urn:ietf:params:oauth:token-type:jwt",
            )),
        }
    }
}

/// A successful token answer (sent with `Cache-Control: no-store`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// `qla_…` (or `qlm_…` from a token exchange).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// `qlr_…`, when the grant includes refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The ID token, when `openid` was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The granted scopes, space-delimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Token exchange only: what `access_token` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<String>,
}

impl TokenResponse {
    /// A bearer access token living `expires_in` seconds; the rest is added by the
    /// grant that needs it.
    pub fn bearer(access_token: String, expires_in: u64) -> Self {
        Self {
            access_token,
            token_type: "Bearer".to_owned(),
            expires_in,
            refresh_token: None,
            id_token: None,
            scope: None,
            issued_token_type: None,
        }
    }

    /// The token exchange answer: a phone token (API.md "Bring your own users").
    pub fn mobile_exchange(mobile_token: String, expires_in: u64) -> Self {
        Self {
            issued_token_type: Some(MOBILE_TOKEN_TYPE.to_owned()),
            ..Self::bearer(mobile_token, expires_in)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_grant_is_read_from_grant_type() {
        let r = |g: Option<&str>| TokenRequest {
            grant_type: g.map(str::to_owned),
            ..Default::default()
        };
        assert_eq!(
            r(Some("urn:ietf:params:oauth:grant-type:device_code")).grant(),
            Ok(Grant::DeviceCode)
        );
        assert_eq!(
            r(None).grant().unwrap_err().error,
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            r(Some("")).grant().unwrap_err().error,
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            r(Some("password")).grant().unwrap_err().error,
            ErrorCode::UnsupportedGrantType
        );
    }

    #[test]
    fn a_token_exchange_needs_a_jwt_subject_token() {
        let mut r = TokenRequest {
            subject_token: Some("a.b.c".into()),
            subject_token_type: Some(JWT_TOKEN_TYPE.into()),
            ..Default::default()
        };
        assert_eq!(r.exchange_subject_token(), Ok("a.b.c"));
        r.subject_token_type = Some("urn:ietf:params:oauth:token-type:access_token".into());
        assert_eq!(
            r.exchange_subject_token().unwrap_err().error,
            ErrorCode::InvalidRequest
        );
        r.subject_token_type = None;
        assert_eq!(
            r.exchange_subject_token().unwrap_err().error,
            ErrorCode::InvalidRequest
        );
        r.subject_token = None;
        assert_eq!(
            r.exchange_subject_token().unwrap_err().error,
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn answers_leave_out_what_the_grant_does_not_give() {
        let mut t = TokenResponse::bearer("qla_x".into(), ACCESS_TOKEN_TTL_SECS);
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            json!({ "access_token": "qla_x", "token_type": "Bearer", "expires_in": 600 })
        );
        t.refresh_token = Some("qlr_y".into());
        t.id_token = Some("j.w.t".into());
        t.scope = Some("openid".into());
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(
            (v["refresh_token"].as_str(), v["scope"].as_str()),
            (Some("qlr_y"), Some("openid"))
        );
    }

    #[test]
    fn the_exchange_answer_names_the_mobile_token_type() {
        let v = serde_json::to_value(TokenResponse::mobile_exchange("qlm_z".into(), 3600)).unwrap();
        assert_eq!(
            v,
            json!({ "access_token": "qlm_z", "token_type": "Bearer", "expires_in": 3600,
                    "issued_token_type": "urn:qrlogin:token-type:mobile" })
        );
    }
}
