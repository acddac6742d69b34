//! [`ActivityDb`] in SQL.

use super::rows::{self, device_json, EVENT_COLS};
use super::SqlDb;
use crate::{ActivityDb, ActivityEvent, DbResult};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis};

/// The most events one INSERT writes: 9 bind parameters each, 576 in all, within every
/// backend's limit (SQLite's oldest default is 999, PostgreSQL's 65,535).
const MAX_EVENTS_PER_STATEMENT: usize = 64;

/// One INSERT of `n` events, as [`ActivityDb::append_event`] writes one: rows of
/// accounts that do not exist are dropped, ids already stored are left as they are,
/// and rows get their `seq` in the order given (the ordinal, a literal, orders them),
/// so events of one millisecond read back in the order they were written. `VALUES`
/// columns are `column1`, `column2`, … on both SQLite and PostgreSQL.
///
/// On SQLite the parameters are anonymous (`?`, bound in order): sqlx asks SQLite for
/// the name of every parameter, and each name lookup walks the list of named ones, so
/// 576 `$N` cost O(n²) per statement; PostgreSQL only knows `$N`.
fn append_many_sql(n: usize) -> String {
    let anonymous = <super::Backend as sqlx::Database>::NAME == "SQLite";
    let mut rows = String::with_capacity(n * 48);
    for i in 0..n {
        if i > 0 {
            rows.push_str(", ");
        }
        rows.push('(');
        for c in 1..=9 {
            if anonymous {
                rows.push('?');
            } else {
                rows.push_str(&format!("${}", i * 9 + c));
            }
            rows.push_str(", ");
        }
        rows.push_str(&format!("{i})"));
    }
    format!(
        "INSERT INTO activity_events ({EVENT_COLS}) \
         SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, \
         v.column7, v.column8, v.column9 FROM (VALUES {rows}) AS v \
         WHERE EXISTS (SELECT 1 FROM accounts WHERE accounts.id = v.column2) \
         ORDER BY v.column10 \
         ON CONFLICT DO NOTHING"
    )
}

/// A statement of this backend with its bind parameters.
type Query<'q> =
    sqlx::query::Query<'q, super::Backend, <super::Backend as sqlx::Database>::Arguments<'q>>;

/// Binds the 9 parameters of one event, in the order of [`EVENT_COLS`] (`seq` apart).
fn bind_event<'q>(q: Query<'q>, e: &'q ActivityEvent) -> Query<'q> {
    q.bind(e.id.as_str())
        .bind(e.account_id.as_str())
        .bind(e.at)
        .bind(e.kind.as_str())
        .bind(e.ip.as_deref())
        .bind(e.device.as_ref().map(device_json))
        .bind(e.client.as_ref().map(|c| c.id.as_str()))
        .bind(e.client.as_ref().map(|c| c.name.as_str()))
        .bind(e.method.as_deref())
}

#[async_trait]
impl ActivityDb for SqlDb {
    async fn append_event(&self, e: &ActivityEvent) -> DbResult<()> {
        // INSERT … SELECT: an event of a removed account is dropped, not an error.
        let sql = format!(
            "INSERT INTO activity_events ({EVENT_COLS}) \
             SELECT $1, id, $3, $4, $5, $6, $7, $8, $9 FROM accounts WHERE id = $2 \
             ON CONFLICT DO NOTHING"
        );
        bind_event(sqlx::query(&sql), e)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    async fn append_events(&self, events: &[ActivityEvent]) -> DbResult<()> {
        for batch in events.chunks(MAX_EVENTS_PER_STATEMENT) {
            if let [one] = batch {
                self.append_event(one).await?;
                continue;
            }
            let sql = append_many_sql(batch.len());
            let mut q = sqlx::query(&sql);
            for e in batch {
                q = bind_event(q, e);
            }
            q.execute(&mut *self.conn().await?).await?;
        }
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

#[cfg(test)]
mod tests {
    use super::append_many_sql;

    #[test]
    fn a_grouped_insert_names_no_parameter_on_sqlite_and_numbers_them_on_postgres() {
        let sql = append_many_sql(64);
        if <super::super::Backend as sqlx::Database>::NAME == "SQLite" {
            assert!(!sql.contains('$'), "{sql}");
            assert_eq!(sql.matches('?').count(), 64 * 9);
        } else {
            assert!(sql.contains("($568, $569, $570, $571, $572, $573, $574, $575, $576, 63)"));
            assert!(!sql.contains('?'));
        }
    }
}
