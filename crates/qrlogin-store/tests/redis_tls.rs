//! `rediss://`: the Redis store over TLS against a private `redis-server --tls-port` with
//! a throw-away self-signed certificate (made with the `openssl` command). The
//! certificate is verified: unknown to the trust store it is refused; named by
//! `SSL_CERT_FILE` it is accepted.

use qrlogin_core::{Lifetimes, QrId, QrSession, Requester, Secret, SecretKind};
use qrlogin_store::redis::RedisStore;
use qrlogin_store::QrStore;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A TLS-only redis-server, killed on drop.
struct TlsRedis {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn have(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// `None` (with a loud message) when the tools are missing outside CI; a failure in CI.
fn start() -> Option<TlsRedis> {
    if !(have("redis-server") && have("openssl")) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs redis-server and openssl for the TLS test"
        );
        eprintln!("SKIPPED: redis-server or openssl not found; the rediss:// test did not run");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("qrlogin-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
        ])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ])
        .current_dir(&dir)
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "openssl made no certificate");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .args([
            "--tls-cert-file",
            "cert.pem",
            "--tls-key-file",
            "key.pem",
            "--tls-ca-cert-file",
            "cert.pem",
        ])
        .args([
            "--tls-auth-clients",
            "no",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "TLS redis did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(TlsRedis { child, port, dir })
}

fn session() -> QrSession {
    let poll = Secret::generate(SecretKind::Poll);
    QrSession::new(
        QrId::generate(),
        poll.hash(),
        Requester::default(),
        qrlogin_core::Clock::now(&qrlogin_core::SystemClock),
        &Lifetimes::default(),
    )
}

#[tokio::test]
async fn the_store_works_over_tls_and_verifies_the_server_certificate() {
    let Some(redis) = start() else { return };
    let url = format!("rediss://127.0.0.1:{}/0", redis.port);

    // Unknown certificate: refused.
    assert!(
        RedisStore::connect(&url).await.is_err(),
        "an unverified certificate must be refused"
    );

    // Trusted through SSL_CERT_FILE (read by OpenSSL when each connection is made).
    std::env::set_var("SSL_CERT_FILE", Path::new(&redis.dir).join("cert.pem"));
    let store = RedisStore::connect(&url)
        .await
        .expect("TLS connection with a trusted certificate");
    let s = session();
    store
        .create(&s, s.purge_at(&Lifetimes::default()))
        .await
        .unwrap();
    assert_eq!(store.get(&s.id).await.unwrap(), Some(s.clone()));
    assert_eq!(
        store.find_by_poll_hash(&s.poll_hash).await.unwrap(),
        Some(s.id)
    );
    store.ping().await.unwrap();
}
