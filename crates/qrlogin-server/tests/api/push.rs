//! Server-Sent Events and WebSocket: the same changes as the long poll, pushed.

use crate::helpers::*;
use futures::StreamExt;
use qrlogin_client::WsAuth;
use qrlogin_core::QrState;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const T: Duration = Duration::from_secs(10);

async fn next_state<S, E>(s: &mut S) -> (QrState, u64)
where
    S: futures::Stream<Item = Result<qrlogin_core::api::Status, E>> + Unpin,
    E: std::fmt::Debug,
{
    let st = tokio::time::timeout(T, s.next())
        .await
        .expect("an event in time")
        .expect("stream open")
        .unwrap();
    (st.state, st.version)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_sends_the_current_status_then_each_change_and_ends_after_redeem() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    let mut events = pc.sse(None).await.unwrap();
    let first = tokio::time::timeout(T, events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        (first.event.as_str(), first.id.as_deref()),
        ("status", Some("1"))
    );
    assert!(first.data.contains("\"pending\""));
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    let e = tokio::time::timeout(T, events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(e.id.as_deref(), Some("2"));
    assert!(e.data.contains("\"scanned\"") && e.data.contains("Alice"));
    phone.confirm(pc.qr_id(), &ticket).await.unwrap();
    pc.redeem().await.unwrap();
    let ids: Vec<_> = tokio::time::timeout(
        T,
        events.map(|e| e.unwrap().id.unwrap()).collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    assert_eq!(ids, ["3", "4"], "confirmed, redeemed, then the stream ends");
}

#[tokio::test]
async fn sse_resumes_after_last_event_id() {
    let app = spawn_app().await;
    let (pc, phone, ticket) = app.scanned().await;
    let mut from_1 = pc.events(Some(1)).await.unwrap();
    assert_eq!(next_state(&mut from_1).await, (QrState::Scanned, 2));
    let mut from_2 = pc.events(Some(2)).await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(300), from_2.next())
            .await
            .is_err(),
        "nothing new yet"
    );
    phone.confirm(pc.qr_id(), &ticket).await.unwrap();
    assert_eq!(next_state(&mut from_2).await, (QrState::Confirmed, 3));
}

#[tokio::test]
async fn sse_reports_expiry_and_ends() {
    let app = spawn_with_manual_clock().await;
    let pc = app.pc().await;
    let mut events = pc.events(None).await.unwrap();
    assert_eq!(next_state(&mut events).await, (QrState::Pending, 1));
    until_waiters_held(&app, 1).await;
    app.advance(qrlogin_core::Lifetimes::default().qr_ms);
    assert_eq!(next_state(&mut events).await, (QrState::Expired, 2));
    assert!(tokio::time::timeout(T, events.next())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn push_auth_errors_are_problems_before_any_stream_or_upgrade() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let other = app.pc().await;
    for path in ["events", "ws"] {
        let url = format!("{}/api/v1/qr/{}/{path}", app.url, pc.qr_id());
        expect_problem(
            app.raw().get(&url).bearer_auth("qlp_x"),
            401,
            "unauthorized",
        )
        .await;
        expect_problem(
            app.raw().get(&url).bearer_auth(other.poll_token().expose()),
            403,
            "forbidden",
        )
        .await;
    }
    let url = format!("{}/api/v1/qr/{}/events", app.url, pc.qr_id());
    expect_problem(app.raw().get(&url), 401, "unauthorized").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_with_header_auth_pushes_each_change_and_closes_1000() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let phone = app.phone("alice", "phone-1").await;
    let mut ws = pc.ws_connect(WsAuth::Header).await.unwrap();
    let mut texts = Vec::new();
    let first = tokio::time::timeout(T, ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    texts.push(first.into_text().unwrap().to_string());
    let ticket = phone.scan(pc.qr_id()).await.unwrap().scan_ticket;
    phone.decline(pc.qr_id(), &ticket).await.unwrap();
    let close = loop {
        match tokio::time::timeout(T, ws.next()).await.unwrap() {
            Some(Ok(Message::Text(t))) => texts.push(t.to_string()),
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    let states: Vec<String> = texts
        .iter()
        .map(|t| {
            serde_json::from_str::<serde_json::Value>(t).unwrap()["state"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(states, ["pending", "scanned", "cancelled"]);
    assert_eq!(u16::from(close.unwrap().code), 1000);
}

#[tokio::test]
async fn websocket_accepts_the_token_as_first_message_and_refuses_a_wrong_one() {
    let app = spawn_app().await;
    let pc = app.pc().await;
    let mut good = pc.ws_with(WsAuth::FirstMessage).await.unwrap();
    assert_eq!(next_state(&mut good).await, (QrState::Pending, 1));

    let other = app.pc().await;
    let mut bad = app
        .client
        .pc(pc.qr_id(), other.poll_token().clone())
        .ws_connect(WsAuth::FirstMessage)
        .await
        .unwrap();
    let mut got_problem = false;
    let close = loop {
        match tokio::time::timeout(T, bad.next()).await.unwrap() {
            Some(Ok(Message::Text(t))) => got_problem |= t.contains("forbidden"),
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert!(got_problem);
    assert_eq!(u16::from(close.unwrap().code), 1008);
}

#[tokio::test]
async fn waiters_past_the_cap_get_503() {
    let config = qrlogin_server::Config {
        max_waiters: 2,
        ..qrlogin_server::Config::for_tests()
    };
    let app = spawn_with(config).await;
    let pc = app.pc().await;
    let _a = pc.events(None).await.unwrap();
    let _b = pc.events(None).await.unwrap();
    let third = app
        .raw()
        .get(format!(
            "{}/api/v1/qr/{}?wait=5&since=1",
            app.url,
            pc.qr_id()
        ))
        .bearer_auth(pc.poll_token().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(third.status(), 503);
    assert!(third.headers().contains_key("retry-after"));
    drop(_a);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        pc.wait(1, 1).await.unwrap().version,
        1,
        "a freed slot is usable again"
    );
}
