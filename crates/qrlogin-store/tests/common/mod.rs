//! Helpers shared by the Redis test binaries: sessions shaped as real browsers make
//! them, and bounded waits.
#![allow(dead_code)] // each test binary uses its own subset

use qrlogin_core::Clock as _;
use qrlogin_core::{
    DeviceInfo, Lifetimes, QrId, QrSession, QrState, Requester, Scanner, Secret, SecretKind,
};
use qrlogin_store::redis::RedisStore;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A pending session as a real browser would make it (a full Chrome `User-Agent`).
pub fn pending() -> QrSession {
    QrSession::new(
        QrId::generate(),
        Secret::generate(SecretKind::Poll).hash(),
        Requester {
            device: Some(DeviceInfo {
                id: None,
                kind: Some("web".into()),
                name: Some("Chrome on Windows".into()),
            }),
            ip: "203.0.113.7".into(),
            user_agent: Some(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
                    .into(),
            ),
        },
        qrlogin_core::SystemClock.now(),
        &Lifetimes::default(),
    )
}

pub fn scanned(s: &QrSession) -> QrSession {
    let mut n = s.clone();
    n.state = QrState::Scanned;
    n.version += 1;
    n.rev += 1;
    n.scanner = Some(Scanner {
        account_id: "acc_alice".into(),
        device_id: "phone-1".into(),
        display_name: "Alice".into(),
        avatar_url: None,
        ticket_hash: Secret::generate(SecretKind::ScanTicket).hash(),
    });
    n
}

pub fn purge(s: &QrSession) -> i64 {
    s.purge_at(&Lifetimes::default())
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
