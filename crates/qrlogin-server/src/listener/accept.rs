//! The accept loop: a cap on open connections (accepting waits above it, with one
//! warning per episode), and a shutdown in two phases: answer held waiters and let
//! in-flight requests finish, then, after the shutdown timeout, close whatever is left.

use super::bind::Listener;
use super::conn::{self, Shared};
use super::tls::spawn_sighup_reload;
use super::ListenerOptions;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Pause after a failed `accept` (e.g. out of file descriptors), so the loop does not
/// spin while the condition lasts.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// hyper's builder with our settings: no hyper header-read timeout on HTTP/1.1 (ours
/// applies only while no request is in flight, and distinguishes idle from slow);
/// HTTP/2 with RFC 8441 extended CONNECT (WebSockets) and keep-alive pings, so a dead
/// peer under a held stream is noticed.
fn builder(options: &ListenerOptions) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None);
    builder
        .http2()
        .timer(TokioTimer::new())
        .enable_connect_protocol()
        .keep_alive_interval((options.idle_timeout / 2).max(Duration::from_secs(1)))
        .keep_alive_timeout(options.header_timeout);
    builder
}

/// Serves `router` on `listener` until `signal` resolves. Then `app_shutdown` is
/// cancelled first (held long polls and streams answer at once), no new connection is
/// accepted, idle connections close, in-flight requests finish; after
/// `options.shutdown_timeout` every remaining connection is closed and this returns.
/// When serving TLS, SIGHUP reloads the certificate while this runs.
pub async fn serve(
    listener: Listener,
    router: Router,
    app_shutdown: CancellationToken,
    options: &ListenerOptions,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stopping = CancellationToken::new();
    if let Some(tls) = &listener.tls {
        spawn_sighup_reload(tls.clone(), stopping.clone());
    }
    let shared = Arc::new(Shared {
        builder: builder(options),
        router,
        options: options.clone(),
        tls: listener.tls.clone(),
        stopping: stopping.clone(),
        hard_stop: CancellationToken::new(),
        members: Default::default(),
    });
    {
        let stopping = stopping.clone();
        tokio::spawn(async move {
            signal.await;
            tracing::info!("shutting down: answering held requests");
            app_shutdown.cancel();
            stopping.cancel();
        });
    }
    let tracker = TaskTracker::new();
    let mut cap = Cap::new(listener.max_connections);
    loop {
        let Some(permit) = cap.acquire(&listener, &stopping).await else {
            break;
        };
        let accepted = tokio::select! {
            r = listener.tcp.accept() => r,
            () = stopping.cancelled() => break,
        };
        match accepted {
            Ok((tcp, peer)) => {
                // Two task types, each sized for its own path (see `conn::serve_plain`).
                match &shared.tls {
                    None => tracker.spawn(conn::serve_plain(tcp, peer, permit, shared.clone())),
                    Some(tls) => tracker.spawn(conn::serve_tls(
                        tcp,
                        peer,
                        permit,
                        shared.clone(),
                        tls.clone(),
                    )),
                };
            }
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                drop(permit);
                tokio::select! {
                    () = tokio::time::sleep(ACCEPT_ERROR_PAUSE) => {}
                    () = stopping.cancelled() => break,
                }
            }
        }
    }
    drop(listener);
    // The connections' watchdogs wait on their own activity, not on `stopping`.
    shared.wake_all();
    tracker.close();
    if tokio::time::timeout(options.shutdown_timeout, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            open = tracker.len(),
            "shutdown timeout reached: closing the remaining connections"
        );
        shared.hard_stop.cancel();
        shared.wake_all();
        tracker.wait().await;
    }
    tracing::info!("all connections closed");
    Ok(())
}

/// The cap on open connections: a permit per connection, held by its socket.
struct Cap {
    permits: Arc<Semaphore>,
    max: usize,
    /// The warning for this episode at the cap was logged; re-armed once a quarter of
    /// the slots are free again.
    warned: bool,
}

impl Cap {
    fn new(max: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max)),
            max,
            warned: false,
        }
    }

    /// A slot for the next connection: at once if one is free, else after one closes
    /// (logging the first time this episode); `None` when shutting down.
    async fn acquire(
        &mut self,
        listener: &Listener,
        stopping: &CancellationToken,
    ) -> Option<OwnedSemaphorePermit> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            if self.permits.available_permits() >= (self.max / 4).max(1) {
                self.warned = false;
            }
            return Some(permit);
        }
        if !self.warned {
            self.warned = true;
            tracing::warn!(
                addr = %listener.addr,
                max_connections = self.max,
                "connection cap reached: new connections wait until open ones close \
                 (raise max_connections or the open-files limit if this is real traffic)"
            );
        }
        tokio::select! {
            permit = self.permits.clone().acquire_owned() => permit.ok(),
            () = stopping.cancelled() => None,
        }
    }
}
