//! HTTPS end to end: a server with a certificate made in the test (a private CA, a
//! leaf for `localhost` and 127.0.0.1) and `public_url = https://localhost:PORT`, the
//! typed client signing a PC in over HTTP/2, and the `qrlogin` binary trusting the CA
//! through `SSL_CERT_FILE` — and refusing the server cleanly without it.

use qrlogin_client::{Client, ClientOptions, DeviceInfo, Error};
use qrlogin_server::listener::{ListenerOptions, TlsFiles};
use qrlogin_server::{Application, Config};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long one CLI command may run before the test calls it hung.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// A test CA, a leaf it signed for `localhost` and 127.0.0.1, and their PEM files.
struct Pki {
    dir: tempfile::TempDir,
    ca_pem: String,
}

impl Pki {
    fn new() -> Self {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        let pki = Self {
            dir: tempfile::tempdir().unwrap(),
            ca_pem,
        };
        std::fs::write(pki.ca_file(), &pki.ca_pem).unwrap();
        std::fs::write(pki.files().cert, leaf.pem()).unwrap();
        std::fs::write(pki.files().key, key.serialize_pem()).unwrap();
        pki
    }

    fn files(&self) -> TlsFiles {
        TlsFiles {
            cert: self.dir.path().join("cert.pem"),
            key: self.dir.path().join("key.pem"),
        }
    }

    fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }
}

/// A qrlogin server serving HTTPS on its own thread and runtime, stopped on drop.
struct TlsServer {
    /// `https://localhost:<port>`, also its public URL.
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TlsServer {
    fn start(pki: &Pki) -> Self {
        // The public URL must name the port before the server binds it: take a free
        // one from the kernel and hand it over.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("https://localhost:{port}");
        let config = Config {
            listen: format!("127.0.0.1:{port}"),
            public_url: Some(url.clone()),
            listener: ListenerOptions {
                tls: Some(pki.files()),
                ..ListenerOptions::default()
            },
            ..Config::for_tests()
        };
        let (ready_tx, ready) = mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let app = Application::build(config).await.expect("server builds");
                ready_tx.send(app.url()).expect("test waits");
                let _ = app
                    .run_until(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        let bound = ready
            .recv_timeout(Duration::from_secs(10))
            .expect("started");
        assert!(bound.starts_with("https://"), "{bound}");
        Self {
            url,
            stop: Some(stop),
        }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn trusting(pki: &Pki, url: &str) -> Client {
    let options = ClientOptions {
        extra_root_pem: Some(pki.ca_pem.clone().into_bytes()),
    };
    Client::with_options(url, &options).expect("the test CA loads")
}

#[test]
fn the_typed_client_signs_a_pc_in_over_https_with_http2_and_an_https_qr() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    runtime().block_on(async {
        let client = trusting(&pki, &server.url);
        let health = client.request(reqwest::Method::GET, "/healthz");
        let health = health.send().await.unwrap();
        assert_eq!(health.status(), 200);
        assert_eq!(health.version(), reqwest::Version::HTTP_2, "ALPN picks h2");

        let pc = client.create_qr(None).await.unwrap();
        let content = pc.qr_content().unwrap();
        assert!(
            content.starts_with(&format!("{}/", server.url)),
            "{content}"
        );
        let device = DeviceInfo {
            id: Some("phone-1".into()),
            kind: Some("ios".into()),
            name: None,
        };
        let phone = client
            .login_phone("alice", "alice-demo", device)
            .await
            .unwrap();
        let scan = phone.scan(pc.qr_id()).await.unwrap();
        phone.confirm(pc.qr_id(), &scan.scan_ticket).await.unwrap();
        let signed_in = pc.redeem().await.unwrap();
        let me = client.me(&signed_in.session_token).await.unwrap();
        assert_eq!(me.account.display_name, "Alice");
    });
}

#[test]
fn a_client_without_the_ca_refuses_the_certificate_and_a_pem_without_one_is_refused() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    runtime().block_on(async {
        let err = Client::new(&server.url).healthz().await.unwrap_err();
        assert!(err.is_transport(), "{err:?}");
        let junk = ClientOptions {
            extra_root_pem: Some(b"not a certificate".to_vec()),
        };
        let setup = Client::with_options(&server.url, &junk).unwrap_err();
        assert!(matches!(setup, Error::Config(_)), "{setup:?}");
    });
}

/// What a finished `qrlogin` command did.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stderr: String,
}

/// Runs `qrlogin <args>` with a private config dir, killing it after
/// [`COMMAND_TIMEOUT`]. `ca` becomes `SSL_CERT_FILE`; without it, none is set.
fn qrlogin(config: &tempfile::TempDir, args: &[&str], ca: Option<&PathBuf>) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qrlogin"));
    cmd.args(args)
        .env("QRLOGIN_CONFIG_DIR", config.path())
        .env("QRLOGIN_PASSWORD", "alice-demo")
        .env_remove("QRLOGIN_SERVER")
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(ca) = ca {
        cmd.env("SSL_CERT_FILE", ca);
    }
    let mut child = cmd.spawn().expect("qrlogin starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > COMMAND_TIMEOUT {
            let _ = child.kill();
            panic!("qrlogin {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Outcome {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_cli_trusts_the_ca_in_ssl_cert_file_and_fails_cleanly_without_it() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    let config = tempfile::tempdir().unwrap();
    let login = [
        "phone",
        "login",
        "--server",
        &server.url,
        "--username",
        "alice",
    ];

    let refused = qrlogin(&config, &login, None);
    assert_eq!(refused.code, Some(3), "unreachable: {refused:?}");
    assert!(!refused.stderr.contains("panicked"), "{refused:?}");
    assert!(
        refused.stderr.contains("cannot reach the server")
            && refused.stderr.to_lowercase().contains("certificate"),
        "{refused:?}"
    );
    let health = ["healthcheck", "--server", &server.url];
    assert_eq!(qrlogin(&config, &health, None).code, Some(1));

    let ca = pki.ca_file();
    let signed_in = qrlogin(&config, &login, Some(&ca));
    assert_eq!(signed_in.code, Some(0), "{signed_in:?}");
    let sessions = qrlogin(&config, &["sessions"], Some(&ca));
    assert_eq!(sessions.code, Some(0), "{sessions:?}");
    assert_eq!(qrlogin(&config, &health, Some(&ca)).code, Some(0));
}
