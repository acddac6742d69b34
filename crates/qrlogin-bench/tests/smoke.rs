//! CI smoke run: every scenario for about a second with tiny counts against in-process
//! servers (memory store, and Redis when a `redis-server` binary is on the PATH), so
//! the benchmark never rots. No thresholds: a scenario may be "not run" (an endpoint
//! not there yet, no Redis), but none may fail.

use qrlogin_bench::scenarios::fanout::{self, Fanout};
use qrlogin_bench::scenarios::fanout_probe::{Heard, Instance};
use qrlogin_bench::suite::{run_all, Run, Server, Settings, Targets};
use qrlogin_server::{Application, Config};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// Starts an in-process server on `store`; it runs until the test's runtime ends.
async fn spawn(store: &str) -> Server {
    spawn_db(store, "memory").await
}

/// Starts an in-process server on `store` with the database `db`.
async fn spawn_db(store: &str, db: &str) -> Server {
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
async fn fanout_set(url: &str) -> Fanout {
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
struct PrivateRedis {
    child: Child,
    url: String,
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `redis-server` if it is installed; `None` otherwise.
async fn private_redis() -> Option<PrivateRedis> {
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
struct FreshPostgres {
    name: String,
}

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
    fn new() -> Option<Self> {
        let name = format!("qrlogin_bench_smoke_{}", std::process::id());
        psql(&format!("CREATE DATABASE {name}")).then_some(Self { name })
    }

    fn url(&self) -> String {
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
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn check<T>(name: &str, r: &Run<T>) {
    match r {
        Run::Done(_) => {}
        Run::NotRun(why) => eprintln!("{name}: not run: {why}"),
        Run::Failed(why) => panic!("{name} failed: {why}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_runs_briefly_against_in_process_servers() {
    let redis = private_redis().await;
    let fanout_redis = private_redis().await;
    let mut targets = Targets {
        memory: Some(spawn("memory").await),
        peer_note: Some("not part of the smoke run".into()),
        ..Targets::default()
    };
    match &redis {
        Some(r) => {
            targets.redis = Some(spawn(&r.url).await);
            targets.redis2 = Some(spawn(&r.url).await);
            targets.redis_url = Some(r.url.clone());
        }
        None => eprintln!("redis-server not found: Redis scenarios not run"),
    }
    if let Some(r) = &fanout_redis {
        targets.fanout = Some(fanout_set(&r.url).await);
    }
    let dir =
        TempDir(std::env::temp_dir().join(format!("qrlogin-bench-smoke-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).expect("temp dir");
    let sqlite = format!("sqlite://{}", dir.0.join("bench.db").display());
    targets.db.memory = Some(spawn("memory").await);
    targets.db.sqlite = Some(spawn_db("memory", &sqlite).await);
    let pg = FreshPostgres::new();
    if let Some(r) = &redis {
        targets.db.redis = Some(spawn(&r.url).await);
        if let Some(pg) = &pg {
            targets.db.postgres = Some(spawn_db(&r.url, &pg.url()).await);
        }
    }
    if pg.is_none() {
        eprintln!("no psql or PostgreSQL: the PostgreSQL run is not run");
    }
    // No ceiling binary here: aim the ceiling loop at qrlogin, whose 404s for
    // `/status/idN` exercise the code path (counted as errors; no thresholds).
    targets.ceiling = targets.memory;
    let settings = Settings {
        duration: Duration::from_millis(700),
        connections: 4,
        flow_workers: 4,
        waiters: 20,
        waiters_h2: 20,
        sources: 2,
        latency_samples: 5,
        redis_sessions: 50,
        timeout: Duration::from_secs(10),
    };
    let r = run_all(&targets, &settings).await;
    assert!(matches!(r.status[0], Run::Done(_)), "status on memory ran");
    assert!(matches!(r.flow[0], Run::Done(_)), "flow on memory ran");
    for (i, run) in r.status.iter().enumerate() {
        check(&format!("status {i}"), run);
    }
    for (i, run) in r.flow.iter().enumerate() {
        check(&format!("flow {i}"), run);
    }
    for (i, runs) in r.latency.iter().enumerate() {
        runs.iter()
            .for_each(|run| check(&format!("latency {i}"), run));
    }
    for (i, runs) in r.waiters.iter().enumerate() {
        runs.iter()
            .for_each(|run| check(&format!("waiters {i}"), run));
    }
    assert_eq!(
        r.waiters[0].len(),
        6,
        "three transports over HTTP/1.1 and HTTP/2"
    );
    for run in &r.waiters[0] {
        let Run::Done(w) = run else {
            panic!("every waiters run on memory runs: {run:?}")
        };
        let way = qrlogin_bench::scenarios::waiters::label(w.transport, w.http2);
        assert_eq!((w.held, w.answered), (w.wanted, w.wanted), "{way}");
    }
    check("redis-memory", &r.redis_memory);
    check("fanout", &r.fanout);
    if let Run::Done(f) = &r.fanout {
        fanout_is_sane(f);
    }
    db_figures(&r.db, redis.is_some(), pg.is_some());
    let md = qrlogin_bench::report::markdown(&r, "today", "./bench/run.sh", 1.0);
    assert!(md.contains("## Targets"), "the report renders");
}

/// The fan-out figures exist, an instance out of use heard nothing, and two instances
/// hear no more per login than one.
fn fanout_is_sane(f: &qrlogin_bench::scenarios::fanout::FanoutResult) {
    eprintln!("fanout: {f:#?}");
    let sizes: Vec<usize> = f.rows.iter().map(|r| r.instances).collect();
    assert_eq!(
        sizes,
        [1, 2],
        "sizes beyond the instances given are skipped"
    );
    for row in &f.rows {
        assert!(
            row.logins > 0,
            "logins completed at N = {}: {row:?}",
            row.instances
        );
        assert_eq!(row.failed, 0, "no login failed: {row:?}");
        assert_eq!(row.notifications.len(), row.instances);
        assert_eq!(
            row.unused_notifications, 0,
            "an instance out of use hears nothing"
        );
        assert!(
            row.total_per_login > 0.0,
            "the PCs' instances were woken via Redis"
        );
        assert!(row.latency.count as u64 == row.logins && row.latency.p99_us > 0);
        let redis = row.redis.as_ref().expect("Redis figures with its URL");
        assert!(redis.publishes_per_login >= 1.0 && redis.arrivals >= row.logins);
    }
    let (one, two) = (&f.rows[0], &f.rows[1]);
    assert!(
        qrlogin_bench::report::targets::flat(
            one.per_instance_per_login,
            two.per_instance_per_login_max
        ),
        "per instance per login is flat: {} at 1, {} at 2",
        one.per_instance_per_login,
        two.per_instance_per_login_max
    );
}

/// The database, password and OAuth runs produced figures wherever their servers were.
fn db_figures(d: &qrlogin_bench::suite_db::DbResults, redis: bool, pg: bool) {
    let expected = [true, true, redis, redis && pg];
    for (i, (run, want)) in d.flows.iter().zip(expected).enumerate() {
        check(&format!("db flow {i}"), run);
        if want {
            let f = run
                .done()
                .unwrap_or_else(|| panic!("db flow {i} ran: {run:?}"));
            assert!(f.flows.ok > 0, "db flow {i} completed logins");
        }
    }
    let Run::Done(p) = &d.passwords else {
        panic!("the password burst ran: {:?}", d.passwords)
    };
    assert!(p.logins.ok > 0, "passwords signed in");
    assert!(
        p.status_alone.ok > 0 && p.status_during.ok > 0,
        "status polled both times"
    );
    let Run::Done(o) = &d.oauth else {
        panic!("the OAuth run ran: {:?}", d.oauth)
    };
    assert!(o.device_auth.ok > 0, "device authorizations answered");
    assert!(o.device_polls.ok > 0, "device polls answered not yet");
    assert!(
        o.exchange.minted > 0 && o.exchange.exchanges.ok > 0,
        "codes exchanged"
    );
    check("peer exchange", &d.peer_exchange);
}
