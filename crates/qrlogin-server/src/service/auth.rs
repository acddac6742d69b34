//! Who is calling: the phone (mobile token + `X-Device-Id`) and the signed-in PC
//! (session token). Both are axum extractors, so a handler that takes one cannot run
//! unauthenticated.

use crate::error::ApiError;
use crate::extract::bearer;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use qrlogin_core::time::now_ms;
use qrlogin_core::{ErrorCode, QrId, QrSession, Secret, SecretKind, TokenHash};
use qrlogin_store::{Account, MobileToken, WebSession};

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

fn token_hash(parts: &Parts, kind: SecretKind) -> Result<TokenHash, ApiError> {
    let t = bearer(&parts.headers).ok_or_else(ApiError::unauthorized)?;
    Secret::parse_hash(kind, t).map_err(|_| ApiError::unauthorized())
}

impl FromRequestParts<AppState> for Phone {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        phone(state, &parts.headers).await
    }
}

/// Authenticates the phone of `headers`: a known, unexpired mobile token presented with
/// the device id (and, if sent, the device type) it was issued to. A function as well as
/// an extractor, so a handler can run it side by side with its own store read.
pub async fn phone(state: &AppState, headers: &HeaderMap) -> Result<Phone, ApiError> {
    let token = bearer(headers).ok_or_else(ApiError::unauthorized)?;
    let hash =
        Secret::parse_hash(SecretKind::Mobile, token).map_err(|_| ApiError::unauthorized())?;
    let token = state
        .accounts
        .mobile_token(&hash, now_ms())
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mismatch = || {
        ApiError::new(
            ErrorCode::DeviceMismatch,
            "this token was issued to another device",
        )
    };
    // The token is bound to (account, device id, device type): the id must be sent and
    // match; the type is checked too when the client sends it.
    if header("x-device-id") != token.device.id.as_deref() {
        return Err(mismatch());
    }
    if header("x-device-type").is_some_and(|t| Some(t) != token.device.kind.as_deref()) {
        return Err(mismatch());
    }
    let account = state
        .account_cache
        .get(state.accounts.as_ref(), &token.account_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Phone { account, token })
}

/// A signed-in PC: a live, unrevoked session token.
pub struct PcSession {
    /// The session record.
    pub session: WebSession,
    /// Hash of the presented token (for logout).
    pub hash: TokenHash,
}

impl FromRequestParts<AppState> for PcSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let hash = token_hash(parts, SecretKind::Session)?;
        let session = state
            .accounts
            .web_session_by_token(&hash, now_ms())
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(PcSession { session, hash })
    }
}

/// A phone request about one QR session: the phone authenticated and the session read
/// side by side (on Redis, two round trips at once instead of one after the other).
/// Errors come in the order a client expects: authentication, then a malformed id, then
/// an unknown session.
pub struct PhoneAt {
    /// The authenticated phone.
    pub phone: Phone,
    /// The QR session's id, from the path.
    pub id: QrId,
    /// The session as stored when the request came in (a transition re-reads it if it
    /// changes before the compare-and-set).
    pub session: QrSession,
}

impl FromRequestParts<AppState> for PhoneAt {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Ok(Path(raw)) = Path::<String>::from_request_parts(parts, state).await else {
            return Err(ApiError::bad_request("malformed path"));
        };
        let Ok(id) = QrId::parse(&raw) else {
            phone(state, &parts.headers).await?;
            return Err(ApiError::bad_request("malformed qr_id"));
        };
        let (phone, session) = tokio::join!(phone(state, &parts.headers), state.qr.get(&id));
        let phone = phone?;
        let session = session?.ok_or_else(ApiError::qr_not_found)?;
        Ok(PhoneAt { phone, id, session })
    }
}
