//! Wake-ups (every waiter of one session, none lost, none of another session), the
//! bookkeeping of channels, and the interest queue a Redis backend subscribes by.

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
async fn a_notification_before_the_wait_is_not_lost_and_is_seen_once() {
    let hub = Hub::new();
    let id = QrId::generate();
    let mut w = hub.subscribe(&id);
    hub.notify(&id);
    hub.notify(&id);
    tokio::time::timeout(Duration::from_secs(1), w.changed())
        .await
        .expect("the earlier notification counts");
    assert!(
        tokio::time::timeout(Duration::from_millis(50), w.changed())
            .await
            .is_err(),
        "both notifications were seen by the one wake-up"
    );
    hub.notify(&id);
    tokio::time::timeout(Duration::from_secs(1), w.changed())
        .await
        .expect("a later notification wakes it again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_racing_a_notifier_on_another_thread_never_misses_the_last_change() {
    let hub = Hub::new();
    let id = QrId::generate();
    for _ in 0..2_000 {
        let mut w = hub.subscribe(&id);
        let notifier = {
            let (hub, id) = (Arc::clone(&hub), id.clone());
            tokio::spawn(async move { hub.notify(&id) })
        };
        tokio::time::timeout(Duration::from_secs(1), w.changed())
            .await
            .expect("woken by the racing notification");
        notifier.await.unwrap();
    }
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
async fn a_hub_with_interest_reports_first_and_last_waiters_and_holds_them_until_confirmed() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let hub = Hub::with_interest(tx);
    let id = QrId::generate();
    let first = hub.subscribe(&id);
    let second = hub.subscribe(&id);
    assert_eq!(
        rx.try_recv().ok(),
        Some(id.clone()),
        "the first waiter is reported"
    );
    assert!(rx.try_recv().is_err(), "the second is not");
    assert!(!second.is_confirmed());
    hub.confirm(&id);
    tokio::time::timeout(Duration::from_secs(1), first.confirmed())
        .await
        .unwrap();
    assert_eq!(hub.notifications(), 0, "a confirmation is no notification");
    drop(first);
    assert!(rx.try_recv().is_err());
    drop(second);
    assert_eq!(
        rx.try_recv().ok(),
        Some(id),
        "the last one leaving is reported"
    );
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
