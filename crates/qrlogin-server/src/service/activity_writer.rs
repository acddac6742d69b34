//! Group commit of the activity log: one writer per server takes the events queued
//! while its previous write ran and writes them in one statement
//! ([`ActivityDb::append_events`]). A login writes two events (scan, confirm); one
//! INSERT each was a database trip each, the most expensive thing a request does, so
//! under load many requests now share one trip.
//!
//! Each caller still waits until its own event is written (or its write failed, which
//! is logged, never returned), so an event is in the log before the use case answers,
//! and `GET /api/v1/activity` right after a confirm shows it on any instance. When the
//! queue is full, or the writer is gone (its runtime ended), the caller writes its
//! event alone: never dropped, never blocked for long. The writer's task ends when the
//! last handle to it (the server's state) is dropped, after the events already queued.

use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis};
use qrlogin_db::{ActivityDb, ActivityEvent, Db, DbResult};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most events one write takes (one INSERT of 9 bind parameters per event).
pub const BATCH: usize = 64;

/// How many events may wait for the writer; past that, callers write alone.
pub const QUEUE: usize = 1024;

/// One queued event and whom to tell once it is written.
type Job = (ActivityEvent, oneshot::Sender<()>);

/// The server's activity writer (see the module docs). Cheap to share: a queue handle.
pub struct ActivityWriter {
    jobs: mpsc::Sender<Job>,
    /// Where a caller writes alone.
    log: Arc<dyn ActivityDb>,
}

impl ActivityWriter {
    /// A writer over the server's database; its task runs on the current runtime.
    pub fn new(db: Arc<dyn Db>) -> Self {
        Self::over(Arc::new(ActivityOf(db)))
    }

    /// A writer over any activity log (the tests count its statements).
    pub fn over(log: Arc<dyn ActivityDb>) -> Self {
        Self::with_queue(log, QUEUE)
    }

    /// [`ActivityWriter::over`] with room for `queue` waiting events.
    fn with_queue(log: Arc<dyn ActivityDb>, queue: usize) -> Self {
        let (jobs, queue) = mpsc::channel(queue);
        tokio::spawn(write_loop(log.clone(), queue));
        Self { jobs, log }
    }

    /// Writes `event`, together with whatever else is queued, and returns once it is
    /// written or its write failed (logged).
    pub async fn write(&self, event: ActivityEvent) {
        let (done, written) = oneshot::channel();
        match self.jobs.try_send((event, done)) {
            Ok(()) => {
                if written.await.is_err() {
                    // The writer's task was dropped with its runtime, the event with it.
                    tracing::warn!("activity writer gone: an activity event was not written");
                }
            }
            Err(full_or_closed) => {
                let (event, _) = full_or_closed.into_inner();
                let one = std::slice::from_ref(&event);
                if let Err(e) = self.log.append_events(one).await {
                    warn_unwritten(one, &e);
                }
            }
        }
    }
}

/// Takes what is queued, up to [`BATCH`], writes it in one call, tells each caller,
/// and again; ends when every sender is gone and the queue is empty.
async fn write_loop(log: Arc<dyn ActivityDb>, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut jobs, BATCH).await > 0 {
        let (events, waiting): (Vec<_>, Vec<_>) = jobs.drain(..).unzip();
        if let Err(e) = log.append_events(&events).await {
            warn_unwritten(&events, &e);
        }
        for w in waiting {
            // A caller that went away needs no answer.
            let _ = w.send(());
        }
    }
}

/// Logs events whose write failed: which account and kind, never more.
fn warn_unwritten(events: &[ActivityEvent], e: &qrlogin_db::DbError) {
    for ev in events {
        tracing::warn!(account = %ev.account_id, kind = %ev.kind, error = %e, "activity event not written");
    }
}

/// The activity part of a [`Db`] as an [`ActivityDb`] of its own (the writer needs
/// nothing else, and tests give it a counting log).
struct ActivityOf(Arc<dyn Db>);

#[async_trait]
impl ActivityDb for ActivityOf {
    async fn append_event(&self, event: &ActivityEvent) -> DbResult<()> {
        self.0.append_event(event).await
    }
    async fn append_events(&self, events: &[ActivityEvent]) -> DbResult<()> {
        self.0.append_events(events).await
    }
    async fn events_of(&self, account: &AccountId, limit: u32) -> DbResult<Vec<ActivityEvent>> {
        self.0.events_of(account, limit).await
    }
    async fn purge_events_before(&self, at: Millis) -> DbResult<u64> {
        self.0.purge_events_before(at).await
    }
}

#[cfg(test)]
#[path = "activity_writer_tests.rs"]
mod tests;
