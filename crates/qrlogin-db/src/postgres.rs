//! The PostgreSQL backend, shared by every instance of a deployment.

use crate::postgres::sql::SqlDb;
use crate::{Db, DbResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The type the shared SQL code of `sql/` is compiled for here.
pub(crate) type Backend = sqlx::Postgres;

// The one SQL implementation, compiled for this backend (on purpose twice: see sql/mod.rs).
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

/// Connects to the PostgreSQL database at `url` and brings its schema up to date
/// (sqlx holds an advisory lock, so instances starting together migrate once).
pub(crate) async fn open(url: &str, acquire: Duration) -> DbResult<Arc<dyn Db>> {
    // A server-side cap on every statement, so a stuck database cannot hold a request
    // (and its connection) for ever.
    let opts = PgConnectOptions::from_str(url)?.options([("statement_timeout", "10s")]);
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(acquire)
        .connect_with(opts)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(Arc::new(SqlDb {
        pool,
        name: "postgres",
        _keeper: None,
    }))
}
