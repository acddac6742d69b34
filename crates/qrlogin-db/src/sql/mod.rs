//! The SQL implementation of every trait, written once and compiled twice: `sqlite.rs`
//! and `postgres.rs` each include this module with their own `Backend` type. The SQL is
//! the common dialect of both (`$1` placeholders, `ON CONFLICT DO NOTHING`,
//! `RETURNING`); only the schema files differ.
//!
//! Every write that touches more than one row is one transaction whose first statement
//! writes, so that SQLite takes its write lock at once (waiting out `busy_timeout`)
//! instead of failing to upgrade a read snapshot.

mod accounts;
mod activity;
mod issuers;
mod links;
mod oauth;
mod oauth_rows;
mod oauth_tokens;
mod passkeys;
mod rows;
mod tokens;

use super::Backend;
use crate::pool::{Lease, Pool};
use crate::{Db, DbResult};
use async_trait::async_trait;

/// One database: a pool of connections, and the backend's name.
pub(crate) struct SqlDb {
    /// The connections.
    pub(crate) pool: Pool<<Backend as sqlx::Database>::Connection>,
    /// `sqlite` or `postgres`.
    pub(crate) name: &'static str,
}

/// How often a database's idle connections are looked at ([`Pool::close_idle`]).
const CLOSE_IDLE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

impl SqlDb {
    /// `self`, shared, with a task that closes its long-idle connections every
    /// [`CLOSE_IDLE_EVERY`]; the task ends once the last handle is dropped.
    pub(crate) fn shared(self) -> std::sync::Arc<Self> {
        let db = std::sync::Arc::new(self);
        let weak = std::sync::Arc::downgrade(&db);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CLOSE_IDLE_EVERY).await;
                let Some(db) = weak.upgrade() else { break };
                db.pool.close_idle().await;
            }
        });
        db
    }

    /// A connection for one statement or transaction, returned when the lease drops.
    /// A method holds at most one at a time, so calls that have each taken one never
    /// wait on one another for a second one when the pool is all lent out.
    async fn conn(&self) -> DbResult<Lease<'_, <Backend as sqlx::Database>::Connection>> {
        self.pool.acquire().await
    }
}

#[async_trait]
impl Db for SqlDb {
    async fn ping(&self) -> DbResult<()> {
        sqlx::query("SELECT 1")
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        self.name
    }
}
