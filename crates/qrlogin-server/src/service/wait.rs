//! The one "wait until the version moves past v" primitive behind long poll, SSE and
//! WebSocket. It subscribes before reading, so no change can slip between the read and
//! the wait; it wakes on a store notification, at the session's expiry (expiry is a
//! change too), at the caller's deadline, or at shutdown — never on a polling tick.
//!
//! Expiry is read from the server's [`Clock`](qrlogin_core::Clock): the timer to it is
//! armed from the clock's reading, and
//! [`Shared::clock_moved`](crate::state::Shared::clock_moved) wakes every waiter's
//! subscription (a wake-up is never lost, even one that comes before the wait) to read
//! the clock again. So a test that moves a `ManualClock` past an expiry sees held
//! requests answer at once (the test kit's `TestApp::advance` does both), and no waiter
//! holds anything extra for it.

use super::{Error, Result};
use crate::limits::waiters::WaiterSlot;
use crate::state::AppState;
use qrlogin_core::{QrId, QrSession, Requester};
use qrlogin_store::Subscription;
use std::net::IpAddr;
use std::time::Duration;
use tokio::time::Instant;

/// A waiter on one QR session. Holding it counts against the instance's waiter cap.
pub struct Watcher {
    state: AppState,
    /// Also knows the session's id: one copy of it per waiter, not two.
    sub: Subscription,
    /// The last state read, answered if the store fails mid-wait; its requester is
    /// left out (a status never shows it).
    last: Option<QrSession>,
    _slot: WaiterSlot,
}

impl Watcher {
    /// Subscribes to `id` for a client at `ip`. Call only for an authenticated caller:
    /// it takes one of the waiter slots (past the cap per address: 429; past the
    /// instance's cap: 503, both with `Retry-After`).
    pub async fn new(state: &AppState, id: &QrId, ip: Option<IpAddr>) -> Result<Self> {
        let slot = state.waiters.take(ip)?;
        let sub = state.qr.subscribe(id).await?;
        Ok(Self {
            state: state.clone(),
            sub,
            last: None,
            _slot: slot,
        })
    }

    /// The session as of now (read after subscribing).
    pub async fn current(&mut self) -> Result<QrSession> {
        let s = match self.state.qr.get(self.sub.id()).await {
            Ok(Some(s)) => s.into_at(self.state.now()),
            Ok(None) => return Err(Error::qr_not_found()),
            // Mid-wait, a store failure answers the last known state, not an error page.
            Err(e) => {
                return self
                    .last
                    .clone()
                    .map(|s| s.into_at(self.state.now()))
                    .ok_or_else(|| e.into())
            }
        };
        // Kept without the requester (its User-Agent alone is ~110 B per waiter): what
        // a waiter answers from it is a status, which never shows the requester.
        self.last = Some(QrSession {
            requester: Requester::default(),
            ..s.clone()
        });
        Ok(s)
    }

    /// Waits until the session's version differs from `since`, or `deadline`, or
    /// shutdown; returns the session as of then. A terminal session answers at once.
    pub async fn until_changed(&mut self, since: u64, deadline: Instant) -> Result<QrSession> {
        loop {
            let s = self.current().await?;
            if s.version != since || s.state.is_terminal() || Instant::now() >= deadline {
                return Ok(s);
            }
            let to_expiry = Duration::from_millis((s.expires_at - self.state.now()).max(0) as u64);
            let wake = deadline.min(Instant::now() + to_expiry);
            // Not kept across the wait: `last` already holds it, once per waiter.
            drop(s);
            tokio::select! {
                _ = self.sub.changed() => {}
                _ = tokio::time::sleep_until(wake) => {}
                _ = self.state.shutdown.cancelled() => return self.current().await,
            }
        }
    }

    /// Now, by the server's clock (for rendering what a wait returned).
    pub fn now(&self) -> qrlogin_core::Millis {
        self.state.now()
    }

    /// Whether the server is shutting down (streams end then).
    pub fn shutting_down(&self) -> bool {
        self.state.shutdown.is_cancelled()
    }
}
