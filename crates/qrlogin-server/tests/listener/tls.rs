//! HTTPS with a certificate made in the test: HTTP/1.1 and HTTP/2 chosen by ALPN, and
//! a reload that serves the new certificate to new connections.

use crate::helpers::*;
use hyper::{Request, StatusCode, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use qrlogin_server::listener::{ListenerOptions, TlsFiles};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// A test CA and files for leaf certificates it signs.
struct Pki {
    ca: Issuer<'static, KeyPair>,
    ca_der: CertificateDer<'static>,
    dir: PathBuf,
}

impl Pki {
    fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_der = params.self_signed(&key).unwrap().der().clone();
        let dir = std::env::temp_dir().join(format!("qrlogin-tls-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            ca: Issuer::new(params, key),
            ca_der,
            dir,
        }
    }

    /// Writes a fresh leaf for `localhost` and 127.0.0.1 over the files; returns its DER.
    fn issue(&self) -> CertificateDer<'static> {
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        let cert = params.signed_by(&key, &self.ca).unwrap();
        std::fs::write(self.files().cert, cert.pem()).unwrap();
        std::fs::write(self.files().key, key.serialize_pem()).unwrap();
        cert.der().clone()
    }

    fn files(&self) -> TlsFiles {
        TlsFiles {
            cert: self.dir.join("cert.pem"),
            key: self.dir.join("key.pem"),
        }
    }

    /// A TLS connection to `addr` trusting only this CA, offering `alpn`.
    async fn connect(&self, addr: &str, alpn: &[u8]) -> TlsStream<TcpStream> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![alpn.to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        connector.connect(name, tcp).await.expect("TLS handshake")
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The served leaf certificate of a connection.
fn leaf(tls: &TlsStream<TcpStream>) -> CertificateDer<'static> {
    tls.get_ref().1.peer_certificates().unwrap()[0].clone()
}

/// `GET /healthz` over `tls` with HTTP/1.1 or HTTP/2 (whichever ALPN chose).
async fn healthz(tls: TlsStream<TcpStream>) -> (StatusCode, Version) {
    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
    let io = TokioIo::new(tls);
    let req = Request::get("https://localhost/healthz")
        .header("host", "localhost")
        .body(String::new())
        .unwrap();
    let resp = if h2 {
        let (mut send, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .unwrap();
        tokio::spawn(conn);
        send.send_request(req).await.unwrap()
    } else {
        let (mut send, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        send.send_request(req).await.unwrap()
    };
    (resp.status(), resp.version())
}

async fn start_tls(pki: &Pki) -> Running {
    start(ListenerOptions {
        tls: Some(pki.files()),
        ..ListenerOptions::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_serves_http1_and_http2_chosen_by_alpn() {
    let pki = Pki::new("alpn");
    pki.issue();
    let server = start_tls(&pki).await;
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let h1 = pki.connect(&server.addr, b"http/1.1").await;
    assert_eq!(h1.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(healthz(h1).await, (StatusCode::OK, Version::HTTP_11));
    let h2 = pki.connect(&server.addr, b"h2").await;
    assert_eq!(h2.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    assert_eq!(healthz(h2).await, (StatusCode::OK, Version::HTTP_2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_serves_the_new_certificate_to_new_connections_and_keeps_open_ones() {
    let pki = Pki::new("reload");
    let old = pki.issue();
    let server = start_tls(&pki).await;
    let before = pki.connect(&server.addr, b"h2").await;
    assert_eq!(leaf(&before), old);
    let new = pki.issue();
    let reloader = server.tls.clone().expect("serving TLS");
    reloader.reload().expect("the new pair loads");
    let after = pki.connect(&server.addr, b"h2").await;
    assert_eq!(leaf(&after), new, "new connections get the new certificate");
    assert_eq!(
        healthz(before).await.0,
        StatusCode::OK,
        "the open one still works"
    );
    // A broken pair is refused and the current one stays.
    std::fs::write(pki.files().key, "not a key").unwrap();
    assert!(reloader.reload().is_err());
    let still = pki.connect(&server.addr, b"http/1.1").await;
    assert_eq!(leaf(&still), new);
    assert_eq!(healthz(still).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_starts_the_tls_handshake_is_disconnected() {
    let pki = Pki::new("silent");
    pki.issue();
    let server = start(ListenerOptions {
        tls: Some(pki.files()),
        header_timeout: std::time::Duration::from_secs(1),
        ..ListenerOptions::default()
    })
    .await;
    let mut silent = TcpStream::connect(&server.addr).await.unwrap();
    assert!(closed_by_server(&mut silent).await);
    // And the server still serves.
    let tls = pki.connect(&server.addr, b"http/1.1").await;
    assert_eq!(healthz(tls).await.0, StatusCode::OK);
}
