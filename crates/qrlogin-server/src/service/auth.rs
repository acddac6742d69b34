//! Who is calling: the phone (a mobile token presented from the device it was issued
//! to), the signed-in PC (a session token) and the waiting PC (a poll token). The routes
//! hand over the presented values as text; the checks, and their order, live here.

use super::{Error, PhoneCredentials, Result};
use crate::state::AppState;
use qrlogin_core::{ErrorCode, QrId, QrSession, Secret, SecretKind, TokenHash};
use qrlogin_db::{Account, MobileToken, WebSession};

/// A phone whose token is valid *and* presented from the device it was issued to.
pub struct Phone {
    /// The signed-in account.
    pub account: Account,
    /// The token's record (device binding).
    pub token: MobileToken,
}

impl Phone {
    /// The device id the token is bound to.
    pub fn device_id(&self) -> &str {
        self.token.device.id.as_deref().unwrap_or_default()
    }
}

/// Authenticates a phone: a known, unexpired mobile token presented with the device id
/// (and, if sent, the device type) it was issued to.
pub async fn phone(state: &AppState, creds: &PhoneCredentials) -> Result<Phone> {
    let token = creds.token.as_deref().ok_or_else(Error::unauthorized)?;
    let hash = Secret::parse_hash(SecretKind::Mobile, token).map_err(|_| Error::unauthorized())?;
    // The token and its (enabled) account in one query.
    let (token, account) = state
        .db
        .mobile_token_with_account(&hash, state.now())
        .await?
        .ok_or_else(Error::unauthorized)?;
    let mismatch = || {
        Error::new(
            ErrorCode::DeviceMismatch,
            "this token was issued to another device",
        )
    };
    // The token is bound to (account, device id, device type): the id must be sent and
    // match; the type is checked too when the client sends it.
    if creds.device_id.as_deref() != token.device.id.as_deref() {
        return Err(mismatch());
    }
    if creds
        .device_type
        .as_deref()
        .is_some_and(|t| Some(t) != token.device.kind.as_deref())
    {
        return Err(mismatch());
    }
    Ok(Phone { account, token })
}

/// A phone request about one QR session: the phone authenticated and the id parsed,
/// the session not read (its transition reads and writes it in one step). Errors come
/// in the order a client expects: authentication, then a malformed id; an unknown
/// session comes from the transition, or from [`known`] before another error.
pub async fn phone_for(
    state: &AppState,
    creds: &PhoneCredentials,
    raw_id: &str,
) -> Result<(Phone, QrId)> {
    let phone = phone(state, creds).await?;
    let id = QrId::parse(raw_id).map_err(|_| Error::bad_request("malformed qr_id"))?;
    Ok((phone, id))
}

/// `err` unless session `id` is unknown, then 404: a request whose own fault (a
/// malformed body) is reported only after the session has been found.
pub async fn known(state: &AppState, id: &QrId, err: Error) -> Error {
    match state.qr.get(id).await {
        Ok(Some(_)) => err,
        Ok(None) => Error::qr_not_found(),
        Err(e) => e.into(),
    }
}

/// A signed-in PC: a live, unrevoked session token.
pub struct PcSession {
    /// The session record.
    pub session: WebSession,
    /// Hash of the presented token (for logout).
    pub hash: TokenHash,
}

/// Authenticates a signed-in PC by its session token.
pub async fn pc_session(state: &AppState, token: Option<&str>) -> Result<PcSession> {
    let token = token.ok_or_else(Error::unauthorized)?;
    let hash = Secret::parse_hash(SecretKind::Session, token).map_err(|_| Error::unauthorized())?;
    let session = state
        .db
        .web_session_by_token(&hash, state.now())
        .await?
        .ok_or_else(Error::unauthorized)?;
    Ok(PcSession { session, hash })
}

/// Checks a waiting PC's poll token against session `id` and returns the stored
/// session. Missing or unknown token: 401; a valid token of another session: 403; no
/// such session (never existed, or forgotten after expiry): 404.
pub async fn poll_token(state: &AppState, id: &QrId, token: Option<&str>) -> Result<QrSession> {
    let token = token.ok_or_else(Error::unauthorized)?;
    let hash = Secret::parse_hash(SecretKind::Poll, token).map_err(|_| Error::unauthorized())?;
    let session = state.qr.get(id).await?.ok_or_else(Error::qr_not_found)?;
    if session.poll_hash == hash {
        return Ok(session);
    }
    match state.qr.find_by_poll_hash(&hash).await? {
        Some(_) => Err(Error::new(
            ErrorCode::Forbidden,
            "this poll token belongs to another QR session",
        )),
        None => Err(Error::unauthorized()),
    }
}
