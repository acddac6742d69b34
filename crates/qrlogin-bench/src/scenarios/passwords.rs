//! `passwords`: phone password sign-ins per second (`POST /api/v1/auth/login`), which
//! argon2 bounds, and what a burst of them does to the rest of the server: status
//! polls per second alone, then during the burst, and the server's resident memory
//! before, at its highest during, and after the burst. The server hashes on a bounded
//! blocking pool (`limits/passwords.rs`); this is the figure that shows it.

use crate::api::{create_many, status_req};
use crate::http::{request, Conn};
use crate::scenarios::status::{load, Throughput};
use crate::stats::{rss_bytes, CpuMeter, Latency};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How big the burst is and how long each phase lasts.
#[derive(Debug, Clone)]
pub struct Options {
    /// Sign-ins in flight at once (more than the pool has workers, so some queue).
    pub burst: usize,
    /// Keep-alive connections of the status polls.
    pub status_connections: usize,
    /// Measured time of each phase.
    pub duration: Duration,
}

/// Sign-ins per second and the rest of the server meanwhile.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PasswordResult {
    /// Sign-ins in flight at once.
    pub burst: usize,
    /// Sign-ins answered 200 (`ok`), per second of the burst.
    pub logins: Throughput,
    /// Of the errors: 429 `rate_limited` (no argon2 worker free within the queue wait).
    pub busy: u64,
    /// Duration of one sign-in under the burst.
    pub login_latency: Latency,
    /// Status polls per second with nothing else running.
    pub status_alone: Throughput,
    /// Status polls per second during the burst.
    pub status_during: Throughput,
    /// Server RSS before the burst, bytes (when its pid is known).
    pub rss_before: Option<u64>,
    /// Highest server RSS sampled during the burst.
    pub rss_peak: Option<u64>,
    /// Server RSS once the burst is over.
    pub rss_after: Option<u64>,
}

impl PasswordResult {
    /// Status polls during the burst as a share of those without it.
    pub fn status_share(&self) -> f64 {
        if self.status_alone.per_sec > 0.0 {
            self.status_during.per_sec / self.status_alone.per_sec
        } else {
            0.0
        }
    }
}

/// A demo account's sign-in from phone `device` (API.md: alice/alice-demo, bob/bob-demo).
fn login_req(user: &str, device: &str) -> Vec<u8> {
    let body = format!(
        r#"{{"username":"{user}","password":"{user}-demo","device":{{"id":"{device}","type":"ios","name":"bench phone"}}}}"#
    );
    request("POST", "/api/v1/auth/login", &[], Some(&body))
}

/// Signs in over `burst` connections until `duration`: (ok, errors, busy, latencies µs).
async fn burst(addr: SocketAddr, n: usize, duration: Duration) -> (u64, u64, u64, Vec<u64>) {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for c in 0..n.max(1) {
        let user = if c % 2 == 0 { "alice" } else { "bob" };
        let req = login_req(user, &format!("bench-password-{c}"));
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut busy, mut lat) = (0, 0, 0, Vec::new());
            let Ok(mut conn) = Conn::connect(addr, None).await else {
                return (0, 1, 0, lat);
            };
            while Instant::now() < deadline {
                let t0 = Instant::now();
                match conn.roundtrip(&req).await {
                    Ok(200) => {
                        ok += 1;
                        lat.push(t0.elapsed().as_micros() as u64);
                    }
                    Ok(429) => {
                        errors += 1;
                        busy += 1;
                    }
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
            (ok, errors, busy, lat)
        }));
    }
    let (mut ok, mut errors, mut busy, mut lat) = (0, 0, 0, Vec::new());
    for t in tasks {
        let (o, e, b, l) = t.await.unwrap_or((0, 1, 0, Vec::new()));
        ok += o;
        errors += e;
        busy += b;
        lat.extend(l);
    }
    (ok, errors, busy, lat)
}

/// Samples the server's RSS every 50 ms until `stop`; answers the highest.
async fn sample_peak(pid: u32, stop: Arc<AtomicBool>) -> u64 {
    let peak = AtomicU64::new(0);
    while !stop.load(Ordering::Relaxed) {
        if let Some(r) = rss_bytes(pid) {
            peak.fetch_max(r, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    peak.into_inner()
}

/// Status alone, then status and the burst together; RSS around the burst.
pub async fn run(
    addr: SocketAddr,
    opts: &Options,
    pid: Option<u32>,
) -> anyhow::Result<PasswordResult> {
    // A sign-in first: a server without the endpoint or the demo accounts fails here.
    crate::api::login(addr, "alice", "bench-password-probe").await?;
    let polls: Vec<Vec<u8>> = create_many(addr, 1000, 16)
        .await?
        .iter()
        .map(|q| status_req(q, None))
        .collect();
    let polls = Arc::new(polls);
    let ok200 = |st: u16, _: &[u8]| st == 200;
    let status = |pid| {
        load(
            addr,
            polls.clone(),
            opts.status_connections,
            opts.duration,
            u64::MAX / 1024,
            pid,
            ok200,
        )
    };
    let status_alone = status(pid).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_before = pid.and_then(rss_bytes);
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = pid.map(|p| tokio::spawn(sample_peak(p, stop.clone())));
    let meter = CpuMeter::start(pid);
    let (status_during, (ok, errors, busy, mut lat)) =
        tokio::join!(status(None), burst(addr, opts.burst, opts.duration));
    let cpu = meter.stop();
    stop.store(true, Ordering::Relaxed);
    let rss_peak = match sampler {
        Some(s) => Some(s.await?),
        None => None,
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_after = pid.and_then(rss_bytes);
    if ok == 0 {
        anyhow::bail!("no password sign-in succeeded ({errors} errors, {busy} busy)");
    }
    Ok(PasswordResult {
        burst: opts.burst,
        logins: Throughput {
            ok,
            errors,
            per_sec: ok as f64 / cpu.wall_s,
            cpu,
        },
        busy,
        login_latency: Latency::of(&mut lat),
        status_alone,
        status_during,
        rss_before,
        rss_peak,
        rss_after,
    })
}
