//! Codes, refresh and access tokens in SQL, as inherent methods that `oauth.rs` exposes
//! through [`OAuthDb`](crate::OAuthDb). Inserts select from the client and account, so
//! nothing is stored for a removed client or a removed or disabled account.

use super::oauth_rows;
use super::rows::hash_bytes;
use super::SqlDb;
use crate::{AccessToken, DbResult};
use qrlogin_core::{Millis, TokenHash};
use qrlogin_oauth::{CodeGrant, RefreshGrant};
use sqlx::Connection as _;

impl SqlDb {
    pub(super) async fn sql_put_code(&self, hash: &TokenHash, g: &CodeGrant) -> DbResult<bool> {
        let done = sqlx::query(
            "INSERT INTO oauth_codes (code_hash, client_id, account_id, redirect_uri, scope, \
             nonce, code_challenge, session_id, auth_time, expires_at) \
             SELECT $1, c.id, a.id, $4, $5, $6, $7, $8, $9, $10 \
             FROM oauth_clients c, accounts a WHERE c.id = $2 AND a.id = $3 AND NOT a.disabled",
        )
        .bind(hash_bytes(hash))
        .bind(&g.client_id)
        .bind(&g.account_id)
        .bind(&g.redirect_uri)
        .bind(&g.scope)
        .bind(&g.nonce)
        .bind(&g.code_challenge)
        .bind(&g.session_id)
        .bind(g.auth_time)
        .bind(g.expires_at)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn sql_take_code(&self, hash: &TokenHash) -> DbResult<Option<CodeGrant>> {
        let row = sqlx::query(
            "DELETE FROM oauth_codes WHERE code_hash = $1 RETURNING client_id, account_id, \
             redirect_uri, scope, nonce, code_challenge, session_id, auth_time, expires_at",
        )
        .bind(hash_bytes(hash))
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        row.as_ref().map(oauth_rows::code).transpose()
    }

    pub(super) async fn sql_put_refresh(
        &self,
        hash: &TokenHash,
        g: &RefreshGrant,
    ) -> DbResult<bool> {
        let done = sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, family_id, client_id, account_id, scope, \
             session_id, auth_time, expires_at, used) \
             SELECT $1, $2, c.id, a.id, $5, $6, $7, $8, $9 \
             FROM oauth_clients c, accounts a WHERE c.id = $3 AND a.id = $4 AND NOT a.disabled",
        )
        .bind(hash_bytes(hash))
        .bind(&g.family_id)
        .bind(&g.client_id)
        .bind(&g.account_id)
        .bind(&g.scope)
        .bind(&g.session_id)
        .bind(g.auth_time)
        .bind(g.expires_at)
        .bind(g.used)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn sql_refresh(&self, hash: &TokenHash) -> DbResult<Option<RefreshGrant>> {
        let row = sqlx::query(
            "SELECT r.family_id, r.client_id, r.account_id, r.scope, r.session_id, r.auth_time, \
             r.expires_at, r.used FROM refresh_tokens r JOIN accounts a ON a.id = r.account_id \
             WHERE r.token_hash = $1 AND NOT a.disabled",
        )
        .bind(hash_bytes(hash))
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        row.as_ref().map(oauth_rows::refresh).transpose()
    }

    pub(super) async fn sql_mark_used(&self, hash: &TokenHash) -> DbResult<bool> {
        let done =
            sqlx::query("UPDATE refresh_tokens SET used = TRUE WHERE token_hash = $1 AND NOT used")
                .bind(hash_bytes(hash))
                .execute(&mut *self.conn().await?)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn sql_revoke_family(&self, family: &str) -> DbResult<u64> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        let mut n = 0;
        for table in ["refresh_tokens", "access_tokens"] {
            let done = sqlx::query(&format!("DELETE FROM {table} WHERE family_id = $1"))
                .bind(family)
                .execute(&mut *tx)
                .await?;
            n += done.rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    pub(super) async fn sql_put_access(&self, hash: &TokenHash, t: &AccessToken) -> DbResult<bool> {
        // The account, when there is one, must exist and be enabled: the sub-select is
        // NULL (and the insert fails the check below) otherwise.
        let done = sqlx::query(
            "INSERT INTO access_tokens (token_hash, client_id, account_id, scope, family_id, \
             created_at, expires_at) \
             SELECT $1, c.id, $3, $4, $5, $6, $7 FROM oauth_clients c WHERE c.id = $2 \
             AND ($3 IS NULL OR EXISTS (SELECT 1 FROM accounts a WHERE a.id = $3 AND NOT a.disabled))",
        )
        .bind(hash_bytes(hash))
        .bind(&t.client_id)
        .bind(t.account_id.as_ref().map(|a| a.as_str().to_owned()))
        .bind(&t.scope)
        .bind(&t.family_id)
        .bind(t.created_at)
        .bind(t.expires_at)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn sql_access(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<AccessToken>> {
        let row = sqlx::query(
            "SELECT t.client_id, t.account_id, t.scope, t.family_id, t.created_at, t.expires_at \
             FROM access_tokens t LEFT JOIN accounts a ON a.id = t.account_id \
             WHERE t.token_hash = $1 AND t.expires_at > $2 \
             AND (t.account_id IS NULL OR (a.id IS NOT NULL AND NOT a.disabled))",
        )
        .bind(hash_bytes(hash))
        .bind(now)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        row.as_ref().map(oauth_rows::access).transpose()
    }

    pub(super) async fn sql_revoke_access(&self, hash: &TokenHash, client: &str) -> DbResult<bool> {
        let done =
            sqlx::query("DELETE FROM access_tokens WHERE token_hash = $1 AND client_id = $2")
                .bind(hash_bytes(hash))
                .bind(client)
                .execute(&mut *self.conn().await?)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn sql_purge_oauth(&self, now: Millis) -> DbResult<u64> {
        let mut n = 0;
        for table in [
            "oauth_requests",
            "oauth_codes",
            "refresh_tokens",
            "access_tokens",
        ] {
            let done = sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
                .bind(now)
                .execute(&mut *self.conn().await?)
                .await?;
            n += done.rows_affected();
        }
        Ok(n)
    }
}
