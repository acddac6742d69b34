//! Shutdown ends in bounded time whatever the clients do, after answering held waiters.

use crate::helpers::*;
use qrlogin_core::QrState;
use qrlogin_server::listener::ListenerOptions;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_answers_held_long_polls_and_does_not_wait_for_a_half_sent_request_head() {
    // Neither timeout could end the half-sent head before the test's bound.
    let server = start(ListenerOptions {
        header_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(300),
        shutdown_timeout: Duration::from_secs(300),
        ..ListenerOptions::default()
    })
    .await;
    let client = server.client();
    let pc = client.create_qr(None).await.unwrap();
    let held = tokio::spawn(async move { pc.wait(1, 60).await });
    let mut half = TcpStream::connect(&server.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: loc")
        .await
        .unwrap();
    wait_until_held(&client, 1).await;
    assert!(
        server.shutdown().await,
        "shutdown ended without waiting for the head"
    );
    let answer = tokio::time::timeout(BOUND, held).await.unwrap().unwrap();
    assert_eq!(
        answer.expect("answered at shutdown").state,
        QrState::Pending
    );
    assert!(closed_by_server(&mut half).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_within_its_timeout_even_with_a_request_body_half_sent() {
    let server = start(ListenerOptions {
        header_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(300),
        shutdown_timeout: Duration::from_secs(1),
        ..ListenerOptions::default()
    })
    .await;
    let mut half = TcpStream::connect(&server.addr).await.unwrap();
    // The head is complete (the request is in flight), the body never comes.
    half.write_all(
        b"POST /api/v1/qr HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"device\":",
    )
    .await
    .unwrap();
    // The request is in flight once its handler runs; a bounded wait for it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.shutdown().await, "shutdown ended after its timeout");
    assert!(closed_by_server(&mut half).await);
}
