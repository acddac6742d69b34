//! Helpers shared by the Redis test binaries: the conformance fixtures under short
//! names, and bounded waits.
#![allow(dead_code)] // each test binary uses its own subset

use qrlogin_core::QrSession;
use qrlogin_store::conformance::fixtures;
use qrlogin_store::redis::RedisStore;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The store tests' one fixture set: a pending session as a real browser makes it.
pub use fixtures::pending_from_browser as pending;
/// When a session may be forgotten, under the default lifetimes.
pub use fixtures::purge_at as purge;

/// The session after phone `phone-1` scanned it.
pub fn scanned(s: &QrSession) -> QrSession {
    fixtures::scanned_by(s, "phone-1")
}

pub async fn connect(url: &str) -> Arc<RedisStore> {
    RedisStore::connect(url).await.expect("connects")
}

/// Waits for `sub` to be woken, and says how long it took.
pub async fn woken_within(sub: &mut qrlogin_store::Subscription, limit: Duration) -> Duration {
    let t = Instant::now();
    tokio::time::timeout(limit, sub.changed())
        .await
        .expect("the waiter was not woken in time");
    t.elapsed()
}
