//! `POST /oauth2/token`: the authorization code, refresh token, device code and client
//! credentials grants. Every refusal is an RFC 6749 error; the one-use rules are the
//! database's atomic take (codes), mark-used (refresh tokens) and the QR session's
//! compare-and-set redeem (device codes).

use super::issue::{self, Login};
use super::{clients, oauth, OResult};
use crate::limits::entry::{self, OAuthEndpoint};
use crate::service::qr::apply;
use crate::state::AppState;
use qrlogin_core::{AccountId, Command, QrId, QrState, Secret, SecretKind, TransitionError};
use qrlogin_db::Account;
use qrlogin_oauth::scope::grant_requested;
use qrlogin_oauth::token::TokenRequest;
use qrlogin_oauth::{Client, ErrorCode, Grant, RefreshOutcome, Scopes, TokenResponse};

/// A token request with the `Authorization` header it came with, from `ip` (counted
/// first, against the address's token budget).
pub async fn exchange(
    state: &AppState,
    authorization: Option<&str>,
    req: &TokenRequest,
    ip: &str,
) -> OResult<TokenResponse> {
    entry::oauth(
        state.counters.as_ref(),
        &state.config.limits,
        OAuthEndpoint::Token,
        ip,
    )
    .await?;
    let grant = req.grant()?;
    let client = clients::authenticated(
        state.db.as_ref(),
        authorization,
        req.client_id.as_deref(),
        req.client_secret.as_deref(),
    )
    .await?;
    client.check_grant(grant)?;
    match grant {
        Grant::AuthorizationCode => code(state, &client, req).await,
        Grant::RefreshToken => refresh(state, &client, req).await,
        Grant::DeviceCode => device(state, &client, req).await,
        Grant::ClientCredentials => client_credentials(state, &client, req).await,
        Grant::TokenExchange => super::exchange::exchange(state, &client, req).await,
    }
}

fn invalid_grant(why: &str) -> super::Failure {
    oauth(ErrorCode::InvalidGrant, why)
}

/// The live account of a grant, or `invalid_grant`.
async fn account(state: &AppState, id: &str) -> OResult<Account> {
    let id = AccountId::parse(id).map_err(|_| invalid_grant("unknown account"))?;
    state
        .db
        .account_by_id(&id)
        .await?
        .filter(|a| !a.disabled)
        .ok_or_else(|| invalid_grant("the account is no longer active"))
}

fn scopes(text: &str) -> OResult<Scopes> {
    Ok(Scopes::parse(text)?)
}

async fn code(state: &AppState, client: &Client, req: &TokenRequest) -> OResult<TokenResponse> {
    let code = TokenRequest::required(&req.code, "code")?;
    let hash = Secret::parse_hash(SecretKind::AuthCode, code)
        .map_err(|_| invalid_grant("unknown authorization code"))?;
    let grant = state
        .db
        .take_code(&hash)
        .await?
        .ok_or_else(|| invalid_grant("unknown, used or expired authorization code"))?;
    grant.check_redemption(
        &client.id,
        req.redirect_uri.as_deref(),
        req.code_verifier.as_deref(),
        state.now(),
    )?;
    let account = account(state, &grant.account_id).await?;
    let scopes = scopes(&grant.scope)?;
    let login = Login {
        client,
        account: &account,
        scopes: &scopes,
        nonce: grant.nonce.as_deref(),
        session_id: &grant.session_id,
        auth_time: grant.auth_time,
        family: None,
    };
    issue::for_login(state, &login).await
}

