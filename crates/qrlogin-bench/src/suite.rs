//! Runs every scenario against the servers it is given, in an order where the heavy
//! ones (waiters) come last, and records each outcome, including why one did not run.

use crate::push::{Transport, Unsupported};
use crate::scenarios::fanout::{Fanout, FanoutResult};
use crate::scenarios::flow::FlowResult;
use crate::scenarios::latency::LatencyResult;
use crate::scenarios::peer::PeerResult;
use crate::scenarios::redis_memory::RedisMemory;
use crate::scenarios::status::{Target, Throughput};
use crate::scenarios::waiters::WaitersResult;
use crate::scenarios::{fanout, flow, latency, peer, redis_memory, status, waiters};
use serde::Serialize;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

/// A server under test: where it listens and, when it is a separate process, its pid
/// (for CPU and memory figures).
#[derive(Debug, Clone, Copy)]
pub struct Server {
    /// `127.0.0.1:port`.
    pub addr: SocketAddr,
    /// Process id, if known.
    pub pid: Option<u32>,
}

/// How big and how long each scenario is.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Measured time of each throughput run.
    pub duration: Duration,
    /// Keep-alive connections of the status and peer runs.
    pub connections: usize,
    /// Concurrent logins of the flow run.
    pub flow_workers: usize,
    /// Waiters held at once, per transport, over HTTP/1.1 (a connection each).
    pub waiters: usize,
    /// Waiters held at once, per transport, as HTTP/2 streams.
    pub waiters_h2: usize,
    /// `127.0.0.x` source addresses for the waiters.
    pub sources: u8,
    /// Samples of the single-confirm latency run.
    pub latency_samples: usize,
    /// Sessions measured by `redis-memory`.
    pub redis_sessions: usize,
    /// Bound on any one waiting phase.
    pub timeout: Duration,
}

/// The servers a suite runs against; `None` ones are reported "not run".
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// `shared/bench/ceiling`.
    pub ceiling: Option<Server>,
    /// qrlogin on the memory store.
    pub memory: Option<Server>,
    /// qrlogin on Redis.
    pub redis: Option<Server>,
    /// A second qrlogin on the same Redis (cross-instance latency).
    pub redis2: Option<Server>,
    /// URL of that Redis, for `MEMORY USAGE`.
    pub redis_url: Option<String>,
    /// The Node `oidc-provider` peer.
    pub peer: Option<Server>,
    /// Fresh servers for the waiters runs, one per [`waiters::WAYS`] (memory, Redis): RSS
    /// never shrinks after a free, so a server that already held waiters would hide
    /// the cost of the next transport's. Empty: reuse `memory` / `redis`.
    pub fresh: [Vec<Server>; 2],
    /// Why the peer is absent, when it is (e.g. npm install failed).
    pub peer_note: Option<String>,
    /// Instances on a Redis of their own for the fan-out scenario (1, 2, 4, 8).
    pub fanout: Option<Fanout>,
    /// The servers that differ only in `--db` (see [`crate::suite_db`]).
    pub db: crate::suite_db::DbTargets,
}

/// The outcome of one scenario.
#[derive(Debug, Clone, Serialize)]
pub enum Run<T> {
    /// Measured.
    Done(T),
    /// Could not run here (no such server, endpoint missing): why.
    NotRun(String),
    /// Ran and failed: the error.
    Failed(String),
}

impl<T> Run<T> {
    /// The figure, if measured.
    pub fn done(&self) -> Option<&T> {
        match self {
            Run::Done(t) => Some(t),
            _ => None,
        }
    }
}

/// Every figure of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// Ceiling `/status/{id}` with the same generator.
    pub ceiling: Run<Throughput>,
    /// Status short polls: memory, Redis.
    pub status: [Run<Throughput>; 2],
    /// Full logins: memory, Redis.
    pub flow: [Run<FlowResult>; 2],
    /// Single confirm latency: memory, Redis same instance, Redis across instances.
    pub latency: [Vec<Run<LatencyResult>>; 3],
    /// Mass waiters per [`waiters::WAYS`]: memory, Redis.
    pub waiters: [Vec<Run<WaitersResult>>; 2],
    /// Redis bytes per pending session.
    pub redis_memory: Run<RedisMemory>,
    /// The Node peer.
    pub peer: Run<PeerResult>,
    /// Notifications per instance per login as instances are added.
    pub fanout: Run<FanoutResult>,
    /// The database on the path, password sign-ins, OAuth against the peer.
    pub db: crate::suite_db::DbResults,
}

/// Runs `f` against `server` if there is one, mapping errors to an outcome.
pub(crate) async fn attempt<T, F, Fut>(server: Option<Server>, absent: &str, f: F) -> Run<T>
where
    F: FnOnce(Server) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let Some(s) = server else {
        return Run::NotRun(absent.to_owned());
    };
    match f(s).await {
        Ok(t) => Run::Done(t),
        Err(e) => match e.downcast_ref::<Unsupported>() {
            Some(u) => Run::NotRun(u.0.clone()),
            None => Run::Failed(format!("{e:#}")),
        },
    }
}

