//! What one connection is doing, as the timeouts need it: requests in flight (counted
//! from the service call until the response body is dropped, so a held long poll or
//! an SSE stream counts as busy), and whether the client has started sending the next
//! request head. The socket wrapper [`Tracked`] reports reads, the service reports
//! requests through [`Busy`] guards, and the connection's watchdog waits on
//! [`Activity::changed`].
//!
//! The watchdog is woken only when a change brings a deadline before the instant it
//! already means to look again ([`State::check_at`]); changes that move deadlines later
//! (every request of a busy keep-alive connection: a head starts, the request runs, the
//! answer is sent) are found when it looks. Waking it on each of them cost three extra
//! polls of the connection's task per request, each re-arming a timer.

use super::ListenerOptions;
use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Notify, OwnedSemaphorePermit};
use tokio::time::Instant;

/// The state behind [`Activity`].
#[derive(Debug)]
pub(super) struct State {
    /// Requests whose response has not been fully sent.
    pub inflight: usize,
    /// The connection speaks HTTP/2 (by ALPN or by its first request).
    pub h2: bool,
    /// At least one request reached the service.
    pub served: bool,
    /// When the connection last became free of requests (or was opened).
    pub idle_since: Instant,
    /// When bytes of a new request head first arrived while no request was in flight.
    pub head_started: Option<Instant>,
    /// When the watchdog will look at this state again by itself, at the latest: no
    /// deadline falls before it. `None`: only when woken. A change that makes a
    /// deadline before it (or any deadline while it is `None`) wakes the watchdog.
    pub check_at: Option<Instant>,
}

/// Shared between a connection's socket, its service and its watchdog.
#[derive(Debug)]
pub(super) struct Activity {
    state: Mutex<State>,
    /// Set while a read would start a request head: keeps the per-read cost to one
    /// atomic load while a request is in flight or a head is already being timed.
    watch_reads: AtomicBool,
    /// Woken on every change that brings a deadline before [`State::check_at`], and
    /// when the server starts or ends its shutdown.
    pub changed: Notify,
    /// The listener's header-read timeout: a head that starts now must be complete by
    /// now plus this.
    header_timeout: Duration,
    /// The listener's idle timeout: a connection that becomes free now may idle until
    /// now plus this.
    idle_timeout: Duration,
}

impl Activity {
    /// A fresh connection; `h2` when ALPN already chose HTTP/2.
    pub fn new(h2: bool, options: &ListenerOptions) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                inflight: 0,
                h2,
                served: false,
                idle_since: Instant::now(),
                head_started: None,
                check_at: None,
            }),
            watch_reads: AtomicBool::new(true),
            changed: Notify::new(),
            header_timeout: options.header_timeout,
            idle_timeout: options.idle_timeout,
        })
    }

    /// The current state (a short lock; never held across an await).
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Bytes arrived from the client.
    fn on_read(&self) {
        if !self.watch_reads.load(Ordering::Relaxed) {
            return;
        }
        let mut state = self.state();
        if state.inflight == 0 && state.head_started.is_none() {
            let now = Instant::now();
            state.head_started = Some(now);
            self.watch_reads.store(false, Ordering::Relaxed);
            // Over HTTP/2 a read is a frame, not a head: no deadline of its own.
            let wake = !state.h2 && state.sooner_than_check(now + self.header_timeout);
            drop(state);
            if wake {
                self.changed.notify_one();
            }
        }
    }

    /// A request reached the service; busy until the guard (kept by the response
    /// body) is dropped.
    pub fn begin(self: &Arc<Self>, h2: bool) -> Busy {
        let mut state = self.state();
        state.inflight += 1;
        state.served = true;
        state.head_started = None;
        state.h2 |= h2;
        self.watch_reads.store(false, Ordering::Relaxed);
        // A request in flight has no deadline: nothing for the watchdog to do sooner.
        drop(state);
        Busy(self.clone())
    }
}

/// One request in flight; dropping it ends the request.
#[derive(Debug)]
pub(super) struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.inflight = state.inflight.saturating_sub(1);
        let mut wake = false;
        if state.inflight == 0 {
            let now = Instant::now();
            state.idle_since = now;
            state.head_started = None;
            self.0.watch_reads.store(true, Ordering::Relaxed);
            wake = state.sooner_than_check(now + self.0.idle_timeout);
        }
        drop(state);
        if wake {
            self.0.changed.notify_one();
        }
    }
}

impl State {
    /// Whether a deadline at `at` falls before the watchdog's next look (or it has
    /// none), so it must be woken to arm a timer for it.
    fn sooner_than_check(&self, at: Instant) -> bool {
        self.check_at.is_none_or(|check| at < check)
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its request counted as in flight until hyper has
    /// sent it all (or dropped it): a long poll's or a stream's connection is busy, not
    /// idle, however long the answer takes.
    pub(super) struct BusyBody {
        #[pin]
        inner: Body,
        busy: Busy,
    }
}

impl BusyBody {
    /// `inner`, counted as in flight until dropped.
    pub fn new(inner: Body, busy: Busy) -> Self {
        Self { inner, busy }
    }
}

impl http_body::Body for BusyBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        self.project().inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project_lite::pin_project! {
    /// The client socket (TCP or TLS): reports reads to [`Activity`] and holds the
    /// connection's slot under the cap until the socket is dropped, which for an
    /// upgraded WebSocket is when the WebSocket ends.
    pub(super) struct Tracked<T> {
        #[pin]
        inner: T,
        activity: Arc<Activity>,
        _permit: OwnedSemaphorePermit,
    }
}

impl<T> Tracked<T> {
    /// Wraps `inner`, keeping `permit` for its lifetime.
    pub fn new(inner: T, activity: Arc<Activity>, permit: OwnedSemaphorePermit) -> Self {
        Self {
            inner,
            activity,
            _permit: permit,
        }
    }
}

impl<T: AsyncRead> AsyncRead for Tracked<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.project();
        let before = buf.filled().len();
        let result = this.inner.poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.on_read();
        }
        result
    }
}

impl<T: AsyncWrite> AsyncWrite for Tracked<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