async fn refresh(state: &AppState, client: &Client, req: &TokenRequest) -> OResult<TokenResponse> {
    let token = TokenRequest::required(&req.refresh_token, "refresh_token")?;
    let hash = Secret::parse_hash(SecretKind::Refresh, token)
        .map_err(|_| invalid_grant("unknown refresh token"))?;
    let grant = state
        .db
        .refresh_token(&hash)
        .await?
        .ok_or_else(|| invalid_grant("unknown or revoked refresh token"))?;
    let reused = |family: &str| {
        tracing::warn!(client = %client.id, family, "refresh token reused: family revoked");
        invalid_grant("refresh token already used; every token of this login is revoked")
    };
    let scopes = match grant.use_at(&client.id, req.scope.as_deref(), state.now())? {
        RefreshOutcome::RevokeFamily(family) => {
            state.db.revoke_family(&family).await?;
            return Err(reused(&family));
        }
        RefreshOutcome::Rotate(scopes) => scopes,
    };
    if !state.db.mark_refresh_used(&hash).await? {
        // Another request used it between our read and our write: a reuse too.
        state.db.revoke_family(&grant.family_id).await?;
        return Err(reused(&grant.family_id));
    }
    let account = account(state, &grant.account_id).await?;
    let login = Login {
        client,
        account: &account,
        scopes: &scopes,
        nonce: None,
        session_id: &grant.session_id,
        auth_time: grant.auth_time,
        family: Some(&grant.family_id),
    };
    issue::for_login(state, &login).await
}

async fn device(state: &AppState, client: &Client, req: &TokenRequest) -> OResult<TokenResponse> {
    let code = TokenRequest::required(&req.device_code, "device_code")?;
    let hash = Secret::parse_hash(SecretKind::DeviceCode, code)
        .map_err(|_| invalid_grant("unknown device code"))?;
    let now = state.now();
    // One statement finds the grant, paces the poll and records it.
    let poll = state
        .db
        .poll_device(&hash, &client.id, now)
        .await?
        .ok_or_else(|| invalid_grant("unknown device code"))?;
    if poll.slow_down {
        return Err(qrlogin_oauth::OAuthError::bare(ErrorCode::SlowDown).into());
    }
    let request = poll.request;
    let id = QrId::parse(&request.qr_id).map_err(|_| invalid_grant("unknown device code"))?;
    let Some(session) = state.qr.get(&id).await? else {
        return Err(oauth(
            ErrorCode::ExpiredToken,
            "the device code has expired",
        ));
    };
    match session.at(now).state {
        QrState::Pending | QrState::Scanned => {
            return Err(oauth(
                ErrorCode::AuthorizationPending,
                "waiting for the user",
            ))
        }
        QrState::Cancelled => return Err(oauth(ErrorCode::AccessDenied, "the user declined")),
        QrState::Expired => {
            return Err(oauth(
                ErrorCode::ExpiredToken,
                "the device code has expired",
            ))
        }
        QrState::Redeemed => return Err(invalid_grant("the device code was already used")),
        QrState::Confirmed => {}
    }
    let scanner = session
        .scanner
        .clone()
        .ok_or_else(|| invalid_grant("confirmed without a scanner"))?;
    let account = account(state, &scanner.account_id).await?;
    match apply(state, &id, &Command::Redeem, Some(session)).await {
        Ok(_) => {}
        Err(e) if e.code == TransitionError::AlreadyRedeemed.code() => {
            return Err(invalid_grant("the device code was already used"))
        }
        Err(e) if e.code == TransitionError::Expired.code() => {
            return Err(oauth(
                ErrorCode::ExpiredToken,
                "the device code has expired",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    let scopes = scopes(&request.scope)?;
    let session_id = qrlogin_core::SessionId::generate().into_string();
    let login = Login {
        client,
        account: &account,
        scopes: &scopes,
        nonce: None,
        session_id: &session_id,
        auth_time: now,
        family: None,
    };
    issue::for_login(state, &login).await
}

async fn client_credentials(
    state: &AppState,
    client: &Client,
    req: &TokenRequest,
) -> OResult<TokenResponse> {
    if client.is_public() {
        return Err(oauth(
            ErrorCode::UnauthorizedClient,
            "client_credentials is for confidential clients",
        ));
    }
    let scopes = grant_requested(req.scope.as_deref(), client)?;
    issue::for_client(state, client, &scopes).await
}
