//! Latency summaries and process figures from `/proc` (CPU time, resident memory).
//!
//! CPU time of the generator next to the wall time shows whether the generator was the
//! bottleneck; RSS of the server before and after opening waiters gives their cost.

use serde::Serialize;
use std::time::Duration;

/// Percentiles of a latency sample, in microseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Latency {
    /// Number of samples.
    pub count: usize,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// Largest sample.
    pub max_us: u64,
}

impl Latency {
    /// Summarises `samples` (microseconds); sorts them in place.
    pub fn of(samples: &mut [u64]) -> Self {
        samples.sort_unstable();
        let at = |q: f64| -> u64 {
            if samples.is_empty() {
                return 0;
            }
            let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[i]
        };
        Self {
            count: samples.len(),
            p50_us: at(0.50),
            p90_us: at(0.90),
            p99_us: at(0.99),
            max_us: samples.last().copied().unwrap_or(0),
        }
    }

    /// `p50 / p99 / max` in milliseconds, for the report.
    pub fn brief(&self) -> String {
        format!(
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (n = {})",
            ms(self.p50_us),
            ms(self.p99_us),
            ms(self.max_us),
            self.count
        )
    }
}

/// Microseconds as milliseconds.
pub fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ, 100 on Linux/x86).
const TICKS_PER_SEC: f64 = 100.0;

/// User + system CPU time of process `pid` (`None`: this process) so far.
pub fn cpu_time(pid: Option<u32>) -> Option<Duration> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let text = std::fs::read_to_string(path).ok()?;
    // Fields after the `(comm)`, which may itself hold spaces: utime is the 14th field.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_secs_f64((utime + stime) / TICKS_PER_SEC))
}

/// Resident set size of `pid` in bytes (`VmRSS` of `/proc/<pid>/status`).
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// CPU used by the generator and the server during one measured phase.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CpuUse {
    /// Wall time of the phase, seconds.
    pub wall_s: f64,
    /// Generator CPU time / wall time (1.0 = one core busy all along).
    pub generator_cores: f64,
    /// Server CPU time / wall time, when its pid is known.
    pub server_cores: Option<f64>,
}

/// Starts measuring CPU use of this process and of `server`.
pub struct CpuMeter {
    start: std::time::Instant,
    gen: Option<Duration>,
    server_pid: Option<u32>,
    server: Option<Duration>,
}

impl CpuMeter {
    /// Takes the starting readings.
    pub fn start(server_pid: Option<u32>) -> Self {
        Self {
            start: std::time::Instant::now(),
            gen: cpu_time(None),
            server: server_pid.and_then(|p| cpu_time(Some(p))),
            server_pid,
        }
    }

    /// The CPU used since [`CpuMeter::start`], as cores busy on average.
    pub fn stop(&self) -> CpuUse {
        let wall = self.start.elapsed().as_secs_f64().max(1e-9);
        let cores = |from: Option<Duration>, to: Option<Duration>| match (from, to) {
            (Some(a), Some(b)) => Some(b.saturating_sub(a).as_secs_f64() / wall),
            _ => None,
        };
        CpuUse {
            wall_s: wall,
            generator_cores: cores(self.gen, cpu_time(None)).unwrap_or(0.0),
            server_cores: cores(self.server, self.server_pid.and_then(|p| cpu_time(Some(p)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let mut s: Vec<u64> = (1..=100).collect();
        let l = Latency::of(&mut s);
        assert_eq!((l.p50_us, l.p99_us, l.max_us, l.count), (50, 99, 100, 100));
        assert_eq!(Latency::of(&mut []).max_us, 0);
    }

    #[test]
    fn this_process_has_a_cpu_time_and_a_resident_size() {
        assert!(cpu_time(None).is_some());
        assert!(rss_bytes(std::process::id()).unwrap() > 0);
    }
}
