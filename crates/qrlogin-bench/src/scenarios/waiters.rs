//! `waiters`: N PCs waiting at once on one instance. Measures the server's resident
//! memory per waiter, then confirms every QR session and records, per PC, the time from
//! its confirm leaving the phone to its answer arriving.
//!
//! Over HTTP/1.1 each waiter is a connection of its own, from several `127.0.0.x`
//! source addresses (each has its own ~28k ephemeral ports); over HTTP/2 waiters are
//! streams, [`push_h2::STREAMS_PER_CONN`] to a connection.

use crate::api::{confirm_req, create_many, expect, login, scan_many};
use crate::http::Conn;
use crate::push::{open, Transport, Waiter};
use crate::push_h2::{self, H2Waiter};
use crate::stats::{rss_bytes, Latency};
use anyhow::Context as _;
use bytes::Bytes;
use h2::client::SendRequest;
use qrlogin_core::QrState;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How many waiters, from how many source addresses.
#[derive(Debug, Clone)]
pub struct Options {
    /// PCs waiting at once.
    pub waiters: usize,
    /// Number of `127.0.0.x` source addresses (x = 2, 3, …).
    pub sources: u8,
    /// Concurrent phones confirming.
    pub confirmers: usize,
    /// Longest wait for any one phase (opening, answers).
    pub timeout: Duration,
    /// Waiters as streams of shared HTTP/2 connections instead of one HTTP/1.1
    /// connection each.
    pub http2: bool,
}

/// What holding N waiters cost and how fast they were all answered.
#[derive(Debug, Clone, Serialize)]
pub struct WaitersResult {
    /// Transport measured.
    pub transport: Transport,
    /// Streams of shared HTTP/2 connections (else one HTTP/1.1 connection each).
    pub http2: bool,
    /// Waiters asked for.
    pub wanted: usize,
    /// Waiters open at once.
    pub held: usize,
    /// Server RSS growth per held waiter, bytes (when its pid is known).
    pub bytes_per_waiter: Option<f64>,
    /// Seconds to open them all.
    pub open_s: f64,
    /// Seconds to confirm them all.
    pub confirm_s: f64,
    /// PCs that saw `confirmed`.
    pub answered: usize,
    /// Confirm sent → PC answered, over every answered PC.
    pub latency: Latency,
}

/// Most waiters sent but not yet registered by the server at any time.
const ARRIVING: usize = 256;

/// Every way the scenario holds waiters, in report order: each transport over
/// HTTP/1.1 (a connection each), then over HTTP/2 (streams of shared connections).
pub const WAYS: [(Transport, bool); 6] = [
    (Transport::LongPoll, false),
    (Transport::Sse, false),
    (Transport::Ws, false),
    (Transport::LongPoll, true),
    (Transport::Sse, true),
    (Transport::Ws, true),
];

/// "long poll, HTTP/2" and the like, for steps and reports.
pub fn label(transport: Transport, http2: bool) -> String {
    let http = if http2 { "HTTP/2 streams" } else { "HTTP/1.1" };
    format!("{}, {http}", transport.name())
}

/// Nanoseconds since `base`, never 0 (0 means "not yet").
fn stamp(base: Instant) -> u64 {
    base.elapsed().as_nanos() as u64 | 1
}

