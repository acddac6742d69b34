//! Wake-ups by interest: an instance hears only the sessions it holds waiters for, on a
//! single server and on a 3-master Cluster, and a held waiter is still woken after its
//! session's slot moves to another master.

mod common;

use common::*;
use qrlogin_core::QrId;
use qrlogin_store::redis::RedisStore;
use qrlogin_store::{CasOutcome, QrStore};
use qrlogin_testkit::{cli, redis_available, RedisCluster, RedisServer};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most any one step may take (a bound, not a measurement).
const STEP: Duration = Duration::from_secs(10);

/// Logins in a burst.
const BURST: usize = 40;

/// Four stores on `url`; waiters on the first only, for a burst of sessions each
/// changed through one of the other three. Every waiter is woken, the first store
/// received one notification per session, the idle three none at all.
async fn a_burst_wakes_every_waiter_and_idle_stores_hear_nothing(url: &str) {
    let stores: Vec<Arc<RedisStore>> =
        futures::future::join_all((0..4).map(|_| connect(url))).await;
    let holder = &stores[0];
    let mut held = Vec::new();
    for _ in 0..BURST {
        let s = pending();
        holder.create(&s, purge(&s)).await.unwrap();
        let sub = holder.subscribe(&s.id).await.unwrap();
        held.push((s, sub));
    }
    for (i, (s, _)) in held.iter().enumerate() {
        let writer = &stores[1 + i % 3];
        let next = scanned(s);
        let out = writer.compare_and_set(s.rev, &next, purge(&next)).await;
        assert_eq!(out.unwrap(), CasOutcome::Written);
    }
    for (_, sub) in &mut held {
        woken_within(sub, STEP).await;
    }
    assert_eq!(holder.notifications_received(), BURST as u64);
    for idle in &stores[1..] {
        assert_eq!(
            idle.notifications_received(),
            0,
            "an idle store heard a change"
        );
        assert_eq!(idle.waiters(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_one_server_a_burst_wakes_every_waiter_and_the_three_idle_stores_hear_nothing() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    a_burst_wakes_every_waiter_and_idle_stores_hear_nothing(&redis.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_cluster_a_burst_wakes_every_waiter_and_the_three_idle_stores_hear_nothing() {
    if !redis_available() {
        return;
    }
    let cluster = RedisCluster::start();
    a_burst_wakes_every_waiter_and_idle_stores_hear_nothing(&cluster.url()).await;
}

/// How many subscribers `channel` has on the server at `port` (sharded or plain).
fn subscribers(port: u16, sharded: bool, channel: &str) -> u64 {
    let cmd = if sharded { "SHARDNUMSUB" } else { "NUMSUB" };
    let out = cli(port, &["PUBSUB", cmd, channel]);
    out.lines().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Polls `ok` every 20 ms until it holds; panics after [`STEP`].
async fn eventually(what: &str, mut ok: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(t.elapsed() < STEP, "{what}: not within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn channel_of(id: &QrId) -> String {
    format!("qrl:{{{}}}:ch", id.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_waiter_subscribes_the_session_and_the_last_one_leaving_unsubscribes_it() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let (a, b) = (connect(&redis.url()).await, connect(&redis.url()).await);
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let ch = channel_of(&s.id);
    assert_eq!(subscribers(redis.port, false, &ch), 0, "nobody waits yet");
    let first = a.subscribe(&s.id).await.unwrap();
    assert_eq!(
        subscribers(redis.port, false, &ch),
        1,
        "subscribed before subscribe() answered"
    );
    let second = a.subscribe(&s.id).await.unwrap();
    assert_eq!(subscribers(redis.port, false, &ch), 1, "one per instance");
    drop(first);
    drop(second);
    eventually("the last waiter's leaving unsubscribes", || {
        subscribers(redis.port, false, &ch) == 0
    })
    .await;
    // A change to it, then one to a session A still holds: messages come in order on
    // A's one connection, so once the second has woken its waiter, the first would have
    // been counted had it come.
    let watched = pending();
    a.create(&watched, purge(&watched)).await.unwrap();
    let mut held = a.subscribe(&watched.id).await.unwrap();
    for s in [&s, &watched] {
        let next = scanned(s);
        b.compare_and_set(s.rev, &next, purge(&next)).await.unwrap();
    }
    woken_within(&mut held, STEP).await;
    assert_eq!(
        a.notifications_received(),
        1,
        "only the held session's change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_waiter_is_still_woken_after_its_slot_migrates_to_another_master() {
    if !redis_available() {
        return;
    }
    let cluster = Arc::new(RedisCluster::start());
    let (a, b) = (connect(&cluster.url()).await, connect(&cluster.url()).await);
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let mut sub = a.subscribe(&s.id).await.unwrap();
    let slot = cluster.slot_of(&format!("qrl:{{{}}}", s.id.as_str()));
    let from = cluster.owner_of(slot);
    let to = (from + 1) % 3;
    let ch = channel_of(&s.id);
    assert_eq!(subscribers(cluster.nodes[from].port, true, &ch), 1);
    tokio::task::spawn_blocking({
        let cluster = Arc::clone(&cluster);
        move || cluster.migrate_slot(slot, to)
    })
    .await
    .unwrap();
    assert_eq!(cluster.owner_of(slot), to);
    eventually(
        "the subscription follows the slot to its new master",
        || subscribers(cluster.nodes[to].port, true, &ch) == 1,
    )
    .await;
    let before = a.notifications_received();
    let next = scanned(&s);
    let t = Instant::now();
    loop {
        // B's slot map may be stale for a moment: a refused write changed nothing.
        match b.compare_and_set(s.rev, &next, purge(&next)).await {
            Ok(out) => {
                assert_eq!(out, CasOutcome::Written);
                break;
            }
            Err(e) => assert!(t.elapsed() < STEP, "no write after the migration: {e}"),
        }
    }
    // The waiter's protocol: woken, re-read, wait again until the change is seen (the
    // move itself wakes it once to re-read).
    for _ in 0..3 {
        woken_within(&mut sub, STEP).await;
        if a.get(&s.id).await.unwrap().unwrap().version == next.version {
            break;
        }
    }
    assert_eq!(a.get(&s.id).await.unwrap().unwrap().version, next.version);
    eventually("the change's message arrives from the new master", || {
        a.notifications_received() == before + 1
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_per_login_stay_flat_as_instances_are_added() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let url = redis.url();
    const LOGINS: usize = 32;
    for n in [1usize, 2, 4, 8] {
        let stores: Vec<Arc<RedisStore>> =
            futures::future::join_all((0..n).map(|_| connect(&url))).await;
        let mut held = Vec::new();
        // The PC of login i waits on instance i mod n; its phone goes through the next.
        for i in 0..LOGINS {
            let s = pending();
            stores[i % n].create(&s, purge(&s)).await.unwrap();
            let sub = stores[i % n].subscribe(&s.id).await.unwrap();
            held.push((s, sub));
        }
        for (i, (s, _)) in held.iter().enumerate() {
            let next = scanned(s);
            let writer = &stores[(i + 1) % n];
            writer
                .compare_and_set(s.rev, &next, purge(&next))
                .await
                .unwrap();
        }
        for (_, sub) in &mut held {
            woken_within(sub, STEP).await;
        }
        let heard: Vec<u64> = stores.iter().map(|s| s.notifications_received()).collect();
        let total: u64 = heard.iter().sum();
        eprintln!(
            "fan-out: {n} instance(s), {LOGINS} changes: {:.2} notifications per change in all, {:.3} per instance per change; per instance {heard:?}",
            total as f64 / LOGINS as f64,
            total as f64 / LOGINS as f64 / n as f64,
        );
        // One per change, whatever the number of instances (before: n per change).
        assert_eq!(total, LOGINS as u64);
    }
}
