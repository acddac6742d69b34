//! The qrlogin HTTP server as a library, so that the binary and the tests start the very
//! same thing ([`Application`]).
//!
//! - [`config`]: what the server needs to start, and secret-safe printing of it.
//! - [`startup`]: bind, open the store, run, shut down gracefully.
//! - [`listener`]: the accept loop: timeouts for slow and idle clients, the connection
//!   cap, bounded shutdown, TLS.
//! - [`state`]: what every handler can reach.
//! - [`routes`]: PC, phone, session, ops and page routes; the OpenAPI document.
//! - [`push`]: Server-Sent Events and WebSocket over the long poll's wait primitive.
//! - [`service`]: use cases (QR sessions, accounts, authentication, the wait primitive).
//! - [`error`]: the one error type, rendered as problem+json.
//! - [`extract`]: extractors that map bad input to the contract's 400/413/415.
//! - [`limits`]: rate limits, the argon2 pool, waiter caps, trusted proxies
//!   (docs/security.md); [`qrimage`]: QR rendering; [`telemetry`]: metrics, log filter.

pub mod config;
pub mod error;
pub mod extract;
pub mod limits;
pub mod listener;
pub mod oauth;
pub mod push;
pub mod qrimage;
pub mod routes;
pub mod service;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use config::{ApiRoles, Config};
pub use startup::Application;

/// Resolves when the process is asked to stop: Ctrl-C, or SIGTERM on Unix (what
/// `docker stop` and Kubernetes send). If a handler cannot be installed, that signal is
/// logged and never fires (the other still works), so a server never stops by itself.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
#[cfg(test)]
mod sizes_tests;
