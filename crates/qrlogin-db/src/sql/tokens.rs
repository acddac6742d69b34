//! [`TokenDb`] in SQL. Lookups join the account, so a disabled or removed account's
//! token is dead in the same query that finds it.

use super::rows::{self, device_json, hash_bytes, ACCOUNT_COLS_OF_A, SESSION_COLS};
use super::SqlDb;
use crate::{Account, DbResult, MobileToken, TokenDb, WebSession};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis, SessionId, TokenHash};

#[async_trait]
impl TokenDb for SqlDb {
    async fn put_mobile_token(&self, hash: &TokenHash, t: &MobileToken) -> DbResult<bool> {
        // INSERT … SELECT from the account: nothing is stored for an unknown or
        // disabled one, atomically with the check.
        let done = sqlx::query(
            "INSERT INTO mobile_tokens (token_hash, account_id, device, created_at, expires_at) \
             SELECT $1, id, $3, $4, $5 FROM accounts WHERE id = $2 AND NOT disabled \
             ON CONFLICT (token_hash) DO UPDATE SET account_id = excluded.account_id, \
             device = excluded.device, created_at = excluded.created_at, \
             expires_at = excluded.expires_at",
        )
        .bind(hash_bytes(hash))
        .bind(t.account_id.as_str())
        .bind(device_json(&t.device))
        .bind(t.created_at)
        .bind(t.expires_at)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn mobile_token(&self, hash: &TokenHash, now: Millis) -> DbResult<Option<MobileToken>> {
        let row = sqlx::query(
            "SELECT t.account_id, t.device, t.created_at, t.expires_at \
             FROM mobile_tokens t JOIN accounts a ON a.id = t.account_id \
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND NOT a.disabled",
        )
        .bind(hash_bytes(hash))
        .bind(now)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        row.as_ref().map(rows::mobile_token).transpose()
    }

    async fn mobile_token_with_account(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<(MobileToken, Account)>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLS_OF_A}, t.device AS token_device, \
             t.created_at AS token_created_at, t.expires_at AS token_expires_at \
             FROM mobile_tokens t JOIN accounts a ON a.id = t.account_id \
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND NOT a.disabled"
        );
        let row = sqlx::query(&sql)
            .bind(hash_bytes(hash))
            .bind(now)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref()
            .map(|r| {
                let account = rows::account(r)?;
                Ok((rows::token_of(r, &account)?, account))
            })
            .transpose()
    }

    async fn revoke_mobile_token(&self, hash: &TokenHash) -> DbResult<bool> {
        let done = sqlx::query("DELETE FROM mobile_tokens WHERE token_hash = $1")
            .bind(hash_bytes(hash))
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn put_web_session(&self, hash: &TokenHash, s: &WebSession) -> DbResult<bool> {
        // One statement, no transaction: a redeem's hot path pays one trip to the
        // database for it (a BEGIN, DELETE, INSERT, COMMIT were four). The account check
        // is the INSERT … SELECT itself; hash and id are fresh random values, so the
        // conflict clauses only matter to a caller that stores the same session again.
        let done = sqlx::query(
            "INSERT INTO web_sessions (token_hash, id, account_id, created_at, expires_at, device, ip) \
             SELECT $1, $2, id, $4, $5, $6, $7 FROM accounts WHERE id = $3 AND NOT disabled \
             ON CONFLICT (token_hash) DO UPDATE SET id = excluded.id, \
             account_id = excluded.account_id, created_at = excluded.created_at, \
             expires_at = excluded.expires_at, device = excluded.device, ip = excluded.ip",
        )
        .bind(hash_bytes(hash))
        .bind(s.id.as_str())
        .bind(s.account_id.as_str())
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(s.device.as_ref().map(device_json))
        .bind(&s.ip)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn web_session_by_token(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<WebSession>> {
        let sql = format!(
            "SELECT {SESSION_COLS} FROM web_sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT a.disabled"
        );
        let row = sqlx::query(&sql)
            .bind(hash_bytes(hash))
            .bind(now)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(rows::web_session).transpose()
    }

    async fn web_sessions_of(&self, account: &AccountId, now: Millis) -> DbResult<Vec<WebSession>> {
        let sql = format!(
            "SELECT {SESSION_COLS} FROM web_sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.account_id = $1 AND s.expires_at > $2 AND NOT a.disabled \
             ORDER BY s.created_at DESC, s.id DESC"
        );
        let found = sqlx::query(&sql)
            .bind(account.as_str())
            .bind(now)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        found.iter().map(rows::web_session).collect()
    }

    async fn revoke_web_session(&self, account: &AccountId, session: &SessionId) -> DbResult<bool> {
        let done = sqlx::query("DELETE FROM web_sessions WHERE id = $1 AND account_id = $2")
            .bind(session.as_str())
            .bind(account.as_str())
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_web_session_token(&self, hash: &TokenHash) -> DbResult<bool> {
        let done = sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(hash_bytes(hash))
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_expired_tokens(&self, now: Millis) -> DbResult<u64> {
        let mut n = 0;
        for table in ["mobile_tokens", "web_sessions"] {
            let done = sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
                .bind(now)
                .execute(&mut *self.conn().await?)
                .await?;
            n += done.rows_affected();
        }
        Ok(n)
    }
}
