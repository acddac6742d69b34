//! The `qrlogin` command line: `serve` runs the server; the other subcommands are
//! clients of a running server (PC login in a terminal, phone side, health check).
//!
//! One file per subcommand: `serve`, `login` (+ `login_view` for what it prints,
//! `term_qr` for the QR drawing), `phone`, `scan` (+ `qr_image` for decoding images),
//! `sessions`, `me` (also `logout`), `healthcheck`, `passkeys_cmd` (passkey-only
//! accounts and enrollment links), `config` (the layered settings of
//! `serve` and `qrlogin config show`). Shared: `exit` (exit codes and human messages),
//! `store` (the 0600 credential files), `common`.

mod accounts_cmd;
mod accounts_view;
mod clients_cmd;
mod common;
mod config;
mod db_cmd;
mod exit;
mod healthcheck;
mod issuers_cmd;
mod keys_cmd;
mod login;
mod login_view;
mod me;
mod passkeys_cmd;
mod phone;
mod qr_image;
mod scan;
mod serve;
mod sessions;
mod store;
mod term_qr;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// QR-code login service: a PC shows a QR code, a signed-in phone scans and confirms.
#[derive(Parser)]
#[command(name = "qrlogin", version, about, long_about = None, after_help = exit::EXIT_CODES_HELP)]
struct Cli {
    /// Where credentials are kept (default: $XDG_CONFIG_HOME/qrlogin or
    /// ~/.config/qrlogin).
    #[arg(long, env = "QRLOGIN_CONFIG_DIR", global = true)]
    config_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(serve::ServeArgs),
    /// Sign this terminal in by QR code: scan it with a signed-in phone.
    #[command(after_help = exit::EXIT_CODES_HELP)]
    Login(login::LoginArgs),
    /// Show who the saved PC session belongs to.
    #[command(after_help = exit::EXIT_CODES_HELP)]
    Me(me::MeArgs),
    /// Sign the saved PC session out and delete it.
    #[command(after_help = exit::EXIT_CODES_HELP)]
    Logout,
    /// Act as the phone: sign in with a password, keep the phone token.
    #[command(subcommand)]
    Phone(phone::PhoneCommand),
    /// Approve (or decline) a login from a QR image, URL or id, as the phone.
    #[command(after_help = exit::EXIT_CODES_HELP)]
    Scan(scan::ScanArgs),
    /// List or revoke the PCs signed in through QR login (as the phone).
    #[command(after_help = exit::EXIT_CODES_HELP)]
    Sessions(sessions::SessionsArgs),
    /// Exit 0 if the server is ready (/readyz is 200), else 1.
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Add, list, show, change, disable, enable or remove accounts in the database
    /// (`--db`, as `serve` uses it).
    Accounts(accounts_cmd::AccountsCmd),
    /// Set up (`migrate`) or back up (`backup`) the database.
    Db(db_cmd::DbCmd),
    /// The settings of `qrlogin serve` (defaults < --config file < QRLOGIN_* < flags).
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// The OAuth / OpenID Connect clients (on --db / QRLOGIN_DB).
    #[command(subcommand)]
    Clients(clients_cmd::ClientsCommand),
    /// The ID token signing keys (on --db / QRLOGIN_DB).
    #[command(subcommand)]
    Keys(keys_cmd::KeysCommand),
    /// Passkey-only accounts and their enrollment links (operator, on `--db`); the
    /// same as `accounts add --no-password` and `accounts enroll`, kept as an alias.
    #[command(subcommand, hide = true)]
    Passkeys(passkeys_cmd::PasskeysCommand),
    /// The trusted issuers whose JWTs phones exchange (on --db / QRLOGIN_DB).
    #[command(subcommand)]
    Issuers(issuers_cmd::IssuersCommand),
}

/// The command line, with the `[env: …] [default: …]` notes added to the help of
/// `serve` and `config show` (see [`config::with_help_notes`]).
fn parse() -> Cli {
    let command = Cli::command()
        .mut_subcommand("serve", config::with_help_notes)
        .mut_subcommand("config", |c| {
            c.mut_subcommand("show", config::with_help_notes)
        });
    Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit())
}

fn main() -> ExitCode {
    let cli = parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("qrlogin: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        let store = || store::Store::new(cli.config_dir.clone());
        match cli.command {
            Command::Serve(args) => serve::run(args)
                .await
                .map_err(|e| exit::Failure::new(exit::Exit::Generic, format!("{e:#}"))),
            Command::Healthcheck(args) => healthcheck::run(args).await,
            Command::Accounts(cmd) => accounts_cmd::run(cmd).await,
            Command::Db(cmd) => db_cmd::run(cmd).await,
            Command::Config(cmd) => config::run(cmd)
                .map_err(|e| exit::Failure::new(exit::Exit::Generic, format!("{e:#}"))),
            Command::Login(args) => login::run(args, store()?).await,
            Command::Me(args) => me::me(args, store()?).await,
            Command::Logout => me::logout(store()?).await,
            Command::Phone(cmd) => phone::run(cmd, store()?).await,
            Command::Scan(args) => scan::run(args, store()?).await,
            Command::Sessions(args) => sessions::run(args, store()?).await,
            Command::Clients(cmd) => clients_cmd::run(cmd).await,
            Command::Keys(cmd) => keys_cmd::run(cmd).await,
            Command::Passkeys(cmd) => passkeys_cmd::run(cmd).await,
            Command::Issuers(cmd) => issuers_cmd::run(cmd).await,
        }
    });
    // Leftover tasks (a dropped SSE body, a pending signal listener) must not keep the
    // process alive after the answer is known.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("qrlogin: {}", f.message);
            f.exit_code()
        }
    }
}
