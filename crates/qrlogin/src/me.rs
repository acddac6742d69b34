//! `qrlogin me` and `qrlogin logout`: the PC session saved by `qrlogin login`, checked
//! against the server (it may have been revoked from the phone since) or ended.

use crate::exit::{Exit, Failure, Role};
use crate::store::{PcSession, Store, SESSION_FILE};
use clap::Args;
use qrlogin_client::Client;

/// Flags of `qrlogin me`.
#[derive(Args, Debug)]
pub struct MeArgs {
    /// Print the server's answer as JSON.
    #[arg(long)]
    json: bool,
}

/// The saved session, or the failure that says to log in first.
fn saved(store: &Store) -> Result<PcSession, Failure> {
    store.load(SESSION_FILE)?.ok_or_else(|| {
        Failure::new(
            Exit::Auth,
            "Not signed in — sign in with `qrlogin login --server URL`",
        )
    })
}

/// Shows who the saved session belongs to, as the server sees it now.
pub async fn me(args: MeArgs, store: Store) -> Result<(), Failure> {
    let session = saved(&store)?;
    let me = Client::new(&session.server)
        .me(&session.session_token)
        .await
        .map_err(|e| Failure::from_client(&e, &session.server, Role::Pc))?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "server": session.server, "account": me.account, "session": me.session })
        );
    } else {
        println!(
            "Signed in as {} on {}",
            me.account.display_name, session.server
        );
        println!("  Account: {}", me.account.id);
        println!(
            "  Session: {} (since {}, until {})",
            me.session.id, me.session.created_at, me.session.expires_at
        );
    }
    Ok(())
}

/// Revokes the saved session on the server and deletes the file. A session the server
/// no longer knows is deleted all the same: the goal, being signed out, is reached.
pub async fn logout(store: Store) -> Result<(), Failure> {
    let session = saved(&store)?;
    match Client::new(&session.server)
        .logout(&session.session_token)
        .await
    {
        Ok(()) => {}
        Err(e) if e.status() == Some(401) => {}
        Err(e) => return Err(Failure::from_client(&e, &session.server, Role::Pc)),
    }
    store.remove(SESSION_FILE)?;
    println!("Signed out.");
    Ok(())
}
