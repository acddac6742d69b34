//! One connection: the optional TLS handshake, hyper's HTTP/1.1 + HTTP/2 server with
//! upgrades, and a watchdog that applies the header-read and idle timeouts and the
//! server's shutdown to it.

use super::activity::{Activity, Busy, BusyBody, Tracked};
use super::members::Member;
use super::tls::TlsReloader;
use super::ListenerOptions;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::{Request, Response, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tower::util::Oneshot;
use tower::ServiceExt as _;

/// What every connection of one listener shares.
pub(super) struct Shared {
    /// hyper's connection builder (HTTP/1.1 and HTTP/2, with our settings).
    pub builder: Builder<TokioExecutor>,
    /// The application.
    pub router: Router,
    /// The timeouts.
    pub options: ListenerOptions,
    /// Set when serving HTTPS.
    pub tls: Option<TlsReloader>,
    /// Cancelled when the server starts shutting down: stop taking new requests.
    pub stopping: CancellationToken,
    /// Cancelled when the shutdown timeout is over: close now.
    pub hard_stop: CancellationToken,
    /// The open connections, by the address of their [`Activity`]: whoever cancels
    /// `stopping` or `hard_stop` then calls [`Shared::wake_all`].
    pub members: Mutex<HashMap<usize, Arc<Activity>>>,
}

/// The application as hyper's service for one connection: tells every request its
/// peer address (`ConnectInfo<SocketAddr>`, as axum's `into_make_service_with_connect_info`
/// did) and counts it as in flight until its response body is gone.
#[derive(Clone)]
struct ConnService {
    router: Router,
    peer: SocketAddr,
    activity: Arc<Activity>,
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<BusyBody>;
    type Error = Infallible;
    // Boxed, so that a stream's task does not keep room for the router's future once
    // the answer is streaming (an SSE stream holds only its body).
    type Future = Pin<Box<ConnFuture>>;

    fn call(&self, mut req: Request<Incoming>) -> Self::Future {
        req.extensions_mut().insert(ConnectInfo(self.peer));
        let busy = self.activity.begin(req.version() == Version::HTTP_2);
        Box::pin(ConnFuture {
            response: self.router.clone().oneshot(req),
            busy: Some(busy),
        })
    }
}

pin_project_lite::pin_project! {
    /// The router's answer to one request, whose body then keeps the request counted as
    /// busy. A named future, not an async block: a block holding the router's future
    /// keeps it twice (captured, and moved into its await), ~320 B more for every
    /// request in flight, the minute of a held long poll included. Pinned in
    /// `sizes_tests`.
    pub(super) struct ConnFuture {
        #[pin]
        response: Oneshot<Router, Request<Incoming>>,
        busy: Option<Busy>,
    }
}

impl Future for ConnFuture {
    type Output = Result<Response<BusyBody>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.response.poll(cx))?;
        let busy = this
            .busy
            .take()
            .expect("ConnFuture polled after it answered");
        Poll::Ready(Ok(response.map(|body| BusyBody::new(body, busy))))
    }
}

/// What the watchdog does when a deadline passes.
#[derive(Debug, Clone, Copy)]
enum Expiry {
    /// Drop the connection (HTTP/1.1: nothing in flight, nothing worth finishing).
    Close,
    /// HTTP/2: send GOAWAY; open streams may finish.
    GoAway,
}

/// The next deadline for a connection in this state, if any. Nothing while a request
/// is in flight: held long polls, SSE and WebSockets are never cut by these timeouts.
fn next_deadline(
    state: &super::activity::State,
    options: &ListenerOptions,
) -> Option<(Instant, Expiry)> {
    if state.inflight > 0 {
        return None;
    }
    let wait = if state.served {
        options.idle_timeout
    } else {
        options.header_timeout
    };
    if state.h2 {
        // Frames without a request (pings, settings) are not a request head; an idle
        // HTTP/2 connection gets GOAWAY after the idle timeout.
        return Some((state.idle_since + wait, Expiry::GoAway));
    }
    match state.head_started {
        Some(started) => Some((started + options.header_timeout, Expiry::Close)),
        None => Some((state.idle_since + wait, Expiry::Close)),
    }
}

/// When the watchdog should look again: at the next deadline, and on an idle HTTP/1.1
/// connection whose next head has not started, no later than a head starting now would
/// time out, so that a head starting later never needs to wake it.
fn next_check(state: &super::activity::State, options: &ListenerOptions) -> Option<Instant> {
    let (at, _) = next_deadline(state, options)?;
    if !state.h2 && state.head_started.is_none() {
        return Some(at.min(Instant::now() + options.header_timeout));
    }
    Some(at)
}

