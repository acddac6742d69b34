//! Password guessing: every attempt is counted before argon2 runs, so concurrency does
//! not slip guesses under the limit; the argon2 pool is bounded; a guesser cannot lock
//! the real user out; counters are shared through Redis.

use crate::helpers::*;
use futures::future::join_all;
use qrlogin_server::limits::Limits;
use qrlogin_server::Config;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_concurrent_wrong_passwords_run_at_most_ten_password_checks() {
    let app = spawn_app(behind_proxy()).await;
    let before = app.state.passwords.checks();
    let answers =
        join_all((0..40).map(|_| login_from(&app, "203.0.113.66", "alice", "guess"))).await;
    let checked = app.state.passwords.checks() - before;
    assert!(
        checked <= 10,
        "{checked} passwords were checked, the limit is 10"
    );
    let mut limited = 0;
    for res in answers {
        match res.status().as_u16() {
            401 => {}
            429 => {
                assert!(retry_after(&res) >= 1);
                assert_eq!(code(res).await, "rate_limited");
                limited += 1;
            }
            s => panic!("unexpected status {s}"),
        }
    }
    assert!(limited >= 30, "only {limited} of 40 guesses were refused");
}

/// The process's peak resident memory so far, in KiB (Linux `VmHWM`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Set in the child process that measures memory alone.
const MEMORY_CHILD: &str = "QRLOGIN_ABUSE_MEMORY_CHILD";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_concurrent_checks_from_forty_addresses_run_two_at_a_time_in_bounded_memory() {
    // Peak memory is process-wide, and other tests of this binary start servers that
    // hash passwords too: the measurement runs in a process of its own (this very test,
    // alone, in a child).
    if std::env::var_os(MEMORY_CHILD).is_none() {
        let name = "brute_force::forty_concurrent_checks_from_forty_addresses_run_two_at_a_time_in_bounded_memory";
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([name, "--exact", "--test-threads=1"])
            .env(MEMORY_CHILD, "1")
            .status()
            .expect("the test binary runs");
        assert!(
            status.success(),
            "the measurement in a child process failed"
        );
        return;
    }
    let limits = Limits {
        argon2_workers: 2,
        argon2_queue_wait: Duration::from_secs(60),
        ..Limits::default()
    };
    let app = spawn_app(Config {
        limits,
        ..behind_proxy()
    })
    .await;
    let before = peak_rss_kib().expect("Linux /proc/self/status");
    let ips: Vec<String> = (0..40).map(|i| format!("198.51.100.{i}")).collect();
    let answers = join_all(ips.iter().map(|ip| login_from(&app, ip, "bob", "wrong"))).await;
    assert!(answers.iter().all(|r| r.status() == 401));
    assert!(app.state.passwords.peak_running() <= 2);
    // Forty argon2 checks at once would touch 40 × 19 MiB; two at a time, 38 MiB.
    let grew = peak_rss_kib().unwrap().saturating_sub(before) / 1024;
    assert!(grew < 300, "peak memory grew by {grew} MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attacker_hammering_alice_does_not_lock_her_out_from_elsewhere() {
    let limits = Limits {
        login_slowdown: Duration::from_millis(1),
        ..Limits::default()
    };
    let app = spawn_app(Config {
        limits,
        ..behind_proxy()
    })
    .await;
    let mut refused = 0;
    for _ in 0..40 {
        let res = login_from(&app, "203.0.113.66", "alice", "hunter2").await;
        if res.status() == 429 {
            assert!(retry_after(&res) >= 1);
            refused += 1;
        }
    }
    assert_eq!(refused, 30, "the attacker's own budget is ten tries");
    let right = login_from(&app, "203.0.113.66", "alice", "alice-demo").await;
    assert_eq!(right.status(), 429, "the attacker's address stays limited");
    // Spread over many addresses, guesses for alice are slowed, never refused.
    for i in 0..40 {
        let res = login_from(&app, &format!("192.0.2.{i}"), "alice", "hunter2").await;
        assert_eq!(res.status(), 401);
    }
    let alice = login_from(&app, "198.51.100.7", "alice", "alice-demo").await;
    assert_eq!(alice.status(), 200, "alice, from her own address, signs in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_redis_store_every_instance_counts_against_the_same_limit() {
    if !qrlogin_testkit::redis_available() {
        eprintln!("redis-server not installed; skipped");
        return;
    }
    let redis = qrlogin_testkit::RedisServer::start();
    let config = || Config {
        store: redis.url(),
        ..behind_proxy()
    };
    let (a, b) = (spawn_app(config()).await, spawn_app(config()).await);
    for i in 0..10 {
        let app = if i % 2 == 0 { &a } else { &b };
        assert_eq!(
            login_from(app, "203.0.113.9", "bob", "nope").await.status(),
            401
        );
    }
    let res = login_from(&b, "203.0.113.9", "bob", "nope").await;
    assert_eq!(res.status(), 429);
    assert!(retry_after(&res) >= 1);
}