/// The memory and Redis runs of a scenario, in that order.
fn two<T>(v: Vec<T>) -> [T; 2] {
    v.try_into()
        .unwrap_or_else(|_| unreachable!("one run per store"))
}

/// Why a store's scenario did not run when its server is absent.
fn absent(store: &str) -> &'static str {
    if store == "memory" {
        "no memory-store server given"
    } else {
        "no Redis store given"
    }
}

/// Prints progress to stderr, so a long run shows where it is.
pub(crate) fn step(what: &str) {
    eprintln!("[qrlogin-bench] {what}");
}

/// Runs the whole suite.
pub async fn run_all(t: &Targets, s: &Settings) -> Results {
    const NO_REDIS: &str = "no Redis store given";
    let st = status::Options {
        connections: s.connections,
        duration: s.duration,
        sessions: 1000,
        max_requests: 50_000_000,
    };
    step("status: ceiling");
    let ceiling = attempt(t.ceiling, "no ceiling given", |c| {
        status::run(c.addr, Target::Ceiling, &st, c.pid)
    })
    .await;
    let mut status_runs = Vec::new();
    for (name, srv) in [("memory", t.memory), ("redis", t.redis)] {
        step(&format!("status: {name}"));
        status_runs.push(
            attempt(srv, absent(name), |q| {
                status::run(q.addr, Target::Qrlogin, &st, q.pid)
            })
            .await,
        );
    }
    let fl = flow::Options {
        workers: s.flow_workers,
        duration: s.duration,
        max_flows: 10_000_000,
    };
    let mut flows = Vec::new();
    for (name, srv) in [("memory", t.memory), ("redis", t.redis)] {
        step(&format!("flow: {name}"));
        flows.push(attempt(srv, absent(name), |q| flow::run(q.addr, &fl, q.pid)).await);
    }
    let lat = latency::Options {
        samples: s.latency_samples,
        settle: Duration::from_millis(3),
        timeout: s.timeout,
    };
    let pairs = [
        ("memory", t.memory, t.memory),
        ("redis, same instance", t.redis, t.redis),
        ("redis, across instances", t.redis, t.redis2),
    ];
    let lat = &lat;
    let mut lats = Vec::new();
    for (name, pc, phone) in pairs {
        let mut per = Vec::new();
        for tr in Transport::ALL {
            step(&format!("latency: {name}, {}", tr.name()));
            let both = pc.zip(phone);
            per.push(
                attempt(both.map(|b| b.0), absent(name), |p| async move {
                    let ph = both.map_or(p.addr, |b| b.1.addr);
                    latency::run(p.addr, ph, tr, lat).await
                })
                .await,
            );
        }
        lats.push(per);
    }
    step("redis-memory");
    let redis_memory = match &t.redis_url {
        Some(url) => {
            attempt(t.redis, NO_REDIS, |q| {
                redis_memory::run(q.addr, url, s.redis_sessions)
            })
            .await
        }
        None => Run::NotRun(NO_REDIS.into()),
    };
    step("fanout");
    let fanout = match &t.fanout {
        Some(f) => match fanout::run(&f.instances, f.redis_url.as_deref(), &f.options).await {
            Ok(r) => Run::Done(r),
            Err(e) => Run::Failed(format!("{e:#}")),
        },
        None => Run::NotRun("no fan-out instances given".into()),
    };
    step("peer");
    let note = t
        .peer_note
        .clone()
        .unwrap_or_else(|| "no peer given".into());
    let peer = attempt(t.peer, &note, |p| {
        peer::run(p.addr, s.connections, s.duration, 200, p.pid)
    })
    .await;
    let db = crate::suite_db::run(t, s).await;
    let w = |http2| waiters::Options {
        waiters: if http2 { s.waiters_h2 } else { s.waiters },
        sources: s.sources,
        confirmers: 32,
        timeout: s.timeout,
        http2,
    };
    let mut waits = Vec::new();
    for (k, (name, srv)) in [("memory", t.memory), ("redis", t.redis)]
        .into_iter()
        .enumerate()
    {
        let mut per = Vec::new();
        for (i, (tr, http2)) in waiters::WAYS.into_iter().enumerate() {
            let srv = t.fresh[k].get(i).copied().or(srv);
            step(&format!("waiters: {name}, {}", waiters::label(tr, http2)));
            let w = w(http2);
            per.push(attempt(srv, absent(name), |q| waiters::run(q.addr, tr, &w, q.pid)).await);
        }
        waits.push(per);
    }
    let mut lats = lats.into_iter();
    let mut next_lat = || lats.next().unwrap_or_default();
    Results {
        ceiling,
        status: two(status_runs),
        flow: two(flows),
        latency: [next_lat(), next_lat(), next_lat()],
        waiters: two(waits),
        redis_memory,
        peer,
        fanout,
        db,
    }
}
