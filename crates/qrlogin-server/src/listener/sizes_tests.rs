//! Guards for what every connection and every request in flight holds, tens of
//! thousands at once while PCs wait: the task of a cleartext connection and the
//! future of a request between hyper and the router. Sizes are read from the types
//! alone (debug build, as `cargo test` builds); nothing is run.

use super::conn::{serve_plain, ConnFuture};
use axum::routing::future::RouteFuture;
use std::convert::Infallible;

/// Size of what a four-argument function returns, from its type alone.
fn output_size4<F: FnOnce(A, B, C, D) -> R, A, B, C, D, R>(_: &F) -> usize {
    std::mem::size_of::<R>()
}

#[test]
fn a_cleartext_connection_task_holds_no_room_for_tls() {
    // 2,144 B when pinned (hyper's HTTP/1.1 + HTTP/2 connection is ~1.6 KB of it); the
    // TLS handshake and session in the same future made it 7,160 B.
    let size = output_size4(&serve_plain);
    assert!(size <= 2144 + 64, "cleartext connection task: {size} B");
}

#[test]
fn a_request_in_flight_keeps_the_routers_future_once() {
    // The router's future plus the busy guard; an async block kept the first twice.
    let route = std::mem::size_of::<RouteFuture<Infallible>>();
    let size = std::mem::size_of::<ConnFuture>();
    assert!(
        size <= route + 16,
        "request future: {size} B, router's {route} B"
    );
}
