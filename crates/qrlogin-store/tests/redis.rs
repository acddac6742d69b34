//! The Redis backend against private `redis-server`s: round trips, cross-instance
//! wake-ups and races, Redis dying and coming back, memory per session, Cluster and
//! Sentinel. Each test starts its own server(s) on free loopback ports (see
//! `qrlogin_testkit::redis`).

use futures::StreamExt;
use qrlogin_core::time::now_ms;
use qrlogin_core::{
    DeviceInfo, Lifetimes, QrId, QrSession, QrState, Requester, Scanner, Secret, SecretKind,
};
use qrlogin_store::redis::RedisStore;
use qrlogin_store::{CasOutcome, QrStore, StoreError};
use qrlogin_testkit::{redis_available, RedisCluster, RedisSentinel, RedisServer};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A pending session as a real browser would make it (a full Chrome `User-Agent`).
fn pending() -> QrSession {
    QrSession::new(
        QrId::generate(),
        Secret::generate(SecretKind::Poll).hash(),
        Requester {
            device: Some(DeviceInfo {
                id: None,
                kind: Some("web".into()),
                name: Some("Chrome on Windows".into()),
            }),
            ip: "203.0.113.7".into(),
            user_agent: Some(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
                    .into(),
            ),
        },
        now_ms(),
        &Lifetimes::default(),
    )
}

fn scanned(s: &QrSession) -> QrSession {
    let mut n = s.clone();
    n.state = QrState::Scanned;
    n.version += 1;
    n.rev += 1;
    n.scanner = Some(Scanner {
        account_id: "acc_alice".into(),
        device_id: "phone-1".into(),
        display_name: "Alice".into(),
        avatar_url: None,
        ticket_hash: Secret::generate(SecretKind::ScanTicket).hash(),
    });
    n
}

fn purge(s: &QrSession) -> i64 {
    s.purge_at(&Lifetimes::default())
}

async fn connect(url: &str) -> Arc<RedisStore> {
    RedisStore::connect(url).await.expect("connects")
}

/// Waits for `sub` to be woken, and says how long it took.
async fn woken_within(sub: &mut qrlogin_store::Subscription, limit: Duration) -> Duration {
    let t = Instant::now();
    tokio::time::timeout(limit, sub.changed())
        .await
        .expect("the waiter was not woken in time");
    t.elapsed()
}

