//! [`AccountDb`] in SQL.

use super::rows::{self, ACCOUNT_COLS};
use super::SqlDb;
use crate::{Account, AccountDb, DbResult};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis, Username};
use sqlx::Connection as _;

/// Inserts `account` unless its username or id is taken; whether it was inserted. Runs
/// on any executor, so [`LinkDb`](crate::LinkDb) can use it inside its transaction.
pub(super) async fn insert_account<'c, E>(exec: E, a: &Account) -> DbResult<bool>
where
    E: sqlx::Executor<'c, Database = super::Backend>,
{
    let sql = format!(
        "INSERT INTO accounts ({ACCOUNT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT DO NOTHING"
    );
    let done = sqlx::query(&sql)
        .bind(a.id.as_str())
        .bind(a.username.as_str())
        .bind(&a.display_name)
        .bind(a.avatar_url.as_deref())
        .bind(a.password_hash.as_deref())
        .bind(a.disabled)
        .bind(a.created_at)
        .bind(a.updated_at)
        .execute(exec)
        .await?;
    Ok(done.rows_affected() == 1)
}

impl SqlDb {
    /// Sets the account's `password_hash` or `disabled` column (`column` is one of
    /// those two names, never input) and, when `revoke`, deletes its tokens and
    /// sessions in the same transaction.
    async fn change_and_maybe_revoke<T>(
        &self,
        id: &AccountId,
        column: &'static str,
        value: T,
        revoke: bool,
        now: Millis,
    ) -> DbResult<bool>
    where
        T: for<'q> sqlx::Encode<'q, super::Backend> + sqlx::Type<super::Backend> + Send,
    {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        let sql = format!("UPDATE accounts SET {column} = $1, updated_at = $2 WHERE id = $3");
        let done = sqlx::query(&sql)
            .bind(value)
            .bind(now)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false); // dropping `tx` rolls back (nothing was written anyway)
        }
        if revoke {
            for table in ["mobile_tokens", "web_sessions"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
                    .bind(id.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}

#[async_trait]
impl AccountDb for SqlDb {
    async fn create_account(&self, account: &Account) -> DbResult<bool> {
        insert_account(&mut *self.conn().await?, account).await
    }

    async fn account_by_username(&self, username: &Username) -> DbResult<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE username = $1");
        let row = sqlx::query(&sql)
            .bind(username.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(rows::account).transpose()
    }

    async fn account_by_id(&self, id: &AccountId) -> DbResult<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(rows::account).transpose()
    }

    async fn list_accounts(&self) -> DbResult<Vec<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM accounts ORDER BY username");
        let found = sqlx::query(&sql)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        found.iter().map(rows::account).collect()
    }

    async fn update_profile(
        &self,
        id: &AccountId,
        display_name: &str,
        avatar_url: Option<&str>,
        now: Millis,
    ) -> DbResult<bool> {
        let done = sqlx::query(
            "UPDATE accounts SET display_name = $1, avatar_url = $2, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(display_name)
        .bind(avatar_url)
        .bind(now)
        .bind(id.as_str())
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_password(
        &self,
        id: &AccountId,
        password_hash: Option<&str>,
        now: Millis,
    ) -> DbResult<bool> {
        let hash = password_hash.map(str::to_owned);
        self.change_and_maybe_revoke(id, "password_hash", hash, true, now)
            .await
    }

    async fn set_disabled(&self, id: &AccountId, disabled: bool, now: Millis) -> DbResult<bool> {
        self.change_and_maybe_revoke(id, "disabled", disabled, disabled, now)
            .await
    }

    async fn remove_account(&self, id: &AccountId) -> DbResult<bool> {
        // Tokens, sessions, links and events go by ON DELETE CASCADE, in this statement.
        let done = sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
