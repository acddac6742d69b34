//! `status`: short polls of existing QR sessions over keep-alive connections, the load a
//! site of PCs polling every second puts on the server. The very same loop drives the
//! ceiling's `GET /status/{id}`, so the two figures divide into a fair ratio.

use crate::api::{create_many, status_req};
use crate::http::{request, Conn};
use crate::stats::{CpuMeter, CpuUse};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which server is polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// qrlogin's `GET /api/v1/qr/{id}` with the poll token.
    Qrlogin,
    /// The ceiling's `GET /status/id{n}`.
    Ceiling,
}

/// How hard and how long to poll.
#[derive(Debug, Clone)]
pub struct Options {
    /// Keep-alive connections, each with one request in flight (like `wrk -c`).
    pub connections: usize,
    /// Measured time.
    pub duration: Duration,
    /// Distinct QR sessions polled round-robin.
    pub sessions: usize,
    /// Stop after this many requests even if time is left (a bound for tiny runs).
    pub max_requests: u64,
}

/// A throughput figure and what it cost.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Throughput {
    /// Successful (2xx) answers.
    pub ok: u64,
    /// Other answers and failed connections.
    pub errors: u64,
    /// `ok` per second of wall time.
    pub per_sec: f64,
    /// CPU of generator and server during the run.
    pub cpu: CpuUse,
}

/// Polls `addr` as configured; `server_pid` lets the CPU of the server be reported.
pub async fn run(
    addr: SocketAddr,
    target: Target,
    opts: &Options,
    server_pid: Option<u32>,
) -> anyhow::Result<Throughput> {
    let reqs: Vec<Vec<u8>> = match target {
        Target::Qrlogin => create_many(addr, opts.sessions, 16)
            .await?
            .iter()
            .map(|q| status_req(q, None))
            .collect(),
        Target::Ceiling => (0..opts.sessions.min(10_000))
            .map(|i| request("GET", &format!("/status/id{i}"), &[], None))
            .collect(),
    };
    let per_conn = opts.max_requests / opts.connections.max(1) as u64 + 1;
    let ok = |status: u16, _: &[u8]| status == 200;
    Ok(load(
        addr,
        Arc::new(reqs),
        opts.connections,
        opts.duration,
        per_conn,
        server_pid,
        ok,
    )
    .await)
}

/// The keep-alive load loop every throughput scenario shares: `connections` tasks, each
/// with one request in flight, sending `reqs` round-robin until `duration` or
/// `max_per_conn` requests, reconnecting after a failed connection; `counts` decides
/// from the status and body whether an answer is a success.
pub async fn load(
    addr: SocketAddr,
    reqs: Arc<Vec<Vec<u8>>>,
    connections: usize,
    duration: Duration,
    max_per_conn: u64,
    server_pid: Option<u32>,
    counts: fn(u16, &[u8]) -> bool,
) -> Throughput {
    let meter = CpuMeter::start(server_pid);
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for c in 0..connections.max(1) {
        let reqs = reqs.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors) = (0u64, 0u64);
            let Ok(mut conn) = Conn::connect(addr, None).await else {
                return (0, 1);
            };
            // Connections start spread over the requests, not all on the first.
            let mut i = c * 7919;
            while ok + errors < max_per_conn && Instant::now() < deadline {
                i = (i + 1) % reqs.len();
                match conn.roundtrip(&reqs[i]).await {
                    Ok(st) if counts(st, conn.body()) => ok += 1,
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        match Conn::connect(addr, None).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (ok, errors)
        }));
    }
    let mut out = Throughput::default();
    for t in tasks {
        let (ok, errors) = t.await.unwrap_or((0, 1));
        out.ok += ok;
        out.errors += errors;
    }
    out.cpu = meter.stop();
    out.per_sec = out.ok as f64 / out.cpu.wall_s;
    out
}
