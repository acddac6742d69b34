//! What the `fanout` scenario reads around each run: each instance's notification
//! counter and waiter gauge, Redis' per-command figures (`INFO commandstats`) and CPU
//! (`INFO cpu`), and the idle long polls it holds on every instance in use.

use crate::api::{create_many, status_req, Qr};
use crate::http::{request, Conn};
use serde::Serialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where an instance's count of notifications received from Redis is read.
#[derive(Clone)]
pub enum Heard {
    /// `qrlogin_store_notifications_total` of its `/metrics` (a separate process).
    Metrics,
    /// A function returning the count: for servers inside the calling process, whose
    /// `/metrics` share one global recorder and so cannot tell instances apart.
    Counter(Arc<dyn Fn() -> u64 + Send + Sync>),
}

impl std::fmt::Debug for Heard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Heard::Metrics => "Heard::Metrics",
            Heard::Counter(_) => "Heard::Counter",
        })
    }
}

/// One qrlogin instance of the fan-out set.
#[derive(Debug, Clone)]
pub struct Instance {
    /// `127.0.0.1:port`.
    pub addr: SocketAddr,
    /// How to read its notification count.
    pub heard: Heard,
}

/// One line of an instance's `/metrics` (`name value`), if there.
async fn metric(addr: SocketAddr, name: &str) -> anyhow::Result<Option<f64>> {
    let mut c = Conn::connect(addr, None).await?;
    let st = c.roundtrip(&request("GET", "/metrics", &[], None)).await?;
    anyhow::ensure!(st == 200, "/metrics answered HTTP {st}");
    let text = String::from_utf8_lossy(c.body());
    let prefix = format!("{name} ");
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix(&prefix)?.trim().parse().ok()))
}

/// The notifications `instance` has received so far.
pub async fn notifications(instance: &Instance) -> anyhow::Result<u64> {
    match &instance.heard {
        Heard::Counter(f) => Ok(f()),
        Heard::Metrics => {
            let v = metric(instance.addr, "qrlogin_store_notifications_total").await?;
            // Absent until the first scrape sets it; a fresh instance has heard nothing.
            Ok(v.unwrap_or(0.0) as u64)
        }
    }
}

/// Waits (bounded) until `addr` holds at least `n` waiters (its `qrlogin_waiters`).
pub async fn wait_waiters(addr: SocketAddr, n: usize, until: Instant) -> anyhow::Result<()> {
    while Instant::now() < until {
        match metric(addr, "qrlogin_waiters").await? {
            Some(g) if g as usize >= n => return Ok(()),
            None => return Ok(()),
            Some(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    Ok(())
}

/// Calls and microseconds of one command, from `INFO commandstats`.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct CmdStat {
    /// Times run (a `SUBSCRIBE` of several channels is one call).
    pub calls: u64,
    /// Redis CPU in it, µs.
    pub usec: u64,
}

/// Redis' counters at one moment.
#[derive(Debug, Clone, Default)]
pub struct RedisSnapshot {
    /// Per command (`publish`, `subscribe`, …, lowercase).
    pub commands: HashMap<String, CmdStat>,
    /// `used_cpu_sys + used_cpu_user`, seconds.
    pub cpu_s: f64,
}

impl RedisSnapshot {
    /// Takes the snapshot.
    pub async fn take(con: &mut redis::aio::MultiplexedConnection) -> anyhow::Result<Self> {
        let stats: String = redis::cmd("INFO")
            .arg("commandstats")
            .query_async(con)
            .await?;
        let cpu: String = redis::cmd("INFO").arg("cpu").query_async(con).await?;
        Ok(Self {
            commands: parse_commandstats(&stats),
            cpu_s: ["used_cpu_sys:", "used_cpu_user:"]
                .iter()
                .filter_map(|k| cpu.lines().find_map(|l| l.strip_prefix(k)))
                .filter_map(|v| v.trim().parse::<f64>().ok())
                .sum(),
        })
    }

    /// What ran between `self` and `later`, for `command`.
    pub fn delta(&self, later: &Self, command: &str) -> CmdStat {
        let a = self.commands.get(command).copied().unwrap_or_default();
        let b = later.commands.get(command).copied().unwrap_or_default();
        CmdStat {
            calls: b.calls.saturating_sub(a.calls),
            usec: b.usec.saturating_sub(a.usec),
        }
    }

    /// Every command's calls between `self` and `later`.
    pub fn calls_between(&self, later: &Self) -> u64 {
        later
            .commands
            .keys()
            .map(|c| self.delta(later, c).calls)
            .sum()
    }
}

/// `cmdstat_publish:calls=3,usec=12,usec_per_call=4.00,…` lines, by command.
pub fn parse_commandstats(info: &str) -> HashMap<String, CmdStat> {
    let mut out = HashMap::new();
    for line in info.lines() {
        let Some((name, fields)) = line
            .strip_prefix("cmdstat_")
            .and_then(|l| l.split_once(':'))
        else {
            continue;
        };
        let field = |k: &str| {
            fields
                .split(',')
                .find_map(|f| f.strip_prefix(k)?.strip_prefix('=')?.parse().ok())
                .unwrap_or(0)
        };
        let stat = CmdStat {
            calls: field("calls"),
            usec: field("usec"),
        };
        out.insert(name.to_ascii_lowercase(), stat);
    }
    out
}

/// Long polls held on sessions nobody logs into, so that every instance in use has
/// waiters, and so subscriptions, while the logins run.
pub struct IdleWaiters {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Long polls sent again after one was answered (its `wait` ran out), counted
    /// as arrivals in the measured window.
    pub repolls: Arc<AtomicU64>,
}

impl IdleWaiters {
    /// Holds `per_instance` long polls on each of `addrs` (sessions created there).
    pub async fn open(addrs: &[SocketAddr], per_instance: usize) -> anyhow::Result<Self> {
        let repolls = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for &addr in addrs {
            let qrs: Vec<Qr> = create_many(addr, per_instance, 4).await?;
            for qr in qrs {
                let repolls = repolls.clone();
                let mut conn = Conn::connect(addr, None).await?;
                tasks.push(tokio::spawn(async move {
                    let req = status_req(&qr, Some((60, 1)));
                    while conn.send(&req).await.is_ok() && conn.read_response().await.is_ok() {
                        repolls.fetch_add(1, Ordering::Relaxed);
                    }
                }));
            }
        }
        Ok(Self { tasks, repolls })
    }

    /// Closes every one (the instances then unsubscribe their sessions).
    pub fn close(self) {
        self.tasks.iter().for_each(|t| t.abort());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commandstats_lines_yield_calls_and_microseconds_per_command() {
        let info = "# Commandstats\r\ncmdstat_publish:calls=3,usec=12,usec_per_call=4.00,rejected_calls=0,failed_calls=0\r\ncmdstat_SUBSCRIBE:calls=2,usec=9,usec_per_call=4.50\r\n";
        let s = parse_commandstats(info);
        assert_eq!(s["publish"], CmdStat { calls: 3, usec: 12 });
        assert_eq!(s["subscribe"], CmdStat { calls: 2, usec: 9 });
        let before = RedisSnapshot::default();
        let after = RedisSnapshot {
            commands: s,
            cpu_s: 0.0,
        };
        assert_eq!(before.calls_between(&after), 5);
    }
}
