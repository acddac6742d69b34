//! Cleartext HTTP/2 (prior knowledge, as a proxy or load balancer in front speaks it):
//! many waiting PCs share one connection, each as its own stream, over all three
//! transports. This is how one instance holds more waiters than it has file
//! descriptors.

use crate::helpers::*;
use bytes::Bytes;
use h2::client::SendRequest;
use h2::RecvStream;
use http::{Method, Request, StatusCode};
use qrlogin_client::Pc;
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

/// An HTTP/2 connection to `url` (`http://host:port`), its driver on a task.
async fn h2_connect(url: &str) -> SendRequest<Bytes> {
    let addr = url.trim_start_matches("http://");
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (send, conn) = h2::client::handshake(tcp).await.expect("h2c handshake");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    send
}

/// Sends `method path` with the PC's poll token; returns the status and body stream.
async fn open(
    h2: &mut SendRequest<Bytes>,
    method: Method,
    path: &str,
    pc: &Pc,
    websocket: bool,
) -> (StatusCode, RecvStream) {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("http://localhost{path}"))
        .header(
            "authorization",
            format!("Bearer {}", pc.poll_token().expose()),
        );
    if websocket {
        req = req
            .header("sec-websocket-version", "13")
            .extension(h2::ext::Protocol::from_static("websocket"));
    }
    let mut ready = h2.clone().ready().await.unwrap();
    let (resp, _send) = ready.send_request(req.body(()).unwrap(), false).unwrap();
    *h2 = ready;
    let resp = tokio::time::timeout(T, resp).await.unwrap().unwrap();
    (resp.status(), resp.into_body())
}

/// Reads `body` until it holds `"state":"<state>"`; returns everything read.
async fn read_until_state(body: &mut RecvStream, state: &str) -> String {
    let needle = format!(r#""state":"{state}""#);
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains(&needle) {
        let chunk = tokio::time::timeout(T, body.data())
            .await
            .unwrap_or_else(|_| panic!("{state} in time; saw {}", String::from_utf8_lossy(&seen)))
            .expect("stream still open")
            .unwrap();
        let _ = body.flow_control().release_capacity(chunk.len());
        seen.extend_from_slice(&chunk);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_long_polls_share_one_http2_connection_and_each_gets_its_own_answer() {
    let app = spawn_app().await;
    let mut h2 = h2_connect(&app.url).await;
    let phone = app.phone("alice", "phone-h2").await;
    let mut waits = Vec::new();
    let mut pcs = Vec::new();
    for _ in 0..40 {
        let pc = app.pc().await;
        let path = format!("/api/v1/qr/{}?wait=30&since=1", pc.qr_id());
        let mut ready = h2.clone().ready().await.unwrap();
        let req = Request::get(format!("http://localhost{path}"))
            .header(
                "authorization",
                format!("Bearer {}", pc.poll_token().expose()),
            )
            .body(())
            .unwrap();
        let (resp, _) = ready.send_request(req, true).unwrap();
        h2 = ready;
        waits.push(resp);
        pcs.push(pc);
    }
    // Only the odd ones are scanned: the even long polls must still be held.
    for pc in pcs.iter().skip(1).step_by(2) {
        phone.scan(pc.qr_id()).await.unwrap();
    }
    for (i, resp) in waits.into_iter().enumerate() {
        if i % 2 == 0 {
            continue;
        }
        let resp = tokio::time::timeout(T, resp).await.unwrap().unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let body = read_until_state(&mut resp.into_body(), "scanned").await;
        assert!(
            body.contains(pcs[i].qr_id()),
            "stream {i} got its own QR's answer"
        );
    }
    // An even one, scanned now, is answered now: it was held, not dropped.
    phone.scan(pcs[0].qr_id()).await.unwrap();
    let st = pcs[0].status().await.unwrap();
    assert_eq!(st.version, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_over_http2_pushes_the_current_status_then_each_change() {
    let app = spawn_app().await;
    let mut h2 = h2_connect(&app.url).await;
    let (pc, phone, ticket) = app.scanned().await;
    let path = format!("/api/v1/qr/{}/events", pc.qr_id());
    let (status, mut body) = open(&mut h2, Method::GET, &path, &pc, false).await;
    assert_eq!(status, StatusCode::OK);
    let first = read_until_state(&mut body, "scanned").await;
    assert!(first.contains("event: status") && first.contains("id: 2"));
    phone.confirm(pc.qr_id(), &ticket).await.unwrap();
    let next = read_until_state(&mut body, "confirmed").await;
    assert!(next.contains("id: 3"), "{next}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_opens_over_http2_by_extended_connect_and_pushes_changes() {
    let app = spawn_app().await;
    let mut h2 = h2_connect(&app.url).await;
    // The server must offer RFC 8441 before a client may send `:protocol`.
    tokio::time::timeout(T, async {
        while !h2.is_extended_connect_protocol_enabled() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("SETTINGS_ENABLE_CONNECT_PROTOCOL from the server");
    let (pc, phone, ticket) = app.scanned().await;
    let path = format!("/api/v1/qr/{}/ws", pc.qr_id());
    let (status, mut body) = open(&mut h2, Method::CONNECT, &path, &pc, true).await;
    assert_eq!(status, StatusCode::OK, "extended CONNECT accepted");
    // Server frames are unmasked text frames, so the JSON is readable in the bytes.
    read_until_state(&mut body, "scanned").await;
    phone.confirm(pc.qr_id(), &ticket).await.unwrap();
    read_until_state(&mut body, "confirmed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_poll_token_over_http2_gets_the_same_problem_json_as_over_http1() {
    let app = spawn_app().await;
    let mut h2 = h2_connect(&app.url).await;
    let pc = app.pc().await;
    let other = app.pc().await;
    let forged = app.client.pc(pc.qr_id(), other.poll_token());
    let path = format!("/api/v1/qr/{}/events", pc.qr_id());
    let (status, mut body) = open(&mut h2, Method::GET, &path, &forged, false).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut text = Vec::new();
    while let Some(chunk) = tokio::time::timeout(T, body.data()).await.unwrap() {
        text.extend_from_slice(&chunk.unwrap());
    }
    let problem: serde_json::Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(problem["code"], "forbidden");
}
