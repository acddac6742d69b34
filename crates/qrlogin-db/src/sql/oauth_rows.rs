//! Rows of the OpenID Provider's tables to records; nothing read is trusted (a malformed
//! column is `Corrupt`, never a panic).

use super::rows::Row;
use crate::error::corrupt;
use crate::{AccessToken, DbResult, OAuthRequest, StoredKey};
use qrlogin_core::{AccountId, TokenHash};
use qrlogin_oauth::{Alg, Client, CodeGrant, Grant, PollPace, RefreshGrant};
use sqlx::Row as _;

/// The client columns, in the order [`client`] reads them.
pub(super) const CLIENT_COLS: &str =
    "id, name, secret_hash, redirect_uris, grants, scopes, id_token_alg, created_at";

/// The request columns, in the order [`request`] reads them.
pub(super) const REQUEST_COLS: &str = "qr_id, client_id, redirect_uri, scope, state, nonce, \
     code_challenge, device_code_hash, user_code_hash, interval_secs, last_poll_at, expires_at";

/// A list as stored: JSON text.
pub(super) fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn list_from<T: serde::de::DeserializeOwned>(row: &Row, col: &str) -> DbResult<Vec<T>> {
    let text: String = row.try_get(col)?;
    serde_json::from_str(&text).map_err(|e| corrupt(col, e))
}

/// A hash column back to its type.
pub(super) fn hash_from(bytes: Option<Vec<u8>>, col: &str) -> DbResult<Option<TokenHash>> {
    bytes
        .map(|b| {
            <[u8; 32]>::try_from(b.as_slice())
                .map(TokenHash)
                .map_err(|_| corrupt(col, "not 32 bytes"))
        })
        .transpose()
}

/// Reads a client (columns [`CLIENT_COLS`]).
pub(super) fn client(row: &Row) -> DbResult<Client> {
    let grants: Vec<String> = list_from(row, "grants")?;
    let alg: String = row.try_get("id_token_alg")?;
    Ok(Client {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        secret_hash: hash_from(row.try_get("secret_hash")?, "secret_hash")?,
        redirect_uris: list_from(row, "redirect_uris")?,
        grants: grants
            .iter()
            .map(|g| Grant::from_name(g).ok_or_else(|| corrupt("grants", g)))
            .collect::<DbResult<_>>()?,
        scopes: list_from(row, "scopes")?,
        id_token_alg: Alg::parse(&alg).map_err(|e| corrupt("id_token_alg", e))?,
        created_at: row.try_get("created_at")?,
    })
}

/// Reads a signing key (`kid, alg, private_pem, created_at, not_after`).
pub(super) fn key(row: &Row) -> DbResult<StoredKey> {
    Ok(StoredKey {
        kid: row.try_get("kid")?,
        alg: row.try_get("alg")?,
        private_pem: row.try_get("private_pem")?,
        created_at: row.try_get("created_at")?,
        not_after: row.try_get("not_after")?,
    })
}

/// Reads a request (columns [`REQUEST_COLS`]).
pub(super) fn request(row: &Row) -> DbResult<OAuthRequest> {
    let interval: i64 = row.try_get("interval_secs")?;
    Ok(OAuthRequest {
        qr_id: row.try_get("qr_id")?,
        client_id: row.try_get("client_id")?,
        redirect_uri: row.try_get("redirect_uri")?,
        scope: row.try_get("scope")?,
        state: row.try_get("state")?,
        nonce: row.try_get("nonce")?,
        code_challenge: row.try_get("code_challenge")?,
        device_code_hash: hash_from(row.try_get("device_code_hash")?, "device_code_hash")?,
        user_code_hash: hash_from(row.try_get("user_code_hash")?, "user_code_hash")?,
        pace: PollPace {
            interval_secs: u64::try_from(interval).map_err(|e| corrupt("interval_secs", e))?,
            last_poll_at: row.try_get("last_poll_at")?,
        },
        expires_at: row.try_get("expires_at")?,
    })
}

fn account_text(row: &Row) -> DbResult<String> {
    let id: String = row.try_get("account_id")?;
    AccountId::parse(&id).map_err(|e| corrupt("account id", format!("{id:?}: {e:?}")))?;
    Ok(id)
}

/// Reads a code grant (`client_id, account_id, redirect_uri, scope, nonce,
/// code_challenge, session_id, auth_time, expires_at`).
pub(super) fn code(row: &Row) -> DbResult<CodeGrant> {
    Ok(CodeGrant {
        client_id: row.try_get("client_id")?,
        redirect_uri: row.try_get("redirect_uri")?,
        scope: row.try_get("scope")?,
        nonce: row.try_get("nonce")?,
        code_challenge: row.try_get("code_challenge")?,
        account_id: account_text(row)?,
        session_id: row.try_get("session_id")?,
        auth_time: row.try_get("auth_time")?,
        expires_at: row.try_get("expires_at")?,
    })
}

/// Reads a refresh grant (`family_id, client_id, account_id, scope, session_id,
/// auth_time, expires_at, used`).
pub(super) fn refresh(row: &Row) -> DbResult<RefreshGrant> {
    Ok(RefreshGrant {
        family_id: row.try_get("family_id")?,
        client_id: row.try_get("client_id")?,
        account_id: account_text(row)?,
        session_id: row.try_get("session_id")?,
        scope: row.try_get("scope")?,
        auth_time: row.try_get("auth_time")?,
        expires_at: row.try_get("expires_at")?,
        used: row.try_get("used")?,
    })
}

/// Reads an access token (`client_id, account_id, scope, family_id, created_at,
/// expires_at`).
pub(super) fn access(row: &Row) -> DbResult<AccessToken> {
    let account: Option<String> = row.try_get("account_id")?;
    Ok(AccessToken {
        client_id: row.try_get("client_id")?,
        account_id: account
            .map(|a| AccountId::parse(&a).map_err(|e| corrupt("account id", format!("{e:?}"))))
            .transpose()?,
        scope: row.try_get("scope")?,
        family_id: row.try_get("family_id")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}
