//! The open connections of one listener, so that the start and the end of a shutdown
//! reach each connection's watchdog through its own [`Activity::changed`]. Waiting on the
//! server-wide cancellation tokens instead made every wake of every connection's task
//! (each request, several times) take four locks shared by all connections.

use super::activity::Activity;
use super::conn::Shared;
use std::sync::Arc;

impl Shared {
    /// Wakes every open connection's watchdog, to look at `stopping` and `hard_stop`.
    pub fn wake_all(&self) {
        let members = self.members.lock().unwrap_or_else(|p| p.into_inner());
        for activity in members.values() {
            activity.changed.notify_one();
        }
    }
}

/// A connection's place in [`Shared::members`], from its first poll until its task
/// ends (or is dropped).
pub(super) struct Member {
    /// What the connections share; the connection reaches it from here.
    pub shared: Arc<Shared>,
    /// The address of the connection's [`Activity`], its key in the list.
    key: usize,
}

impl Member {
    /// Lists `activity` among the open connections. A shutdown that began before this
    /// is seen by the watchdog's first look, one that begins after wakes it.
    pub fn join(shared: Arc<Shared>, activity: Arc<Activity>) -> Self {
        let key = Arc::as_ptr(&activity) as usize;
        shared
            .members
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, activity);
        Self { shared, key }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.shared
            .members
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
    }
}
