//! `qrlogin phone …`: this terminal acting as the already-signed-in phone, so a login
//! can be approved without the mobile app (and so tests can drive the phone side).
//! The mobile token is bound to a device id, so both are kept together in the 0600
//! `phone.json`.

use crate::common::{hostname, in_seconds, server_url};
use crate::exit::{Exit, Failure, Role};
use crate::store::{PhoneCredentials, Store, PHONE_FILE};
use clap::{Args, Subcommand};
use qrlogin_client::{Client, DeviceInfo, Phone};

/// `qrlogin phone` subcommands.
#[derive(Subcommand, Debug)]
pub enum PhoneCommand {
    /// Sign this terminal in as a phone (password from a prompt or QRLOGIN_PASSWORD).
    Login(PhoneLoginArgs),
    /// Sign this phone out on the server (its token is revoked) and forget the token.
    Logout,
}

/// Flags of `qrlogin phone login`.
#[derive(Args, Debug)]
pub struct PhoneLoginArgs {
    /// Base URL of the qrlogin server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "QRLOGIN_SERVER")]
    server: String,
    /// The account's user name.
    #[arg(long)]
    username: String,
    /// Device id the token is bound to (default: the saved one, else a new random id).
    #[arg(long)]
    device_id: Option<String>,
    /// Device name shown in session lists (default: "qrlogin CLI on <host>").
    #[arg(long)]
    device_name: Option<String>,
}

/// Runs a `qrlogin phone` subcommand.
pub async fn run(cmd: PhoneCommand, store: Store) -> Result<(), Failure> {
    match cmd {
        PhoneCommand::Login(args) => login(args, store).await,
        PhoneCommand::Logout => {
            // Revoke it on the server first (so a copy of the file is worthless too);
            // a token the server no longer knows, or a server that is gone, must not
            // keep the user from forgetting it here.
            if let Ok((phone, server)) = saved_phone(&store, None) {
                match phone.logout().await {
                    Ok(()) => println!("Signed out on {server}."),
                    Err(e) if e.status() == Some(401) => {}
                    Err(e) => eprintln!(
                        "qrlogin: could not sign out on the server ({}); forgetting the token anyway",
                        Failure::from_client(&e, &server, Role::Phone).message
                    ),
                }
            }
            if store.remove(PHONE_FILE)? {
                println!("Phone token deleted.");
            } else {
                println!("No phone token was saved.");
            }
            Ok(())
        }
    }
}

async fn login(args: PhoneLoginArgs, store: Store) -> Result<(), Failure> {
    let server = server_url(&args.server)?;
    // Reuse the saved device id, so signing in again keeps being "the same phone".
    let saved: Option<PhoneCredentials> = store.load(PHONE_FILE).unwrap_or(None);
    let device_id = match args.device_id {
        Some(id) if !id.trim().is_empty() => id,
        Some(_) => {
            return Err(Failure::new(
                Exit::BadInput,
                "--device-id must not be empty",
            ))
        }
        None => match saved {
            Some(s) if !s.device_id.is_empty() => s.device_id,
            _ => new_device_id()?,
        },
    };
    let password = password()?;
    let device = DeviceInfo {
        id: Some(device_id.clone()),
        kind: Some("cli".into()),
        name: Some(args.device_name.unwrap_or_else(|| {
            format!(
                "qrlogin CLI on {}",
                hostname().unwrap_or_else(|| "this computer".into())
            )
        })),
    };
    let client = Client::new(&server);
    let login = client
        .login(&args.username, &password, device)
        .await
        .map_err(|e| Failure::from_client(&e, &server, Role::Anonymous))?;
    let phone = Phone::from_login(&client, &login);
    let creds = PhoneCredentials {
        server,
        access_token: phone.token().expose().to_owned(),
        device_id: if phone.device_id().is_empty() {
            device_id
        } else {
            phone.device_id().to_owned()
        },
        account: login.account,
        expires_at: in_seconds(login.expires_in),
    };
    let path = store.save(PHONE_FILE, &creds)?;
    println!(
        "Signed in as {} on device {}. Phone token saved to {}.",
        creds.account.display_name,
        creds.device_id,
        path.display()
    );
    Ok(())
}

/// `QRLOGIN_PASSWORD`, else a prompt on the terminal without echo.
fn password() -> Result<String, Failure> {
    if let Ok(p) = std::env::var("QRLOGIN_PASSWORD") {
        return Ok(p);
    }
    rpassword::prompt_password("Password: ").map_err(|e| {
        Failure::new(
            Exit::BadInput,
            format!("cannot read the password from the terminal ({e}); set QRLOGIN_PASSWORD"),
        )
    })
}

/// `cli-` + 64 random bits in hex: unique per install, meaningless to anyone else.
fn new_device_id() -> Result<String, Failure> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|e| Failure::new(Exit::Generic, format!("no randomness from the OS: {e}")))?;
    Ok(format!(
        "cli-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// The saved phone, or the failure that tells the user to sign in first. `server`
/// overrides the saved server URL.
pub fn saved_phone(store: &Store, server: Option<&str>) -> Result<(Phone, String), Failure> {
    let creds: PhoneCredentials = store.load(PHONE_FILE)?.ok_or_else(|| {
        Failure::new(
            Exit::Auth,
            "This terminal is not signed in as a phone — sign in with `qrlogin phone login`",
        )
    })?;
    let server = match server {
        Some(s) => server_url(s)?,
        None => creds.server,
    };
    let phone = Client::new(&server).phone(creds.access_token, creds.device_id);
    Ok((phone, server))
}
