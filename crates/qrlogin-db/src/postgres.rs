//! The PostgreSQL backend, shared by every instance of a deployment.

use crate::bounded::Bounded;
use crate::pool::Pool;
use crate::postgres::sql::SqlDb;
use crate::{Db, DbError, DbResult};
use sqlx::postgres::PgConnectOptions;
use sqlx::ConnectOptions;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The type the shared SQL code of `sql/` is compiled for here.
pub(crate) type Backend = sqlx::Postgres;

// The one SQL implementation, compiled for this backend (on purpose twice: see sql/mod.rs).
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

/// The most one call may take, network included (a statement alone is capped at 10 s
/// by the server; a transaction is several statements).
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// Connections per instance: enough for the login path's concurrency, few enough that
/// a fleet of instances stays under the server's `max_connections` (100 by default).
const MAX_CONNECTIONS: usize = 16;

/// Connects to the PostgreSQL database at `url` and brings its schema up to date
/// (sqlx holds an advisory lock, so instances starting together migrate once).
pub(crate) async fn open(url: &str, acquire: Duration) -> DbResult<Arc<dyn Db>> {
    // A server-side cap on every statement, so a stuck database cannot hold a request
    // (and its connection) for ever.
    let opts = PgConnectOptions::from_str(url)?.options([("statement_timeout", "10s")]);
    // The first connection directly: an unreachable server or a wrong database then
    // fails with its own reason ("connection refused", "database does not exist")
    // instead of a bare timeout. It runs the migrations, then joins the pool.
    let mut first = match tokio::time::timeout(acquire, opts.connect()).await {
        Ok(conn) => conn?,
        Err(_) => {
            return Err(DbError::Unavailable(format!(
                "no answer from PostgreSQL within {acquire:?}"
            )))
        }
    };
    // `run_direct` is `run` on a connection without its `Acquire` bound, whose
    // lifetimes make the future of `open` not `Send` (sqlx's own workaround).
    sqlx::migrate!("./migrations/postgres")
        .run_direct(&mut first)
        .await?;
    let db = SqlDb {
        pool: Pool::new(opts, MAX_CONNECTIONS, acquire, first),
        name: "postgres",
    };
    Ok(Arc::new(Bounded {
        inner: db.shared(),
        limit: CALL_TIMEOUT,
    }))
}
