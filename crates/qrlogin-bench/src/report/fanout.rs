//! The fan-out part of the report: its target rows (flat notifications, confirm → PC
//! p99 per size) and its detail table with Redis' per-login and per-arrival figures.

use super::targets::{flat, CONFIRM_P99_ACROSS_MS, CONFIRM_P99_SAME_MS, FLAT_FACTOR, FLAT_SLACK};
use super::{met, why};
use crate::scenarios::fanout::{FanoutResult, FanoutRow};
use crate::stats::ms;
use crate::suite::Run;
use std::fmt::Write as _;

/// Whether every size's largest per-instance figure is flat against the first size's,
/// and no instance out of use heard anything.
pub(crate) fn is_flat(r: &FanoutResult) -> bool {
    let Some(first) = r.rows.first() else {
        return false;
    };
    r.rows.iter().all(|row| {
        flat(first.per_instance_per_login, row.per_instance_per_login_max)
            && row.unused_notifications == 0
    })
}

/// The confirm → PC p99 target of a size: one instance confirms where the PC waits.
fn p99_target(row: &FanoutRow) -> f64 {
    if row.instances == 1 {
        CONFIRM_P99_SAME_MS
    } else {
        CONFIRM_P99_ACROSS_MS
    }
}

/// Rows of the target table.
pub(super) fn target_rows(o: &mut String, r: &Run<FanoutResult>) {
    let target = format!(
        "flat: at every N, each instance ≤ the 1-instance figure × {FLAT_FACTOR} + {FLAT_SLACK}; instances not in use hear 0"
    );
    let Run::Done(f) = r else {
        let _ = writeln!(
            o,
            "| fan-out: notifications per instance per login | {target} | {} | - |",
            why(r)
        );
        return;
    };
    let figures: Vec<String> = f
        .rows
        .iter()
        .map(|row| {
            format!(
                "N={}: {:.2} (max {:.2}, not in use {})",
                row.instances,
                row.per_instance_per_login,
                row.per_instance_per_login_max,
                row.unused_notifications
            )
        })
        .collect();
    let _ = writeln!(
        o,
        "| fan-out: notifications per instance per login, 1 → {} instances | {target} | {} | {} |",
        f.rows.last().map_or(0, |r| r.instances),
        figures.join("; "),
        met(is_flat(f))
    );
    for row in &f.rows {
        let want = p99_target(row);
        let p99 = ms(row.latency.p99_us);
        let ok = row.failed == 0 && row.logins > 0 && p99 <= want;
        let _ = writeln!(
            o,
            "| confirm → PC answered, fan-out, {} instance(s), long poll | p99 ≤ {want} ms | p99 {p99:.2} ms, {} logins, {} failed | {} |",
            row.instances,
            row.logins,
            row.failed,
            met(ok)
        );
    }
}

/// The detail section.
pub(super) fn details(o: &mut String, r: &Run<FanoutResult>) {
    let _ = writeln!(o, "\n## Fan-out: 1, 2, 4 and 8 instances on one Redis\n");
    let Run::Done(f) = r else {
        let _ = writeln!(o, "{}", why(r));
        return;
    };
    let _ = writeln!(
        o,
        "Idle long polls are held on every instance in use; logins run at a fixed rate per \
         instance: the PC creates and long-polls on instance k mod N, the phone scans \
         and confirms on instance k+1 mod N (each instance has its own `--db memory`, so the \
         redeem is left out). \"Per instance per login\": notifications an \
         instance received (`qrlogin_store_notifications_total`) per login whose PC it held; \
         with one channel heard by every instance it would be N × the messages of a login. \
         Redis figures from `INFO commandstats` / `INFO cpu` of the instances' own Redis; the \
         long-poll arrival cost is the `SUBSCRIBE` + `UNSUBSCRIBE` work per long poll that \
         arrived.\n"
    );
    let _ = writeln!(
        o,
        "| N | logins asked / done / failed | logins/s | idle waiters | notifications by instance | per instance per login (mean / max) | all per login | not in use | confirm → PC p50 / p99 ms | `PUBLISH` per login (µs each) | arrival: sub cmds / Redis µs | Redis commands / CPU µs per login |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for row in &f.rows {
        let heard: Vec<String> = row.notifications.iter().map(u64::to_string).collect();
        let redis =
            row.redis
                .as_ref()
                .map_or(["-".to_owned(), "-".to_owned(), "-".to_owned()], |c| {
                    [
                        format!("{:.2} ({:.2})", c.publishes_per_login, c.publish_us),
                        format!("{:.2} / {:.2}", c.sub_commands_per_arrival, c.arrival_us),
                        format!("{:.1} / {:.0}", c.commands_per_login, c.cpu_us_per_login),
                    ]
                });
        let _ = writeln!(
            o,
            "| {} | {} / {} / {} | {:.0} | {} | {} | {:.2} / {:.2} | {:.2} | {} | {:.2} / {:.2} | {} | {} | {} |",
            row.instances,
            row.asked,
            row.logins,
            row.failed,
            row.per_sec,
            row.idle_waiters,
            heard.join(", "),
            row.per_instance_per_login,
            row.per_instance_per_login_max,
            row.total_per_login,
            row.unused_notifications,
            ms(row.latency.p50_us),
            ms(row.latency.p99_us),
            redis[0],
            redis[1],
            redis[2]
        );
    }
    if let Some(e) = f.rows.iter().find_map(|r| r.first_error.as_deref()) {
        let _ = writeln!(o, "\nFirst failure: {e}");
    }
}
