//! [`ActivityDb`] in SQL.

use super::rows::{self, device_json, EVENT_COLS};
use super::SqlDb;
use crate::{ActivityDb, ActivityEvent, DbResult};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis};

#[async_trait]
impl ActivityDb for SqlDb {
    async fn append_event(&self, e: &ActivityEvent) -> DbResult<()> {
        // INSERT … SELECT: an event of a removed account is dropped, not an error.
        let sql = format!(
            "INSERT INTO activity_events ({EVENT_COLS}) \
             SELECT $1, id, $3, $4, $5, $6, $7, $8, $9 FROM accounts WHERE id = $2 \
             ON CONFLICT DO NOTHING"
        );
        sqlx::query(&sql)
            .bind(e.id.as_str())
            .bind(e.account_id.as_str())
            .bind(e.at)
            .bind(e.kind.as_str())
            .bind(e.ip.as_deref())
            .bind(e.device.as_ref().map(device_json))
            .bind(e.client.as_ref().map(|c| c.id.as_str()))
            .bind(e.client.as_ref().map(|c| c.name.as_str()))
            .bind(e.method.as_deref())
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    async fn events_of(&self, account: &AccountId, limit: u32) -> DbResult<Vec<ActivityEvent>> {
        let sql = format!(
            "SELECT {EVENT_COLS} FROM activity_events WHERE account_id = $1 \
             ORDER BY at DESC, seq DESC LIMIT $2"
        );
        let found = sqlx::query(&sql)
            .bind(account.as_str())
            .bind(i64::from(limit))
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let mut out = Vec::with_capacity(found.len());
        for row in &found {
            out.extend(rows::event(row)?);
        }
        Ok(out)
    }

    async fn purge_events_before(&self, at: Millis) -> DbResult<u64> {
        let done = sqlx::query("DELETE FROM activity_events WHERE at < $1")
            .bind(at)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected())
    }
}
