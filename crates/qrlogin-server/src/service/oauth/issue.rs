//! The tokens a successful grant hands out: an opaque access token (`qla_`, 10 min), a
//! refresh token (`qlr_`, 30 days) for clients registered for refreshing, and, with
//! scope `openid`, an ID token signed with the client's algorithm.

use super::{keys, OResult};
use crate::service::Error;
use crate::state::AppState;
use qrlogin_core::{Millis, Secret, SecretKind};
use qrlogin_db::{AccessToken, Account};
use qrlogin_oauth::jwt::sign_id_token;
use qrlogin_oauth::scope::OPENID;
use qrlogin_oauth::token::{ACCESS_TOKEN_TTL_SECS, ID_TOKEN_TTL_SECS, REFRESH_TOKEN_TTL_SECS};
use qrlogin_oauth::{Client, Grant, IdTokenClaims, Profile, RefreshGrant, Scopes, TokenResponse};

/// A user's login as a grant sees it.
pub struct Login<'a> {
    /// The client the tokens are for.
    pub client: &'a Client,
    /// The user.
    pub account: &'a Account,
    /// Granted scopes.
    pub scopes: &'a Scopes,
    /// The authorization request's nonce, for the ID token.
    pub nonce: Option<&'a str>,
    /// The login's session id (`sid`).
    pub session_id: &'a str,
    /// When the user confirmed on the phone.
    pub auth_time: Millis,
    /// The refresh family to continue (a refresh), or `None` to start one.
    pub family: Option<&'a str>,
}

/// What the ID token says about the account with scope `profile`.
pub fn profile(account: &Account) -> Profile {
    Profile {
        name: Some(account.display_name.clone()),
        preferred_username: Some(account.username.as_str().to_owned()),
        picture: account.avatar_url.clone(),
    }
}

fn gone() -> Error {
    Error::new(
        qrlogin_core::ErrorCode::InvalidState,
        "the client or account no longer exists",
    )
}

/// Issues the tokens of `login`.
pub async fn for_login(state: &AppState, login: &Login<'_>) -> OResult<TokenResponse> {
    let now = state.now();
    let family = login
        .family
        .map(str::to_owned)
        .unwrap_or_else(|| qrlogin_core::SessionId::generate().into_string());
    let access = Secret::generate(SecretKind::Access);
    let record = AccessToken {
        client_id: login.client.id.clone(),
        account_id: Some(login.account.id.clone()),
        scope: login.scopes.to_string(),
        family_id: Some(family.clone()),
        created_at: now,
        expires_at: now + (ACCESS_TOKEN_TTL_SECS as Millis) * 1000,
    };
    if !state.db.put_access_token(&access.hash(), &record).await? {
        return Err(super::oauth(
            qrlogin_oauth::ErrorCode::InvalidGrant,
            "the account is no longer active",
        ));
    }
    let mut out = TokenResponse::bearer(access.expose().to_owned(), ACCESS_TOKEN_TTL_SECS);
    out.scope = Some(login.scopes.to_string());
    if login.client.grants.contains(&Grant::RefreshToken) {
        let refresh = Secret::generate(SecretKind::Refresh);
        let grant = RefreshGrant {
            family_id: family,
            client_id: login.client.id.clone(),
            account_id: login.account.id.as_str().to_owned(),
            session_id: login.session_id.to_owned(),
            scope: login.scopes.to_string(),
            auth_time: login.auth_time,
            expires_at: now + (REFRESH_TOKEN_TTL_SECS as Millis) * 1000,
            used: false,
        };
        if !state.db.put_refresh_token(&refresh.hash(), &grant).await? {
            return Err(gone().into());
        }
        out.refresh_token = Some(refresh.expose().to_owned());
    }
    if login.scopes.contains(OPENID) {
        let key = keys::signing_key(state.db.as_ref(), login.client.id_token_alg, now)
            .await
            .map_err(Error::internal)?;
        let mut claims = IdTokenClaims::qr_login(
            &state.public_url,
            login.account.id.as_str(),
            &login.client.id,
            login.session_id,
            login.auth_time,
            now,
            ID_TOKEN_TTL_SECS,
        )
        .with_profile(login.scopes, &profile(login.account));
        claims.nonce = login.nonce.map(str::to_owned);
        out.id_token = Some(sign_id_token(&key, &claims).map_err(Error::internal)?);
    }
    Ok(out)
}

/// A `client_credentials` access token: the client acts for itself, no user, no
/// refresh or ID token.
pub async fn for_client(
    state: &AppState,
    client: &Client,
    scopes: &Scopes,
) -> OResult<TokenResponse> {
    let now = state.now();
    let access = Secret::generate(SecretKind::Access);
    let record = AccessToken {
        client_id: client.id.clone(),
        account_id: None,
        scope: scopes.to_string(),
        family_id: None,
        created_at: now,
        expires_at: now + (ACCESS_TOKEN_TTL_SECS as Millis) * 1000,
    };
    if !state.db.put_access_token(&access.hash(), &record).await? {
        return Err(gone().into());
    }
    let mut out = TokenResponse::bearer(access.expose().to_owned(), ACCESS_TOKEN_TTL_SECS);
    out.scope = Some(scopes.to_string());
    Ok(out)
}
