//! The one error type of the database layer, and how sqlx's errors map onto it: the
//! server needs only to tell "try again later" (503 `store_unavailable`) from "a bug or
//! foreign data" (500), and a bad `--db` URL from both.

use sqlx::migrate::MigrateError;
use std::sync::atomic::{AtomicU64, Ordering};

/// Connection-level faults seen so far in this process (a reset socket, a protocol
/// error, a terminated backend, a call or an acquire that timed out). The pools compare
/// it with the count a connection was last verified at and ping the connection before
/// lending it if it grew (see `pool.rs`): one static for the process rather than one per
/// pool, because every sqlx error is converted here, in a `From` that knows no pool.
/// A fault in one database makes the others ping once per connection: harmless.
pub(crate) static CONNECTION_FAULTS: AtomicU64 = AtomicU64::new(0);

/// Records a connection-level fault: every connection is pinged before it is lent next.
pub(crate) fn connection_fault() {
    CONNECTION_FAULTS.fetch_add(1, Ordering::Relaxed);
}

/// Whether an error may have left a connection (or all of them) dead or out of step
/// with its server, rather than just refusing one statement.
fn breaks_connections(e: &sqlx::Error) -> bool {
    use sqlx::Error as E;
    match e {
        E::Io(_) | E::Tls(_) | E::Protocol(_) | E::WorkerCrashed => true,
        E::PoolTimedOut | E::PoolClosed => true,
        // PostgreSQL: connection exceptions (08…), and the server shutting down or
        // terminating the backend (57P01 admin shutdown, 57P02 crash, 57P03 starting).
        E::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

/// Why a database call failed. A failed call changed nothing (writes are single
/// statements or transactions).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database cannot be reached, did not answer in time, or refuses writes for
    /// now (locked, read-only, disk full); the message says which, for the operator.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A row could not be read back, or the database refused a statement: a bug, or
    /// data written by something else.
    #[error("database data or statement rejected: {0}")]
    Corrupt(String),
    /// The request itself is wrong (an unsupported `--db` URL, a backup of a
    /// non-SQLite database, a backup path that already exists).
    #[error("{0}")]
    Invalid(String),
}

/// Result of every database call.
pub type DbResult<T> = Result<T, DbError>;

/// SQLite's primary result codes that mean "not now" rather than "wrong"
/// (<https://sqlite.org/rescode.html>): the extended code's low byte.
fn sqlite_unavailable(code: i64) -> Option<&'static str> {
    match code & 0xff {
        5 => Some("the SQLite database is busy (another process holds its write lock)"),
        6 => Some("the SQLite database is locked"),
        8 => Some("the SQLite database is read-only (file or directory permissions, or mode=ro)"),
        10 => Some("disk I/O error on the SQLite database"),
        13 => Some("the disk holding the SQLite database is full"),
        14 => Some("the SQLite database file cannot be opened"),
        _ => None,
    }
}

/// PostgreSQL SQLSTATE classes and codes that mean "not now": connection exceptions
/// (08), insufficient resources (53), operator intervention (57: shutdown, starting
/// up, statement timeout), serialization failures and deadlocks (40001, 40P01), an
/// unknown database (3D000), a read-only standby (25006), a lock timeout (55P03).
fn postgres_unavailable(state: &str) -> bool {
    ["08", "53", "57"].iter().any(|c| state.starts_with(c))
        || matches!(state, "40001" | "40P01" | "3D000" | "25006" | "55P03")
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        if breaks_connections(&e) {
            connection_fault();
        }
        match e {
            E::Io(io) => DbError::Unavailable(format!("cannot reach the database: {io}")),
            E::Tls(t) => DbError::Unavailable(format!("TLS to the database failed: {t}")),
            E::PoolTimedOut => DbError::Unavailable(
                "no database connection within the timeout (database down or overloaded)".into(),
            ),
            E::PoolClosed | E::WorkerCrashed => {
                DbError::Unavailable("the database connection pool is closed".into())
            }
            E::Protocol(p) => DbError::Unavailable(format!("database protocol error: {p}")),
            E::Configuration(c) => DbError::Invalid(format!("bad database URL: {c}")),
            E::Database(db) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                if let Some(msg) = code.parse::<i64>().ok().and_then(sqlite_unavailable) {
                    return DbError::Unavailable(format!("{msg}: {}", db.message()));
                }
                if code.len() == 5 && postgres_unavailable(&code) {
                    return DbError::Unavailable(format!("PostgreSQL {code}: {}", db.message()));
                }
                DbError::Corrupt(format!("database error {code}: {}", db.message()))
            }
            E::Migrate(m) => (*m).into(),
            other => DbError::Corrupt(other.to_string()),
        }
    }
}

impl From<MigrateError> for DbError {
    fn from(e: MigrateError) -> Self {
        match e {
            MigrateError::Execute(e) => e.into(),
            MigrateError::ExecuteMigration(e, v) => match DbError::from(e) {
                DbError::Corrupt(m) => DbError::Corrupt(format!("migration {v} failed: {m}")),
                other => other,
            },
            other => DbError::Corrupt(format!(
                "the database schema does not match this version of qrlogin: {other}"
            )),
        }
    }
}

/// A column that held something this version cannot read.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(format!("{what}: {detail}"))
}
