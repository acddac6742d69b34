//! CI smoke run: every scenario for about a second with tiny counts against in-process
//! servers (memory store, and Redis when a `redis-server` binary is on the PATH), so
//! the benchmark never rots. No thresholds: a scenario may be "not run" (an endpoint
//! not there yet, no Redis), but none may fail. The servers, Redis and PostgreSQL it
//! runs against are made in `servers`.

use qrlogin_bench::suite::{run_all, Run, Settings, Targets};
use std::time::Duration;

// A folder beside this file, not `tests/servers.rs`, which Cargo would build as a
// test of its own.
#[path = "smoke/servers.rs"]
mod servers;
use servers::{fanout_set, private_redis, spawn, spawn_db, FreshPostgres, TempDir};

/// Fails on a scenario that failed; says so on one that could not run.
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
