//! The cap on open connections: past it, new connections wait while open ones keep
//! working, and the cap is logged once.

use crate::helpers::*;
use qrlogin_server::listener::ListenerOptions;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_wait_while_open_ones_work_and_the_cap_is_logged_once() {
    let server = start(ListenerOptions {
        max_connections: Some(3),
        ..ListenerOptions::default()
    })
    .await;
    let mut open = Vec::new();
    for _ in 0..3 {
        let mut tcp = TcpStream::connect(&server.addr).await.unwrap();
        assert_eq!(get(&mut tcp, "/healthz").await, "HTTP/1.1 200 OK");
        open.push(tcp);
    }
    // Two more: the kernel completes the handshake, the server does not take them.
    let mut waiting = Vec::new();
    for _ in 0..2 {
        let mut tcp = TcpStream::connect(&server.addr).await.unwrap();
        tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        waiting.push(tcp);
    }
    let mut buf = [0u8; 16];
    let early = tokio::time::timeout(Duration::from_millis(300), waiting[0].read(&mut buf)).await;
    assert!(early.is_err(), "not served while the cap is reached");
    // The open connections keep working.
    for tcp in &mut open {
        assert_eq!(get(tcp, "/healthz").await, "HTTP/1.1 200 OK");
    }
    // One closes: a waiting one is taken and answered.
    drop(open.pop());
    let first = tokio::time::timeout(BOUND, read_response(&mut waiting[0])).await;
    assert_eq!(
        first.expect("answered once a slot is free"),
        "HTTP/1.1 200 OK"
    );
    let lines = log_lines(&["connection cap reached", &server.addr]);
    assert_eq!(
        lines, 1,
        "one warning for the episode, not one per connection"
    );
}
