//! The `qrlogin` command line: `serve` runs the server; the other subcommands are
//! clients of a running server (PC login in a terminal, phone side, health check).

mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// QR-code login service: a PC shows a QR code, a signed-in phone scans and confirms.
#[derive(Parser)]
#[command(name = "qrlogin", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qrlogin: {e:#}");
            ExitCode::from(1)
        }
    }
}
