//! `fanout`: 1, 2, 4 and 8 instances on one Redis. Does adding instances add wake-up
//! work to each of them?
//!
//! For each size N, idle long polls are held on each of the first N instances (so every
//! one holds waiters and subscriptions), and logins run at a fixed rate *per instance*
//! (N times the rate in all), as a deployment that scales out to carry more logins:
//! login k creates its QR session on instance k mod N, where the PC long-polls, and its
//! phone scans and confirms on instance k+1 mod N (another one when N > 1), so the
//! wake-up travels through Redis. A login ends when the PC's long poll answers
//! `confirmed`: the redeem is left out, as each instance has a database of its own
//! (`--db memory`) and the confirming account exists only on the phone's instance. Read around each run: each instance's
//! `qrlogin_store_notifications_total`, and Redis' `INFO commandstats` and `INFO cpu`.
//!
//! The figure: notifications an instance received per login whose PC it held. With a
//! channel per session it stays the same whatever N ("flat"); with one channel heard by
//! every instance it was N times the messages of a login. Instances not in use must
//! hear nothing. The long-poll arrival cost is the `SUBSCRIBE` + `UNSUBSCRIBE` work
//! in Redis per long poll that arrived (µs from `INFO commandstats`), next to a whole
//! login's Redis CPU.