#[tokio::test]
async fn a_session_round_trips_and_is_found_by_its_poll_hash() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    let s = pending();
    store.create(&s, purge(&s)).await.unwrap();
    assert_eq!(store.get(&s.id).await.unwrap(), Some(s.clone()));
    assert_eq!(
        store.find_by_poll_hash(&s.poll_hash).await.unwrap(),
        Some(s.id.clone())
    );
    let next = scanned(&s);
    assert_eq!(
        store.compare_and_set(1, &next, purge(&next)).await.unwrap(),
        CasOutcome::Written
    );
    assert_eq!(
        store.compare_and_set(1, &next, purge(&next)).await.unwrap(),
        CasOutcome::Conflict
    );
    assert_eq!(store.get(&s.id).await.unwrap(), Some(next));
    assert_eq!(store.get(&QrId::generate()).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_on_one_instance_is_woken_by_a_change_on_another() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let (a, b) = (connect(&redis.url()).await, connect(&redis.url()).await);
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let mut sub = b.subscribe(&s.id).await.unwrap();
    assert_eq!(b.waiters(), 1);
    let next = scanned(&s);
    let t = Instant::now();
    assert_eq!(
        a.compare_and_set(1, &next, purge(&next)).await.unwrap(),
        CasOutcome::Written
    );
    woken_within(&mut sub, Duration::from_secs(1)).await;
    let took = t.elapsed();
    eprintln!("cross-instance wake-up: {took:?} from CAS start on A to waiter woken on B");
    assert!(took < Duration::from_secs(1));
    assert_eq!(b.get(&s.id).await.unwrap().unwrap().state, QrState::Scanned);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_24_concurrent_cas_across_two_instances_exactly_one_is_written() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let (a, b) = (connect(&redis.url()).await, connect(&redis.url()).await);
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            let next = scanned(&s);
            tokio::spawn(async move { store.compare_and_set(1, &next, purge(&next)).await })
        })
        .collect();
    let mut written = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            CasOutcome::Written => written += 1,
            CasOutcome::Conflict => {}
            CasOutcome::Missing => panic!("the session vanished"),
        }
    }
    assert_eq!(written, 1);
    assert_eq!(a.get(&s.id).await.unwrap().unwrap().rev, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_fail_fast_while_redis_is_down_and_work_again_with_subscriptions_when_it_is_back() {
    if !redis_available() {
        return;
    }
    let mut redis = RedisServer::start();
    let (a, b) = (connect(&redis.url()).await, connect(&redis.url()).await);
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let mut held = b.subscribe(&s.id).await.unwrap();
    let connects_before = b.subscriber_connects();

    redis.kill();
    for store in [&a, &b] {
        for _ in 0..3 {
            let t = Instant::now();
            let r = store.get(&s.id).await;
            let took = t.elapsed();
            eprintln!("call while Redis is down: {took:?}");
            assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
            assert!(took < Duration::from_secs(2), "took {took:?}");
        }
    }

    redis.restart();
    let t = Instant::now();
    while a.ping().await.is_err() || b.ping().await.is_err() {
        assert!(t.elapsed() < Duration::from_secs(3), "no recovery");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("calls work again {:?} after Redis restarted", t.elapsed());
    assert!(t.elapsed() < Duration::from_secs(3));
    // The waiter held across the outage is woken on resubscription to re-read.
    woken_within(&mut held, Duration::from_secs(3)).await;
    assert!(b.subscriber_connects() > connects_before);
    eprintln!(
        "subscriptions restored {:?} after Redis restarted",
        t.elapsed()
    );

    // The restarted Redis is empty: a new flow, woken across instances as before.
    let s = pending();
    a.create(&s, purge(&s)).await.unwrap();
    let mut sub = b.subscribe(&s.id).await.unwrap();
    let next = scanned(&s);
    a.compare_and_set(1, &next, purge(&next)).await.unwrap();
    woken_within(&mut sub, Duration::from_secs(1)).await;
}

/// Writes that Redis holds back past the call's timeout (`CLIENT PAUSE WRITE`, as during
/// a failover) answer `Unavailable`, and when the pause ends they still change nothing:
/// each script checks its deadline on Redis' clock before writing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_held_by_a_redis_write_pause_past_their_timeout_never_land() {
    use qrlogin_store::{AccountStore, WebSession};
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    let (s, fresh) = (pending(), pending());
    store.create(&s, purge(&s)).await.unwrap();
    let hash = Secret::generate(SecretKind::Session).hash();
    let pc = WebSession {
        id: "ses_paused".into(),
        account_id: "acc_alice".into(),
        created_at: now_ms(),
        expires_at: now_ms() + 60_000,
        device: None,
        ip: "203.0.113.7".into(),
    };
    AccountStore::put_web_session(&*store, &hash, &pc)
        .await
        .unwrap();

    let paused = qrlogin_testkit::raw(redis.port, "CLIENT PAUSE 1500 WRITE");
    let t = Instant::now();
    assert!(paused.is_some_and(|r| r.starts_with("+OK")));
    let next = scanned(&s);
    let cas = store.compare_and_set(1, &next, purge(&next)).await;
    eprintln!("CAS during a write pause: {cas:?} after {:?}", t.elapsed());
    assert!(matches!(cas, Err(StoreError::Unavailable(_))), "{cas:?}");
    let create = store.create(&fresh, purge(&fresh)).await;
    assert!(
        matches!(create, Err(StoreError::Unavailable(_))),
        "{create:?}"
    );
    let logout = AccountStore::revoke_web_session_token(&*store, &hash).await;
    assert!(
        matches!(logout, Err(StoreError::Unavailable(_))),
        "{logout:?}"
    );

    tokio::time::sleep_until((t + Duration::from_millis(1700)).into()).await;
    assert_eq!(store.get(&s.id).await.unwrap(), Some(s.clone()));
    assert_eq!(store.get(&fresh.id).await.unwrap(), None);
    let still = AccountStore::web_session_by_token(&*store, &hash, now_ms()).await;
    assert_eq!(still.unwrap(), Some(pc));
    // Right after the pause, writes go through again (no false "late").
    let after = store.compare_and_set(1, &next, purge(&next)).await;
    assert_eq!(after.unwrap(), CasOutcome::Written);
    assert!(AccountStore::revoke_web_session_token(&*store, &hash)
        .await
        .unwrap());
}

/// Around the boundary (a script may start writing until 150 ms before the 500 ms
/// answer timeout; Redis ends a pause on its 100 ms cron tick): whatever the pause, a
/// CAS either answers `Written` and wrote, or fails and wrote nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cas_held_by_a_write_pause_answers_written_exactly_when_it_wrote() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    for pause in (250..=550).step_by(50) {
        let s = pending();
        store.create(&s, purge(&s)).await.unwrap();
        let next = scanned(&s);
        qrlogin_testkit::raw(redis.port, &format!("CLIENT PAUSE {pause} WRITE")).unwrap();
        let t = Instant::now();
        let r = store.compare_and_set(1, &next, purge(&next)).await;
        let took = t.elapsed();
        tokio::time::sleep_until((t + Duration::from_millis(700)).into()).await;
        let rev = store.get(&s.id).await.unwrap().unwrap().rev;
        eprintln!("write pause {pause} ms: {r:?} after {took:?}, stored rev {rev}");
        assert_eq!(r.is_ok(), rev == 2, "{r:?} but rev {rev}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_session_with_its_poll_index_takes_at_most_512_bytes() {
    if !redis_available() {
        return;
    }
    const N: usize = 10_000;
    let redis = RedisServer::start();
    let store = connect(&redis.url()).await;
    let sessions: Vec<QrSession> = (0..N).map(|_| pending()).collect();
    futures::stream::iter(&sessions)
        .map(|s| {
            let store = store.clone();
            async move { store.create(s, purge(s)).await.unwrap() }
        })
        .buffer_unordered(64)
        .collect::<Vec<()>>()
        .await;
    let mut raw = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let (mut hashes, mut indexes) = (0u64, 0u64);
    for chunk in sessions.chunks(500) {
        let mut p = redis::pipe();
        for s in chunk {
            p.cmd("MEMORY")
                .arg("USAGE")
                .arg(format!("qrl:{{{}}}", s.id))
                .arg("SAMPLES")
                .arg(0);
            let mut poll = b"qrl:p:".to_vec();
            poll.extend_from_slice(&s.poll_hash.0);
            p.cmd("MEMORY").arg("USAGE").arg(poll).arg("SAMPLES").arg(0);
        }
        let sizes: Vec<Option<u64>> = p.query_async(&mut raw).await.unwrap();
        assert!(sizes.iter().all(Option::is_some), "a key is missing");
        for pair in sizes.chunks(2) {
            hashes += pair[0].unwrap_or_default();
            indexes += pair[1].unwrap_or_default();
        }
    }
    let per = (hashes + indexes) as f64 / N as f64;
    eprintln!(
        "Redis MEMORY USAGE per pending QR session: {per:.1} bytes over {N} \
         (hash {:.1} + poll index {:.1})",
        hashes as f64 / N as f64,
        indexes as f64 / N as f64
    );
    assert!(per <= 512.0, "{per} bytes per session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_master_cluster_serves_the_flow_and_wakes_across_instances() {
    if !redis_available() {
        return;
    }
    let cluster = RedisCluster::start();
    let (a, b) = (connect(&cluster.url()).await, connect(&cluster.url()).await);
    // Enough sessions that every master holds some, so wake-ups cross nodes.
    for _ in 0..12 {
        let s = pending();
        a.create(&s, purge(&s)).await.unwrap();
        assert_eq!(b.get(&s.id).await.unwrap(), Some(s.clone()));
        assert_eq!(
            b.find_by_poll_hash(&s.poll_hash).await.unwrap(),
            Some(s.id.clone())
        );
        let mut sub = b.subscribe(&s.id).await.unwrap();
        let next = scanned(&s);
        let t = Instant::now();
        assert_eq!(
            a.compare_and_set(1, &next, purge(&next)).await.unwrap(),
            CasOutcome::Written
        );
        woken_within(&mut sub, Duration::from_secs(1)).await;
        assert!(t.elapsed() < Duration::from_secs(1));
        assert_eq!(
            b.compare_and_set(1, &next, purge(&next)).await.unwrap(),
            CasOutcome::Conflict
        );
    }
}

#[tokio::test]
async fn a_sentinel_url_connects_to_the_master_it_names() {
    if !redis_available() {
        return;
    }
    let sentinel = RedisSentinel::start();
    let store = connect(&sentinel.url()).await;
    let s = pending();
    store.create(&s, purge(&s)).await.unwrap();
    // Written on the master the Sentinel names, readable there directly.
    let direct = connect(&sentinel.master.url()).await;
    assert_eq!(direct.get(&s.id).await.unwrap(), Some(s));
}

#[tokio::test]
async fn a_malformed_url_or_an_absent_server_is_unavailable_at_once() {
    for url in [
        "http://x",
        "redis+sentinel://127.0.0.1:1",
        "redis-cluster://nohost",
    ] {
        let r = RedisStore::connect(url).await;
        assert!(matches!(r, Err(StoreError::Unavailable(_))), "{url}");
    }
    let port = qrlogin_testkit::free_port();
    let t = Instant::now();
    let r = RedisStore::connect(&format!("redis://127.0.0.1:{port}")).await;
    assert!(matches!(r, Err(StoreError::Unavailable(_))));
    assert!(t.elapsed() < Duration::from_secs(2));
}
