//! `qrlogin-bench`: runs the benchmark suite against servers started elsewhere (by
//! `bench/run.sh`) and writes `BENCHMARKS.md`. One generator thread by default, like
//! `wrk -t1`, so that on 2 cores the server keeps the rest of the machine.

use clap::Parser;
use qrlogin_bench::report;
use qrlogin_bench::scenarios::fanout::{self, Fanout};
use qrlogin_bench::scenarios::fanout_probe::{Heard, Instance};
use qrlogin_bench::suite::{run_all, Server, Settings, Targets};
use qrlogin_bench::suite_db::DbTargets;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Command line of `qrlogin-bench`.
#[derive(Parser, Debug)]
#[command(about = "qrlogin load generator and benchmark suite (127.0.0.x only)")]
struct Args {
    /// The ceiling server, e.g. 127.0.0.1:18080.
    #[arg(long)]
    ceiling: Option<SocketAddr>,
    /// qrlogin on the memory store.
    #[arg(long)]
    memory: Option<SocketAddr>,
    /// qrlogin on Redis.
    #[arg(long)]
    redis: Option<SocketAddr>,
    /// A second qrlogin on the same Redis.
    #[arg(long)]
    redis2: Option<SocketAddr>,
    /// URL of that Redis (for MEMORY USAGE).
    #[arg(long)]
    redis_url: Option<String>,
    /// The oidc-provider peer.
    #[arg(long)]
    peer: Option<SocketAddr>,
    /// Why there is no peer (shown in the report).
    #[arg(long)]
    peer_note: Option<String>,
    /// Fresh memory-store servers for the waiters runs (long poll, SSE, WebSocket; over
    /// HTTP/1.1, then HTTP/2).
    #[arg(long, value_delimiter = ',')]
    fresh_memory: Vec<SocketAddr>,
    /// Fresh Redis-store servers for the waiters runs (as `--fresh-memory`).
    #[arg(long, value_delimiter = ',')]
    fresh_redis: Vec<SocketAddr>,
    /// Instances on one Redis of their own for the fan-out scenario; sizes 1, 2, 4, 8
    /// take the first N.
    #[arg(long, value_delimiter = ',')]
    fanout: Vec<SocketAddr>,
    /// URL of the fan-out instances' Redis (for `INFO commandstats`).
    #[arg(long)]
    fanout_redis_url: Option<String>,
    /// Fan-out logins started per second per instance in use.
    #[arg(long, default_value_t = 25.0)]
    fanout_rate: f64,
    /// Idle long polls held on each fan-out instance in use.
    #[arg(long, default_value_t = 100)]
    fanout_waiters: usize,
    /// Memory store with `--db memory`: the baseline of `--db-sqlite`.
    #[arg(long)]
    db_memory: Option<SocketAddr>,
    /// Memory store with `--db sqlite://…`.
    #[arg(long)]
    db_sqlite: Option<SocketAddr>,
    /// Redis store with `--db memory`: the baseline of `--db-postgres`.
    #[arg(long)]
    db_redis: Option<SocketAddr>,
    /// Redis store with `--db postgres://…`.
    #[arg(long)]
    db_postgres: Option<SocketAddr>,
    /// Why there is no PostgreSQL server (shown in the report).
    #[arg(long)]
    db_postgres_note: Option<String>,
    /// Pids, same order as the flags: `ceiling=1,memory=2,redis=3,peer=4`.
    #[arg(long, value_delimiter = ',')]
    pids: Vec<String>,
    /// Seconds of each throughput run.
    #[arg(long, default_value_t = 8)]
    secs: u64,
    /// Keep-alive connections for status/peer runs.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Concurrent logins in the flow run.
    #[arg(long, default_value_t = 64)]
    flow_workers: usize,
    /// Waiters per transport over HTTP/1.1, a connection each (the open files limit
    /// caps it).
    #[arg(long, default_value_t = 50_000)]
    waiters: usize,
    /// Waiters per transport as streams of shared HTTP/2 connections.
    #[arg(long, default_value_t = 50_000)]
    waiters_h2: usize,
    /// Source addresses 127.0.0.2.. for waiters.
    #[arg(long, default_value_t = 4)]
    sources: u8,
    /// Samples of the single-confirm latency runs.
    #[arg(long, default_value_t = 500)]
    latency_samples: usize,
    /// Sessions measured by redis-memory.
    #[arg(long, default_value_t = 10_000)]
    redis_sessions: usize,
    /// Generator threads (1 = current-thread runtime).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// File with the commands to show in the report.
    #[arg(long)]
    commands: Option<std::path::PathBuf>,
    /// Where to write the report (also printed as JSON on stdout).
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: std::path::PathBuf,
}

