//! The qrlogin benchmark: a load generator and the scenarios of `shared/DESIGN.md`'s
//! performance targets, run side by side with the ceiling server and a Node peer.
//!
//! - [`http`]: a raw HTTP/1.1 keep-alive client, so the generator costs the server
//!   as little CPU as possible on a shared 2-core machine.
//! - [`api`]: the qrlogin calls as pre-built requests; bulk set-up (create, scan).
//! - [`push`]: a PC waiting by long poll, SSE or WebSocket; [`push_h2`]: the same as
//!   one stream of a shared HTTP/2 connection.
//! - [`scenarios`]: `status`, `flow`, `waiters`, `latency`, `redis-memory`, `peer`,
//!   `fanout` (1–8 instances on one Redis: wake-ups per instance per login).
//! - [`scenarios`]: `status`, `flow`, `waiters`, `latency`, `redis-memory`, `peer`;
//!   `passwords`, `oauth` and `exchange` (qrlogin's OAuth face against the peer's).
//! - [`suite_db`]: full logins with the database on the path (SQLite, PostgreSQL)
//!   beside `--db memory` baselines, the password burst, OAuth against the peer.
//! - [`suite`]: runs every scenario against the servers it is given; a scenario that
//!   cannot run (no Redis, endpoint missing) is recorded as "not run: why".
//! - [`report`]: `BENCHMARKS.md` from a suite's results, against the targets of
//!   [`report::targets`] (written once); [`stats`]: percentiles, /proc.
//!
//! `bench/run.sh` builds and starts the servers and calls the `qrlogin-bench` binary;
//! `tests/smoke.rs` runs every scenario for about a second against an in-process server.

pub mod api;
pub mod http;
pub mod push;
pub mod push_h2;
pub mod report;
pub mod scenarios;
pub mod stats;
pub mod suite;
pub mod suite_db;
