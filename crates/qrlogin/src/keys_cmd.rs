//! `qrlogin keys …`: the ID token signing keys on `--db`. Private halves are never
//! printed.

use crate::clients_cmd::{open, DbArg};
use crate::exit::{Exit, Failure};
use clap::Subcommand;
use qrlogin_core::{Clock as _, SystemClock};
use qrlogin_server::service::oauth::keys;

/// `qrlogin keys` subcommands.
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// A new ES256 and RS256 key sign from now on; the old ones stay in the JWKS
    /// until every token they signed has expired.
    Rotate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Every key: kid, algorithm, created, and until when a retired one is published.
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

/// Runs a `keys` subcommand.
pub async fn run(cmd: KeysCommand) -> Result<(), Failure> {
    let fail = |e: anyhow::Error| Failure::new(Exit::Generic, format!("{e:#}"));
    match cmd {
        KeysCommand::Rotate { db } => {
            let db = open(&db).await?;
            let made = keys::rotate(db.as_ref(), SystemClock.now())
                .await
                .map_err(fail)?;
            for k in made {
                println!("{}\t{}\tactive", k.kid(), k.alg().as_str());
            }
            Ok(())
        }
        KeysCommand::List { db } => {
            let db = open(&db).await?;
            let all = keys::load(db.as_ref())
                .await
                .map_err(|e| Failure::new(Exit::Unreachable, format!("database: {e}")))?;
            for k in all {
                let status = match k.not_after() {
                    None => "active".to_owned(),
                    Some(t) => format!(
                        "retired, published until {}",
                        qrlogin_core::time::rfc3339(t)
                    ),
                };
                println!(
                    "{}\t{}\t{}\t{status}",
                    k.kid(),
                    k.alg().as_str(),
                    qrlogin_core::time::rfc3339(k.created_at())
                );
            }
            Ok(())
        }
    }
}