use super::fanout_figures::{cost, figures};
pub use super::fanout_figures::{FanoutResult, FanoutRow, RedisCost};
use super::fanout_probe::{notifications, wait_waiters, IdleWaiters, Instance, RedisSnapshot};
use crate::api::{confirm_req, create, create_req, expect, login, scan, status_req};
use crate::api::{Phone, Qr};
use crate::http::{find, Conn};
use crate::push::state_needle;
use crate::stats::Latency;
use qrlogin_core::QrState;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The fan-out set: instances sharing one Redis of their own (no other scenario's
/// load on it), and how to run them.
#[derive(Debug, Clone)]
pub struct Fanout {
    /// The instances, in the order sizes take them (the first N).
    pub instances: Vec<Instance>,
    /// Their Redis, for `INFO commandstats` / `INFO cpu`.
    pub redis_url: Option<String>,
    /// Sizes, rate, duration.
    pub options: Options,
}

/// Sizes, rates and bounds.
#[derive(Debug, Clone)]
pub struct Options {
    /// Instance counts to run, each over the first N instances (those beyond the
    /// instances given are skipped).
    pub sizes: Vec<usize>,
    /// Logins started per second per instance in use.
    pub rate_per_instance: f64,
    /// Measured time of each size.
    pub duration: Duration,
    /// Idle long polls held on each instance in use.
    pub waiters_per_instance: usize,
    /// Logins in flight at most (each worker does one at a time).
    pub workers: usize,
    /// Pause between sending the PC's long poll and the confirm, so that the poll is
    /// held (subscribed) when the change comes, as a real PC's is.
    pub settle: Duration,
    /// Bound on any one waiting phase.
    pub timeout: Duration,
}

/// One worker's outcome: latencies, completed logins by PC instance, failures.
type Tally = (Vec<u64>, Vec<u64>, u64, Option<String>);

/// One login: create and long-poll on `pc`, scan and confirm on `ph`. Returns confirm
/// sent → PC answered, µs.
async fn one(pc: &mut Conn, ph: &mut Conn, phone: &Phone, settle: Duration) -> anyhow::Result<u64> {
    let qr: Qr = create(pc, &create_req()).await?;
    let ticket = scan(ph, phone, &qr.qr_id).await?;
    pc.send(&status_req(&qr, Some((60, 2)))).await?;
    tokio::time::sleep(settle).await;
    let t0 = Instant::now();
    ph.send(&confirm_req(phone, &qr.qr_id, &ticket)).await?;
    let st = pc.read_response().await?;
    let waited = t0.elapsed().as_micros() as u64;
    expect(pc, st, 200, "long poll")?;
    anyhow::ensure!(
        find(pc.body(), &state_needle(QrState::Confirmed)).is_some(),
        "the long poll did not answer confirmed"
    );
    let st = ph.read_response().await?;
    expect(ph, st, 200, "confirm")?;
    Ok(waited)
}

/// Runs logins k = `w`, `w + step`, … below `total`, each at its slot of the rate.
async fn worker(
    addrs: Arc<Vec<SocketAddr>>,
    phones: Arc<Vec<Phone>>,
    (w, step, total): (u64, u64, u64),
    start: Instant,
    interval: Duration,
    settle: Duration,
) -> Tally {
    let n = addrs.len();
    let mut conns: Vec<Option<Conn>> = (0..2 * n).map(|_| None).collect();
    let (mut lat, mut by_pc, mut failed, mut first) = (Vec::new(), vec![0u64; n], 0, None);
    for k in (w..total).step_by(step as usize) {
        let at = start + interval.mul_f64(k as f64);
        tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
        let (p, q) = (k as usize % n, (k as usize + 1) % n);
        let res = async {
            for (slot, addr) in [(p, addrs[p]), (n + q, addrs[q])] {
                if conns[slot].is_none() {
                    conns[slot] = Some(Conn::connect(addr, None).await?);
                }
            }
            let (pcs, phs) = conns.split_at_mut(n);
            let (pc, ph) = (pcs[p].as_mut(), phs[q].as_mut());
            one(
                pc.expect("connected"),
                ph.expect("connected"),
                &phones[q],
                settle,
            )
            .await
        }
        .await;
        match res {
            Ok(us) => {
                lat.push(us);
                by_pc[p] += 1;
            }
            Err(e) => {
                failed += 1;
                first.get_or_insert_with(|| format!("{e:#}"));
                (conns[p], conns[n + q]) = (None, None);
            }
        }
    }
    (lat, by_pc, failed, first)
}

/// Runs every size of `opts` over `instances`; `redis_url` (their Redis) adds Redis'
/// per-command figures.
pub async fn run(
    instances: &[Instance],
    redis_url: Option<&str>,
    opts: &Options,
) -> anyhow::Result<FanoutResult> {
    anyhow::ensure!(!instances.is_empty(), "no instances");
    let mut redis = match redis_url {
        Some(u) => Some(
            redis::Client::open(u)?
                .get_multiplexed_async_connection()
                .await?,
        ),
        None => None,
    };
    let mut phones = Vec::new();
    for (i, inst) in instances.iter().enumerate() {
        phones.push(login(inst.addr, "bob", &format!("bench-fanout-{i}")).await?);
    }
    let mut out = FanoutResult {
        instances: instances.len(),
        rows: Vec::new(),
    };
    for &n in opts
        .sizes
        .iter()
        .filter(|&&n| n >= 1 && n <= instances.len())
    {
        eprintln!("[qrlogin-bench] fanout: {n} instance(s)");
        let used = &instances[..n];
        let addrs: Vec<SocketAddr> = used.iter().map(|i| i.addr).collect();
        let idle = IdleWaiters::open(&addrs, opts.waiters_per_instance).await?;
        let until = Instant::now() + opts.timeout;
        for &a in &addrs {
            wait_waiters(a, opts.waiters_per_instance, until).await?;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let heard0 = heard(instances).await?;
        let snap0 = match &mut redis {
            Some(c) => Some(RedisSnapshot::take(c).await?),
            None => None,
        };
        let repolls0 = idle.repolls.load(std::sync::atomic::Ordering::Relaxed);
        let rate = opts.rate_per_instance.max(0.1) * n as f64;
        let asked = ((rate * opts.duration.as_secs_f64()).round() as u64).max(n as u64);
        let step = opts.workers.clamp(1, asked as usize) as u64;
        let (addrs, phones_n) = (Arc::new(addrs), Arc::new(phones[..n].to_vec()));
        let start = Instant::now() + Duration::from_millis(20);
        let interval = Duration::from_secs_f64(1.0 / rate);
        let tasks: Vec<_> = (0..step)
            .map(|w| {
                let (a, p) = (addrs.clone(), phones_n.clone());
                tokio::spawn(worker(a, p, (w, step, asked), start, interval, opts.settle))
            })
            .collect();
        let mut row = FanoutRow {
            instances: n,
            asked,
            idle_waiters: n * opts.waiters_per_instance,
            logins_by_instance: vec![0; n],
            ..FanoutRow::default()
        };
        let mut samples = Vec::new();
        for t in tasks {
            let (lat, by_pc, failed, first) = t.await?;
            samples.extend(lat);
            row.logins_by_instance
                .iter_mut()
                .zip(by_pc)
                .for_each(|(a, b)| *a += b);
            row.failed += failed;
            row.first_error = row.first_error.or(first);
        }
        let wall = start.elapsed().as_secs_f64().max(1e-9);
        // Messages still on their way.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let heard1 = heard(instances).await?;
        let snap1 = match &mut redis {
            Some(c) => Some(RedisSnapshot::take(c).await?),
            None => None,
        };
        let repolls = idle.repolls.load(std::sync::atomic::Ordering::Relaxed) - repolls0;
        idle.close();
        row.logins = samples.len() as u64;
        row.per_sec = row.logins as f64 / wall;
        row.latency = Latency::of(&mut samples);
        let delta: Vec<u64> = heard0.iter().zip(&heard1).map(|(a, b)| b - a).collect();
        row.notifications = delta[..n].to_vec();
        row.unused_notifications = delta[n..].iter().sum();
        figures(&mut row);
        if let (Some(a), Some(b)) = (snap0, snap1) {
            row.redis = Some(cost(&a, &b, row.logins, row.logins + row.failed + repolls));
        }
        out.rows.push(row);
        // Let the idle waiters' unsubscribes land before the next size is measured.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(out)
}

/// Every instance's notification count now.
async fn heard(instances: &[Instance]) -> anyhow::Result<Vec<u64>> {
    let mut v = Vec::with_capacity(instances.len());
    for i in instances {
        v.push(notifications(i).await?);
    }
    Ok(v)
}
