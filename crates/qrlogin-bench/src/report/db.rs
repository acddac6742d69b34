//! The report's rows for the database on the path, password sign-ins and OAuth against
//! the peer: their lines of the targets table, and their detail section.

use super::{k, met, why};
use crate::scenarios::exchange::ExchangeResult;
use crate::scenarios::flow::FlowResult;
use crate::scenarios::status::Throughput;
use crate::stats::ms;
use crate::suite::{Results, Run};
use crate::suite_db::PAIRS;
use std::fmt::Write as _;

/// Full logins with a database, as a share of the same store with `--db memory`.
const DB_SHARE: f64 = 0.70;
/// qrlogin's OAuth endpoints against the peer's, in the same run.
const PEER_FACTOR: f64 = 5.0;
/// "A password burst never starves the rest": status polls keep at least this share.
/// The pool hashes on one blocking thread per core, so during a burst the kernel
/// shares the cores between those threads, the async workers and the generator: the
/// polls keep roughly a third to a half. Hashing on the async workers instead would
/// stall every poll queued behind a hash for tens of milliseconds each, and the share
/// would fall towards zero; a third is the line between the two.
const STATUS_SHARE: f64 = 1.0 / 3.0;
/// Memory of one argon2id check (the crate's default, m = 19,456 KiB).
const ARGON2_BYTES: f64 = 19_456.0 * 1024.0;
/// Argon2 blocks the bound allows per core: the pool runs one check per core on a
/// thread of its own that keeps its block for the next check (one block per core),
/// and as much again for what else the burst allocates (tokens, connections, the
/// allocator's slack).
const BLOCKS_PER_CORE: f64 = 2.0;
/// "Memory never grows without bound": peak growth of at most two argon2 blocks per
/// core, whatever the burst. Unbounded hashing grows with the burst instead (32 in
/// flight: 608 MiB); hashing on tokio's blocking threads left a freed block in each
/// malloc arena they used (glibc: up to 8 per core, ~300 MiB here).
fn memory_bound() -> f64 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    BLOCKS_PER_CORE * cores as f64 * ARGON2_BYTES
}

fn mib(b: u64) -> String {
    format!("{:.0} MiB", b as f64 / 1024.0 / 1024.0)
}

fn flow_of(r: &Run<FlowResult>) -> Result<&FlowResult, String> {
    match r {
        Run::Done(f) => Ok(f),
        other => Err(why(other)),
    }
}

/// The lines of the targets table (the caller closes the table).
pub(super) fn target_rows(o: &mut String, r: &Results) {
    let d = &r.db;
    for (base, with) in [(0, 1), (2, 3)] {
        let (measured, verdict) = match (flow_of(&d.flows[with]), flow_of(&d.flows[base])) {
            (Ok(w), Ok(b)) if b.flows.per_sec > 0.0 => {
                let q = w.flows.per_sec / b.flows.per_sec;
                (
                    format!(
                        "{} logins/s = {:.0} % of {} logins/s",
                        k(w.flows.per_sec),
                        q * 100.0,
                        k(b.flows.per_sec)
                    ),
                    met(q >= DB_SHARE),
                )
            }
            (Err(e), _) | (_, Err(e)) => (e, "-"),
            _ => ("no baseline figure".into(), "-"),
        };
        let _ = writeln!(
            o,
            "| full logins, {} | ≥ {:.0} % of {} | {measured} | {verdict} |",
            PAIRS[with],
            DB_SHARE * 100.0,
            PAIRS[base]
        );
    }
    match &d.passwords {
        Run::Done(p) => {
            let _ = writeln!(o, "| phone password sign-ins (argon2-bound) | reported | {:.0} /s with {} in flight ({} answered 429 busy) | - |",
                p.logins.per_sec, p.burst, p.busy);
            let share = p.status_share();
            let _ = writeln!(o, "| status polls during a password burst | ≥ {:.0} % of without | {} /s = {:.0} % of {} /s | {} |",
                STATUS_SHARE * 100.0, k(p.status_during.per_sec), share * 100.0, k(p.status_alone.per_sec), met(share >= STATUS_SHARE));
            let (measured, verdict) = match (p.rss_before, p.rss_peak.max(p.rss_after)) {
                (Some(a), Some(b)) => (
                    format!(
                        "{} → {} peak, {} after",
                        mib(a),
                        mib(b),
                        mib(p.rss_after.unwrap_or(b))
                    ),
                    met((b.saturating_sub(a) as f64) <= memory_bound()),
                ),
                _ => ("server pid unknown".into(), "-"),
            };
            let _ = writeln!(o, "| server RSS during a password burst | growth ≤ {:.0} MiB (two argon2 blocks per core) | {measured} | {verdict} |",
                memory_bound() / 1024.0 / 1024.0);
        }
        other => {
            let _ = writeln!(
                o,
                "| phone password sign-ins | reported | {} | - |",
                why(other)
            );
        }
    }
    for (name, ours, theirs) in oauth_pairs(r) {
        let (measured, verdict) = match (ours, theirs) {
            (Ok(q), Ok(p)) if p.per_sec > 0.0 => {
                let x = q.per_sec / p.per_sec;
                (
                    format!("{} /s vs peer {} /s = {x:.1}×", k(q.per_sec), k(p.per_sec)),
                    met(x >= PEER_FACTOR),
                )
            }
            (Err(e), _) | (_, Err(e)) => (e, "-"),
            _ => ("no peer figure".into(), "-"),
        };
        let _ = writeln!(
            o,
            "| OAuth {name} | ≥ {PEER_FACTOR:.0}× the oidc-provider peer | {measured} | {verdict} |"
        );
    }
}

