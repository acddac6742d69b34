//! The suite's runs with the database on the path, password sign-ins, and qrlogin's
//! OAuth face against the peer (issues 11 and 12): full logins on each (store, `--db`)
//! pair, each database measured right after its `--db memory` baseline so the ratio is
//! taken over the same minute of a shared machine; then the password burst; then
//! device authorization, device polls and code exchange on qrlogin and on the peer.

use crate::scenarios::exchange::{self, ExchangeResult};
use crate::scenarios::flow::{self, FlowResult};
use crate::scenarios::oauth::{self, OAuthResult};
use crate::scenarios::passwords::{self, PasswordResult};
use crate::suite::{attempt, step, Run, Server, Settings, Targets};
use serde::Serialize;

/// The servers of these runs: fresh ones of equal history, two per store, that differ
/// only in `--db`.
#[derive(Debug, Clone, Default)]
pub struct DbTargets {
    /// Memory store, `--db memory`: the SQLite run's baseline.
    pub memory: Option<Server>,
    /// Memory store, `--db sqlite://…` (a file in a temporary folder).
    pub sqlite: Option<Server>,
    /// Redis store, `--db memory`: the PostgreSQL run's baseline.
    pub redis: Option<Server>,
    /// Redis store, `--db postgres://…` (a fresh database).
    pub postgres: Option<Server>,
    /// Why there is no PostgreSQL run, when there is none.
    pub postgres_note: Option<String>,
}

/// Every figure of these runs.
#[derive(Debug, Clone, Serialize)]
pub struct DbResults {
    /// Full logins per [`PAIRS`] entry: memory+memory, memory+SQLite, Redis+memory,
    /// Redis+PostgreSQL.
    pub flows: [Run<FlowResult>; 4],
    /// Password sign-ins, and status polls and memory around their burst.
    pub passwords: Run<PasswordResult>,
    /// qrlogin's device authorization, device polls and code exchange.
    pub oauth: Run<OAuthResult>,
    /// The peer's code exchange (its device grant is in `Results::peer`).
    pub peer_exchange: Run<ExchangeResult>,
}

/// The (store, database) pairs of the full-login runs, in run and report order.
pub const PAIRS: [&str; 4] = [
    "memory store + `--db memory`",
    "memory store + SQLite",
    "Redis store + `--db memory`",
    "Redis store + PostgreSQL",
];

/// Sign-ins in flight during the password burst: 16 times the 2 argon2 workers of a
/// 2-core machine, so the pool's queue is what is exercised.
const PASSWORD_BURST: usize = 32;
/// Pending device codes polled round-robin (the peer's run uses as many).
pub const DEVICE_CODES: usize = 200;

/// Runs them all; a missing server makes its rows "not run: why".
pub async fn run(t: &Targets, s: &Settings) -> DbResults {
    let d = &t.db;
    let fl = flow::Options {
        workers: s.flow_workers,
        duration: s.duration,
        max_flows: 10_000_000,
    };
    let no_pg = d
        .postgres_note
        .clone()
        .unwrap_or_else(|| "no PostgreSQL server given".into());
    let servers = [
        (
            d.memory,
            "no memory-store `--db memory` server given".to_owned(),
        ),
        (d.sqlite, "no memory-store SQLite server given".to_owned()),
        (
            d.redis,
            "no Redis-store `--db memory` server given".to_owned(),
        ),
        (d.postgres, no_pg),
    ];
    let mut flows = Vec::new();
    for (name, (srv, why)) in PAIRS.iter().zip(servers) {
        step(&format!("flow: {name}"));
        flows.push(attempt(srv, &why, |q| flow::run(q.addr, &fl, q.pid)).await);
    }
    step("passwords");
    let pw = passwords::Options {
        burst: PASSWORD_BURST,
        status_connections: s.connections,
        duration: s.duration,
    };
    // The default deployment (memory store + SQLite) when there is one.
    let pw_server = d.sqlite.or(t.memory);
    let passwords = attempt(pw_server, "no memory-store server given", |q| {
        passwords::run(q.addr, &pw, q.pid)
    })
    .await;
    step("oauth: qrlogin");
    let oauth = attempt(t.memory, "no memory-store server given", |q| {
        oauth::run(q.addr, s.connections, s.duration, DEVICE_CODES, q.pid)
    })
    .await;
    step("oauth: peer code exchange");
    let note = t
        .peer_note
        .clone()
        .unwrap_or_else(|| "no peer given".into());
    let peer_exchange = attempt(t.peer, &note, |p| {
        exchange::run_peer(p.addr, s.connections, s.duration, p.pid)
    })
    .await;
    let mut flows = flows.into_iter();
    let mut next = || {
        flows
            .next()
            .unwrap_or_else(|| Run::NotRun("not run".into()))
    };
    DbResults {
        flows: [next(), next(), next(), next()],
        passwords,
        oauth,
        peer_exchange,
    }
}
