//! `qrlogin healthcheck --server URL`: exit 0 when the server is ready (`/readyz` is
//! 200), else 1. Made for container health checks, which only read the exit code, so
//! it is quiet on success and says why on failure.

use crate::common::server_url;
use crate::exit::{Exit, Failure, Role};
use clap::Args;
use qrlogin_client::Client;
use std::time::Duration;

/// Flags of `qrlogin healthcheck`.
#[derive(Args, Debug)]
pub struct HealthcheckArgs {
    /// Base URL of the qrlogin server.
    #[arg(long, env = "QRLOGIN_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
}

/// Checks `/readyz`; every failure is exit code 1, as health checkers expect.
pub async fn run(args: HealthcheckArgs) -> Result<(), Failure> {
    let server = server_url(&args.server).map_err(|f| Failure {
        exit: Exit::Generic,
        ..f
    })?;
    let client = Client::new(&server).with_timeout(Duration::from_secs(args.timeout.max(1)));
    client.readyz().await.map_err(|e| {
        let why = Failure::from_client(&e, &server, Role::Anonymous);
        Failure::new(Exit::Generic, format!("not ready: {}", why.message))
    })
}
