//! Checks of subscriptions: the wake-ups that long poll, SSE and WebSocket wait on.

use super::fixtures::{pending, purge_at, rewritten, scanned_by};
use super::{Backend, Harness};
use crate::{CasOutcome, Subscription};
use qrlogin_core::{QrSession, QrState};
use std::time::Duration;
use tokio::time::timeout;

/// How soon a wake-up must arrive. The contract asks for 50 ms end to end; this is a
/// generous bound so a loaded CI machine does not fail the suite, while a backend that
/// polls on a timer or misses the notification still does.
pub const PROMPT: Duration = Duration::from_millis(500);

/// How long a subscriber is watched for a wake-up that must not come.
pub const QUIET: Duration = Duration::from_millis(100);

/// Whether `sub` is woken within [`PROMPT`].
async fn woken(sub: &mut Subscription) -> bool {
    timeout(PROMPT, sub.changed()).await.is_ok()
}

/// Writes `next` over `prev` through `via`, which must succeed.
async fn write(via: &Backend, prev: &QrSession, next: &QrSession) {
    let out = via.qr.compare_and_set(prev.rev, next, purge_at(next)).await;
    assert_eq!(out.expect("cas"), CasOutcome::Written);
}

/// The record after a confirm: a state change.
fn confirmed(s: &QrSession) -> QrSession {
    let mut next = s.clone();
    next.state = QrState::Confirmed;
    next.version += 1;
    next.rev += 1;
    next
}

/// A write that changes the version through one instance wakes every subscriber of
/// that session on both instances, promptly.
pub async fn a_version_change_on_the_other_instance_wakes_subscribers_promptly(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    let mut on_a = a.qr.subscribe(&s.id).await.expect("subscribe");
    let mut on_b = b.qr.subscribe(&s.id).await.expect("subscribe");
    write(&b, &s, &scanned_by(&s, "phone-1")).await;
    assert!(
        woken(&mut on_a).await,
        "the other instance's waiter slept on"
    );
    assert!(
        woken(&mut on_b).await,
        "the writing instance's waiter slept on"
    );
}

/// A write that keeps the version (a re-scan) may or may not wake; either way, the
/// next version change must.
pub async fn a_version_change_wakes_even_after_a_rev_only_write(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let s = pending();
    a.qr.create(&s, purge_at(&s)).await.expect("create");
    let scanned = scanned_by(&s, "phone-1");
    write(&a, &s, &scanned).await;

    let mut sub = a.qr.subscribe(&s.id).await.expect("subscribe");
    let rescanned = rewritten(&scanned);
    write(&b, &scanned, &rescanned).await;
    // Whatever this wakes for (or not) is allowed; consume it so it cannot stand in
    // for the wake-up asserted below.
    let _ = timeout(QUIET, sub.changed()).await;

    let done = confirmed(&rescanned);
    write(&b, &rescanned, &done).await;
    assert!(
        woken(&mut sub).await,
        "a version change after a rev-only write did not wake"
    );
    assert_eq!(a.qr.get(&s.id).await.expect("get"), Some(done));
}

/// Subscribers of one session sleep through changes to another.
pub async fn a_change_to_another_session_does_not_wake(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (s1, s2) = (pending(), pending());
    a.qr.create(&s1, purge_at(&s1)).await.expect("create");
    a.qr.create(&s2, purge_at(&s2)).await.expect("create");
    let mut sub1 = a.qr.subscribe(&s1.id).await.expect("subscribe");
    let mut sub2 = a.qr.subscribe(&s2.id).await.expect("subscribe");
    write(&b, &s2, &scanned_by(&s2, "phone-1")).await;
    // Once s2's waiter is woken the notification has arrived here, so a wrong wake-up
    // of s1's waiter would have arrived by now too.
    assert!(
        woken(&mut sub2).await,
        "the changed session's waiter slept on"
    );
    assert!(
        timeout(QUIET, sub1.changed()).await.is_err(),
        "a waiter was woken by a change to another session"
    );
}

/// The waiter's protocol (subscribe, read, wait only if nothing is new, re-read once
/// woken) never sleeps through a change, wherever the racing write lands: before the
/// subscription, between it and the read, or after the read; and a wake-up never
/// comes before the change it announces can be read.
pub async fn subscribe_then_read_never_misses_a_change_made_between(h: &dyn Harness) {
    const ROUNDS: usize = 40;
    let (a, b) = (h.open().await, h.open().await);
    for round in 0..ROUNDS {
        let s = pending();
        a.qr.create(&s, purge_at(&s)).await.expect("create");
        let next = scanned_by(&s, "phone-1");
        let (writer, to_write, rev) = (b.qr.clone(), next.clone(), s.rev);
        let racer = tokio::spawn(async move {
            // Vary where the write lands relative to the waiter.
            for _ in 0..round % 4 {
                tokio::task::yield_now().await;
            }
            writer
                .compare_and_set(rev, &to_write, purge_at(&to_write))
                .await
        });

        let mut sub = a.qr.subscribe(&s.id).await.expect("subscribe");
        let mut seen = a.qr.get(&s.id).await.expect("get").expect("created");
        if seen.version == s.version {
            let woke = woken(&mut sub).await;
            assert!(woke, "round {round}: a change slipped past the waiter");
            // A wake-up must mean the change can be read: a waiter re-reads once and
            // would otherwise go back to sleep on the old version.
            seen = a.qr.get(&s.id).await.expect("get").expect("created");
        }
        assert_eq!(
            seen, next,
            "round {round}: woken before the change was readable"
        );
        let out = racer.await.expect("writer task panicked").expect("cas");
        assert_eq!(out, CasOutcome::Written);
    }
}

/// Subscriptions are counted while held and uncounted when dropped, so the "waiters
/// held" metric neither leaks nor drifts.
pub async fn dropping_subscriptions_returns_waiters_to_its_previous_value(h: &dyn Harness) {
    let a = h.open().await;
    let (s1, s2) = (pending(), pending());
    a.qr.create(&s1, purge_at(&s1)).await.expect("create");
    let before = a.qr.waiters();
    let first = a.qr.subscribe(&s1.id).await.expect("subscribe");
    let second = a.qr.subscribe(&s1.id).await.expect("subscribe");
    // A session that does not exist (yet) can be waited for too.
    let third = a.qr.subscribe(&s2.id).await.expect("subscribe");
    assert_eq!(a.qr.waiters(), before + 3);
    drop(second);
    assert_eq!(a.qr.waiters(), before + 2);
    drop((first, third));
    assert_eq!(a.qr.waiters(), before);
}
