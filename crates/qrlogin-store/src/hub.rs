//! In-process fan-out of "this QR session changed" to local waiters.
//!
//! Every backend funnels its change notifications (a local write for the memory store,
//! a pub/sub message for Redis) into one [`Hub`]; each waiting long poll, SSE stream or
//! WebSocket holds a [`Subscription`]. A waiter wakes in the same instant as the
//! notification, with no polling, and an idle waiter costs one small channel receiver.

use qrlogin_core::QrId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Channels per QR session with at least one local waiter.
#[derive(Default)]
pub struct Hub {
    // A std Mutex, not a tokio one: nothing awaits while it is held, and it is held for
    // a map operation only.
    channels: Mutex<HashMap<QrId, watch::Sender<u64>>>,
}

impl Hub {
    /// An empty hub, shared by the backend and its subscriptions.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Registers a waiter for `id`.
    pub fn subscribe(self: &Arc<Self>, id: &QrId) -> Subscription {
        let mut map = self.channels.lock().expect("hub lock poisoned");
        let rx = match map.get(id) {
            Some(tx) => tx.subscribe(),
            None => {
                let (tx, rx) = watch::channel(0);
                map.insert(id.clone(), tx);
                rx
            }
        };
        Subscription {
            rx,
            id: id.clone(),
            hub: Arc::clone(self),
        }
    }

    /// Wakes every local waiter of `id`.
    pub fn notify(&self, id: &QrId) {
        let map = self.channels.lock().expect("hub lock poisoned");
        if let Some(tx) = map.get(id) {
            tx.send_modify(|g| *g = g.wrapping_add(1));
        }
    }

    /// Wakes every local waiter (after a reconnect to the backend, when notifications
    /// may have been missed, so that each re-reads its session).
    pub fn notify_all(&self) {
        let map = self.channels.lock().expect("hub lock poisoned");
        for tx in map.values() {
            tx.send_modify(|g| *g = g.wrapping_add(1));
        }
    }

    /// How many waiters are registered now.
    pub fn waiters(&self) -> usize {
        let map = self.channels.lock().expect("hub lock poisoned");
        map.values().map(|tx| tx.receiver_count()).sum()
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
    rx: watch::Receiver<u64>,
    id: QrId,
    hub: Arc<Hub>,
}

impl Subscription {
    /// Resolves at the next notification for this session after the previous call (or
    /// after subscribing). Re-read the session then: a notification says "something
    /// changed", not what.
    pub async fn changed(&mut self) {
        // The sender lives in the hub's map while this receiver exists, so this only
        // fails if the hub itself is gone; then nothing will ever notify: wait forever
        // and let the caller's deadline end the wait.
        if self.rx.changed().await.is_err() {
            std::future::pending::<()>().await;
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
        // Our receiver is still alive here; under the lock nobody can subscribe anew,
        // so a count of 1 means we are the last.
        if map.get(&self.id).is_some_and(|tx| tx.receiver_count() <= 1) {
            map.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_notification_wakes_every_waiter_of_that_session_only() {
        let hub = Hub::new();
        let (a, b) = (QrId::generate(), QrId::generate());
        let mut w1 = hub.subscribe(&a);
        let mut w2 = hub.subscribe(&a);
        let mut other = hub.subscribe(&b);
        hub.notify(&a);
        tokio::time::timeout(Duration::from_secs(1), w1.changed())
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(1), w2.changed())
            .await
            .unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(50), other.changed())
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn dropping_the_last_subscription_forgets_the_session() {
        let hub = Hub::new();
        let id = QrId::generate();
        let s1 = hub.subscribe(&id);
        let s2 = hub.subscribe(&id);
        assert_eq!(hub.waiters(), 2);
        drop(s1);
        assert!(hub.is_watched(&id));
        drop(s2);
        assert!(!hub.is_watched(&id));
        assert_eq!(hub.waiters(), 0);
    }

    #[tokio::test]
    async fn notify_all_wakes_waiters_of_every_session() {
        let hub = Hub::new();
        let mut subs: Vec<_> = (0..5).map(|_| hub.subscribe(&QrId::generate())).collect();
        hub.notify_all();
        for s in &mut subs {
            tokio::time::timeout(Duration::from_secs(1), s.changed())
                .await
                .unwrap();
        }
    }
}
