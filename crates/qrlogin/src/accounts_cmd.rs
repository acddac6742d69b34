//! `qrlogin accounts add|list|show|passwd|disable|enable|remove`: the operator's tools
//! for the accounts in `--db`. They write the database directly, so a change holds on
//! every server using it from its next request (servers never cache tokens).
//!
//! Every check (name, password, existence) happens before anything is written; a
//! refused command exits 1 with one sentence on stderr. Passwords come from standard
//! input (`--password-stdin`) or a no-echo prompt, never from an argument.
//!
//! Here: the arguments and the dispatch. The commands that change an account (and
//! read a new password) are in `write`, the table of `list` in `list`.

use crate::accounts_view as view;
use crate::db_cmd::{db_failure, DbArgs};
use crate::exit::{Exit, Failure};
use clap::{Args, Subcommand};
use qrlogin_core::{Clock as _, SystemClock, Username};
use qrlogin_db::{Account, Db};
use qrlogin_server::service::passkeys_enroll::create_passwordless_account;

mod list;
mod write;
use list::list;
use write::{add, check_profile, new_password, passwd, set_disabled};

/// `qrlogin accounts …`.
#[derive(Args, Debug)]
pub struct AccountsCmd {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: AccountsCommand,
}

/// The subcommands of `qrlogin accounts`.
#[derive(Subcommand, Debug)]
enum AccountsCommand {
    /// Add an account; prints its id.
    Add {
        /// 1–64 of a-z 0-9 . _ - (stored lowercase).
        username: String,
        /// The name shown on the PC and the phone (default: the username).
        #[arg(long, value_name = "NAME")]
        display_name: Option<String>,
        /// An http(s) URL of the account's picture.
        #[arg(long, value_name = "URL")]
        avatar_url: Option<String>,
        /// Read the password (8–1024 characters) from the first line of standard
        /// input instead of asking twice on the terminal.
        #[arg(long)]
        password_stdin: bool,
        /// No password: the account signs in with passkeys only (give the user a
        /// link from `accounts enroll`).
        #[arg(long, conflicts_with = "password_stdin")]
        no_password: bool,
    },
    /// Print a one-use link (valid 24 h) where the user registers a passkey on the
    /// phone; the secret is after `#`, so it never reaches a server log.
    Enroll {
        /// The account's username.
        username: String,
        /// The public URL phones reach [default: `public_url` of --config, else
        /// http://<its listen address>].
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
    },
    /// List every account.
    List {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one account.
    Show {
        /// The account's username.
        username: String,
        /// A JSON object instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Set a new password; every phone token and PC session of the account is revoked.
    Passwd {
        /// The account's username.
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Stop the account signing in; its tokens and sessions stop working at once.
    Disable {
        /// The account's username.
        username: String,
    },
    /// Let a disabled account sign in again (old tokens stay revoked).
    Enable {
        /// The account's username.
        username: String,
    },
    /// Delete the account with all its tokens, sessions, links and activity.
    Remove {
        /// The account's username.
        username: String,
    },
}

/// A refusal: exit 1 with `message`.
fn refuse(message: impl Into<String>) -> Failure {
    Failure::new(Exit::Generic, message)
}

/// A username as typed, checked against the rule.
fn username(raw: &str) -> Result<Username, Failure> {
    Username::parse(raw).map_err(|e| refuse(format!("invalid username {raw:?}: {e}")))
}

/// Runs `qrlogin accounts …`.
pub async fn run(cmd: AccountsCmd) -> Result<(), Failure> {
    let db = &cmd.db;
    match cmd.command {
        AccountsCommand::Add {
            username: raw,
            display_name,
            avatar_url,
            password_stdin,
            no_password,
        } => {
            let name = username(&raw)?;
            let display_name = display_name.unwrap_or_else(|| name.as_str().to_owned());
            check_profile(&display_name, avatar_url.as_deref())?;
            if no_password {
                let db = db.open().await?;
                let id = create_passwordless_account(
                    db.as_ref(),
                    &name,
                    &display_name,
                    avatar_url.as_deref(),
                    SystemClock.now(),
                )
                .await
                .map_err(|e| refuse(format!("{e:#}")))?
                .ok_or_else(|| refuse(format!("the username {name} is taken")))?;
                println!("{id}");
                return Ok(());
            }
            // Everything is checked before the database is opened (and a SQLite file
            // created): a refused command writes nothing.
            let password = new_password(password_stdin)?;
            let db = db.open().await?;
            add(db.as_ref(), name, display_name, avatar_url, password).await
        }
        AccountsCommand::Enroll {
            username: raw,
            public_url,
        } => {
            let public_url = match public_url {
                Some(url) => url,
                None => {
                    let args = crate::serve::ServeArgs::with_config(db.config.clone());
                    let s = crate::config::load(&args).map_err(|e| refuse(format!("{e:#}")))?;
                    s.public_url
                        .unwrap_or_else(|| format!("http://{}", s.listen))
                }
            };
            let url = db.url()?;
            let link = crate::passkeys_cmd::enroll(&url, &public_url, &raw).await?;
            println!("{link}");
            Ok(())
        }
        AccountsCommand::List { json } => list(db.open().await?.as_ref(), json).await,
        AccountsCommand::Show {
            username: raw,
            json,
        } => {
            let name = username(&raw)?;
            let db = db.open().await?;
            let account = find(db.as_ref(), &name).await?;
            view::print_account(&account, json);
            Ok(())
        }
        AccountsCommand::Passwd {
            username: raw,
            password_stdin,
        } => {
            let name = username(&raw)?;
            let db = db.open().await?;
            let account = find(db.as_ref(), &name).await?;
            let password = new_password(password_stdin)?;
            passwd(db.as_ref(), &account, password).await
        }
        AccountsCommand::Disable { username: raw } => set_disabled(db, &raw, true).await,
        AccountsCommand::Enable { username: raw } => set_disabled(db, &raw, false).await,
        AccountsCommand::Remove { username: raw } => {
            let name = username(&raw)?;
            let db = db.open().await?;
            let account = find(db.as_ref(), &name).await?;
            let removed = db
                .remove_account(&account.id)
                .await
                .map_err(|e| db_failure(e, "removing the account"))?;
            if !removed {
                return Err(refuse(format!("no account named {name}")));
            }
            println!("Removed {name} and all its tokens, sessions and activity.");
            Ok(())
        }
    }
}

/// The account named `name`, or a refusal naming it.
async fn find(db: &dyn Db, name: &Username) -> Result<Account, Failure> {
    db.account_by_username(name)
        .await
        .map_err(|e| db_failure(e, "reading the account"))?
        .ok_or_else(|| refuse(format!("no account named {name}")))
}
