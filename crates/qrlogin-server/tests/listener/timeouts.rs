//! Header-read and idle timeouts: slow and idle clients lose their socket; requests in
//! flight (long polls, SSE, WebSockets) are never cut.

use crate::helpers::*;
use futures::StreamExt as _;
use qrlogin_core::QrState;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const SHORT: Duration = Duration::from_secs(1);
const LONG: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slowloris_dripping_a_header_is_disconnected_while_others_are_served() {
    let server = start(options(SHORT, LONG)).await;
    let mut slow = TcpStream::connect(&server.addr).await.unwrap();
    // A header that never ends: 100 bytes at 200 ms each would take 20 s.
    let drip = format!(
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Pad: {}",
        "a".repeat(60)
    );
    let mut cut_after = None;
    for (i, byte) in drip.bytes().enumerate() {
        if slow.write_all(&[byte]).await.is_err() {
            cut_after = Some(i);
            break;
        }
        let mut probe = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_millis(200), slow.peek(&mut probe)).await;
        if matches!(read, Ok(Ok(0)) | Ok(Err(_))) {
            cut_after = Some(i + 1);
            break;
        }
        if i == 2 {
            // Meanwhile a normal client is served.
            server
                .client()
                .healthz()
                .await
                .expect("a normal request works");
        }
    }
    let cut_after = cut_after.expect("the dripping client was disconnected");
    assert!(
        cut_after < drip.len(),
        "closed before its header was complete"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_connects_and_sends_nothing_is_disconnected() {
    let server = start(options(SHORT, LONG)).await;
    let mut silent = TcpStream::connect(&server.addr).await.unwrap();
    assert!(closed_by_server(&mut silent).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    // The header timeout is longer than the bound: only the idle timeout can close it.
    let server = start(options(Duration::from_secs(60), SHORT)).await;
    let mut tcp = TcpStream::connect(&server.addr).await.unwrap();
    assert_eq!(get(&mut tcp, "/healthz").await, "HTTP/1.1 200 OK");
    assert_eq!(
        get(&mut tcp, "/healthz").await,
        "HTTP/1.1 200 OK",
        "kept alive"
    );
    assert!(closed_by_server(&mut tcp).await, "closed once idle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_long_polls_sse_and_websockets_outlive_both_timeouts() {
    let server = start(options(SHORT, SHORT)).await;
    let client = server.client();
    let pc = client.create_qr(None).await.unwrap();
    let mut sse = pc.events(None).await.unwrap();
    let mut ws = pc.ws().await.unwrap();
    for stream in [&mut sse, &mut ws] {
        let first = tokio::time::timeout(BOUND, stream.next()).await.unwrap();
        assert_eq!(first.unwrap().unwrap().state, QrState::Pending);
    }
    // Held for 3 s, three times both timeouts, then answered with the status unchanged.
    let held = pc.wait(1, 3).await.expect("the held long poll answers");
    assert_eq!((held.state, held.version), (QrState::Pending, 1));
    // The streams opened before it were held as long and still carry a change.
    let phone = client
        .login_phone("alice", "alice-demo", qrlogin_testkit::phone_device("p"))
        .await
        .unwrap();
    phone.scan(pc.qr_id()).await.unwrap();
    for stream in [&mut sse, &mut ws] {
        let next = tokio::time::timeout(BOUND, stream.next()).await.unwrap();
        assert_eq!(next.unwrap().unwrap().state, QrState::Scanned);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http2_connection_gets_goaway_and_ends_after_the_idle_timeout() {
    let server = start(options(Duration::from_secs(60), SHORT)).await;
    let tcp = TcpStream::connect(&server.addr).await.unwrap();
    let (send, conn) = h2::client::handshake(tcp).await.expect("h2c handshake");
    let mut conn = tokio::spawn(conn);
    let mut ready = send.ready().await.unwrap();
    let req = http::Request::get("http://localhost/healthz")
        .body(())
        .unwrap();
    let (resp, _) = ready.send_request(req, true).unwrap();
    let resp = tokio::time::timeout(BOUND, resp).await.unwrap().unwrap();
    assert_eq!(resp.status(), http::StatusCode::OK);
    drop(resp);
    // `ready` (a handle) stays alive: only the server can end the connection.
    let ended = tokio::time::timeout(BOUND, &mut conn).await;
    assert!(
        ended.is_ok(),
        "the server closed the idle HTTP/2 connection"
    );
    drop(ready);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_connection_whose_next_head_stalls_is_closed_by_the_header_timeout() {
    // The idle timeout is longer than the bound: only the header timeout can close it.
    let server = start(options(SHORT, LONG)).await;
    let mut tcp = TcpStream::connect(&server.addr).await.unwrap();
    assert_eq!(get(&mut tcp, "/healthz").await, "HTTP/1.1 200 OK");
    // Idle past one header timeout: the watchdog looks, finds no head, looks again later.
    tokio::time::sleep(SHORT + SHORT / 2).await;
    assert_eq!(
        get(&mut tcp, "/healthz").await,
        "HTTP/1.1 200 OK",
        "kept alive"
    );
    // The next head starts and never ends: the header timeout, not the idle one.
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: loc")
        .await
        .unwrap();
    assert!(closed_by_server(&mut tcp).await, "closed: head incomplete");
}
