//! `qrlogin issuers …`: the trusted issuers of token exchange (API.md "Bring your own
//! users"), on `--db`. Only public data: the keys are fetched from `--jwks-uri` by the
//! server when a phone exchanges a token.

use crate::clients_cmd::{open, DbArg};
use crate::exit::{Exit, Failure};
use clap::{Args, Subcommand};
use qrlogin_core::{Clock as _, SystemClock};
use qrlogin_db::TrustedIssuer;

/// `qrlogin issuers` subcommands.
#[derive(Subcommand, Debug)]
pub enum IssuersCommand {
    /// Trust the JWTs of a product's identity provider.
    Add(AddArgs),
    /// Every trusted issuer.
    List {
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Stop trusting an issuer (accounts already linked stay).
    Remove {
        /// The issuer (`iss`).
        issuer: String,
        #[command(flatten)]
        db: DbArg,
    },
}

/// `qrlogin issuers add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// The exact `iss` of its tokens.
    pub issuer: String,
    /// Where its JWK Set is published (https://…; http only for local tests).
    #[arg(long)]
    pub jwks_uri: String,
    /// The `aud` its tokens carry for qrlogin.
    #[arg(long)]
    pub audience: String,
    /// The claim with the user's display name (e.g. `name`).
    #[arg(long)]
    pub name_claim: Option<String>,
    /// The claim with the user's avatar URL (e.g. `picture`).
    #[arg(long)]
    pub picture_claim: Option<String>,
    #[command(flatten)]
    pub db: DbArg,
}

fn bad(msg: impl Into<String>) -> Failure {
    Failure::new(Exit::Generic, msg)
}

fn db_err(e: qrlogin_db::DbError) -> Failure {
    Failure::new(Exit::Unreachable, format!("database: {e}"))
}

fn view(i: &TrustedIssuer) -> serde_json::Value {
    serde_json::json!({
        "issuer": i.issuer,
        "jwks_uri": i.jwks_uri,
        "audience": i.audience,
        "name_claim": i.name_claim,
        "picture_claim": i.picture_claim,
        "created_at": qrlogin_core::time::rfc3339(i.created_at),
    })
}

/// The issuer `add` describes, checked.
fn build(a: &AddArgs, now: i64) -> Result<TrustedIssuer, Failure> {
    if a.issuer.trim().is_empty() || a.issuer.len() > 2048 {
        return Err(bad("ISSUER must be 1 to 2048 characters"));
    }
    let uri = url::Url::parse(&a.jwks_uri).map_err(|e| bad(format!("--jwks-uri: {e}")))?;
    if !matches!(uri.scheme(), "https" | "http") {
        return Err(bad("--jwks-uri must be an https:// (or http://) URL"));
    }
    if a.audience.trim().is_empty() {
        return Err(bad("--audience must not be empty"));
    }
    let claim = |c: &Option<String>| {
        c.as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    Ok(TrustedIssuer {
        issuer: a.issuer.clone(),
        jwks_uri: a.jwks_uri.clone(),
        audience: a.audience.clone(),
        name_claim: claim(&a.name_claim),
        picture_claim: claim(&a.picture_claim),
        created_at: now,
    })
}

/// Runs an `issuers` subcommand.
pub async fn run(cmd: IssuersCommand) -> Result<(), Failure> {
    match cmd {
        IssuersCommand::Add(a) => {
            let issuer = build(&a, SystemClock.now())?;
            let db = open(&a.db).await?;
            if !db.add_issuer(&issuer).await.map_err(db_err)? {
                return Err(bad(format!(
                    "the issuer {} is trusted already",
                    issuer.issuer
                )));
            }
            println!("trusted issuer: {}", issuer.issuer);
            Ok(())
        }
        IssuersCommand::List { json, db } => {
            let all = open(&db).await?.list_issuers().await.map_err(db_err)?;
            if json {
                let v: Vec<_> = all.iter().map(view).collect();
                println!("{}", serde_json::Value::Array(v));
            } else {
                for i in &all {
                    println!("{}\t{}\t{}", i.issuer, i.audience, i.jwks_uri);
                }
            }
            Ok(())
        }
        IssuersCommand::Remove { issuer, db } => {
            if open(&db)
                .await?
                .remove_issuer(&issuer)
                .await
                .map_err(db_err)?
            {
                println!("removed {issuer}");
                Ok(())
            } else {
                Err(bad(format!("no trusted issuer {issuer}")))
            }
        }
    }
}
