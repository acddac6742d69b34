//! The detail tables of the report: throughput with CPU use, single-confirm latency,
//! mass waiters, Redis memory.

use super::{k, ratio, why, WRK_CEILING};
use crate::push::Transport;
use crate::scenarios::status::Throughput;
use crate::scenarios::waiters::{label, WAYS};
use crate::stats::{ms, Latency};
use crate::suite::{Results, Run};
use std::fmt::Write as _;

fn cpu(t: &Throughput) -> String {
    let server = t.cpu.server_cores.map_or("?".into(), |c| format!("{c:.2}"));
    format!("{:.2} / {server}", t.cpu.generator_cores)
}

fn throughput_row(o: &mut String, name: &str, r: &Run<Throughput>, ceil: Option<&Throughput>) {
    match r {
        Run::Done(t) => {
            let q = ratio(t, ceil).map_or("-".into(), |q| format!("{:.0} %", q * 100.0));
            let _ = writeln!(
                o,
                "| {name} | {} | {q} | {} | {} |",
                k(t.per_sec),
                t.errors,
                cpu(t)
            );
        }
        other => {
            let _ = writeln!(o, "| {name} | {} | | | |", why(other));
        }
    }
}

fn lat_cells(l: &Latency) -> String {
    format!(
        "{:.2} | {:.2} | {:.2} | {}",
        ms(l.p50_us),
        ms(l.p99_us),
        ms(l.max_us),
        l.count
    )
}

pub(super) fn details(o: &mut String, r: &Results, ceil: Option<&Throughput>) {
    let _ = writeln!(o, "## Throughput\n\nCPU columns: cores busy on average during the run (generator / server; 2 cores in all).\n");
    let _ = writeln!(o, "| what | per second | of ceiling | errors | CPU gen / server |\n| --- | --- | --- | --- | --- |");
    throughput_row(o, "ceiling `GET /status/{id}`", &r.ceiling, ceil);
    throughput_row(o, "status short poll, memory", &r.status[0], ceil);
    throughput_row(o, "status short poll, Redis", &r.status[1], ceil);
    for (i, store) in ["memory", "Redis"].into_iter().enumerate() {
        let flows = match &r.flow[i] {
            Run::Done(f) => Run::Done(f.flows.clone()),
            Run::NotRun(w) => Run::NotRun(w.clone()),
            Run::Failed(w) => Run::Failed(w.clone()),
        };
        throughput_row(
            o,
            &format!("full logins (5 requests each), {store}"),
            &flows,
            ceil,
        );
    }
    if let Run::Done(p) = &r.peer {
        throughput_row(
            o,
            "peer oidc-provider: token poll (`authorization_pending`)",
            &Run::Done(p.polls.clone()),
            ceil,
        );
        throughput_row(
            o,
            "peer oidc-provider: `/device/auth` (create)",
            &Run::Done(p.creates.clone()),
            ceil,
        );
    } else {
        let _ = writeln!(o, "| peer oidc-provider | {} | | | |", why(&r.peer));
    }
    let _ = writeln!(o, "\n**Is the generator the bottleneck?** ");
    match ceil {
        Some(c) => {
            let _ = writeln!(o, "Against the ceiling this generator reached {} req/s ({:.0} % of wrk's {} reference on such a machine) using {:.2} cores; \
                it is one thread (like `wrk -t1`), so the server has the rest of the machine.\n",
                k(c.per_sec), c.per_sec / WRK_CEILING * 100.0, k(WRK_CEILING), c.cpu.generator_cores);
        }
        None => {
            let _ = writeln!(o, "(no ceiling run)\n");
        }
    }
    for (i, store) in ["memory", "Redis"].into_iter().enumerate() {
        if let Run::Done(f) = &r.flow[i] {
            let _ = writeln!(
                o,
                "One login, {store}, under load: p50 {:.2} ms, p99 {:.2} ms.\n",
                ms(f.flow_latency.p50_us),
                ms(f.flow_latency.p99_us)
            );
        }
    }
    let _ = writeln!(o, "## Confirm → waiting PC answered, one login at a time\n\n| where | transport | p50 ms | p99 ms | max ms | n |\n| --- | --- | --- | --- | --- | --- |");
    for (i, name) in [
        "memory",
        "Redis, same instance",
        "Redis, across two instances",
    ]
    .into_iter()
    .enumerate()
    {
        for (tr, l) in Transport::ALL.iter().zip(&r.latency[i]) {
            match l {
                Run::Done(l) => {
                    let _ = writeln!(
                        o,
                        "| {name} | {} | {} |",
                        l.transport.name(),
                        lat_cells(&l.latency)
                    );
                }
                other => {
                    let _ = writeln!(o, "| {name} | {} | {} | | | |", tr.name(), why(other));
                }
            }
        }
    }
    let _ = writeln!(o, "\n## Many PCs waiting at once, then all confirmed\n\nLatency: each PC's confirm sent → its answer, while all confirms go out over 32 connections.\n");
    let _ = writeln!(o, "| store | transport | held / asked | server RSS per waiter | open s | confirm s | answered | p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (i, store) in ["memory", "Redis"].into_iter().enumerate() {
        for ((tr, http2), w) in WAYS.iter().zip(&r.waiters[i]) {
            match w {
                Run::Done(w) => {
                    let per = w
                        .bytes_per_waiter
                        .map_or("?".into(), |b| format!("{b:.0} B"));
                    let l = &w.latency;
                    let _ = writeln!(o, "| {store} | {} | {} / {} | {per} | {:.1} | {:.1} | {} | {:.1} | {:.1} | {:.1} |",
                        label(w.transport, w.http2), w.held, w.wanted, w.open_s, w.confirm_s, w.answered, ms(l.p50_us), ms(l.p99_us), ms(l.max_us));
                }
                other => {
                    let _ = writeln!(
                        o,
                        "| {store} | {} | {} | | | | | | | |",
                        label(*tr, *http2),
                        why(other)
                    );
                }
            }
        }
    }
    let _ = writeln!(o, "\n## Redis memory per pending QR session\n");
    match &r.redis_memory {
        Run::Done(m) => {
            let _ = writeln!(o, "{} sessions: `MEMORY USAGE` {:.0} B per session (session hash {:.0} B + poll index {:.0} B); `used_memory` grew {:.0} B per session.",
                m.sessions, m.usage_per_session, m.hash_per_session, m.usage_per_session - m.hash_per_session, m.used_memory_per_session);
        }
        other => {
            let _ = writeln!(o, "{}", why(other));
        }
    }
}
