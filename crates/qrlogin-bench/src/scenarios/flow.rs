//! `flow`: complete logins per second. Each worker plays a PC and a phone over its own
//! keep-alive connection: create, scan, confirm, status (must say `confirmed`),
//! redeem. Phones sign in once at set-up, as real phones do (argon2 is not the flow).

use crate::api::{confirm_req, create, create_req, expect, login, redeem_req, scan, status_req};
use crate::http::{find, Conn};
use crate::push::state_needle;
use crate::scenarios::status::Throughput;
use crate::stats::{CpuMeter, Latency};
use qrlogin_core::QrState;
use serde::Serialize;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How many logins run at once and for how long.
#[derive(Debug, Clone)]
pub struct Options {
    /// Concurrent workers, each one login at a time.
    pub workers: usize,
    /// Measured time.
    pub duration: Duration,
    /// Stop after this many logins even if time is left.
    pub max_flows: u64,
}

/// Logins per second, and how long one took.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FlowResult {
    /// Completed logins per second (`ok` = logins).
    pub flows: Throughput,
    /// Duration of one whole login (5 requests).
    pub flow_latency: Latency,
}

/// One login, start to end; `Err` names the step that failed.
async fn one(conn: &mut Conn, phone: &crate::api::Phone, create_r: &[u8]) -> anyhow::Result<()> {
    let qr = create(conn, create_r).await?;
    let ticket = scan(conn, phone, &qr.qr_id).await?;
    let st = conn
        .roundtrip(&confirm_req(phone, &qr.qr_id, &ticket))
        .await?;
    expect(conn, st, 200, "confirm")?;
    let st = conn.roundtrip(&status_req(&qr, None)).await?;
    expect(conn, st, 200, "status")?;
    if find(conn.body(), &state_needle(QrState::Confirmed)).is_none() {
        anyhow::bail!("status after confirm is not confirmed");
    }
    let st = conn.roundtrip(&redeem_req(&qr)).await?;
    expect(conn, st, 200, "redeem")
}

/// Runs logins against `pc_addr` (PC and phone calls alike).
pub async fn run(
    addr: SocketAddr,
    opts: &Options,
    server_pid: Option<u32>,
) -> anyhow::Result<FlowResult> {
    let phones = [
        login(addr, "alice", "bench-flow-a").await?,
        login(addr, "bob", "bench-flow-b").await?,
    ];
    let workers = opts.workers.max(1);
    let per_worker = opts.max_flows / workers as u64 + 1;
    let meter = CpuMeter::start(server_pid);
    let deadline = Instant::now() + opts.duration;
    let mut tasks = Vec::new();
    for w in 0..workers {
        let phone = phones[w % phones.len()].clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::new());
            let mut first_error = None;
            let Ok(mut conn) = Conn::connect(addr, None).await else {
                return (0, 1, lat, Some("connect failed".to_owned()));
            };
            let create_r = create_req();
            while ok + errors < per_worker && Instant::now() < deadline {
                let t0 = Instant::now();
                match one(&mut conn, &phone, &create_r).await {
                    Ok(()) => {
                        ok += 1;
                        lat.push(t0.elapsed().as_micros() as u64);
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| format!("{e:#}"));
                        match Conn::connect(addr, None).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (ok, errors, lat, first_error)
        }));
    }
    let mut res = FlowResult::default();
    let mut all = Vec::new();
    let mut first_error = None;
    for t in tasks {
        let (ok, errors, lat, err) = t.await?;
        res.flows.ok += ok;
        res.flows.errors += errors;
        all.extend(lat);
        first_error = first_error.or(err);
    }
    res.flows.cpu = meter.stop();
    res.flows.per_sec = res.flows.ok as f64 / res.flows.cpu.wall_s;
    res.flow_latency = Latency::of(&mut all);
    if res.flows.ok == 0 {
        anyhow::bail!(
            "no login completed: {}",
            first_error.unwrap_or_else(|| "no time".into())
        );
    }
    Ok(res)
}