fn pid_of(pids: &[String], name: &str) -> Option<u32> {
    pids.iter()
        .find_map(|p| p.strip_prefix(&format!("{name}="))?.parse().ok())
}

/// Servers listed by address; their pids are `<name><index>=pid` in `--pids`.
fn fresh(addrs: &[SocketAddr], pids: &[String], name: &str) -> Vec<Server> {
    addrs
        .iter()
        .enumerate()
        .map(|(i, &addr)| Server {
            addr,
            pid: pid_of(pids, &format!("{name}{i}")),
        })
        .collect()
}

/// The fan-out set of the command line, if any (its instances are separate processes,
/// so their counts are read from `/metrics`).
fn fanout(a: &Args) -> Option<Fanout> {
    (!a.fanout.is_empty()).then(|| Fanout {
        instances: a
            .fanout
            .iter()
            .map(|&addr| Instance {
                addr,
                heard: Heard::Metrics,
            })
            .collect(),
        redis_url: a.fanout_redis_url.clone(),
        options: fanout::Options {
            sizes: vec![1, 2, 4, 8],
            rate_per_instance: a.fanout_rate,
            duration: Duration::from_secs(a.secs),
            waiters_per_instance: a.fanout_waiters,
            workers: 64,
            settle: Duration::from_millis(5),
            timeout: Duration::from_secs(30),
        },
    })
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let rt = if a.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(a.threads)
            .enable_all()
            .build()?
    };
    let server = |addr: Option<SocketAddr>, name: &str| {
        addr.map(|addr| Server {
            addr,
            pid: pid_of(&a.pids, name),
        })
    };
    let targets = Targets {
        ceiling: server(a.ceiling, "ceiling"),
        memory: server(a.memory, "memory"),
        redis: server(a.redis, "redis"),
        redis2: server(a.redis2, "redis2"),
        redis_url: a.redis_url.clone(),
        peer: server(a.peer, "peer"),
        peer_note: a.peer_note.clone(),
        fresh: [
            fresh(&a.fresh_memory, &a.pids, "fresh-memory"),
            fresh(&a.fresh_redis, &a.pids, "fresh-redis"),
        ],
        fanout: fanout(&a),
        db: DbTargets {
            memory: server(a.db_memory, "db-memory"),
            sqlite: server(a.db_sqlite, "db-sqlite"),
            redis: server(a.db_redis, "db-redis"),
            postgres: server(a.db_postgres, "db-postgres"),
            postgres_note: a.db_postgres_note.clone(),
        },
    };
    let settings = Settings {
        duration: Duration::from_secs(a.secs),
        connections: a.connections,
        flow_workers: a.flow_workers,
        waiters: a.waiters,
        waiters_h2: a.waiters_h2,
        sources: a.sources,
        latency_samples: a.latency_samples,
        redis_sessions: a.redis_sessions,
        timeout: Duration::from_secs(60),
    };
    let start = Instant::now();
    let results = rt.block_on(run_all(&targets, &settings));
    let wall = start.elapsed().as_secs_f64();
    println!("{}", serde_json::to_string_pretty(&results)?);
    let commands = match &a.commands {
        Some(p) => std::fs::read_to_string(p)?,
        None => std::env::args().collect::<Vec<_>>().join(" "),
    };
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    std::fs::write(&a.out, report::markdown(&results, &date, &commands, wall))?;
    eprintln!("[qrlogin-bench] wrote {}", a.out.display());
    Ok(())
}
