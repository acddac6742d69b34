//! One-use blobs (`put_ephemeral` / `take_ephemeral`): taken once, on any instance,
//! and never after they expire.

use super::Harness;
use qrlogin_core::{Clock, QrId, SystemClock};

/// Five minutes, a WebAuthn challenge's life.
const LIFE: i64 = 5 * 60_000;

/// A fresh key (a new QR id is as random as any), so checks never collide on a
/// shared Redis.
fn key() -> String {
    format!("test:{}", QrId::generate())
}

/// A blob put on one instance is taken, exactly as put, on another, and only once.
pub async fn a_blob_is_taken_exactly_once_on_any_instance(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let k = key();
    let value = b"\x00\xffchallenge \"state\"".to_vec();
    a.qr.put_ephemeral(&k, &value, SystemClock.now() + LIFE)
        .await
        .expect("put");
    assert_eq!(b.qr.take_ephemeral(&k).await.expect("take"), Some(value));
    assert_eq!(a.qr.take_ephemeral(&k).await.expect("take"), None);
    assert_eq!(b.qr.take_ephemeral(&k).await.expect("take"), None);
}

/// A key never put, or put with an expiry already past, takes as `None`.
pub async fn an_unknown_or_expired_blob_is_not_taken(h: &dyn Harness) {
    let s = h.open().await;
    assert_eq!(s.qr.take_ephemeral(&key()).await.expect("take"), None);
    let k = key();
    s.qr.put_ephemeral(&k, b"old", SystemClock.now() - 1_000)
        .await
        .expect("put");
    assert_eq!(s.qr.take_ephemeral(&k).await.expect("take"), None);
}

/// A second put under one key replaces the first.
pub async fn a_second_put_replaces_the_first(h: &dyn Harness) {
    let s = h.open().await;
    let k = key();
    let until = SystemClock.now() + LIFE;
    s.qr.put_ephemeral(&k, b"one", until).await.expect("put");
    s.qr.put_ephemeral(&k, b"two", until + 1)
        .await
        .expect("put");
    assert_eq!(
        s.qr.take_ephemeral(&k).await.expect("take"),
        Some(b"two".to_vec())
    );
}

/// Of sixteen racing takes of one blob, on two instances, exactly one gets it.
pub async fn of_racing_takes_exactly_one_gets_the_blob(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let k = key();
    a.qr.put_ephemeral(&k, b"once", SystemClock.now() + LIFE)
        .await
        .expect("put");
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = if i % 2 == 0 {
            a.qr.clone()
        } else {
            b.qr.clone()
        };
        let k = k.clone();
        tasks.push(tokio::spawn(async move {
            store.take_ephemeral(&k).await.expect("take").is_some()
        }));
    }
    let mut got = 0;
    for t in tasks {
        got += usize::from(t.await.expect("task"));
    }
    assert_eq!(got, 1);
}
