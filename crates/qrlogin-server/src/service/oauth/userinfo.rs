//! `/oauth2/userinfo` (OpenID Connect Core §5.3) and `/oauth2/revoke` (RFC 7009).

use super::{clients, OResult};
use crate::limits::entry::{self, OAuthEndpoint};
use crate::service::Result;
use crate::state::AppState;
use qrlogin_core::{Secret, SecretKind};
use qrlogin_oauth::{Scopes, UserInfo};

/// What the access token releases about its user; `None` for a missing, unknown,
/// expired or revoked token, or one without a user (`client_credentials`).
pub async fn userinfo(state: &AppState, token: Option<&str>) -> Result<Option<UserInfo>> {
    let Some(hash) = token.and_then(|t| Secret::parse_hash(SecretKind::Access, t).ok()) else {
        return Ok(None);
    };
    let Some(at) = state.db.access_token(&hash, state.now()).await? else {
        return Ok(None);
    };
    let Some(account_id) = at.account_id else {
        return Ok(None);
    };
    let Some(account) = state.db.account_by_id(&account_id).await? else {
        return Ok(None);
    };
    let scopes = Scopes::parse(&at.scope).unwrap_or_default();
    Ok(Some(UserInfo::new(
        account.id.as_str(),
        &scopes,
        &super::issue::profile(&account),
    )))
}

/// Revokes `token` if it is one of the authenticated client's: a refresh token takes
/// its whole family (and the access tokens issued with it); an access token goes alone.
/// Unknown tokens are not an error (RFC 7009 §2.2).
pub async fn revoke(
    state: &AppState,
    authorization: Option<&str>,
    client_id: Option<&str>,
    client_secret: Option<&str>,
    token: Option<&str>,
    ip: &str,
) -> OResult<()> {
    entry::oauth(
        state.counters.as_ref(),
        &state.config.limits,
        OAuthEndpoint::Revoke,
        ip,
    )
    .await?;
    let client =
        clients::authenticated(state.db.as_ref(), authorization, client_id, client_secret).await?;
    let token = qrlogin_oauth::token::TokenRequest::required(&token.map(str::to_owned), "token")?
        .to_owned();
    if let Ok(hash) = Secret::parse_hash(SecretKind::Refresh, &token) {
        if let Some(grant) = state.db.refresh_token(&hash).await? {
            if grant.client_id == client.id {
                state.db.revoke_family(&grant.family_id).await?;
            }
        }
    } else if let Ok(hash) = Secret::parse_hash(SecretKind::Access, &token) {
        state.db.revoke_access_token(&hash, &client.id).await?;
    }
    Ok(())
}
