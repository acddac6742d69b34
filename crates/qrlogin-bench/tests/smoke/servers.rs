//! What the smoke run runs against: in-process servers with the per-address limits
//! lifted, a private `redis-server`, a fresh PostgreSQL database and a SQLite folder,
//! each cleaned up on drop and each `None` where the machine lacks it.

use qrlogin_bench::scenarios::fanout::{self, Fanout};
use qrlogin_bench::scenarios::fanout_probe::{Heard, Instance};
use qrlogin_bench::suite::Server;
use qrlogin_server::{Application, Config};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// Starts an in-process server on `store`; it runs until the test's runtime ends.
pub(super) async fn spawn(store: &str) -> Server {
    spawn_db(store, "memory").await
}

/// Starts an in-process server on `store` with the database `db`.
pub(super) async fn spawn_db(store: &str, db: &str) -> Server {
    spawn_counted_db(store, db).await.0
}

/// [`spawn`], with a reader of the notifications its store has received (in-process
/// servers share one metrics recorder, so `/metrics` cannot tell them apart).
async fn spawn_counted(store: &str) -> (Server, Heard) {
    spawn_counted_db(store, "memory").await
}

/// [`spawn_counted`] with the database `db`.
async fn spawn_counted_db(store: &str, db: &str) -> (Server, Heard) {
    // One load generator on one address: the per-address limits (docs/security.md)
    // are lifted, as `bench/run.sh` does, so the scenarios measure the server.
    let limits = qrlogin_server::limits::Limits {
        qr_per_ip_per_minute: u64::MAX,
        max_qr_sessions: usize::MAX,
        max_waiters_per_ip: usize::MAX,
        login_per_ip: u64::MAX,
        // The password burst signs alice and bob in 32 at a time from one address.
        login_per_ip_user: u64::MAX,
        login_soft_per_user: u64::MAX,
        // Device polls and code exchanges all reach the token endpoint.
        oauth_per_ip_per_minute: u64::MAX,
        ..Default::default()
    };
    let app = Application::build(Config {
        store: store.into(),
        db: db.into(),
        limits,
        ..Config::for_tests()
    })
    .await
    .expect("server builds");
    let addr = app.address();
    let qr = app.state().qr.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let heard = Heard::Counter(Arc::new(move || qr.notifications()));
    (Server { addr, pid: None }, heard)
}

/// Two instances on a Redis of their own, as `bench/run.sh` gives the fan-out eight.
pub(super) async fn fanout_set(url: &str) -> Fanout {
    let mut instances = Vec::new();
    for _ in 0..2 {
        let (s, heard) = spawn_counted(url).await;
        instances.push(Instance {
            addr: s.addr,
            heard,
        });
    }
    Fanout {
        instances,
        redis_url: Some(url.to_owned()),
        options: fanout::Options {
            sizes: vec![1, 2, 4, 8],
            rate_per_instance: 20.0,
            duration: Duration::from_millis(700),
            waiters_per_instance: 5,
            workers: 8,
            settle: Duration::from_millis(5),
            timeout: Duration::from_secs(10),
        },
    }
}

/// A private `redis-server` on a free port, killed on drop.
pub(super) struct PrivateRedis {
    /// The `redis-server` process.
    child: Child,
    /// `redis://127.0.0.1:<port>/0`.
    pub(super) url: String,
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `redis-server` if it is installed; `None` otherwise.
pub(super) async fn private_redis() -> Option<PrivateRedis> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let redis = PrivateRedis {
        child,
        url: format!("redis://127.0.0.1:{port}/0"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(redis);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// A fresh PostgreSQL database made with `psql` on the local server (trust auth),
/// dropped on drop; `None` where there is no `psql` or no server.
pub(super) struct FreshPostgres {
    /// The database's name, unique to this process.
    name: String,
}

/// Runs `sql` with `psql` as `postgres`; whether it succeeded.
fn psql(sql: &str) -> bool {
    Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "test",
            "-qc",
            sql,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl FreshPostgres {
    /// A new database; `None` where `psql` cannot make one.
    pub(super) fn new() -> Option<Self> {
        let name = format!("qrlogin_bench_smoke_{}", std::process::id());
        psql(&format!("CREATE DATABASE {name}")).then_some(Self { name })
    }

    /// Its connection URL.
    pub(super) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }
}

impl Drop for FreshPostgres {
    fn drop(&mut self) {
        psql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

/// A temporary folder for the SQLite file, removed on drop.
pub(super) struct TempDir(pub(super) std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
