//! Running the binary: `qrlogin accounts …` with a password on stdin, `qrlogin serve`
//! on a database (stopped with SIGTERM like a service manager does), a fresh PostgreSQL
//! database per test, and the phone and PC steps of a login.

use qrlogin_client::{Client, Phone};
use qrlogin_core::DeviceInfo;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_qrlogin");

/// A command of the binary in `dir`, with no `QRLOGIN_*` setting leaking in from the
/// environment the tests run in.
pub fn qrlogin(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("QRLOGIN_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// `qrlogin <args> --db <db>` with `stdin` as standard input.
pub fn cli(dir: &Path, db: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = qrlogin(dir)
        .args(args)
        .args(["--db", db])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qrlogin runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("qrlogin ends")
}

/// Like [`cli`], asserting success; its stdout.
pub fn cli_ok(dir: &Path, db: &str, args: &[&str], stdin: &str) -> String {
    let out = cli(dir, db, args, stdin);
    assert!(
        out.status.success(),
        "qrlogin {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Asserts `out` is a refusal: exit 1 and a message on stderr containing `says`.
pub fn assert_refused(out: &Output, says: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert!(err.contains(says), "expected {says:?} in {err:?}");
}

/// `qrlogin accounts add USER --password-stdin`; the new id.
pub fn add_account(dir: &Path, db: &str, user: &str, password: &str) -> String {
    let out = cli_ok(
        dir,
        db,
        &["accounts", "add", user, "--password-stdin"],
        &format!("{password}\n"),
    );
    out.trim().to_owned()
}

/// The usernames `qrlogin accounts list --json` shows.
pub fn usernames(dir: &Path, db: &str) -> Vec<String> {
    let out = cli_ok(dir, db, &["accounts", "list", "--json"], "");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).expect("a JSON array");
    list.iter()
        .map(|a| a["username"].as_str().expect("username").to_owned())
        .collect()
}

/// A running `qrlogin serve`; killed on drop, stopped gracefully by [`Server::stop`].
pub struct Server {
    child: Option<Child>,
    /// A client of it.
    pub client: Client,
}

impl Server {
    /// `qrlogin serve --listen 127.0.0.1:0 --db <db> <extra>` in `dir`, once it listens.
    pub fn start(dir: &Path, db: &str, extra: &[&str]) -> Server {
        let mut child = qrlogin(dir)
            .args(["serve", "--listen", "127.0.0.1:0", "--db", db])
            .args(extra)
            .env("QRLOGIN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("qrlogin serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("a line on stdout");
        let url = line
            .trim()
            .strip_prefix("qrlogin listening on ")
            .unwrap_or_else(|| panic!("serve did not start: {line:?}"))
            .to_owned();
        let client = Client::new(&url).with_timeout(Duration::from_secs(20));
        Server {
            child: Some(child),
            client,
        }
    }

    /// SIGTERM, as a service manager stops it; waits (bounded) for a clean exit.
    pub fn stop(mut self) {
        let mut child = self.child.take().unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                assert!(status.success(), "serve exited with {status}");
                return;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("serve did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A phone device for tests.
pub fn device(id: &str) -> DeviceInfo {
    DeviceInfo {
        id: Some(id.into()),
        kind: Some("android".into()),
        name: Some(format!("{id} (test)")),
    }
}

/// Signs a phone in on `client`.
pub async fn phone(client: &Client, user: &str, password: &str, id: &str) -> Phone {
    client
        .login_phone(user, password, device(id))
        .await
        .expect("phone login")
}

/// A whole QR login of a PC approved by `phone` (on `pc_side`, which may be another
/// instance): create, scan, confirm, redeem. The PC's session token.
pub async fn pc_login(pc_side: &Client, phone: &Phone) -> String {
    let pc = pc_side.create_qr(None).await.expect("create QR");
    let ticket = phone.scan(pc.qr_id()).await.expect("scan").scan_ticket;
    phone.confirm(pc.qr_id(), &ticket).await.expect("confirm");
    pc.redeem().await.expect("redeem").session_token
}

/// The problem code of a failed call.
pub fn code<T: std::fmt::Debug>(r: Result<T, qrlogin_client::Error>) -> String {
    r.expect_err("expected an error")
        .raw_code()
        .unwrap_or("<none>")
        .to_owned()
}

/// `sqlite://<dir>/<name>`.
pub fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

/// A runtime for the async steps of a test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
