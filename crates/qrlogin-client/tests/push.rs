//! SSE, WebSocket and `follow()` against a stub server: chunking, resume with
//! `Last-Event-ID`, the fall back to long poll, and the end after a terminal state.

mod common;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::Request;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use common::*;
use futures::{StreamExt, TryStreamExt};
use qrlogin_client::{Error, ErrorCode, Method, StatusStream, WsAuth};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const STATES: [&str; 4] = ["pending", "scanned", "confirmed", "redeemed"];

/// The versions and states a status stream yields, or its first error.
async fn collect(stream: StatusStream) -> Result<Vec<(u64, String)>, Error> {
    let all: Vec<_> = stream.try_collect().await?;
    Ok(all
        .into_iter()
        .map(|s| (s.version, s.state.as_str().to_owned()))
        .collect())
}

fn full_run() -> Vec<(u64, String)> {
    (1..=4)
        .map(|v| (v, STATES[v as usize - 1].to_owned()))
        .collect()
}

#[tokio::test]
async fn sse_statuses_arrive_whole_however_the_body_is_chunked() {
    let app = Router::new().route(
        "/api/v1/qr/{id}/events",
        get(|h: HeaderMap| async move {
            if !has_poll_token(&h) {
                return problem(401, "unauthorized");
            }
            let mut text = String::from(": keep-alive\n\n");
            for v in 1..=4 {
                text += &sse_event(v, STATES[v as usize - 1]);
                text += ": ping\n\n";
            }
            let chunks = text
                .as_bytes()
                .chunks(7)
                .map(|c| String::from_utf8(c.to_vec()).unwrap())
                .collect();
            sse_body(chunks)
        }),
    );
    let client = spawn(app).await;
    let pc = client.pc(QR, POLL);
    assert_eq!(
        collect(pc.events(None).await.unwrap()).await.unwrap(),
        full_run()
    );
    let mut raw = pc.sse(None).await.unwrap();
    let first = raw.next().await.unwrap().unwrap();
    assert_eq!(
        (first.event.as_str(), first.id.as_deref()),
        ("status", Some("1"))
    );
    let refused = client.pc(QR, "qlp_x").events(None).await.err().unwrap();
    assert_eq!(refused.code(), Some(ErrorCode::Unauthorized));
}

#[tokio::test]
async fn follow_resumes_a_broken_sse_stream_with_last_event_id() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new().route(
        "/api/v1/qr/{id}/events",
        get(move |h: HeaderMap| {
            let log = log.clone();
            async move {
                let last = h
                    .get("last-event-id")
                    .map(|v| v.to_str().unwrap().to_owned());
                log.lock().unwrap().push(last.clone());
                match last.as_deref() {
                    // The first connection breaks after two events, before a terminal state.
                    None => sse_body(vec![sse_event(1, "pending"), sse_event(2, "scanned")]),
                    // The resumed one repeats the last event, then goes on to the end.
                    _ => sse_body(
                        (2..=4)
                            .map(|v| sse_event(v, STATES[v as usize - 1]))
                            .collect(),
                    ),
                }
            }
        }),
    );
    let client = spawn(app).await;
    assert_eq!(
        collect(client.pc(QR, POLL).follow()).await.unwrap(),
        full_run()
    );
    assert_eq!(*seen.lock().unwrap(), vec![None, Some("2".to_owned())]);
}

/// A status route that long-polls through the four states: `since=v` answers v + 1.
async fn long_poll(h: HeaderMap, req: Request) -> Response {
    if !has_poll_token(&h) {
        return problem(401, "unauthorized");
    }
    let since = req.uri().query().and_then(|q| {
        assert!(q.starts_with("wait=25&"), "{q}");
        q.split("since=").nth(1)?.parse::<u64>().ok()
    });
    let v = since.map_or(1, |s| s + 1);
    Json(status(v, STATES[v as usize - 1])).into_response()
}

#[tokio::test]
async fn follow_falls_back_to_long_poll_when_the_server_has_no_sse() {
    let app = Router::new()
        .route("/api/v1/qr/{id}", get(long_poll))
        .route(
            "/api/v1/qr/{id}/events",
            get(|| async { problem(404, "not_found") }),
        );
    let client = spawn(app).await;
    assert_eq!(
        collect(client.pc(QR, POLL).follow()).await.unwrap(),
        full_run()
    );
    // Without any /events route (axum's bare 404), and by long poll on purpose.
    let bare = spawn(Router::new().route("/api/v1/qr/{id}", get(long_poll))).await;
    assert_eq!(
        collect(bare.pc(QR, POLL).follow()).await.unwrap(),
        full_run()
    );
    assert_eq!(
        collect(bare.pc(QR, POLL).follow_long_poll()).await.unwrap(),
        full_run()
    );
}

