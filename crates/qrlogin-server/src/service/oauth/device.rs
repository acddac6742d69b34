//! RFC 8628 device authorization: the device gets a device code, a user code and the
//! QR content of a new QR session carrying the grant; a phone scans the QR or types the
//! user code at `/m/device` (which finds the same QR session), then confirms as usual.

use super::{clients, OResult};
use crate::limits::entry::{self, OAuthEndpoint};
use crate::service::{auth, qr, Error, PhoneCredentials, RequestContext, Result};
use crate::state::AppState;
use qrlogin_core::time::secs_until;
use qrlogin_core::{DeviceInfo, ErrorCode, Secret, SecretKind};
use qrlogin_db::OAuthRequest;
use qrlogin_oauth::scope::grant_requested;
use qrlogin_oauth::{DeviceAuthorizationResponse, Grant, UserCode};

/// The client's request, as read from the form.
#[derive(Debug, Default)]
pub struct DeviceForm<'a> {
    /// `Authorization` header.
    pub authorization: Option<&'a str>,
    /// Form `client_id`.
    pub client_id: Option<&'a str>,
    /// Form `client_secret`.
    pub client_secret: Option<&'a str>,
    /// Form `scope`.
    pub scope: Option<&'a str>,
}

/// `POST /oauth2/device_authorization`.
pub async fn authorize(
    state: &AppState,
    form: DeviceForm<'_>,
    ctx: RequestContext,
) -> OResult<DeviceAuthorizationResponse> {
    entry::oauth(
        state.counters.as_ref(),
        &state.config.limits,
        OAuthEndpoint::DeviceAuthorization,
        &ctx.ip,
    )
    .await?;
    let client = clients::authenticated(
        state.db.as_ref(),
        form.authorization,
        form.client_id,
        form.client_secret,
    )
    .await?;
    client.check_grant(Grant::DeviceCode)?;
    let scopes = grant_requested(form.scope, &client)?;
    let device = DeviceInfo {
        id: None,
        kind: Some("tv".into()),
        name: Some(client.name.clone()),
    };
    let created = qr::create_made_for(state, Some(device), Some(&client.id), ctx).await?;
    let device_code = Secret::generate(SecretKind::DeviceCode);
    let user_code = UserCode::generate();
    let now = state.now();
    let l = &state.config.lifetimes;
    let expires_at = now + l.qr_ms;
    let row = OAuthRequest {
        qr_id: created.qr_id.clone(),
        client_id: client.id.clone(),
        redirect_uri: None,
        scope: scopes.to_string(),
        state: None,
        nonce: None,
        code_challenge: None,
        device_code_hash: Some(device_code.hash()),
        user_code_hash: Some(user_code.hash()),
        pace: Default::default(),
        // Kept past the QR session's life so late polls still read `expired_token`.
        expires_at: expires_at + l.confirm_ms + l.grace_ms,
    };
    state.db.put_oauth_request(&row).await?;
    Ok(DeviceAuthorizationResponse::new(
        &state.public_url,
        device_code.expose(),
        &user_code,
        &created.qr_content,
        secs_until(now, expires_at),
    ))
}

/// The QR session a typed user code stands for (phone auth): `/m/device` then opens
/// the same confirm page as a scanned QR. Unknown or expired: 404 `not_found`. Every
/// code typed from `ip`, right or wrong, counts against the address's user-code budget
/// (429 past it), so user codes cannot be guessed by trying them.
pub async fn qr_of_user_code(
    state: &AppState,
    creds: &PhoneCredentials,
    typed: Option<&str>,
    ip: &str,
) -> Result<String> {
    auth::phone(state, creds).await?;
    entry::user_code(state.counters.as_ref(), &state.config.limits, ip).await?;
    let not_found = || Error::new(ErrorCode::NotFound, "no live device login with this code");
    let code = UserCode::parse(typed.unwrap_or_default()).map_err(|_| not_found())?;
    let req = state
        .db
        .request_by_user_code(&code.hash(), state.now())
        .await?
        .ok_or_else(not_found)?;
    Ok(req.qr_id)
}