/// Serves one accepted cleartext TCP connection until it ends, times out, or shutdown
/// ends it. A function of its own, not a branch of [`serve_tls`]: a spawned task is
/// sized for the largest state its future can be in, and the TLS states (a handshake,
/// a rustls session under hyper's connection) would add ~5 KB to every cleartext
/// connection, a third of an HTTP/1.1 long poll's cost (pinned in `sizes_tests`).
// A plain fn returning `serve_io`'s future, not an `async fn`: that would keep its
// arguments beside `serve_io`'s own copies for the connection's whole life.
pub(super) fn serve_plain(
    tcp: TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
    shared: Arc<Shared>,
) -> impl Future<Output = ()> + Send {
    let _ = tcp.set_nodelay(true);
    serve_io(tcp, false, peer, permit, shared)
}

/// Serves one accepted TCP connection over TLS with `tls`'s current certificate: the
/// handshake, bounded by the header timeout, then HTTP as [`serve_plain`] does.
pub(super) async fn serve_tls(
    tcp: TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
    shared: Arc<Shared>,
    tls: TlsReloader,
) {
    let _ = tcp.set_nodelay(true);
    // The handshake is a request head too: bounded by the header timeout.
    let handshake = tokio::select! {
        r = tokio::time::timeout(shared.options.header_timeout, tls.acceptor().accept(tcp)) => r,
        () = shared.stopping.cancelled() => return,
    };
    match handshake {
        Ok(Ok(stream)) => {
            let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
            serve_io(stream, h2, peer, permit, shared).await;
        }
        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

/// Serves HTTP on `io` with the watchdog. The watchdog looks at the connection's
/// [`Activity`] only when woken by it or when its timer passes (see the `activity`
/// module): a busy connection's task is polled for its socket alone.
async fn serve_io<T>(
    io: T,
    h2: bool,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
    shared: Arc<Shared>,
) where
    T: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let activity = Activity::new(h2, &shared.options);
    // Shutdown reaches this connection through `activity.changed`, so its task does not
    // poll the server-wide tokens (two shared locks each) every time its socket wakes it.
    let member = Member::join(shared, activity.clone());
    let shared = &member.shared;
    let io = TokioIo::new(Tracked::new(io, activity.clone(), permit));
    let service = ConnService {
        router: shared.router.clone(),
        peer,
        activity: activity.clone(),
    };
    let conn = shared.builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(conn);
    // One timer for the connection's life, moved only when the next look moves.
    let timer = tokio::time::sleep_until(Instant::now());
    tokio::pin!(timer);
    // `draining`: graceful shutdown was asked of hyper (no more deadlines apply).
    let mut draining = false;
    let mut stopping = false;
    loop {
        let changed = activity.changed.notified();
        if shared.hard_stop.is_cancelled() {
            return;
        }
        if !stopping && shared.stopping.is_cancelled() {
            stopping = true;
            if !draining {
                conn.as_mut().graceful_shutdown();
                draining = true;
            }
        }
        let (check_at, nothing_in_flight_h1) = {
            let mut state = activity.state();
            let check_at = if draining {
                None
            } else {
                next_check(&state, &shared.options)
            };
            state.check_at = check_at;
            (check_at, !state.h2 && state.inflight == 0)
        };
        // Shutting down, HTTP/1.1, nothing in flight: a half-sent request head or an
        // idle keep-alive is not worth waiting for.
        if stopping && nothing_in_flight_h1 {
            return;
        }
        if let Some(at) = check_at {
            if timer.deadline() != at {
                timer.as_mut().reset(at);
            }
        }
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                return;
            }
            () = changed => {}
            () = timer.as_mut(), if check_at.is_some() => {
                // The deadline may have moved later since the timer was set; act only
                // on one that has passed.
                let due = next_deadline(&activity.state(), &shared.options)
                    .filter(|(at, _)| *at <= Instant::now());
                match due.map(|(_, what)| what) {
                    None => {}
                    Some(Expiry::GoAway) => {
                        tracing::debug!(%peer, "HTTP/2 connection idle: GOAWAY");
                        conn.as_mut().graceful_shutdown();
                        draining = true;
                    }
                    Some(Expiry::Close) => {
                        tracing::debug!(%peer, "no complete request in time: closing");
                        return;
                    }
                }
            }
        }
    }
}
