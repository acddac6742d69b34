//! [`LinkDb`] in SQL.

use super::accounts::insert_account;
use super::rows::{self, ACCOUNT_COLS};
use super::SqlDb;
use crate::{Account, DbResult, LinkDb};
use async_trait::async_trait;
use qrlogin_core::Millis;
use sqlx::Connection as _;

#[async_trait]
impl LinkDb for SqlDb {
    async fn account_by_link(&self, namespace: &str, subject: &str) -> DbResult<Option<Account>> {
        let cols = ACCOUNT_COLS.replace(", ", ", a.");
        let sql = format!(
            "SELECT a.{cols} FROM account_links l JOIN accounts a ON a.id = l.account_id \
             WHERE l.namespace = $1 AND l.subject = $2"
        );
        let row = sqlx::query(&sql)
            .bind(namespace)
            .bind(subject)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(rows::account).transpose()
    }

    async fn link_or_create(
        &self,
        namespace: &str,
        subject: &str,
        new_account: &Account,
        now: Millis,
    ) -> DbResult<Option<Account>> {
        if let Some(found) = self.account_by_link(namespace, subject).await? {
            return Ok(Some(found));
        }
        // Account first, then the link; the link's primary key decides a race: the
        // loser's insert does nothing (PostgreSQL waits for the winner's commit; SQLite
        // serialises the writers), it rolls back its account and reads the winner's.
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        if insert_account(&mut *tx, new_account).await? {
            let linked = sqlx::query(
                "INSERT INTO account_links (namespace, subject, account_id, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(namespace)
            .bind(subject)
            .bind(new_account.id.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if linked.rows_affected() == 1 {
                tx.commit().await?;
                return Ok(Some(new_account.clone()));
            }
        }
        tx.rollback().await?;
        // The connection goes back before the re-read takes one (a method holds one
        // at a time: see `SqlDb::conn`).
        drop(conn);
        // Either another first use won the link, or the new username is taken.
        self.account_by_link(namespace, subject).await
    }
}
