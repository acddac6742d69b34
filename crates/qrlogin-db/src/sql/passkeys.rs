//! [`PasskeyDb`] in SQL. Inserts select from `accounts`, so nothing is stored for an
//! unknown or disabled account, atomically with the check; the enrollment link is used
//! and the passkey stored in one transaction.

use super::rows::{hash_bytes, Row};
use super::SqlDb;
use crate::error::corrupt;
use crate::{DbResult, PasskeyDb, PasskeyRecord};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis, RandomId, TokenHash};
use sqlx::Connection as _;
use sqlx::Row as _;

/// The passkey columns, in the order [`passkey`] reads them.
const COLS: &str =
    "id, account_id, name, credential_id, passkey, counter, created_at, last_used_at";

/// Reads a passkey (columns [`COLS`]).
fn passkey(row: &Row) -> DbResult<PasskeyRecord> {
    let id: String = row.try_get("id")?;
    let account: String = row.try_get("account_id")?;
    Ok(PasskeyRecord {
        id: RandomId::parse(&id).map_err(|e| corrupt("passkey id", format!("{id:?}: {e:?}")))?,
        account_id: AccountId::parse(&account)
            .map_err(|e| corrupt("account id", format!("{account:?}: {e:?}")))?,
        name: row.try_get("name")?,
        credential_id: row.try_get("credential_id")?,
        passkey: row.try_get("passkey")?,
        counter: row.try_get("counter")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// The INSERT of a passkey, for an enabled account only; a taken credential id or
/// passkey id inserts nothing.
const INSERT: &str = "INSERT INTO passkeys \
     (id, account_id, name, credential_id, passkey, counter, created_at, last_used_at) \
     SELECT $1, id, $3, $4, $5, $6, $7, $8 FROM accounts WHERE id = $2 AND NOT disabled \
     ON CONFLICT DO NOTHING";

/// Binds a passkey to [`INSERT`].
fn insert(
    p: &PasskeyRecord,
) -> sqlx::query::Query<'_, super::Backend, <super::Backend as sqlx::Database>::Arguments<'_>> {
    sqlx::query(INSERT)
        .bind(p.id.as_str())
        .bind(p.account_id.as_str())
        .bind(p.name.as_str())
        .bind(p.credential_id.as_slice())
        .bind(p.passkey.as_str())
        .bind(p.counter)
        .bind(p.created_at)
        .bind(p.last_used_at)
}

#[async_trait]
impl PasskeyDb for SqlDb {
    async fn add_passkey(&self, p: &PasskeyRecord) -> DbResult<bool> {
        Ok(insert(p)
            .execute(&mut *self.conn().await?)
            .await?
            .rows_affected()
            == 1)
    }

    async fn passkeys_of(&self, account: &AccountId) -> DbResult<Vec<PasskeyRecord>> {
        let sql =
            format!("SELECT {COLS} FROM passkeys WHERE account_id = $1 ORDER BY created_at, id");
        let rows = sqlx::query(&sql)
            .bind(account.as_str())
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter().map(passkey).collect()
    }

    async fn passkey_by_credential(&self, credential_id: &[u8]) -> DbResult<Option<PasskeyRecord>> {
        let sql = format!("SELECT {COLS} FROM passkeys WHERE credential_id = $1");
        let row = sqlx::query(&sql)
            .bind(credential_id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(passkey).transpose()
    }

    async fn record_passkey_use(
        &self,
        id: &RandomId,
        json: &str,
        counter: i64,
        now: Millis,
    ) -> DbResult<bool> {
        let done = sqlx::query(
            "UPDATE passkeys SET passkey = $2, counter = $3, last_used_at = $4 WHERE id = $1",
        )
        .bind(id.as_str())
        .bind(json)
        .bind(counter)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn rename_passkey(
        &self,
        account: &AccountId,
        id: &RandomId,
        name: &str,
    ) -> DbResult<bool> {
        let done = sqlx::query("UPDATE passkeys SET name = $3 WHERE id = $1 AND account_id = $2")
            .bind(id.as_str())
            .bind(account.as_str())
            .bind(name)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_passkey(&self, account: &AccountId, id: &RandomId) -> DbResult<bool> {
        let done = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND account_id = $2")
            .bind(id.as_str())
            .bind(account.as_str())
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn put_enrollment(
        &self,
        hash: &TokenHash,
        account: &AccountId,
        now: Millis,
        expires_at: Millis,
    ) -> DbResult<bool> {
        let done = sqlx::query(
            "INSERT INTO passkey_enrollments (secret_hash, account_id, created_at, expires_at, used) \
             SELECT $1, id, $3, $4, FALSE FROM accounts WHERE id = $2 ON CONFLICT DO NOTHING",
        )
        .bind(hash_bytes(hash))
        .bind(account.as_str())
        .bind(now)
        .bind(expires_at)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn enrollment_account(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<AccountId>> {
        let row = sqlx::query(
            "SELECT account_id FROM passkey_enrollments \
             WHERE secret_hash = $1 AND NOT used AND expires_at > $2",
        )
        .bind(hash_bytes(hash))
        .bind(now)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("account_id")?;
        AccountId::parse(&id)
            .map(Some)
            .map_err(|e| corrupt("account id", format!("{id:?}: {e:?}")))
    }

    async fn enroll_passkey(
        &self,
        hash: &TokenHash,
        p: &PasskeyRecord,
        now: Millis,
    ) -> DbResult<bool> {
        // The UPDATE first: it takes the write lock, and of racing uses only one sees
        // `NOT used` (PostgreSQL re-checks the row after the winner commits).
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        let used = sqlx::query(
            "UPDATE passkey_enrollments SET used = TRUE \
             WHERE secret_hash = $1 AND account_id = $2 AND NOT used AND expires_at > $3",
        )
        .bind(hash_bytes(hash))
        .bind(p.account_id.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 || insert(p).execute(&mut *tx).await?.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }
}
