//! The figures of the `fanout` scenario: one row per size, and how they are derived from
//! the counts read around a run (notifications per instance, Redis' command stats).

use super::fanout_probe::RedisSnapshot;
use crate::stats::Latency;
use serde::Serialize;
/// Redis' work during one size's logins.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RedisCost {
    /// `PUBLISH` calls per login (from the transition scripts).
    pub publishes_per_login: f64,
    /// Redis µs per `PUBLISH`, delivery to the subscribers included.
    pub publish_us: f64,
    /// Long polls that arrived during the run (one per login, plus idle re-polls).
    pub arrivals: u64,
    /// `SUBSCRIBE` + `UNSUBSCRIBE` commands per arrival (one command may carry several
    /// channels: the subscriber batches).
    pub sub_commands_per_arrival: f64,
    /// Their Redis µs per arrival: the long-poll arrival cost.
    pub arrival_us: f64,
    /// Every command per login, those the transition scripts run inside included.
    pub commands_per_login: f64,
    /// Redis CPU (`used_cpu_sys + used_cpu_user`) per login, µs.
    pub cpu_us_per_login: f64,
}

/// One size's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FanoutRow {
    /// Instances in use.
    pub instances: usize,
    /// Logins asked for (rate × N × duration).
    pub asked: u64,
    /// Logins completed (the PC's long poll answered `confirmed`).
    pub logins: u64,
    /// Logins that failed; the first error is in `first_error`.
    pub failed: u64,
    /// The first failure, if any.
    pub first_error: Option<String>,
    /// Completed logins per second, all instances.
    pub per_sec: f64,
    /// Idle long polls held, all instances.
    pub idle_waiters: usize,
    /// Completed logins whose PC each instance held.
    pub logins_by_instance: Vec<u64>,
    /// Notifications each instance in use received during the run.
    pub notifications: Vec<u64>,
    /// Notifications the instances not in use received (must be 0).
    pub unused_notifications: u64,
    /// Mean over instances of notifications per login whose PC it held.
    pub per_instance_per_login: f64,
    /// The largest of those.
    pub per_instance_per_login_max: f64,
    /// All notifications per login.
    pub total_per_login: f64,
    /// Confirm sent → the PC's long poll answered.
    pub latency: Latency,
    /// Redis' side, when its URL was given.
    pub redis: Option<RedisCost>,
}

/// Every size run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FanoutResult {
    /// Instances given (the largest size possible).
    pub instances: usize,
    /// One row per size, smallest first.
    pub rows: Vec<FanoutRow>,
}

/// The per-login ratios of a row from its counts.
pub(crate) fn figures(row: &mut FanoutRow) {
    let per: Vec<f64> = row
        .notifications
        .iter()
        .zip(&row.logins_by_instance)
        .filter(|(_, &l)| l > 0)
        .map(|(&h, &l)| h as f64 / l as f64)
        .collect();
    row.per_instance_per_login = per.iter().sum::<f64>() / per.len().max(1) as f64;
    row.per_instance_per_login_max = per.iter().copied().fold(0.0, f64::max);
    let total: u64 = row.notifications.iter().sum();
    row.total_per_login = total as f64 / row.logins.max(1) as f64;
}

/// Redis' work between two snapshots, per login and per long-poll arrival.
pub(crate) fn cost(a: &RedisSnapshot, b: &RedisSnapshot, logins: u64, arrivals: u64) -> RedisCost {
    let per = |x: f64, n: u64| x / n.max(1) as f64;
    let publish = a.delta(b, "publish");
    let sub = a.delta(b, "subscribe");
    let unsub = a.delta(b, "unsubscribe");
    RedisCost {
        publishes_per_login: per(publish.calls as f64, logins),
        publish_us: per(publish.usec as f64, publish.calls),
        arrivals,
        sub_commands_per_arrival: per((sub.calls + unsub.calls) as f64, arrivals),
        arrival_us: per((sub.usec + unsub.usec) as f64, arrivals),
        commands_per_login: per(a.calls_between(b) as f64, logins),
        cpu_us_per_login: per((b.cpu_s - a.cpu_s) * 1e6, logins),
    }
}
