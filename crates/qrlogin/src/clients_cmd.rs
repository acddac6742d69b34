//! `qrlogin clients …`: the OAuth clients of the OpenID Provider, on `--db`. A
//! confidential client's secret (`qlc_…`) is printed once and stored as its hash.

use crate::exit::{Exit, Failure};
use clap::{Args, Subcommand};
use qrlogin_core::{Clock as _, SystemClock};
use qrlogin_db::Db;
use qrlogin_oauth::client::{generate_secret, is_valid_client_id};
use qrlogin_oauth::redirect::validate_registration;
use qrlogin_oauth::{Alg, Client, Grant, Scopes};
use std::sync::Arc;

/// Where the clients live.
#[derive(Args, Debug, Clone)]
pub struct DbArg {
    /// `sqlite://PATH`, `postgres://user@host:port/db` (as for `serve --db`).
    #[arg(long, env = "QRLOGIN_DB", default_value = "sqlite://qrlogin.db")]
    pub db: String,
}

/// `qrlogin clients` subcommands.
#[derive(Subcommand, Debug)]
pub enum ClientsCommand {
    /// Register a client; a confidential one's secret is printed once.
    Add(AddArgs),
    /// Every client.
    List {
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// One client, as JSON.
    Show {
        /// The client id.
        id: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// A new secret for a confidential client (the old one stops working); printed once.
    RotateSecret {
        /// The client id.
        id: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Remove a client with its codes and tokens.
    Remove {
        /// The client id.
        id: String,
        #[command(flatten)]
        db: DbArg,
    },
}

/// `qrlogin clients add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// The `client_id`: 1–64 of `A-Z a-z 0-9 . _ -`.
    pub id: String,
    /// Shown to users: "Sign in to NAME".
    #[arg(long)]
    pub name: String,
    /// A redirect URI (exact; a public client's `http://127.0.0.1/path` allows any port).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// A public client (no secret; PKCE required): native apps, SPAs, TVs, CLIs.
    #[arg(long)]
    pub public: bool,
    /// authorization_code, refresh_token, device_code, client_credentials, token_exchange
    /// (default: authorization_code and refresh_token).
    #[arg(long = "grant")]
    pub grants: Vec<String>,
    /// A scope the client may ask for (default: openid profile offline_access).
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// What its ID tokens are signed with.
    #[arg(long, default_value = "ES256")]
    pub id_token_alg: String,
    #[command(flatten)]
    pub db: DbArg,
}

fn bad(msg: impl Into<String>) -> Failure {
    Failure::new(Exit::Generic, msg)
}

/// Opens `--db` (running migrations, as `serve` would).
pub async fn open(db: &DbArg) -> Result<Arc<dyn Db>, Failure> {
    qrlogin_db::open(&db.db)
        .await
        .map_err(|e| Failure::new(Exit::Unreachable, format!("opening the database: {e}")))
}

fn db_err(e: qrlogin_db::DbError) -> Failure {
    Failure::new(Exit::Unreachable, format!("database: {e}"))
}

/// Runs a `clients` subcommand.
pub async fn run(cmd: ClientsCommand) -> Result<(), Failure> {
    match cmd {
        ClientsCommand::Add(a) => add(a).await,
        ClientsCommand::List { json, db } => list(&*open(&db).await?, json).await,
        ClientsCommand::Show { id, db } => {
            let c = open(&db).await?.client(&id).await.map_err(db_err)?;
            let c = c.ok_or_else(|| bad(format!("no client {id}")))?;
            println!("{:#}", view(&c));
            Ok(())
        }
        ClientsCommand::RotateSecret { id, db } => {
            let db = open(&db).await?;
            let c = db.client(&id).await.map_err(db_err)?;
            let c = c.ok_or_else(|| bad(format!("no client {id}")))?;
            if c.is_public() {
                return Err(bad(format!("{id} is a public client: it has no secret")));
            }
            let secret = generate_secret();
            db.set_client_secret(&id, &secret.hash())
                .await
                .map_err(db_err)?;
            println!("client_secret: {}", secret.expose());
            eprintln!("The old secret no longer works. This one is shown only now.");
            Ok(())
        }
        ClientsCommand::Remove { id, db } => {
            if open(&db).await?.remove_client(&id).await.map_err(db_err)? {
                println!("removed {id}");
                Ok(())
            } else {
                Err(bad(format!("no client {id}")))
            }
        }
    }
}

/// A client as printed: everything but the secret's hash.
fn view(c: &Client) -> serde_json::Value {
    serde_json::json!({
        "client_id": c.id,
        "name": c.name,
        "public": c.is_public(),
        "redirect_uris": c.redirect_uris,
        "grants": c.grants.iter().map(|g| g.name()).collect::<Vec<_>>(),
        "scopes": c.scopes,
        "id_token_alg": c.id_token_alg.as_str(),
        "created_at": qrlogin_core::time::rfc3339(c.created_at),
    })
}

async fn list(db: &dyn Db, json: bool) -> Result<(), Failure> {
    let clients = db.list_clients().await.map_err(db_err)?;
    if json {
        let all: Vec<_> = clients.iter().map(view).collect();
        println!("{}", serde_json::Value::Array(all));
        return Ok(());
    }
    for c in &clients {
        let kind = if c.is_public() {
            "public"
        } else {
            "confidential"
        };
        let grants: Vec<&str> = c.grants.iter().map(|g| g.name()).collect();
        println!("{}\t{}\t{kind}\t{}", c.id, c.name, grants.join(","));
    }
    Ok(())
}

/// The client `add` describes, checked; its secret when confidential.
fn build(a: &AddArgs, now: i64) -> Result<(Client, Option<qrlogin_core::Secret>), Failure> {
    if !is_valid_client_id(&a.id) {
        return Err(bad("client ids are 1-64 of A-Z a-z 0-9 . _ -"));
    }
    if a.name.trim().is_empty() {
        return Err(bad("--name must not be empty"));
    }
    for uri in &a.redirect_uris {
        validate_registration(uri, a.public)
            .map_err(|e| bad(format!("redirect URI {uri}: {e}")))?;
    }
    let names: Vec<&str> = if a.grants.is_empty() {
        vec!["authorization_code", "refresh_token"]
    } else {
        a.grants.iter().map(String::as_str).collect()
    };
    let mut grants = Vec::new();
    for n in names {
        let g = Grant::from_name(n).ok_or_else(|| bad(format!("unknown grant {n}")))?;
        if !grants.contains(&g) {
            grants.push(g);
        }
    }
    if grants.contains(&Grant::AuthorizationCode) && a.redirect_uris.is_empty() {
        return Err(bad("authorization_code needs at least one --redirect-uri"));
    }
    if a.public && grants.contains(&Grant::ClientCredentials) {
        return Err(bad("client_credentials is for confidential clients"));
    }
    let scopes = if a.scopes.is_empty() {
        vec!["openid".into(), "profile".into(), "offline_access".into()]
    } else {
        let joined = a.scopes.join(" ");
        let parsed = Scopes::parse(&joined).map_err(|e| bad(format!("scope: {e}")))?;
        parsed.iter().map(str::to_owned).collect()
    };
    let alg = Alg::parse(&a.id_token_alg).map_err(|_| bad("--id-token-alg is ES256 or RS256"))?;
    let secret = (!a.public).then(generate_secret);
    let client = Client {
        id: a.id.clone(),
        name: a.name.trim().to_owned(),
        secret_hash: secret.as_ref().map(|s| s.hash()),
        redirect_uris: a.redirect_uris.clone(),
        grants,
        scopes,
        id_token_alg: alg,
        created_at: now,
    };
    Ok((client, secret))
}

async fn add(a: AddArgs) -> Result<(), Failure> {
    let (client, secret) = build(&a, SystemClock.now())?;
    let db = open(&a.db).await?;
    if !db.create_client(&client).await.map_err(db_err)? {
        return Err(bad(format!("a client {} exists already", client.id)));
    }
    println!("client_id: {}", client.id);
    if let Some(s) = secret {
        println!("client_secret: {}", s.expose());
        eprintln!("Store the secret now: it is shown only once.");
    }
    Ok(())
}
