//! Floods: QR creation per address, the memory store's bound, and the waiter cap, which
//! unauthenticated WebSockets cannot fill and one address cannot take whole.

use crate::helpers::*;
use qrlogin_server::limits::Limits;
use qrlogin_server::Config;

fn with_limits(limits: Limits) -> Config {
    Config {
        limits,
        ..behind_proxy()
    }
}

#[tokio::test]
async fn one_address_creating_past_its_limit_gets_429_and_another_still_creates() {
    let app = spawn_app(with_limits(Limits {
        qr_per_ip_per_minute: 5,
        ..Limits::default()
    }))
    .await;
    for _ in 0..5 {
        assert_eq!(create_from(&app, "203.0.113.66").await.status(), 201);
    }
    let res = create_from(&app, "203.0.113.66").await;
    assert_eq!(res.status(), 429);
    let wait = retry_after(&res);
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(code(res).await, "rate_limited");
    assert_eq!(create_from(&app, "198.51.100.7").await.status(), 201);
}

#[tokio::test]
async fn a_full_memory_store_refuses_new_sessions_with_503_and_keeps_the_old_ones() {
    let app = spawn_app(with_limits(Limits {
        max_qr_sessions: 3,
        ..Limits::default()
    }))
    .await;
    let first = app.pc().await;
    for i in 0..2 {
        assert_eq!(
            create_from(&app, &format!("10.0.0.{i}")).await.status(),
            201
        );
    }
    let res = create_from(&app, "10.0.0.9").await;
    assert_eq!(res.status(), 503);
    assert!(retry_after(&res) >= 1);
    assert_eq!(code(res).await, "store_unavailable");
    assert!(first.status().await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_websockets_cannot_fill_the_waiter_cap() {
    let app = spawn_app(Config {
        max_waiters: 2,
        ..behind_proxy()
    })
    .await;
    let pc = app.pc().await;
    let ws_url = format!(
        "{}/api/v1/qr/{}/ws",
        app.url.replace("http", "ws"),
        pc.qr_id()
    );
    let mut silent = Vec::new();
    for _ in 0..10 {
        let (socket, _) = tokio_tungstenite::connect_async(&ws_url)
            .await
            .expect("upgrade");
        silent.push(socket);
    }
    assert_eq!(app.state.held.load(std::sync::atomic::Ordering::Relaxed), 0);
    let waiting = tokio::spawn({
        let pc = pc.clone();
        async move { pc.wait(1, 30).await }
    });
    until_waiters_held(&app, 1).await;
    let phone = app.phone("alice", "phone-1").await;
    phone.scan(pc.qr_id()).await.expect("scan");
    let status = waiting
        .await
        .unwrap()
        .expect("the long poll is answered by the change");
    assert_eq!(status.version, 2);
    drop(silent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_hold_every_waiter_slot_and_a_full_instance_says_503() {
    let app = spawn_app(Config {
        max_waiters: 3,
        limits: Limits {
            max_waiters_per_ip: 2,
            ..Limits::default()
        },
        ..behind_proxy()
    })
    .await;
    let pc = app.pc().await;
    let (id, token) = (pc.qr_id().to_owned(), pc.poll_token().expose().to_owned());
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(tokio::spawn(
            long_poll_from(&app, &id, &token, "203.0.113.66").send(),
        ));
    }
    until_waiters_held(&app, 2).await;
    let res = long_poll_from(&app, &id, &token, "203.0.113.66")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(retry_after(&res) >= 1);
    assert_eq!(code(res).await, "rate_limited");
    held.push(tokio::spawn(
        long_poll_from(&app, &id, &token, "198.51.100.7").send(),
    ));
    until_waiters_held(&app, 3).await;
    let res = long_poll_from(&app, &id, &token, "192.0.2.1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert!(retry_after(&res) >= 1);
    assert_eq!(code(res).await, "store_unavailable");
    app.phone("alice", "phone-1")
        .await
        .scan(&id)
        .await
        .expect("scan");
    for h in held {
        assert_eq!(h.await.unwrap().unwrap().status(), 200);
    }
}