#[tokio::test]
async fn follow_ends_with_the_servers_error_when_retrying_cannot_help() {
    let client = spawn(Router::new().route(
        "/api/v1/qr/{id}/events",
        get(|| async { problem(404, "qr_not_found") }),
    ))
    .await;
    let mut stream = client.pc(QR, POLL).follow();
    let e = stream.next().await.unwrap().unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::QrNotFound));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_silent_sse_stream_ends_with_an_idle_error() {
    let client = spawn(Router::new().route(
        "/sse",
        get(|| async {
            let body =
                futures::stream::iter([Ok::<_, std::convert::Infallible>(sse_event(1, "pending"))])
                    .chain(futures::stream::pending());
            (
                [("content-type", "text/event-stream")],
                axum::body::Body::from_stream(body),
            )
        }),
    ))
    .await;
    let resp = client
        .send(client.http().get(client.url("/sse")))
        .await
        .unwrap();
    let mut events = qrlogin_client::sse::event_stream(resp, Duration::from_millis(200));
    assert_eq!(
        events.next().await.unwrap().unwrap().id.as_deref(),
        Some("1")
    );
    assert!(matches!(events.next().await, Some(Err(Error::Idle(_)))));
    assert!(events.next().await.is_none());
}

async fn ws_route(h: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let header_auth = h.get("authorization").is_some();
    if header_auth && !has_poll_token(&h) {
        return problem(403, "forbidden");
    }
    ws.on_upgrade(move |socket| ws_session(socket, header_auth))
}

async fn ws_session(mut socket: WebSocket, header_auth: bool) {
    if !header_auth {
        let Some(Ok(Message::Text(t))) = socket.recv().await else {
            return;
        };
        let auth: serde_json::Value = serde_json::from_str(&t).unwrap();
        if auth["type"] != "auth" || auth["poll_token"] != POLL {
            return;
        }
    }
    for v in 1..=4 {
        let text = status(v, STATES[v as usize - 1]).to_string();
        socket.send(Message::Text(text.into())).await.unwrap();
    }
    let close = CloseFrame {
        code: 1000,
        reason: "".into(),
    };
    let _ = socket.send(Message::Close(Some(close))).await;
}

#[tokio::test]
async fn the_websocket_streams_statuses_with_either_kind_of_auth() {
    let client = spawn(Router::new().route("/api/v1/qr/{id}/ws", get(ws_route))).await;
    let pc = client.pc(QR, POLL);
    assert_eq!(collect(pc.ws().await.unwrap()).await.unwrap(), full_run());
    assert_eq!(
        collect(pc.ws_with(WsAuth::FirstMessage).await.unwrap())
            .await
            .unwrap(),
        full_run()
    );
    let refused = client.pc(QR, "qlp_other").ws().await.err().unwrap();
    assert_eq!(
        (refused.status(), refused.code()),
        (Some(403), Some(ErrorCode::Forbidden))
    );
    // The raw escape hatch still carries the poll token.
    let raw = pc.request(Method::GET, "/nowhere").build().unwrap();
    assert_eq!(raw.headers()["authorization"], format!("Bearer {POLL}"));
}

#[tokio::test]
async fn follow_retries_a_long_poll_that_fails_for_a_passing_reason() {
    let calls = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let count = calls.clone();
    // Every other answer is a store outage, with `Retry-After: 0` to keep the test fast.
    let flaky = move |h: HeaderMap, req: Request| {
        let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async move {
            if n & 1 == 0 {
                let mut r = problem(503, "store_unavailable");
                r.headers_mut().insert("retry-after", "0".parse().unwrap());
                return r;
            }
            long_poll(h, req).await
        }
    };
    let client = spawn(Router::new().route("/api/v1/qr/{id}", get(flaky))).await;
    assert_eq!(
        collect(client.pc(QR, POLL).follow_long_poll())
            .await
            .unwrap(),
        full_run()
    );
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 8);

    let down = spawn(Router::new().route(
        "/api/v1/qr/{id}",
        get(|| async {
            let mut r = problem(503, "store_unavailable");
            r.headers_mut().insert("retry-after", "0".parse().unwrap());
            r
        }),
    ))
    .await;
    let e = collect(down.pc(QR, POLL).follow()).await.unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::StoreUnavailable));
}
