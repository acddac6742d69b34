//! `latency`: one confirm → the waiting PC answered, one login at a time, so the figure
//! is the push path itself (no queueing). The PC waits on `pc_addr`; the phone confirms
//! on `phone_addr`: the same instance, or another one sharing the Redis store, where
//! the wake-up must travel through Redis pub/sub.

use crate::api::{confirm_req, create, create_req, expect, login, scan};
use crate::http::Conn;
use crate::push::{open, Transport};
use crate::stats::Latency;
use qrlogin_core::QrState;
use serde::Serialize;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How many samples, and how long the PC is given to be surely waiting.
#[derive(Debug, Clone)]
pub struct Options {
    /// Logins measured.
    pub samples: usize,
    /// Pause between opening a long poll and confirming (the request must be held
    /// first, or the figure is a plain status read).
    pub settle: Duration,
    /// Bound on the whole run.
    pub timeout: Duration,
}

/// The distribution for one transport.
#[derive(Debug, Clone, Serialize)]
pub struct LatencyResult {
    /// Transport measured.
    pub transport: Transport,
    /// Confirm sent → PC answered.
    pub latency: Latency,
}

/// Measures `transport` with the PC on `pc_addr` and the phone on `phone_addr`.
pub async fn run(
    pc_addr: SocketAddr,
    phone_addr: SocketAddr,
    transport: Transport,
    opts: &Options,
) -> anyhow::Result<LatencyResult> {
    let phone = login(phone_addr, "bob", "bench-latency").await?;
    let mut pc = Conn::connect(pc_addr, None).await?;
    let mut ph = Conn::connect(phone_addr, None).await?;
    let create_r = create_req();
    let deadline = Instant::now() + opts.timeout;
    let mut samples = Vec::with_capacity(opts.samples);
    while samples.len() < opts.samples && Instant::now() < deadline {
        let qr = create(&mut pc, &create_r).await?;
        let ticket = scan(&mut ph, &phone, &qr.qr_id).await?;
        let confirm = confirm_req(&phone, &qr.qr_id, &ticket);
        let mut w = open(pc_addr, None, &qr, transport, (QrState::Scanned, 2)).await?;
        if transport == Transport::LongPoll {
            tokio::time::sleep(opts.settle).await;
        }
        let t0 = Instant::now();
        ph.send(&confirm).await?;
        w.wait_for(QrState::Confirmed).await?;
        samples.push(t0.elapsed().as_micros() as u64);
        let st = ph.read_response().await?;
        expect(&ph, st, 200, "confirm")?;
    }
    Ok(LatencyResult {
        transport,
        latency: Latency::of(&mut samples),
    })
}
