//! The grouped writer against a log that counts its statements and takes a while per
//! statement, as a database trip does.

use super::*;
use qrlogin_core::EventId;
use qrlogin_db::{ActivityKind, DbError};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Semaphore;

/// An activity log in memory: what was written, in how many statements; optionally
/// failing every write, or holding its first write until `gate` opens.
#[derive(Default)]
struct CountingLog {
    events: Mutex<Vec<ActivityEvent>>,
    statements: AtomicUsize,
    failing: AtomicBool,
    gate: Option<Semaphore>,
    gated_once: AtomicBool,
}

impl CountingLog {
    fn ids(&self) -> Vec<EventId> {
        let events = self.events.lock().unwrap();
        events.iter().map(|e| e.id.clone()).collect()
    }
}

#[async_trait]
impl ActivityDb for CountingLog {
    async fn append_event(&self, event: &ActivityEvent) -> DbResult<()> {
        self.append_events(std::slice::from_ref(event)).await
    }
    async fn append_events(&self, events: &[ActivityEvent]) -> DbResult<()> {
        self.statements.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = &self.gate {
            if !self.gated_once.swap(true, Ordering::SeqCst) {
                drop(gate.acquire().await.unwrap());
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
        if self.failing.load(Ordering::SeqCst) {
            return Err(DbError::Unavailable("down for the test".into()));
        }
        self.events.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
    async fn events_of(&self, _: &AccountId, _: u32) -> DbResult<Vec<ActivityEvent>> {
        Ok(self.events.lock().unwrap().clone())
    }
    async fn purge_events_before(&self, _: Millis) -> DbResult<u64> {
        Ok(0)
    }
}

fn event() -> ActivityEvent {
    ActivityEvent {
        id: EventId::generate(),
        account_id: AccountId::generate(),
        at: 1,
        kind: ActivityKind::QrConfirmed,
        ip: None,
        device: None,
        client: None,
        method: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_events_share_statements_and_each_is_written_before_its_caller_returns() {
    let log = Arc::new(CountingLog::default());
    let writer = Arc::new(ActivityWriter::over(log.clone()));
    let n = 200;
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (writer, log) = (writer.clone(), log.clone());
        tasks.push(tokio::spawn(async move {
            let e = event();
            writer.write(e.clone()).await;
            assert!(
                log.ids().contains(&e.id),
                "returned before its event was written"
            );
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(log.ids().len(), n);
    let statements = log.statements.load(Ordering::SeqCst);
    assert!(statements < n / 2, "{statements} statements for {n} events");
}

#[tokio::test]
async fn a_caller_finding_the_queue_full_writes_alone_and_no_event_is_dropped() {
    let log = Arc::new(CountingLog {
        gate: Some(Semaphore::new(0)),
        ..Default::default()
    });
    let writer = Arc::new(ActivityWriter::with_queue(log.clone(), 1));
    // The first write holds the writer; the second waits in the queue (room for one).
    let (a, b) = (event(), event());
    let first = tokio::spawn({
        let (w, e) = (writer.clone(), a.clone());
        async move { w.write(e).await }
    });
    while log.statements.load(Ordering::SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
    let second = tokio::spawn({
        let (w, e) = (writer.clone(), b.clone());
        async move { w.write(e).await }
    });
    while writer.jobs.capacity() > 0 {
        tokio::task::yield_now().await;
    }
    // The queue is full: this one is written alone, at once.
    let c = event();
    writer.write(c.clone()).await;
    assert_eq!(log.ids(), vec![c.id.clone()]);
    log.gate.as_ref().unwrap().add_permits(1);
    first.await.unwrap();
    second.await.unwrap();
    let mut ids = log.ids();
    ids.sort_by(|x, y| x.as_str().cmp(y.as_str()));
    let mut all = vec![a.id, b.id, c.id];
    all.sort_by(|x, y| x.as_str().cmp(y.as_str()));
    assert_eq!(ids, all);
}

#[tokio::test]
async fn a_failed_write_is_logged_and_its_callers_still_return() {
    let log = Arc::new(CountingLog::default());
    log.failing.store(true, Ordering::SeqCst);
    let writer = ActivityWriter::over(log.clone());
    tokio::time::timeout(Duration::from_secs(5), writer.write(event()))
        .await
        .expect("the caller returns");
    assert!(log.ids().is_empty());
}

#[tokio::test]
async fn the_writer_task_ends_once_the_writer_is_dropped() {
    let log = Arc::new(CountingLog::default());
    let writer = ActivityWriter::over(log.clone());
    writer.write(event()).await;
    drop(writer);
    // The task held the last other reference to the log.
    for _ in 0..500 {
        if Arc::strong_count(&log) == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("the writer task outlived its writer");
}
