//! [`OAuthDb`] in SQL: clients, signing keys and pending requests here, codes and
//! tokens in `oauth_tokens.rs`.

use super::oauth_rows::{self, json_list, CLIENT_COLS, REQUEST_COLS};
use super::rows::hash_bytes;
use super::SqlDb;
use crate::{AccessToken, DbResult, DevicePoll, OAuthDb, OAuthRequest, StoredKey};
use async_trait::async_trait;
use qrlogin_core::{Millis, TokenHash};
use qrlogin_oauth::device::SLOW_DOWN_STEP_SECS;
use qrlogin_oauth::{Client, CodeGrant, RefreshGrant};
use sqlx::Row as _;

#[async_trait]
impl OAuthDb for SqlDb {
    async fn create_client(&self, c: &Client) -> DbResult<bool> {
        let grants: Vec<&str> = c.grants.iter().map(|g| g.name()).collect();
        let done = sqlx::query(
            "INSERT INTO oauth_clients (id, name, secret_hash, redirect_uris, grants, scopes, \
             id_token_alg, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&c.id)
        .bind(&c.name)
        .bind(c.secret_hash.as_ref().map(hash_bytes))
        .bind(json_list(&c.redirect_uris))
        .bind(json_list(&grants))
        .bind(json_list(&c.scopes))
        .bind(c.id_token_alg.as_str())
        .bind(c.created_at)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn client(&self, id: &str) -> DbResult<Option<Client>> {
        let sql = format!("SELECT {CLIENT_COLS} FROM oauth_clients WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(oauth_rows::client).transpose()
    }

    async fn list_clients(&self) -> DbResult<Vec<Client>> {
        let sql = format!("SELECT {CLIENT_COLS} FROM oauth_clients ORDER BY id");
        let rows = sqlx::query(&sql)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter().map(oauth_rows::client).collect()
    }

    async fn set_client_secret(&self, id: &str, hash: &TokenHash) -> DbResult<bool> {
        let done = sqlx::query("UPDATE oauth_clients SET secret_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(hash_bytes(hash))
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_client(&self, id: &str) -> DbResult<bool> {
        let done = sqlx::query("DELETE FROM oauth_clients WHERE id = $1")
            .bind(id)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn put_signing_key(&self, k: &StoredKey) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, alg, private_pem, created_at, not_after) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(&k.kid)
        .bind(&k.alg)
        .bind(&k.private_pem)
        .bind(k.created_at)
        .bind(k.not_after)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn signing_keys(&self) -> DbResult<Vec<StoredKey>> {
        let rows = sqlx::query(
            "SELECT kid, alg, private_pem, created_at, not_after FROM signing_keys \
             ORDER BY created_at, kid",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter().map(oauth_rows::key).collect()
    }

    async fn retire_signing_keys(&self, alg: &str, keep: &str, until: Millis) -> DbResult<u64> {
        let done = sqlx::query(
            "UPDATE signing_keys SET not_after = $3 \
             WHERE alg = $1 AND kid <> $2 AND not_after IS NULL",
        )
        .bind(alg)
        .bind(keep)
        .bind(until)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected())
    }

    async fn purge_signing_keys(&self, now: Millis) -> DbResult<u64> {
        let done = sqlx::query("DELETE FROM signing_keys WHERE not_after <= $1")
            .bind(now)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected())
    }

    async fn put_oauth_request(&self, r: &OAuthRequest) -> DbResult<()> {
        sqlx::query(&format!(
            "INSERT INTO oauth_requests ({REQUEST_COLS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(&r.qr_id)
        .bind(&r.client_id)
        .bind(&r.redirect_uri)
        .bind(&r.scope)
        .bind(&r.state)
        .bind(&r.nonce)
        .bind(&r.code_challenge)
        .bind(r.device_code_hash.as_ref().map(hash_bytes))
        .bind(r.user_code_hash.as_ref().map(hash_bytes))
        .bind(i64::try_from(r.pace.interval_secs).unwrap_or(i64::MAX))
        .bind(r.pace.last_poll_at)
        .bind(r.expires_at)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn oauth_request(&self, qr_id: &str, now: Millis) -> DbResult<Option<OAuthRequest>> {
        let sql = format!(
            "SELECT {REQUEST_COLS} FROM oauth_requests WHERE qr_id = $1 AND expires_at > $2"
        );
        let row = sqlx::query(&sql)
            .bind(qr_id)
            .bind(now)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(oauth_rows::request).transpose()
    }

    async fn device_request(&self, device_code: &TokenHash) -> DbResult<Option<OAuthRequest>> {
        let sql = format!("SELECT {REQUEST_COLS} FROM oauth_requests WHERE device_code_hash = $1");
        let row = sqlx::query(&sql)
            .bind(hash_bytes(device_code))
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(oauth_rows::request).transpose()
    }

    async fn request_by_user_code(
        &self,
        user_code: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<OAuthRequest>> {
        let sql = format!(
            "SELECT {REQUEST_COLS} FROM oauth_requests WHERE user_code_hash = $1 \
             AND expires_at > $2 ORDER BY expires_at DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(hash_bytes(user_code))
            .bind(now)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(oauth_rows::request).transpose()
    }

    async fn poll_device(
        &self,
        device_code: &TokenHash,
        client_id: &str,
        now: Millis,
    ) -> DbResult<Option<DevicePoll>> {
        // Every right-hand side reads the row as it was before this statement, so the
        // decision (PollPace::poll's rule) and its record are one atomic step.
        let too_soon = "(last_poll_at IS NOT NULL AND $3 - last_poll_at < interval_secs * 1000)";
        let sql = format!(
            "UPDATE oauth_requests SET slowed_down = {too_soon}, \
             interval_secs = interval_secs + CASE WHEN {too_soon} THEN {SLOW_DOWN_STEP_SECS} ELSE 0 END, \
             last_poll_at = $3 \
             WHERE device_code_hash = $1 AND client_id = $2 \
             RETURNING {REQUEST_COLS}, slowed_down"
        );
        let row = sqlx::query(&sql)
            .bind(hash_bytes(device_code))
            .bind(client_id)
            .bind(now)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref()
            .map(|r| {
                Ok(DevicePoll {
                    request: oauth_rows::request(r)?,
                    slow_down: r.try_get("slowed_down")?,
                })
            })
            .transpose()
    }

    async fn put_code(&self, hash: &TokenHash, grant: &CodeGrant) -> DbResult<bool> {
        self.sql_put_code(hash, grant).await
    }
    async fn take_code(&self, hash: &TokenHash) -> DbResult<Option<CodeGrant>> {
        self.sql_take_code(hash).await
    }
    async fn put_refresh_token(&self, hash: &TokenHash, grant: &RefreshGrant) -> DbResult<bool> {
        self.sql_put_refresh(hash, grant).await
    }
    async fn refresh_token(&self, hash: &TokenHash) -> DbResult<Option<RefreshGrant>> {
        self.sql_refresh(hash).await
    }
    async fn mark_refresh_used(&self, hash: &TokenHash) -> DbResult<bool> {
        self.sql_mark_used(hash).await
    }
    async fn revoke_family(&self, family_id: &str) -> DbResult<u64> {
        self.sql_revoke_family(family_id).await
    }
    async fn put_access_token(&self, hash: &TokenHash, token: &AccessToken) -> DbResult<bool> {
        self.sql_put_access(hash, token).await
    }
    async fn access_token(&self, hash: &TokenHash, now: Millis) -> DbResult<Option<AccessToken>> {
        self.sql_access(hash, now).await
    }
    async fn revoke_access_token(&self, hash: &TokenHash, client_id: &str) -> DbResult<bool> {
        self.sql_revoke_access(hash, client_id).await
    }
    async fn purge_expired_oauth(&self, now: Millis) -> DbResult<u64> {
        self.sql_purge_oauth(now).await
    }
}