type Side<'a> = Result<&'a Throughput, String>;

/// (what, qrlogin, peer) for device authorization, device polls and code exchange.
fn oauth_pairs(r: &Results) -> [(&'static str, Side<'_>, Side<'_>); 3] {
    let d = &r.db;
    let ours = |f: fn(&crate::scenarios::oauth::OAuthResult) -> &Throughput| match &d.oauth {
        Run::Done(x) => Ok(f(x)),
        other => Err(why(other)),
    };
    let peer = |f: fn(&crate::scenarios::peer::PeerResult) -> &Throughput| match &r.peer {
        Run::Done(x) => Ok(f(x)),
        other => Err(why(other)),
    };
    let peer_x: Side<'_> = match &d.peer_exchange {
        Run::Done(x) => Ok(&x.exchanges),
        other => Err(why(other)),
    };
    [
        (
            "device authorization",
            ours(|x| &x.device_auth),
            peer(|p| &p.creates),
        ),
        (
            "device-token polls (not yet)",
            ours(|x| &x.device_polls),
            peer(|p| &p.polls),
        ),
        (
            "authorization-code exchange (PKCE)",
            ours(|x| &x.exchange.exchanges),
            peer_x,
        ),
    ]
}

fn cpu(t: &Throughput) -> String {
    let server = t.cpu.server_cores.map_or("?".into(), |c| format!("{c:.2}"));
    format!("{:.2} / {server}", t.cpu.generator_cores)
}

fn minted(x: &ExchangeResult) -> String {
    format!(
        "{} codes minted in {:.1} s, {} round(s)",
        x.minted, x.mint_s, x.rounds
    )
}

