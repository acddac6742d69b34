//! The durable data of qrlogin behind one trait, [`Db`]: everything that must outlive a
//! restart (accounts, phone tokens, PC sessions, linked identities, the activity log).
//! QR sessions are not here: they live in `qrlogin-store`.
//!
//! - [`open`]: `--db URL` to an `Arc<dyn Db>`, migrations run; [`migrate`],
//!   [`backup_sqlite`], [`redact_url`] for the CLI.
//! - [`traits`]: [`AccountDb`], [`TokenDb`], [`ActivityDb`], [`LinkDb`] and [`Db`],
//!   all of them; every time comes from the caller.
//! - [`passkeys`]: [`PasskeyDb`] and [`PasskeyRecord`]: WebAuthn credentials and
//!   enrollment links.
//! - [`records`]: [`Account`], [`MobileToken`], [`WebSession`], [`ActivityEvent`].
//! - [`oauth_traits`], [`oauth_records`]: [`OAuthDb`], the OpenID Provider's clients,
//!   signing keys, pending requests, codes and tokens.
//! - [`issuer`]: [`IssuerDb`], the trusted issuers of token exchange.
//! - [`error`]: [`DbError`]: `Unavailable` (503), `Corrupt` (500), `Invalid`.
//! - `pool.rs`: the connection pool every call goes through, which lends a connection
//!   without a ping in steady state (sqlx's own pool pings twice per call).
//! - `sql/`: the implementation, written once in the SQL both backends speak and
//!   compiled for SQLite (`sqlite.rs`) and PostgreSQL (`postgres.rs`).
//! - `memory/`: [`MemoryDb`], the `memory` backend: the same tables as plain Rust data
//!   behind one mutex, for a database no other process shares (no SQL, no worker
//!   thread: a call is a few hash lookups).
//! - `migrations/sqlite`, `migrations/postgres`: the schema, one numbered file per
//!   change, embedded in the binary.
//! - `conformance` (feature `conformance`): one test suite every backend runs.
//!
//! | URL | backend |
//! | --- | --- |
//! | `sqlite://PATH` (relative to the working directory), `sqlite:///ABS/PATH`, `sqlite:PATH` | SQLite file, created with its schema if absent, WAL |
//! | `postgres://…`, `postgresql://…` | PostgreSQL |
//! | `memory` | [`MemoryDb`]: in this process's memory, nothing kept |

mod bounded;
mod bounded_oauth;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod error;
pub mod issuer;
mod memory;
pub mod oauth_records;
pub mod oauth_traits;
pub mod passkeys;
mod pool;
mod postgres;
pub mod records;
mod sqlite;
pub mod traits;

pub use error::{DbError, DbResult};
pub use issuer::{IssuerDb, TrustedIssuer};
pub use memory::MemoryDb;
pub use oauth_records::{AccessToken, DevicePoll, OAuthRequest, StoredKey};
pub use oauth_traits::OAuthDb;
pub use passkeys::{PasskeyDb, PasskeyRecord, PASSKEY_ID_PREFIX};
pub use records::{Account, ActivityEvent, ActivityKind, ClientRef, MobileToken, WebSession};
pub use traits::{AccountDb, ActivityDb, Db, LinkDb, TokenDb};

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long a call waits for a free connection (or a new one to an unreachable server)
/// before answering `Unavailable`: short, so a dead database gives a quick 503 instead
/// of a hung request.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Which backend a `--db` URL names.
enum Kind {
    Sqlite,
    Postgres,
    Memory,
}

fn kind(url: &str) -> DbResult<Kind> {
    if url == "memory" {
        Ok(Kind::Memory)
    } else if url.starts_with("sqlite:") {
        Ok(Kind::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Kind::Postgres)
    } else {
        Err(DbError::Invalid(format!(
            "unsupported database URL {}: use sqlite://PATH, postgres://… or memory",
            redact_url(url)
        )))
    }
}

/// Opens the database a `--db` URL names and runs its pending migrations, so a fresh
/// SQLite file or PostgreSQL database is ready on first start.
pub async fn open(url: &str) -> DbResult<Arc<dyn Db>> {
    match kind(url)? {
        Kind::Sqlite => sqlite::open(url, ACQUIRE_TIMEOUT).await,
        Kind::Postgres => postgres::open(url, ACQUIRE_TIMEOUT).await,
        Kind::Memory => Ok(Arc::new(MemoryDb::new())),
    }
}

/// Runs the pending migrations and nothing else (`qrlogin db migrate`). `memory` has
/// no schema to migrate (each open starts empty and current): nothing to do.
pub async fn migrate(url: &str) -> DbResult<()> {
    open(url).await.map(drop)
}

/// Writes a consistent copy of a SQLite database to `dest` (`qrlogin db backup`), safe
/// while servers use it; `dest` must not exist. Other URLs are `Invalid`: back up
/// PostgreSQL with its own tools; `memory` lives in one process and has nothing to
/// back up.
pub async fn backup_sqlite(url: &str, dest: &Path) -> DbResult<()> {
    match kind(url)? {
        Kind::Sqlite => sqlite::backup(url, dest).await,
        Kind::Postgres => Err(DbError::Invalid(
            "db backup works on SQLite databases only (use pg_dump for PostgreSQL)".into(),
        )),
        Kind::Memory => Err(DbError::Invalid(
            "db backup works on SQLite databases only: `memory` lives inside one server \
             process and is gone when it stops, so there is nothing to back up"
                .into(),
        )),
    }
}

/// The URL with any password replaced by `***`, for logs and `config show`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{}", redact_query(tail))
}

/// `password=` in a query string, as libpq URLs allow, also as `***`.
fn redact_query(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_owned(),
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_printed_as_stars() {
        assert_eq!(
            redact_url("postgres://app:s3cr%40t@db:5432/qrlogin"),
            "postgres://app:***@db:5432/qrlogin"
        );
        assert_eq!(
            redact_url("postgresql://db/q?user=a&password=x&sslmode=require"),
            "postgresql://db/q?user=a&password=***&sslmode=require"
        );
        assert_eq!(redact_url("postgres://app@db/q"), "postgres://app@db/q");
        assert_eq!(redact_url("sqlite://qrlogin.db"), "sqlite://qrlogin.db");
        assert_eq!(redact_url("memory"), "memory");
    }

    #[test]
    fn unknown_url_schemes_are_refused_without_leaking_the_password() {
        let Err(DbError::Invalid(msg)) = kind("mysql://u:pw@h/d") else {
            panic!("mysql accepted");
        };
        assert!(msg.contains("u:***@h") && !msg.contains("pw"), "{msg}");
    }
}
