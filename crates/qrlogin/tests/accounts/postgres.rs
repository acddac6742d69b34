//! PostgreSQL: two instances on one database and one Redis see each other's accounts
//! and revocations at once; a database that goes away answers 503 and changes nothing,
//! and the server recovers when it is back.

use crate::helpers::*;
use qrlogin_testkit::redis::{free_port, RedisServer};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `psql` on the local server's `postgres` database.
fn psql(sql: &str) -> bool {
    Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            "5432",
            "-U",
            "postgres",
            "-d",
            "postgres",
        ])
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A fresh database `qrlogin_test_<random>` on the local server; dropped on drop, also
/// when the test fails.
struct TestDb {
    name: String,
}

impl TestDb {
    fn new() -> TestDb {
        let tag = qrlogin_core::AccountId::generate()
            .into_string()
            .to_ascii_lowercase();
        let name = format!("qrlogin_test_{}", tag.replace('-', "_"));
        assert!(
            psql(&format!("CREATE DATABASE \"{name}\"")),
            "the PostgreSQL server on 127.0.0.1:5432 must be running"
        );
        TestDb { name }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !psql(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        )) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

#[test]
fn two_instances_on_one_postgres_share_accounts_and_passwd_kills_tokens_on_both() {
    let pg = TestDb::new();
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let db = pg.url();
    add_account(dir.path(), &db, "mona", "mona-password");
    let store = ["--store", &redis.url()];
    let a = Server::start(dir.path(), &db, &store);
    let b = Server::start(dir.path(), &db, &store);
    let rt = runtime();
    let (on_a, on_b, pc) = rt.block_on(async {
        let on_a = phone(&a.client, "mona", "mona-password", "pa").await;
        let on_b = phone(&b.client, "mona", "mona-password", "pb").await;
        // A PC on instance A approved by the phone signed in on B.
        let pc = pc_login(&a.client, &on_b).await;
        b.client
            .me(&pc)
            .await
            .expect("the PC session works on B too");
        let seen_on_b = b.client.phone(on_a.token(), on_a.device_id());
        seen_on_b
            .sessions()
            .await
            .expect("A's phone token works on B");
        (on_a, on_b, pc)
    });
    cli_ok(
        dir.path(),
        &db,
        &["accounts", "passwd", "mona", "--password-stdin"],
        "mona-new-password\n",
    );
    rt.block_on(async {
        for (server, phone) in [(&a, &on_a), (&b, &on_b), (&b, &on_a), (&a, &on_b)] {
            let p = server.client.phone(phone.token(), phone.device_id());
            assert_eq!(code(p.sessions().await), "unauthorized");
        }
        assert_eq!(code(a.client.me(&pc).await), "unauthorized");
        assert_eq!(code(b.client.me(&pc).await), "unauthorized");
        phone(&b.client, "mona", "mona-new-password", "pc").await;
    });
    a.stop();
    b.stop();
}

/// A private PostgreSQL server (Debian's binaries) in a temp dir on a free port, run as
/// the `postgres` user when this process is root (initdb refuses root).
struct PrivatePg {
    dir: tempfile::TempDir,
    port: u16,
    bin: PathBuf,
}

impl PrivatePg {
    fn as_owner(&self, program: &Path) -> Command {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout == b"0\n");
        if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn start() -> PrivatePg {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("Debian's PostgreSQL binaries in /usr/lib/postgresql")
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .find(|p| p.join("initdb").exists())
            .expect("an initdb");
        let dir = tempfile::tempdir().unwrap();
        let pg = PrivatePg {
            dir,
            port: free_port(),
            bin,
        };
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(pg.dir.path())
            .status();
        let ok = pg
            .as_owner(&pg.bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(pg.data())
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "initdb failed");
        pg.up();
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn pg_ctl(&self, args: &[&str]) -> bool {
        self.as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .args(args)
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Starts the server and waits (bounded: `pg_ctl -w -t 30`) until it accepts.
    fn up(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        let log = log.to_str().unwrap();
        assert!(
            self.pg_ctl(&["-w", "-t", "30", "-l", log, "-o", &opts, "start"]),
            "pg_ctl start"
        );
    }

    /// Stops it like a crash would (`-m immediate`).
    fn crash(&self) {
        assert!(
            self.pg_ctl(&["-w", "-t", "30", "-m", "immediate", "stop"]),
            "pg_ctl stop"
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        self.pg_ctl(&["-w", "-t", "30", "-m", "immediate", "stop"]);
    }
}

#[test]
fn a_stopped_postgres_answers_503_changes_nothing_and_the_server_recovers() {
    let pg = PrivatePg::start();
    let dir = tempfile::tempdir().unwrap();
    let db = pg.url();
    add_account(dir.path(), &db, "nora", "nora-password");
    let server = Server::start(dir.path(), &db, &[]);
    let c = server.client.clone();
    let rt = runtime();
    let (phone, pc) = rt.block_on(async {
        let phone = phone(&c, "nora", "nora-password", "pn").await;
        let pc = pc_login(&c, &phone).await;
        (phone, pc)
    });
    pg.crash();
    rt.block_on(async {
        assert_eq!(code(phone.sessions().await), "store_unavailable");
        assert_eq!(code(phone.logout().await), "store_unavailable");
        let login = c.login("nora", "nora-password", device("pn2")).await;
        assert_eq!(code(login), "store_unavailable");
        assert_eq!(code(c.me(&pc).await), "store_unavailable");
    });
    pg.up();
    rt.block_on(async {
        // Nothing was half done: the logout did not happen, the session is there.
        assert_eq!(phone.sessions().await.expect("back").len(), 1);
        c.me(&pc).await.expect("the PC session is still there");
        phone.logout().await.expect("logout now works");
        assert_eq!(code(phone.sessions().await), "unauthorized");
    });
    server.stop();
}
