//! Guards for the memory of a waiting PC: the futures and streams it holds for up to a
//! minute, tens of thousands at once. Their sizes are pinned at what they were when the
//! ≤ 4 KiB-per-waiter work landed (status 944 B, WebSocket 1280 B, SSE 1008 B), plus a
//! small margin, so a tidy-up that makes them grow fails here rather than in a benchmark
//! nobody reruns. The sizes are read from the types alone; nothing is run.

use std::future::Future;

/// Bytes a waiter may grow by before these tests call it a regression.
const MARGIN: usize = 64;

/// Size of what a five-argument function returns, from its type alone.
fn output_size5<F: FnOnce(A, B, C, D, E) -> R, A, B, C, D, E, R>(_: &F) -> usize {
    std::mem::size_of::<R>()
}

/// The response body type of an SSE handler, whose size is what a streaming PC holds.
trait SseBody {
    fn body_size() -> usize;
}

impl<S> SseBody for Result<axum::response::sse::Sse<S>, crate::error::ApiError> {
    fn body_size() -> usize {
        std::mem::size_of::<axum::response::sse::Sse<S>>()
    }
}

/// Size of the SSE body a four-argument handler answers with, from its type alone.
fn sse_body_size<F: FnOnce(A, B, C, D) -> Fut, A, B, C, D, Fut: Future>(_: &F) -> usize
where
    Fut::Output: SseBody,
{
    <Fut::Output as SseBody>::body_size()
}

#[test]
fn a_held_long_poll_stays_within_its_pinned_size() {
    let size = output_size5(&crate::routes::pc::status);
    assert!(size <= 944 + MARGIN, "status long poll future: {size} B");
}

#[test]
fn a_waiting_websocket_task_stays_within_its_pinned_size() {
    let size = output_size5(&crate::push::ws::run);
    assert!(size <= 1280 + MARGIN, "WebSocket task: {size} B");
}

#[test]
fn an_open_sse_stream_stays_within_its_pinned_size() {
    let size = sse_body_size(&crate::push::sse::events);
    assert!(size <= 1008 + MARGIN, "SSE body: {size} B");
}

#[test]
fn panic_catching_and_nosniff_add_nothing_to_a_routes_future() {
    // They are one layer (`routes::guard`) with no state of its own beside the route's
    // future: every further layer would box another ~330 B per request in flight.
    type Route = axum::routing::future::RouteFuture<std::convert::Infallible>;
    let route = std::mem::size_of::<Route>();
    let size = std::mem::size_of::<crate::routes::guard::GuardFuture<Route>>();
    assert!(
        size <= route + 8,
        "guard future: {size} B, route's {route} B"
    );
}
