//! Rows to records. Nothing read from the database is trusted: a malformed id, name or
//! JSON column is a [`DbError::Corrupt`](crate::DbError::Corrupt), never a panic.

use super::Backend;
use crate::error::corrupt;
use crate::{Account, ActivityEvent, ActivityKind, ClientRef, DbResult, MobileToken, WebSession};
use qrlogin_core::{AccountId, DeviceInfo, EventId, SessionId, Username};
use sqlx::Row as _;

/// A row of this backend.
pub(super) type Row = <Backend as sqlx::Database>::Row;

/// The account columns, in the order [`account`] reads them.
pub(super) const ACCOUNT_COLS: &str =
    "id, username, display_name, avatar_url, password_hash, disabled, created_at, updated_at";

/// [`ACCOUNT_COLS`] of the table aliased `a`, for a join.
pub(super) const ACCOUNT_COLS_OF_A: &str = "a.id, a.username, a.display_name, a.avatar_url, \
     a.password_hash, a.disabled, a.created_at, a.updated_at";

/// The token hash as stored: its 32 bytes.
pub(super) fn hash_bytes(hash: &qrlogin_core::TokenHash) -> Vec<u8> {
    hash.0.to_vec()
}

/// A device as stored: JSON text.
pub(super) fn device_json(device: &DeviceInfo) -> String {
    // Three optional strings always serialise.
    serde_json::to_string(device).unwrap_or_else(|_| "{}".into())
}

fn device_from(text: &str) -> DbResult<DeviceInfo> {
    serde_json::from_str(text).map_err(|e| corrupt("device column", e))
}

fn account_id(s: &str) -> DbResult<AccountId> {
    AccountId::parse(s).map_err(|e| corrupt("account id", format!("{s:?}: {e:?}")))
}

/// Reads an account (columns [`ACCOUNT_COLS`]).
pub(super) fn account(row: &Row) -> DbResult<Account> {
    let username: String = row.try_get("username")?;
    Ok(Account {
        id: account_id(&row.try_get::<String, _>("id")?)?,
        username: Username::parse(&username).map_err(|e| corrupt("username", e))?,
        display_name: row.try_get("display_name")?,
        avatar_url: row.try_get("avatar_url")?,
        password_hash: row.try_get("password_hash")?,
        disabled: row.try_get("disabled")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Reads a phone token (`account_id, device, created_at, expires_at`).
pub(super) fn mobile_token(row: &Row) -> DbResult<MobileToken> {
    Ok(MobileToken {
        account_id: account_id(&row.try_get::<String, _>("account_id")?)?,
        device: device_from(&row.try_get::<String, _>("device")?)?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

/// Reads a phone token of `account` from a row that joined it: the token's own
/// columns are `token_device`, `token_created_at`, `token_expires_at`.
pub(super) fn token_of(row: &Row, account: &Account) -> DbResult<MobileToken> {
    Ok(MobileToken {
        account_id: account.id.clone(),
        device: device_from(&row.try_get::<String, _>("token_device")?)?,
        created_at: row.try_get("token_created_at")?,
        expires_at: row.try_get("token_expires_at")?,
    })
}

/// The web session columns, in the order [`web_session`] reads them.
pub(super) const SESSION_COLS: &str =
    "s.id, s.account_id, s.created_at, s.expires_at, s.device, s.ip";

/// Reads a PC session (columns [`SESSION_COLS`]).
pub(super) fn web_session(row: &Row) -> DbResult<WebSession> {
    let id: String = row.try_get("id")?;
    let device: Option<String> = row.try_get("device")?;
    Ok(WebSession {
        id: SessionId::parse(&id).map_err(|e| corrupt("session id", format!("{id:?}: {e:?}")))?,
        account_id: account_id(&row.try_get::<String, _>("account_id")?)?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        device: device.as_deref().map(device_from).transpose()?,
        ip: row.try_get("ip")?,
    })
}

/// The activity columns, in the order [`event`] reads them.
pub(super) const EVENT_COLS: &str =
    "id, account_id, at, kind, ip, device, client_id, client_name, method";

/// Reads an activity event; `None` for a kind this version does not know.
pub(super) fn event(row: &Row) -> DbResult<Option<ActivityEvent>> {
    let kind: String = row.try_get("kind")?;
    let Some(kind) = ActivityKind::parse(&kind) else {
        return Ok(None);
    };
    let id: String = row.try_get("id")?;
    let device: Option<String> = row.try_get("device")?;
    let client_id: Option<String> = row.try_get("client_id")?;
    let client_name: Option<String> = row.try_get("client_name")?;
    Ok(Some(ActivityEvent {
        id: EventId::parse(&id).map_err(|e| corrupt("event id", format!("{id:?}: {e:?}")))?,
        account_id: account_id(&row.try_get::<String, _>("account_id")?)?,
        at: row.try_get("at")?,
        kind,
        ip: row.try_get("ip")?,
        device: device.as_deref().map(device_from).transpose()?,
        client: client_id.map(|id| ClientRef {
            id,
            name: client_name.unwrap_or_default(),
        }),
        method: row.try_get("method")?,
    }))
}
