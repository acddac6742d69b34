//! `redis-memory`: bytes of Redis per pending QR session. Creates sessions through the
//! server (so they are stored exactly as in production), then sums `MEMORY USAGE` of
//! each session's keys (the session hash and the poll index, named by the store's own
//! [`session_key`] and [`poll_key`]), and cross-checks with the growth of `used_memory`.

use crate::api::create_many;
use anyhow::Context as _;
use qrlogin_core::{QrId, Secret, SecretKind};
use qrlogin_store::redis::{poll_key, session_key};
use serde::Serialize;
use std::net::SocketAddr;

/// Bytes per pending session, two ways.
#[derive(Debug, Clone, Serialize)]
pub struct RedisMemory {
    /// Sessions created.
    pub sessions: usize,
    /// Sum of `MEMORY USAGE` of both keys of a session, averaged.
    pub usage_per_session: f64,
    /// Of which the session hash alone.
    pub hash_per_session: f64,
    /// `INFO memory` `used_memory` growth per session (includes the keyspace's own
    /// dictionary and expiry entries, which `MEMORY USAGE` leaves out).
    pub used_memory_per_session: f64,
}

async fn used_memory(con: &mut redis::aio::MultiplexedConnection) -> anyhow::Result<f64> {
    let info: String = redis::cmd("INFO").arg("memory").query_async(con).await?;
    let line = info
        .lines()
        .find(|l| l.starts_with("used_memory:"))
        .ok_or_else(|| anyhow::anyhow!("INFO memory without used_memory"))?;
    Ok(line["used_memory:".len()..].trim().parse()?)
}

/// Creates `sessions` QR sessions on the server at `addr` (which must use the Redis at
/// `redis_url`) and measures what they take in Redis.
pub async fn run(
    addr: SocketAddr,
    redis_url: &str,
    sessions: usize,
) -> anyhow::Result<RedisMemory> {
    let client = redis::Client::open(redis_url)?;
    let mut con = client.get_multiplexed_async_connection().await?;
    let before = used_memory(&mut con).await?;
    let qrs = create_many(addr, sessions, 16).await?;
    let after = used_memory(&mut con).await?;
    let (mut hash_total, mut total) = (0f64, 0f64);
    for chunk in qrs.chunks(500) {
        let mut pipe = redis::pipe();
        for qr in chunk {
            let id = QrId::parse(&qr.qr_id)
                .ok()
                .context("the server answered a bad qr_id")?;
            let hash = Secret::parse_hash(SecretKind::Poll, &qr.poll_token)
                .ok()
                .context("the server answered a bad poll token")?;
            pipe.cmd("MEMORY")
                .arg("USAGE")
                .arg(session_key(&id))
                .arg("SAMPLES")
                .arg(0);
            pipe.cmd("MEMORY")
                .arg("USAGE")
                .arg(poll_key(&hash))
                .arg("SAMPLES")
                .arg(0);
        }
        let sizes: Vec<Option<i64>> = pipe.query_async(&mut con).await?;
        for pair in sizes.chunks(2) {
            let hash = pair[0].ok_or_else(|| anyhow::anyhow!("a session hash is missing"))?;
            hash_total += hash as f64;
            total += (hash + pair[1].unwrap_or(0)) as f64;
        }
    }
    let n = qrs.len().max(1) as f64;
    Ok(RedisMemory {
        sessions: qrs.len(),
        usage_per_session: total / n,
        hash_per_session: hash_total / n,
        used_memory_per_session: (after - before) / n,
    })
}
