//! HTTPS on rustls (ring provider): ALPN offers `h2` then `http/1.1`, and the
//! certificate lives behind an [`ArcSwap`] so a reload (SIGHUP) swaps it for new
//! handshakes while open connections keep theirs.

use super::TlsFiles;
use anyhow::Context as _;
use arc_swap::ArcSwap;
use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// The certificate and key currently served, and where to re-read them from.
#[derive(Debug)]
struct Resolver {
    files: TlsFiles,
    current: ArcSwap<CertifiedKey>,
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}

/// A handle on the served certificate: the acceptor for new connections and
/// [`TlsReloader::reload`], which SIGHUP calls. Cheap to clone.
#[derive(Clone)]
pub struct TlsReloader {
    resolver: Arc<Resolver>,
    acceptor: TlsAcceptor,
}

impl std::fmt::Debug for TlsReloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsReloader")
            .field("files", &self.resolver.files)
            .finish_non_exhaustive()
    }
}

/// The one crypto provider: ring (no OpenSSL, no aws-lc).
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads and checks the PEM certificate chain and key (the key must match the leaf).
fn load_key(files: &TlsFiles) -> anyhow::Result<CertifiedKey> {
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .with_context(|| format!("reading the certificate {}", files.cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("parsing the certificate {}", files.cert.display()))?;
    anyhow::ensure!(
        !certs.is_empty(),
        "no certificate in {}",
        files.cert.display()
    );
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("reading the private key {}", files.key.display()))?;
    CertifiedKey::from_der(certs, key, &provider()).with_context(|| {
        format!(
            "the key {} does not fit the certificate {}",
            files.key.display(),
            files.cert.display()
        )
    })
}

impl TlsReloader {
    /// Loads the certificate and key; an unreadable or mismatched pair is an error, so
    /// the server does not start without a working certificate.
    pub fn load(files: &TlsFiles) -> anyhow::Result<Self> {
        let key = load_key(files)?;
        let resolver = Arc::new(Resolver {
            files: files.clone(),
            current: ArcSwap::from_pointee(key),
        });
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_no_client_auth()
            .with_cert_resolver(resolver.clone());
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            resolver,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// Re-reads the certificate and key: new handshakes get the new pair, open
    /// connections are untouched. On failure the old pair stays and the reason is
    /// logged (and returned).
    pub fn reload(&self) -> anyhow::Result<()> {
        match load_key(&self.resolver.files) {
            Ok(key) => {
                self.resolver.current.store(Arc::new(key));
                tracing::info!(cert = %self.resolver.files.cert.display(), "TLS certificate reloaded");
                Ok(())
            }
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "TLS certificate reload failed; still serving the previous certificate"
                );
                Err(error)
            }
        }
    }

    /// The acceptor for new connections.
    pub(super) fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }
}

/// Reloads on every SIGHUP until `stop` is cancelled (Unix only).
pub(super) fn spawn_sighup_reload(reloader: TlsReloader, stop: CancellationToken) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangups = match signal(SignalKind::hangup()) {
            Ok(s) => s,
            Err(error) => {
                tracing::warn!(%error, "no SIGHUP handler: the certificate will not reload");
                return;
            }
        };
        loop {
            tokio::select! {
                got = hangups.recv() => if got.is_none() { return },
                () = stop.cancelled() => return,
            }
            tracing::info!("SIGHUP: reloading the TLS certificate");
            let _ = reloader.reload();
        }
    });
    #[cfg(not(unix))]
    drop((reloader, stop));
}
