//! `peer`: the same create and status-poll load against Node's `oidc-provider` with the
//! device grant (RFC 8628), the open protocol nearest to QR login: `POST /device/auth`
//! is the create, and the token endpoint answering `authorization_pending` is the poll.
//! The peer runs from `bench/peer/` (started by `bench/run.sh`).

use crate::http::{find, request_typed, Conn};
use crate::scenarios::status::{load, Throughput};
use anyhow::bail;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The public client `bench/peer/server.mjs` registers.
const CLIENT_ID: &str = "bench";
const FORM: &str = "application/x-www-form-urlencoded";

/// Creates and polls per second.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PeerResult {
    /// `POST /device/auth` answered 200.
    pub creates: Throughput,
    /// Token polls answered `authorization_pending` (or `slow_down`).
    pub polls: Throughput,
}

#[derive(Deserialize)]
struct DeviceAuth {
    device_code: String,
}

fn create_req() -> Vec<u8> {
    let body = format!("client_id={CLIENT_ID}");
    request_typed("POST", "/device/auth", &[], Some((FORM, &body)))
}

fn poll_req(device_code: &str) -> Vec<u8> {
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id={CLIENT_ID}&device_code={device_code}"
    );
    request_typed("POST", "/token", &[], Some((FORM, &body)))
}

/// A created device code.
fn created(status: u16, _: &[u8]) -> bool {
    status == 200
}

/// A pending poll (`authorization_pending`, or `slow_down`).
fn pending(status: u16, body: &[u8]) -> bool {
    status == 400
        && (find(body, b"authorization_pending").is_some() || find(body, b"slow_down").is_some())
}

/// Requests per connection at most: time, not count, ends a peer run.
const MAX_PER_CONN: u64 = 10_000_000;

/// Measures polls of `codes` pending device codes (keep it well under 1000, the
/// peer's in-memory LRU), then creates.
pub async fn run(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    codes: usize,
    pid: Option<u32>,
) -> anyhow::Result<PeerResult> {
    let mut conn = Conn::connect(addr, None).await?;
    let create = create_req();
    let mut polls = Vec::with_capacity(codes);
    for _ in 0..codes.max(1) {
        let st = conn.roundtrip(&create).await?;
        if st != 200 {
            bail!(
                "peer /device/auth answered {st}: {}",
                String::from_utf8_lossy(conn.body())
            );
        }
        let a: DeviceAuth = serde_json::from_slice(conn.body())?;
        polls.push(poll_req(&a.device_code));
    }
    let st = conn.roundtrip(&polls[0]).await?;
    if !pending(st, conn.body()) {
        bail!(
            "peer token poll answered {st}: {}",
            String::from_utf8_lossy(conn.body())
        );
    }
    // Polls first: the peer's default store is an LRU of 1000 entries, which the
    // create run fills, evicting the codes being polled.
    let polls = load(
        addr,
        Arc::new(polls),
        connections,
        duration,
        MAX_PER_CONN,
        pid,
        pending,
    )
    .await;
    let creates = load(
        addr,
        Arc::new(vec![create]),
        connections,
        duration,
        MAX_PER_CONN,
        pid,
        created,
    )
    .await;
    Ok(PeerResult { creates, polls })
}
