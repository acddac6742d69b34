//! A plain QR login made for a registered client (`client_id` on `POST /api/v1/qr`):
//! the client is kept as an [`OAuthRequest`] row under the `qr_id` (so the phone's scan
//! answer names it, as for the authorization page), and the redeem answer carries an
//! ID token for it, which the product's web backend verifies offline against the JWKS.
//! The row has no redirect URI and no device code, so neither the authorization page's
//! redirect nor the device grant can ever use it.

use super::issue::profile;
use super::keys;
use crate::service::{Error, Result};
use crate::state::AppState;
use qrlogin_core::{ErrorCode, Millis, QrClient, QrId};
use qrlogin_db::{Account, OAuthRequest};
use qrlogin_oauth::jwt::sign_id_token;
use qrlogin_oauth::token::ID_TOKEN_TTL_SECS;
use qrlogin_oauth::{IdTokenClaims, Scopes};

/// The scopes of the ID token of a plain QR login: the user's id and profile.
const SCOPE: &str = "openid profile";

/// Checks that `client_id` names a registered client: 400 `invalid_request` if not.
pub async fn check(state: &AppState, client_id: &str) -> Result<()> {
    match state.db.client(client_id).await? {
        Some(_) => Ok(()),
        None => Err(Error::new(
            ErrorCode::InvalidRequest,
            "client_id is not a registered client",
        )),
    }
}

/// Records that QR session `id`, living until `expires_at`, is for `client_id`.
pub async fn attach(
    state: &AppState,
    id: &QrId,
    client_id: &str,
    expires_at: Millis,
) -> Result<()> {
    let row = OAuthRequest {
        qr_id: id.as_str().to_owned(),
        client_id: client_id.to_owned(),
        redirect_uri: None,
        scope: SCOPE.to_owned(),
        state: None,
        nonce: None,
        code_challenge: None,
        device_code_hash: None,
        user_code_hash: None,
        pace: Default::default(),
        expires_at,
    };
    state.db.put_oauth_request(&row).await?;
    Ok(())
}

/// The ID token of a redeemed plain QR login made for a client (`None` for a QR login
/// made for no client, or for an authorization page's or device's QR session, whose
/// tokens come from `/oauth2/token`). A session that records no client (`client`)
/// costs no lookup.
pub async fn id_token(
    state: &AppState,
    id: &QrId,
    client: &QrClient,
    account: &Account,
    session_id: &str,
) -> Result<Option<String>> {
    if !client.may_have_request() {
        return Ok(None);
    }
    let now = state.now();
    let Some(req) = state.db.oauth_request(id.as_str(), now).await? else {
        return Ok(None);
    };
    if req.redirect_uri.is_some() || req.device_code_hash.is_some() {
        return Ok(None);
    }
    let Some(client) = state.db.client(&req.client_id).await? else {
        return Ok(None);
    };
    let scopes = Scopes::parse(&req.scope).map_err(|e| Error::internal(e.to_string()))?;
    let key = keys::signing_key(state.db.as_ref(), client.id_token_alg, now)
        .await
        .map_err(Error::internal)?;
    let mut claims = IdTokenClaims::qr_login(
        &state.public_url,
        account.id.as_str(),
        &client.id,
        session_id,
        now,
        now,
        ID_TOKEN_TTL_SECS,
    )
    .with_profile(&scopes, &profile(account));
    claims.nonce = None;
    Ok(Some(sign_id_token(&key, &claims).map_err(Error::internal)?))
}
