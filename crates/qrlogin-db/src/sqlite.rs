//! The SQLite backend, the embedded default. (`memory` is not SQLite: see `memory/`;
//! the conformance suite keeps the two alike.)

use crate::pool::Pool;
use crate::sqlite::sql::SqlDb;
use crate::{Db, DbError, DbResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The type the shared SQL code of `sql/` is compiled for here.
pub(crate) type Backend = sqlx::Sqlite;

// The one SQL implementation, compiled for this backend (on purpose twice: see sql/mod.rs).
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

/// How long a writer waits for another's write lock before the call answers
/// `Unavailable` (SQLite has one writer at a time).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections to a SQLite file: readers run side by side (WAL), writers take turns.
const MAX_CONNECTIONS: usize = 8;

/// The connection options every SQLite database of qrlogin uses: WAL (readers never
/// wait for the writer), created on first start, foreign keys on (removing an account
/// removes what hangs off it), `synchronous = NORMAL` (durable across a process crash,
/// the WAL default).
fn options(url: &str) -> DbResult<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true))
}

/// Opens (creating it if absent) the SQLite database at `url` and brings its schema up
/// to date.
pub(crate) async fn open(url: &str, acquire: Duration) -> DbResult<Arc<dyn Db>> {
    // A fresh file that another process is creating at the same moment can be locked
    // while that one switches it to WAL; a few short retries ride that out.
    let mut attempt = 0u64;
    let opts = options(url)?;
    let mut first = loop {
        match tokio::time::timeout(acquire, opts.connect()).await {
            Ok(Ok(conn)) => break conn,
            Ok(Err(e)) if attempt < 10 && busy(&e.to_string()) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => {
                return Err(DbError::Unavailable(format!(
                    "the SQLite database did not open within {acquire:?}"
                )))
            }
        }
    };
    migrate_racing(&mut first).await?;
    Ok(SqlDb {
        pool: Pool::new(opts, MAX_CONNECTIONS, acquire, first),
        name: "sqlite",
    }
    .shared())
}

/// Runs the migrations, tolerating another process that migrates the same file at the
/// same moment (a fleet starting on one fresh file; the tests' instances do). SQLite
/// has no migration lock in sqlx: the loser of the race sees "table … already exists",
/// "duplicate column name" (or a busy database) for a migration the winner is
/// committing in one transaction.
/// Once that commits, the loser finds it recorded and skips it, so a few short retries
/// are all it takes.
async fn migrate_racing(conn: &mut SqliteConnection) -> DbResult<()> {
    let mut attempt = 0u64;
    loop {
        // `run_direct`: see postgres.rs.
        match sqlx::migrate!("./migrations/sqlite")
            .run_direct(&mut *conn)
            .await
        {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 10 && racing(&e) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Whether a migration error is what a concurrent migration of the same file causes:
/// the winner's `CREATE` ("already exists") or `ALTER TABLE … ADD COLUMN` ("duplicate
/// column name", migration 0005) seen by the loser, or the winner's lock.
fn racing(e: &sqlx::migrate::MigrateError) -> bool {
    let text = e.to_string();
    text.contains("already exists") || text.contains("duplicate column name") || busy(&text)
}

/// Whether an error text is SQLite's "another connection holds the lock".
fn busy(text: &str) -> bool {
    text.contains("locked") || text.contains("busy")
}

/// Writes a consistent copy of the SQLite database at `url` to `dest` with
/// `VACUUM INTO`, which reads one snapshot while the server keeps serving.
pub(crate) async fn backup(url: &str, dest: &std::path::Path) -> DbResult<()> {
    if dest.exists() {
        return Err(DbError::Invalid(format!(
            "the backup destination {} already exists",
            dest.display()
        )));
    }
    let dest = dest
        .to_str()
        .ok_or_else(|| DbError::Invalid("the backup path is not valid UTF-8".into()))?;
    // No create_if_missing: backing up a database that is not there is an error.
    let mut conn: SqliteConnection = SqliteConnectOptions::from_str(url)?
        .busy_timeout(BUSY_TIMEOUT)
        .connect()
        .await?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}
