//! Our own accept loop, in place of `axum::serve`, so that a slow or idle client cannot
//! keep a socket (and a file descriptor) forever, the number of open connections stays
//! below the open-files limit, shutdown ends in bounded time, and HTTPS is served by
//! rustls with a certificate that can be swapped on SIGHUP.
//!
//! - [`bind`]: binding, raising `RLIMIT_NOFILE`, the automatic connection cap.
//! - [`accept`]: the accept loop, the cap, and the two-phase shutdown.
//! - [`conn`]: one connection: hyper's HTTP/1.1 + HTTP/2 builder, the header-read and
//!   idle timeouts.
//! - [`members`]: the open connections, woken when a shutdown starts and ends.
//! - [`activity`]: what a connection is doing (waiting for a request head, idle, busy),
//!   fed by the socket and by the service.
//! - [`tls`]: rustls with the ring provider, ALPN `h2`/`http/1.1`, reloadable keys.
//!
//! The timeouts apply only while a connection waits for a request head: a held long
//! poll, an SSE stream or a WebSocket is a request in flight and is never cut by them.

pub mod accept;
mod activity;
pub mod bind;
mod conn;
mod members;
pub mod tls;

#[cfg(test)]
mod sizes_tests;

pub use accept::serve;
pub use bind::Listener;
pub use tls::TlsReloader;

use std::path::PathBuf;
use std::time::Duration;

/// How the listener treats clients. Defaults are the contract's: 10 s to send a request
/// head, 60 s idle keep-alive, an automatic connection cap, 30 s to shut down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerOptions {
    /// Longest wait for a complete request head on a connection with no request in
    /// flight (a fresh connection, or one that has started sending the next request).
    /// A client that sends nothing or drips a header is closed after it.
    pub header_timeout: Duration,
    /// Longest a keep-alive connection may sit with no request in flight before it is
    /// closed (HTTP/1.1: closed; HTTP/2: GOAWAY, then closed once its streams end).
    pub idle_timeout: Duration,
    /// Most connections open at once; past it, accepting waits (new clients queue in
    /// the kernel's backlog) and one warning is logged. `None`: the open-files soft
    /// limit minus a reserve for the store, database and log files.
    pub max_connections: Option<usize>,
    /// Longest a graceful shutdown may take after held waiters were answered; then the
    /// remaining connections are closed, whatever their clients are doing.
    pub shutdown_timeout: Duration,
    /// Serve HTTPS with this certificate and key instead of cleartext HTTP.
    pub tls: Option<TlsFiles>,
}

impl Default for ListenerOptions {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: None,
            shutdown_timeout: Duration::from_secs(30),
            tls: None,
        }
    }
}

/// PEM files for HTTPS, re-read on SIGHUP (so a renewed certificate is picked up
/// without a restart or dropped connections).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain, leaf first (PEM).
    pub cert: PathBuf,
    /// Private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}
