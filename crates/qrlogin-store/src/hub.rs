//! In-process fan-out of "this QR session changed" to local waiters.
//!
//! Every backend funnels its change notifications (a local write for the memory store,
//! a pub/sub message for Redis) into one [`Hub`]; each waiting long poll, SSE stream or
//! WebSocket holds a [`Subscription`]. A waiter wakes in the same instant as the
//! notification, with no polling, and an idle waiter costs one
//! reference to its session's small channel.
//!
//! The hub is also the bookkeeping of *interest*: a backend that must ask its server for
//! each session's messages (Redis: a channel per session) builds it with
//! [`Hub::with_interest`] and hears, on a queue, every session that gets its first local
//! waiter or loses its last one. It (un)subscribes in batches and then
//! [confirms](Hub::confirm) the session, which lets the waiters that arrived meanwhile go
//! on to read it: subscribed before read, so no change slips between.

use qrlogin_core::QrId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, Notify};

/// What the waiters of one session share: a change counter and the waker of all of
/// them. A `tokio::sync::watch` channel did the same in ~340 bytes per session, most of
/// it wakers for many receivers; this is ~60, and there is one per waiting PC.
struct Channel {
    /// Bumped on every notification; each subscription remembers the last it saw.
    changes: AtomicU64,
    /// Wakes every waiter parked in [`Subscription::changed`] (and, once, those waiting
    /// for [`Subscription::confirmed`]).
    notify: Notify,
    /// Whether the backend hears this session's changes yet; always for a backend
    /// without interest (the memory store hears every write anyway).
    confirmed: AtomicBool,
}

/// Channels per QR session with at least one local waiter.
#[derive(Default)]
pub struct Hub {
    // A std Mutex, not a tokio one: nothing awaits while it is held, and it is held for
    // a map operation only.
    channels: Mutex<HashMap<QrId, Arc<Channel>>>,
    /// Where first-waiter and last-waiter events go; `None` when the backend hears every
    /// change anyway.
    interest: Option<mpsc::UnboundedSender<QrId>>,
    /// Notifications delivered to this hub (the `qrlogin_store_notifications_total`
    /// metric): what an idle instance should see stay still.
    received: AtomicU64,
}

impl Hub {
    /// An empty hub, shared by the backend and its subscriptions.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A hub whose backend subscribes per session: every session that gets its first
    /// waiter or loses its last is sent on `interest` (a session may come more than once;
    /// the receiver looks at [`is_watched`](Self::is_watched) to see which it was).
    /// Waiters then wait for [`confirm`](Self::confirm).
    pub fn with_interest(interest: mpsc::UnboundedSender<QrId>) -> Arc<Self> {
        Arc::new(Self {
            interest: Some(interest),
            ..Self::default()
        })
    }

    /// Registers a waiter for `id`.
    pub fn subscribe(self: &Arc<Self>, id: &QrId) -> Subscription {
        let mut map = self.channels.lock().expect("hub lock poisoned");
        let channel = Arc::clone(map.entry(id.clone()).or_insert_with(|| {
            if let Some(tx) = &self.interest {
                // Sent under the lock, so the receiver sees first and last in order.
                let _ = tx.send(id.clone());
            }
            Arc::new(Channel {
                changes: AtomicU64::new(0),
                notify: Notify::new(),
                confirmed: AtomicBool::new(self.interest.is_none()),
            })
        }));
        let seen = channel.changes.load(Ordering::SeqCst);
        Subscription {
            channel,
            seen,
            id: id.clone(),
            hub: Arc::clone(self),
        }
    }

    /// Wakes every local waiter of `id`.
    pub fn notify(&self, id: &QrId) {
        self.received.fetch_add(1, Ordering::Relaxed);
        self.reread(id);
    }

    /// Wakes the local waiters of `id` to re-read it, without counting a notification
    /// (the backend may have missed one, e.g. while its subscription moved).
    pub fn reread(&self, id: &QrId) {
        let map = self.channels.lock().expect("hub lock poisoned");
        if let Some(c) = map.get(id) {
            c.changes.fetch_add(1, Ordering::SeqCst);
            c.notify.notify_waiters();
        }
    }

    /// Wakes every local waiter (after a reconnect to the backend, when notifications
    /// may have been missed, so that each re-reads its session).
    pub fn notify_all(&self) {
        let map = self.channels.lock().expect("hub lock poisoned");
        for c in map.values() {
            c.changes.fetch_add(1, Ordering::SeqCst);
            c.notify.notify_waiters();
        }
    }

    /// Marks `id` as heard by the backend, releasing the waiters of
    /// [`Subscription::confirmed`]. Does not count as a change.
    pub fn confirm(&self, id: &QrId) {
        let map = self.channels.lock().expect("hub lock poisoned");
        if let Some(c) = map.get(id) {
            if !c.confirmed.swap(true, Ordering::SeqCst) {
                c.notify.notify_waiters();
            }
        }
    }

    /// Every session with a local waiter now (to subscribe again after a reconnect).
    pub fn watched(&self) -> Vec<QrId> {
        let map = self.channels.lock().expect("hub lock poisoned");
        map.keys().cloned().collect()
    }

    /// How many notifications the backend has delivered so far, whether or not a waiter
    /// was there to hear them.
    pub fn notifications(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// How many waiters are registered now.
    pub fn waiters(&self) -> usize {
        let map = self.channels.lock().expect("hub lock poisoned");
        // Every subscription holds one reference; the map holds the other.
        map.values().map(|c| Arc::strong_count(c) - 1).sum()
    }

    /// Whether any local waiter follows `id` (backends may skip work for nobody).
    pub fn is_watched(&self, id: &QrId) -> bool {
        self.channels
            .lock()
            .expect("hub lock poisoned")
            .contains_key(id)
    }
}

/// One waiter's registration. Dropping it unregisters; the last one for a session
/// removes the session's channel, so the hub only holds sessions someone waits for.
pub struct Subscription {
    channel: Arc<Channel>,
    /// The channel's change count when this subscription last looked.
    seen: u64,
    id: QrId,
    hub: Arc<Hub>,
}

impl Subscription {
    /// Resolves at the next notification for this session after the previous call (or
    /// after subscribing). Re-read the session then: a notification says "something
    /// changed", not what.
    pub async fn changed(&mut self) {
        loop {
            // Created before the count is read: a `Notified` receives every
            // `notify_waiters` from its creation on, so no notification can fall
            // between the read and the wait.
            let notified = self.channel.notify.notified();
            let now = self.channel.changes.load(Ordering::SeqCst);
            if now != self.seen {
                self.seen = now;
                return;
            }
            notified.await;
        }
    }

    /// Whether the backend already hears this session's changes.
    pub fn is_confirmed(&self) -> bool {
        self.channel.confirmed.load(Ordering::SeqCst)
    }

    /// Resolves once the backend hears this session's changes ([`Hub::confirm`]); read
    /// the session only after that. Immediate on a hub without interest.
    pub async fn confirmed(&self) {
        loop {
            let notified = self.channel.notify.notified();
            if self.is_confirmed() {
                return;
            }
            notified.await;
        }
    }

    /// The session this subscription follows.
    pub fn id(&self) -> &QrId {
        &self.id
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut map = self.hub.channels.lock().expect("hub lock poisoned");
        // Under the lock nobody can subscribe anew, so two references (the map's and
        // ours) mean we are the last.
        if Arc::strong_count(&self.channel) <= 2 {
            map.remove(&self.id);
            if let Some(tx) = &self.hub.interest {
                let _ = tx.send(self.id.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests;
