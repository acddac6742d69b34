//! `qrlogin passkeys add-account USERNAME` and `qrlogin passkeys enroll USERNAME`:
//! accounts that sign in with passkeys only, and the one-use link where such a user
//! registers a first passkey on the phone. Both act on the database directly (`--db`,
//! the server's), like the other operator commands; the server need not run.
//! (To be merged into `qrlogin accounts add --no-password` and `qrlogin accounts
//! enroll` with the account commands.)

use crate::exit::{Exit, Failure};
use clap::{Args, Subcommand};
use qrlogin_core::{Clock, SystemClock, Username};
use qrlogin_server::service::passkeys_enroll::{create_passwordless_account, enrollment_link};

/// Operator commands for passkeys.
#[derive(Subcommand)]
pub enum PasskeysCommand {
    /// Add an account without a password (`accounts add --no-password`): it signs in
    /// with passkeys only; give the user a link from `enroll`.
    AddAccount(AddArgs),
    /// Print a one-use link (valid 24 h) where the user registers a passkey.
    Enroll(EnrollArgs),
}

/// Where the database is.
#[derive(Args)]
pub struct DbArgs {
    /// The server's database URL.
    #[arg(long, env = "QRLOGIN_DB", default_value = "sqlite://qrlogin.db")]
    pub db: String,
}

/// `passkeys add-account`.
#[derive(Args)]
pub struct AddArgs {
    /// The login name (a-z 0-9 . _ -, stored lowercase).
    pub username: String,
    /// The name shown on the PC and phone (default: the username).
    #[arg(long)]
    pub display_name: Option<String>,
    /// An avatar URL.
    #[arg(long)]
    pub avatar_url: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `passkeys enroll`.
#[derive(Args)]
pub struct EnrollArgs {
    /// Whose link it is.
    pub username: String,
    /// The server's public URL, which the link starts with (`--public-url` of serve).
    #[arg(long, env = "QRLOGIN_PUBLIC_URL")]
    pub public_url: String,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Runs a passkeys subcommand, printing what it made.
pub async fn run(cmd: PasskeysCommand) -> Result<(), Failure> {
    match cmd {
        PasskeysCommand::AddAccount(a) => {
            let name = a.display_name.as_deref();
            add_no_password(&a.db.db, &a.username, name, a.avatar_url.as_deref()).await?;
            println!(
                "added {} (passkeys only; give them a link from `enroll`)",
                a.username.to_lowercase()
            );
        }
        PasskeysCommand::Enroll(a) => {
            println!("{}", enroll(&a.db.db, &a.public_url, &a.username).await?)
        }
    }
    Ok(())
}

fn username(text: &str) -> Result<Username, Failure> {
    Username::parse(text).map_err(|e| Failure::new(Exit::BadInput, format!("username: {e}")))
}

async fn open(db_url: &str) -> Result<std::sync::Arc<dyn qrlogin_db::Db>, Failure> {
    qrlogin_db::open(db_url).await.map_err(|e| {
        let shown = qrlogin_db::redact_url(db_url);
        Failure::new(
            Exit::Unreachable,
            format!("cannot open the database {shown}: {e}"),
        )
    })
}

/// Adds a passkey-only account (`password_hash` none): the password login refuses it.
pub async fn add_no_password(
    db_url: &str,
    username_text: &str,
    display_name: Option<&str>,
    avatar_url: Option<&str>,
) -> Result<(), Failure> {
    let user = username(username_text)?;
    let db = open(db_url).await?;
    let name = display_name.unwrap_or(user.as_str()).to_owned();
    let made = create_passwordless_account(&*db, &user, &name, avatar_url, SystemClock.now())
        .await
        .map_err(|e| Failure::new(Exit::Generic, format!("{e:#}")))?;
    match made {
        Some(_) => Ok(()),
        None => Err(Failure::new(
            Exit::BadInput,
            format!("the username {user} is taken"),
        )),
    }
}

/// A fresh one-use enrollment link for the account, `{public_url}/m/enroll#qle_…`.
pub async fn enroll(
    db_url: &str,
    public_url: &str,
    username_text: &str,
) -> Result<String, Failure> {
    let user = username(username_text)?;
    let public_url = crate::common::server_url(public_url)?;
    let db = open(db_url).await?;
    let generic = |e: qrlogin_db::DbError| Failure::new(Exit::Generic, e.to_string());
    let account = db
        .account_by_username(&user)
        .await
        .map_err(generic)?
        .ok_or_else(|| Failure::new(Exit::BadInput, format!("no account {user}")))?;
    let link = enrollment_link(&*db, &public_url, &account.id, SystemClock.now())
        .await
        .map_err(|e| Failure::new(Exit::Generic, format!("{e:#}")))?;
    link.ok_or_else(|| Failure::new(Exit::BadInput, format!("no account {user}")))
}
