//! `qrlogin db migrate|backup`, and [`DbArgs`]: how every command that works on the
//! database directly (`db …`, `accounts …`) finds it — the same `db` setting as
//! `serve`: `--db`, else `QRLOGIN_DB`, else the `db` key of the `--config` file, else
//! `sqlite://qrlogin.db`.

use crate::exit::{Exit, Failure};
use crate::serve::ServeArgs;
use clap::{Args, Subcommand};
use qrlogin_db::{Db, DbError};
use std::path::PathBuf;
use std::sync::Arc;

/// Where the database is: the flags every database command takes.
#[derive(Args, Debug, Clone, Default)]
pub struct DbArgs {
    /// `sqlite://PATH`, `postgres://user@host:port/db` or `memory` [env: QRLOGIN_DB]
    /// [default: the `db` key of --config, else sqlite://qrlogin.db].
    #[arg(long, value_name = "URL", global = true)]
    pub db: Option<String>,
    /// TOML settings file of `serve`, read for its `db` key.
    #[arg(long, env = "QRLOGIN_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

impl DbArgs {
    /// The database URL, layered exactly as `serve` layers it.
    pub fn url(&self) -> Result<String, Failure> {
        if let Some(db) = &self.db {
            return Ok(db.clone());
        }
        let args = ServeArgs::with_config(self.config.clone());
        crate::config::load(&args)
            .map(|s| s.db)
            .map_err(|e| Failure::new(Exit::Generic, format!("{e:#}")))
    }

    /// Opens the database (running pending migrations, as `serve` does).
    pub async fn open(&self) -> Result<Arc<dyn Db>, Failure> {
        let url = self.url()?;
        qrlogin_db::open(&url).await.map_err(|e| {
            db_failure(
                e,
                &format!("opening the database {}", qrlogin_db::redact_url(&url)),
            )
        })
    }
}

/// A database error as a failure: exit 3 when the database cannot be reached or
/// refuses writes for now, else 1; `doing` says what was being done.
pub fn db_failure(e: DbError, doing: &str) -> Failure {
    let exit = match e {
        DbError::Unavailable(_) => Exit::Unreachable,
        _ => Exit::Generic,
    };
    Failure::new(exit, format!("{doing}: {e}"))
}

/// `qrlogin db …`.
#[derive(Args, Debug)]
pub struct DbCmd {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: DbCommand,
}

/// The subcommands of `qrlogin db`.
#[derive(Subcommand, Debug)]
enum DbCommand {
    /// Create the schema or bring it up to date, and nothing else (`serve` does this
    /// too at start).
    Migrate,
    /// Write a consistent copy of a SQLite database to PATH (safe while servers run);
    /// PATH must not exist. Serving from the copy gives the same accounts and tokens.
    Backup {
        /// Where the copy goes.
        path: PathBuf,
    },
}

/// Runs `qrlogin db …`.
pub async fn run(cmd: DbCmd) -> Result<(), Failure> {
    let url = cmd.db.url()?;
    let shown = qrlogin_db::redact_url(&url);
    match cmd.command {
        DbCommand::Migrate => {
            qrlogin_db::migrate(&url)
                .await
                .map_err(|e| db_failure(e, &format!("migrating {shown}")))?;
            if url == "memory" {
                // Nothing was migrated: say so rather than "up to date".
                println!(
                    "The memory database has no schema to migrate: it starts empty in each \
                     process that opens it and is gone when that process stops."
                );
            } else {
                println!("The database {shown} is up to date.");
            }
        }
        DbCommand::Backup { path } => {
            qrlogin_db::backup_sqlite(&url, &path)
                .await
                .map_err(|e| db_failure(e, &format!("backing up {shown}")))?;
            println!("Backed up {shown} to {}.", path.display());
        }
    }
    Ok(())
}