/// Runs the scenario for one transport.
pub async fn run(
    addr: SocketAddr,
    transport: Transport,
    opts: &Options,
    server_pid: Option<u32>,
) -> anyhow::Result<WaitersResult> {
    let n = opts.waiters.max(1);
    let phone = login(addr, "alice", "bench-waiters").await?;
    let qrs = Arc::new(create_many(addr, n, 32).await?);
    let tickets = scan_many(addr, &phone, &qrs, 32).await?;
    let h2 = match opts.http2 {
        true => push_h2::connect_many(addr, n).await?,
        false => Vec::new(),
    };
    // Probe first: a missing endpoint is "not run", not 50,000 failures.
    drop(Held::open(addr, None, h2.first(), &qrs[0], transport).await?);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss0 = server_pid.and_then(rss_bytes);

    let base = Instant::now();
    let answered: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    let opened = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Semaphore::new(256));
    let mut tasks = Vec::with_capacity(n);
    let until = Instant::now() + opts.timeout;
    for i in 0..n {
        if i >= ARRIVING && i % ARRIVING == 0 {
            // PCs arrive over time, not all in one instant: at most ARRIVING requests
            // the server has not registered yet. (A long poll is "open" once sent, so
            // without this 50,000 would land at once, and the memory figure would be
            // that burst's transient buffers, not what a held waiter costs.)
            wait_held(addr, i - ARRIVING, until).await;
        }
        let (qrs, answered, opened, failed, gate) = (
            qrs.clone(),
            answered.clone(),
            opened.clone(),
            failed.clone(),
            gate.clone(),
        );
        let source = IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            0,
            2 + (i % opts.sources.max(1) as usize) as u8,
        ));
        let timeout = opts.timeout;
        let conn = h2.get(i / push_h2::STREAMS_PER_CONN).cloned();
        tasks.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let w = tokio::time::timeout(
                timeout,
                Held::open(addr, Some(source), conn.as_ref(), &qrs[i], transport),
            )
            .await;
            drop(permit);
            let Ok(Ok(mut w)) = w else {
                failed.fetch_add(1, Ordering::Relaxed);
                return;
            };
            opened.fetch_add(1, Ordering::Relaxed);
            if let Ok(Ok(())) =
                tokio::time::timeout(timeout * 2, w.wait_for(QrState::Confirmed)).await
            {
                answered[i].store(stamp(base), Ordering::Relaxed);
            }
        }));
    }
    while opened.load(Ordering::Relaxed) + failed.load(Ordering::Relaxed) < n
        && Instant::now() < until
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let held = opened.load(Ordering::Relaxed);
    wait_held(addr, held, until).await;
    let open_s = base.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss1 = server_pid.and_then(rss_bytes);
    let bytes_per_waiter = match (rss0, rss1) {
        (Some(a), Some(b)) if held > 0 => Some((b as f64 - a as f64) / held as f64),
        _ => None,
    };

    let confirm_start = Instant::now();
    let confirmed_at = confirm_all(addr, &phone, &qrs, &tickets, opts.confirmers, base).await?;
    let confirm_s = confirm_start.elapsed().as_secs_f64();
    let end = Instant::now() + opts.timeout;
    for t in tasks {
        let left = end.saturating_duration_since(Instant::now());
        let _ = tokio::time::timeout(left, t).await;
    }
    let mut samples: Vec<u64> = (0..n)
        .filter_map(|i| {
            let (a, c) = (answered[i].load(Ordering::Relaxed), confirmed_at[i]);
            (a != 0 && c != 0).then(|| a.saturating_sub(c) / 1000)
        })
        .collect();
    Ok(WaitersResult {
        transport,
        http2: opts.http2,
        wanted: n,
        held,
        bytes_per_waiter,
        open_s,
        confirm_s,
        answered: samples.len(),
        latency: Latency::of(&mut samples),
    })
}

/// A waiter over either protocol.
enum Held {
    /// One HTTP/1.1 connection.
    One(Waiter),
    /// One stream of a shared HTTP/2 connection.
    Two(H2Waiter, Transport),
}

impl Held {
    /// Opens a waiter on a QR session in `scanned` at version 2: on `h2` when given.
    async fn open(
        addr: SocketAddr,
        source: Option<IpAddr>,
        h2: Option<&SendRequest<Bytes>>,
        qr: &crate::api::Qr,
        transport: Transport,
    ) -> anyhow::Result<Self> {
        let current = (QrState::Scanned, 2);
        Ok(match h2 {
            Some(conn) => Held::Two(
                push_h2::open(conn, qr, transport, current).await?,
                transport,
            ),
            None => Held::One(open(addr, source, qr, transport, current).await?),
        })
    }

    /// Waits until the status is `state`.
    async fn wait_for(&mut self, state: QrState) -> anyhow::Result<()> {
        match self {
            Held::One(w) => w.wait_for(state).await,
            Held::Two(w, transport) => w.wait_for(state, *transport).await,
        }
    }
}

/// Waits (bounded) until the server's `qrlogin_waiters` gauge reaches `held`, so long
/// polls written but not yet parsed are counted in the memory figure.
async fn wait_held(addr: SocketAddr, held: usize, until: Instant) {
    let req = crate::http::request("GET", "/metrics", &[], None);
    while Instant::now() < until {
        let Ok(mut c) = Conn::connect(addr, None).await else {
            return;
        };
        let Ok(200) = c.roundtrip(&req).await else {
            return;
        };
        let text = String::from_utf8_lossy(c.body());
        let gauge = text
            .lines()
            .find(|l| l.starts_with("qrlogin_waiters "))
            .and_then(|l| l.split(' ').nth(1)?.parse::<f64>().ok());
        match gauge {
            Some(g) if g as usize + 1 >= held => return,
            Some(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            None => return,
        }
    }
}

/// Confirms every QR session over `confirmers` connections; returns when each confirm
/// was sent (nanoseconds since `base`, 0 = not sent).
async fn confirm_all(
    addr: SocketAddr,
    phone: &crate::api::Phone,
    qrs: &Arc<Vec<crate::api::Qr>>,
    tickets: &[String],
    confirmers: usize,
    base: Instant,
) -> anyhow::Result<Vec<u64>> {
    let n = qrs.len();
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    let tickets = Arc::new(tickets.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..confirmers.clamp(1, n) {
        let (qrs, tickets, next, sent, phone) = (
            qrs.clone(),
            tickets.clone(),
            next.clone(),
            sent.clone(),
            phone.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(addr, None).await?;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(qr) = qrs.get(i) else { break };
                let req = confirm_req(&phone, &qr.qr_id, &tickets[i]);
                sent[i].store(stamp(base), Ordering::Relaxed);
                let st = conn.roundtrip(&req).await?;
                expect(&conn, st, 200, "confirm")?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await.context("confirm task")??;
    }
    Ok(sent.iter().map(|a| a.load(Ordering::Relaxed)).collect())
}