/// The detail section.
pub(super) fn details(o: &mut String, r: &Results) {
    let d = &r.db;
    let _ = writeln!(o, "\n## The database on the path\n\nFull logins (create, scan, confirm, status, redeem) on fresh servers that differ only in `--db`; each database right after its `--db memory` baseline.\n");
    let _ = writeln!(o, "| store + database | logins/s | of baseline | errors | p50 ms | p99 ms | CPU gen / server |\n| --- | --- | --- | --- | --- | --- | --- |");
    for (i, name) in PAIRS.iter().enumerate() {
        match &d.flows[i] {
            Run::Done(f) => {
                let base = flow_of(&d.flows[i - i % 2]).ok().map(|b| b.flows.per_sec);
                let of = match base {
                    Some(b) if i % 2 == 1 && b > 0.0 => {
                        format!("{:.0} %", f.flows.per_sec / b * 100.0)
                    }
                    _ => "-".into(),
                };
                let l = &f.flow_latency;
                let _ = writeln!(
                    o,
                    "| {name} | {} | {of} | {} | {:.2} | {:.2} | {} |",
                    k(f.flows.per_sec),
                    f.flows.errors,
                    ms(l.p50_us),
                    ms(l.p99_us),
                    cpu(&f.flows)
                );
            }
            other => {
                let _ = writeln!(o, "| {name} | {} | | | | | |", why(other));
            }
        }
    }
    let _ = writeln!(o, "\n## Phone password sign-ins\n");
    match &d.passwords {
        Run::Done(p) => {
            let l = &p.login_latency;
            let _ = writeln!(o, "{} sign-ins in flight (`POST /api/v1/auth/login`, alice and bob) on the memory store + SQLite server: {:.0} sign-ins/s, \
                p50 {:.0} ms, p99 {:.0} ms, {} errors of which {} were 429 (no argon2 worker free within the queue wait). \
                argon2id bounds this figure: each check takes ~19 MiB and tens of milliseconds of a core, on a pool of one worker per core.\n",
                p.burst, p.logins.per_sec, ms(l.p50_us), ms(l.p99_us), p.logins.errors, p.busy);
            let _ = writeln!(o, "| status short polls, same server | per second | CPU gen / server |\n| --- | --- | --- |");
            let _ = writeln!(
                o,
                "| alone | {} | {} |",
                k(p.status_alone.per_sec),
                cpu(&p.status_alone)
            );
            let _ = writeln!(
                o,
                "| during the burst | {} ({:.0} %) | {} (sign-ins and polls) |\n",
                k(p.status_during.per_sec),
                p.status_share() * 100.0,
                cpu(&p.logins)
            );
            let rss = |b: Option<u64>| b.map_or("?".into(), mib);
            let _ = writeln!(o, "Server RSS: {} before the burst, {} at its highest during it, {} after. \
                Thresholds: status polls keep ≥ {:.0} % (hashing on the async workers would take them towards 0 %); \
                RSS grows by at most two argon2 blocks per core ({:.0} MiB here: each pool thread keeps one block for its next check; \
                unbounded, {} in flight would need {:.0} MiB).",
                rss(p.rss_before), rss(p.rss_peak), rss(p.rss_after), STATUS_SHARE * 100.0,
                memory_bound() / 1024.0 / 1024.0, p.burst, p.burst as f64 * ARGON2_BYTES / 1024.0 / 1024.0);
        }
        other => {
            let _ = writeln!(o, "{}", why(other));
        }
    }
    let _ = writeln!(o, "\n## OAuth 2.0 against the oidc-provider peer\n\nqrlogin (memory store, `--db memory`, client `demo`) and the peer (its in-memory adapter, ID tokens ES256 on both sides), same generator, same run.\n");
    let _ = writeln!(o, "| what | qrlogin /s | peer /s | qrlogin ÷ peer | errors qrlogin / peer | CPU server qrlogin / peer |\n| --- | --- | --- | --- | --- | --- |");
    for (name, ours, theirs) in oauth_pairs(r) {
        let cell = |s: &Side<'_>| s.as_ref().map_or_else(|e| e.clone(), |t| k(t.per_sec));
        let x = match (&ours, &theirs) {
            (Ok(q), Ok(p)) if p.per_sec > 0.0 => format!("{:.1}×", q.per_sec / p.per_sec),
            _ => "-".into(),
        };
        let errs = |s: &Side<'_>| s.as_ref().map_or("-".into(), |t| t.errors.to_string());
        let srv = |s: &Side<'_>| {
            s.as_ref()
                .ok()
                .and_then(|t| t.cpu.server_cores)
                .map_or("?".into(), |c| format!("{c:.2}"))
        };
        let _ = writeln!(
            o,
            "| {name} | {} | {} | {x} | {} / {} | {} / {} |",
            cell(&ours),
            cell(&theirs),
            errs(&ours),
            errs(&theirs),
            srv(&ours),
            srv(&theirs)
        );
    }
    let _ = writeln!(o);
    if let Run::Done(q) = &d.oauth {
        let _ = writeln!(o, "Device polls: {} pending device codes polled round-robin, faster than the 5 s interval, so qrlogin answers `{}` \
            (RFC 8628 §3.5: the interval grows, recorded on every poll) where the peer answers `authorization_pending`; both count as \"not yet\". \
            Code exchange: codes minted before the timed phase, qrlogin through whole authorize flows (authorize session, phone scan and confirm, complete: {}), \
            the peer through its loopback helper `POST /bench/codes` in batches of 200 (its store is an LRU of 1000 entries){}; only `POST` to the token endpoint is timed.",
            crate::suite_db::DEVICE_CODES, q.poll_answer, minted(&q.exchange),
            d.peer_exchange.done().map_or(String::new(), |p| format!(": {}", minted(p))));
    }
}
