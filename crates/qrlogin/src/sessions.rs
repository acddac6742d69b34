//! `qrlogin sessions [list]` and `qrlogin sessions revoke ID`: the phone's view of the
//! PCs signed in to its account through QR login, and the way to sign one out at once
//! (a lost laptop, a login that was not you).

use crate::exit::{Failure, Role};
use crate::phone::saved_phone;
use crate::store::Store;
use clap::{Args, Subcommand};

/// Flags of `qrlogin sessions`.
#[derive(Args, Debug)]
pub struct SessionsArgs {
    #[command(subcommand)]
    command: Option<SessionsCommand>,
    /// Server URL (default: the one saved by `qrlogin phone login`).
    #[arg(long, env = "QRLOGIN_SERVER", global = true)]
    server: Option<String>,
    /// List as one JSON object per session per line.
    #[arg(long, global = true)]
    json: bool,
}

/// `qrlogin sessions` subcommands; none means `list`.
#[derive(Subcommand, Debug)]
enum SessionsCommand {
    /// List the PCs signed in through QR login (the default).
    List,
    /// Sign one PC session out now.
    Revoke {
        /// The session id, from `qrlogin sessions`.
        id: String,
    },
}

/// Runs a `qrlogin sessions` subcommand with the saved phone token.
pub async fn run(args: SessionsArgs, store: Store) -> Result<(), Failure> {
    let (phone, server) = saved_phone(&store, args.server.as_deref())?;
    let fail = |e: qrlogin_client::Error| Failure::from_client(&e, &server, Role::Phone);
    match args.command.unwrap_or(SessionsCommand::List) {
        SessionsCommand::List => {
            let sessions = phone.sessions().await.map_err(fail)?;
            if args.json {
                for s in &sessions {
                    println!("{}", serde_json::json!(s));
                }
                return Ok(());
            }
            if sessions.is_empty() {
                println!("No PC is signed in through QR login.");
                return Ok(());
            }
            println!(
                "{:<28} {:<21} {:<21} {:<15} DEVICE",
                "ID", "SIGNED IN", "EXPIRES", "IP"
            );
            for s in sessions {
                let device = s
                    .device
                    .as_ref()
                    .and_then(|d| d.name.clone().or_else(|| d.kind.clone()))
                    .unwrap_or_else(|| "unknown".into());
                let device: String = device.chars().filter(|c| !c.is_control()).collect();
                println!(
                    "{:<28} {:<21} {:<21} {:<15} {device}",
                    s.id, s.created_at, s.expires_at, s.ip
                );
            }
            Ok(())
        }
        SessionsCommand::Revoke { id } => {
            phone.revoke(&id).await.map_err(fail)?;
            if args.json {
                println!("{}", serde_json::json!({ "revoked": id }));
            } else {
                println!("Session {id} is signed out.");
            }
            Ok(())
        }
    }
}
