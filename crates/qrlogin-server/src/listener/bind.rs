//! Binding the port, raising the open-files limit, and sizing the connection cap.

use super::tls::TlsReloader;
use super::ListenerOptions;
use anyhow::Context as _;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// File descriptors kept out of the connection cap for everything else the process
/// opens: store and database connections, log files, the Redis subscriber, pipes.
const FD_RESERVE: u64 = 128;

/// The smallest automatic cap, so that a tiny limit still serves somebody.
const MIN_AUTO_CAP: u64 = 16;

/// A bound socket with what the accept loop needs to serve it.
pub struct Listener {
    pub(super) tcp: TcpListener,
    pub(super) addr: SocketAddr,
    pub(super) tls: Option<TlsReloader>,
    pub(super) max_connections: usize,
}

impl Listener {
    /// Raises the open-files limit, loads the TLS certificate (a bad one is a start-up
    /// error), binds `listen` and fixes the connection cap.
    pub async fn bind(listen: &str, options: &ListenerOptions) -> anyhow::Result<Self> {
        let soft = raise_nofile_limit();
        let tls = options.tls.as_ref().map(TlsReloader::load).transpose()?;
        let tcp = TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        let addr = tcp.local_addr()?;
        let max_connections = options
            .max_connections
            .unwrap_or_else(|| automatic_cap(soft))
            .max(1);
        tracing::info!(%addr, max_connections, tls = tls.is_some(), "listening");
        Ok(Self {
            tcp,
            addr,
            tls,
            max_connections,
        })
    }

    /// The bound address (the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https` when serving TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// The handle that re-reads the certificate and key (SIGHUP), when serving TLS.
    pub fn tls(&self) -> Option<&TlsReloader> {
        self.tls.as_ref()
    }

    /// The effective connection cap.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit, as the default soft limit (often
/// 1024) is far below what a server holding many waiters needs; logs and returns the
/// soft limit now in force (`None` where it cannot be read).
fn raise_nofile_limit() -> Option<u64> {
    let before = rlimit::getrlimit(rlimit::Resource::NOFILE).ok();
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(now) => {
            tracing::info!(
                before = before.map(|(soft, _)| soft),
                hard = before.map(|(_, hard)| hard),
                now,
                "open-files soft limit raised to the hard limit"
            );
            Some(now)
        }
        Err(error) => {
            tracing::warn!(%error, "could not raise the open-files limit");
            before.map(|(soft, _)| soft)
        }
    }
}

/// The connection cap when none is configured: below the open-files limit by a
/// reserve, so that accepting never fails with "Too many open files".
fn automatic_cap(soft_limit: Option<u64>) -> usize {
    let limit = soft_limit.unwrap_or(1024);
    let cap = limit.saturating_sub(FD_RESERVE).max(MIN_AUTO_CAP);
    usize::try_from(cap).unwrap_or(usize::MAX).min(1 << 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_automatic_cap_leaves_a_reserve_below_the_open_files_limit() {
        assert_eq!(automatic_cap(Some(1024)), 1024 - 128);
        assert_eq!(automatic_cap(Some(100)), 16);
        assert_eq!(automatic_cap(Some(u64::MAX)), 1 << 24);
        assert_eq!(automatic_cap(None), 1024 - 128);
    }
}
