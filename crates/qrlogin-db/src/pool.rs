//! [`Pool`]: the connections of one database, lent without a round trip of their own.
//!
//! sqlx's own pool pings a connection when it lends it (`test_before_acquire`) and again,
//! unconditionally, when it gets it back: three round trips (three hops to SQLite's
//! worker thread, three network trips to PostgreSQL) for every one-statement call, and
//! a task spawned per release. Full logins spent most of their time switching tasks.
//! This pool lends a connection as it is and takes it back as it is; it pings only a
//! connection that may have gone stale:
//!
//! - one idle for longer than [`PING_AFTER_IDLE`] (a server restart or a network cut
//!   while nobody used it shows up as a failed ping, not a failed call), and
//! - any connection, once a connection-level error happened anywhere since it was last
//!   verified: [`crate::error`] counts those faults wherever a sqlx error is
//!   converted (and [`Bounded`](crate::bounded) and this pool count their timeouts),
//!   and a connection remembers the count it was verified at.
//!
//! Connections idle for [`CLOSE_AFTER_IDLE`] are closed by [`Pool::close_idle`], which
//! the backends run every minute (`SqlDb::shared`), as sqlx's pool did with its
//! `idle_timeout`: after a burst, a fleet's instances give their connections back.
//!
//! A connection whose ping fails is dropped (its socket or SQLite worker closed) and
//! replaced by a new one. A lease dropped mid-statement (a cancelled request, a
//! [`Bounded`](crate::bounded) timeout) needs nothing more: sqlx-postgres flushes and
//! drains a half-finished exchange before its next statement (`wait_until_ready`), the
//! SQLite worker runs its commands in order, and a dropped transaction queues its
//! rollback ahead of whatever the connection runs next.

use crate::error::CONNECTION_FAULTS;
use crate::{DbError, DbResult};
use sqlx::{ConnectOptions, Connection};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// How long a connection may sit idle before it is pinged on its way out (sqlx's
/// documented `before_acquire` pattern): long enough that a busy server never pings,
/// short enough that a restart while idle costs a ping, not a failed request.
pub(crate) const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// How long a connection may sit idle before [`Pool::close_idle`] closes it (sqlx's
/// own `idle_timeout`): a burst's connections do not stay open on the database server
/// for ever, where every instance of a fleet counts against `max_connections`.
pub(crate) const CLOSE_AFTER_IDLE: Duration = Duration::from_secs(600);

/// An idle connection and what is known of its health.
struct Idle<C> {
    conn: C,
    /// When it was last given back.
    since: Instant,
    /// The pool's fault count when it last proved alive (connected, pinged).
    verified: u64,
}

/// Up to `max` connections to one database, lent one caller at a time, first come
/// first served.
pub(crate) struct Pool<C: Connection> {
    /// How to open another connection.
    options: <C as Connection>::Options,
    /// One permit per connection that may exist; FIFO, so no caller starves.
    permits: Semaphore,
    /// Connections nobody holds, the most recently returned last.
    idle: Mutex<Vec<Idle<C>>>,
    /// How long a caller waits for a connection before the call is `Unavailable`.
    acquire_timeout: Duration,
    /// Idle time after which a connection is pinged before it is lent.
    ping_after_idle: Duration,
    /// Idle time after which [`Pool::close_idle`] closes a connection.
    close_after_idle: Duration,
    /// The count of connection-level faults: the process-wide one, or a test's own.
    faults: &'static AtomicU64,
    /// Pings sent, for the tests and for anyone counting round trips.
    pings: AtomicU64,
    /// Connections opened.
    connects: AtomicU64,
}

impl<C: Connection> Pool<C> {
    /// A pool of at most `max` connections opened with `options`, starting with
    /// `first` (opened by the caller, so that `open` fails fast, with the server's own
    /// reason, on a database it cannot reach).
    pub(crate) fn new(
        options: <C as Connection>::Options,
        max: usize,
        acquire_timeout: Duration,
        first: C,
    ) -> Self {
        let pool = Self {
            options,
            permits: Semaphore::new(max),
            idle: Mutex::new(Vec::with_capacity(max)),
            acquire_timeout,
            ping_after_idle: PING_AFTER_IDLE,
            close_after_idle: CLOSE_AFTER_IDLE,
            faults: &CONNECTION_FAULTS,
            pings: AtomicU64::new(0),
            connects: AtomicU64::new(1),
        };
        pool.put_back(first, pool.faults());
        pool
    }

    /// The same pool counting faults on `faults` (a test's own, so that faults other
    /// tests cause in parallel do not make it ping).
    #[cfg(test)]
    pub(crate) fn faults_from(mut self, faults: &'static AtomicU64) -> Self {
        let verified = faults.load(Ordering::Relaxed);
        self.lock_idle()
            .iter_mut()
            .for_each(|i| i.verified = verified);
        self.faults = faults;
        self
    }

    /// Connection-level faults so far.
    fn faults(&self) -> u64 {
        self.faults.load(Ordering::Relaxed)
    }

    /// Records a connection-level fault: every connection is pinged before it is
    /// lent next.
    fn fault(&self) {
        self.faults.fetch_add(1, Ordering::Relaxed);
    }

    /// The same pool with another idle time before a ping (the tests shorten it).
    #[cfg(test)]
    pub(crate) fn ping_after_idle(mut self, after: Duration) -> Self {
        self.ping_after_idle = after;
        self
    }

    /// The same pool with another idle time before a close (the tests shorten it).
    #[cfg(test)]
    pub(crate) fn close_after_idle(mut self, after: Duration) -> Self {
        self.close_after_idle = after;
        self
    }

    /// Closes (politely: the server sees a goodbye, not a reset) every connection idle
    /// for longer than [`CLOSE_AFTER_IDLE`]; how many. The least recently returned are
    /// at the front of the idle list, and a lease takes from the back, so a busy pool
    /// keeps the connections it uses and lets the rest go.
    pub(crate) async fn close_idle(&self) -> usize {
        let stale: Vec<C> = {
            let mut idle = self.lock_idle();
            let keep = idle
                .iter()
                .position(|i| i.since.elapsed() <= self.close_after_idle)
                .unwrap_or(idle.len());
            idle.drain(..keep).map(|i| i.conn).collect()
        };
        let n = stale.len();
        for conn in stale {
            // A connection that cannot say goodbye is closed by its drop anyway.
            let _ = conn.close().await;
        }
        n
    }

    /// Pings sent so far.
    #[cfg(test)]
    pub(crate) fn pings(&self) -> u64 {
        self.pings.load(Ordering::Relaxed)
    }

    /// Connections opened so far (the first one included).
    #[cfg(test)]
    pub(crate) fn connects(&self) -> u64 {
        self.connects.load(Ordering::Relaxed)
    }

    /// A connection for one call (or one transaction), waiting up to the acquire
    /// timeout for a free one and opening one if none is idle; `Unavailable` when
    /// none comes in time or the database cannot be reached.
    pub(crate) async fn acquire(&self) -> DbResult<Lease<'_, C>> {
        let deadline = Instant::now() + self.acquire_timeout;
        let Ok(Ok(permit)) = tokio::time::timeout_at(deadline, self.permits.acquire()).await else {
            // Every connection held for the whole wait: the database hangs or is
            // overloaded; whoever gets one next should check it.
            self.fault();
            return Err(DbError::Unavailable(
                "no database connection within the timeout (database down or overloaded)".into(),
            ));
        };
        loop {
            let found = self.lock_idle().pop();
            let Some(mut idle) = found else {
                let (conn, verified) = self.connect(deadline).await?;
                return Ok(Lease::new(self, conn, verified, permit));
            };
            let faults = self.faults();
            if idle.verified == faults && idle.since.elapsed() <= self.ping_after_idle {
                return Ok(Lease::new(self, idle.conn, idle.verified, permit));
            }
            self.pings.fetch_add(1, Ordering::Relaxed);
            match tokio::time::timeout_at(deadline, idle.conn.ping()).await {
                Ok(Ok(())) => return Ok(Lease::new(self, idle.conn, faults, permit)),
                // A dead connection: dropping it closes it. The next idle one (or a
                // new one) is tried within the same deadline.
                Ok(Err(e)) => drop(DbError::from(e)),
                Err(_) => {
                    self.fault();
                    return Err(self.no_answer());
                }
            }
        }
    }

    /// A new connection, and the fault count it is verified at.
    async fn connect(&self, deadline: Instant) -> DbResult<(C, u64)> {
        let faults = self.faults();
        match tokio::time::timeout_at(deadline, self.options.connect()).await {
            Ok(Ok(conn)) => {
                self.connects.fetch_add(1, Ordering::Relaxed);
                Ok((conn, faults))
            }
            Ok(Err(e)) => Err(e.into()),
            Err(_) => {
                self.fault();
                Err(self.no_answer())
            }
        }
    }

    /// The error of a database that let the whole acquire timeout pass.
    fn no_answer(&self) -> DbError {
        DbError::Unavailable(format!(
            "no answer from the database within {:?}",
            self.acquire_timeout
        ))
    }

    /// Makes `conn` the next one lent.
    fn put_back(&self, conn: C, verified: u64) {
        self.lock_idle().push(Idle {
            conn,
            since: Instant::now(),
            verified,
        });
    }

    /// The idle list. A panic while it was held (none can happen: pushes and pops
    /// only) leaves it consistent, so a poisoned lock is taken as it is.
    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle<C>>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One connection lent by a [`Pool`]: derefs to the connection, goes back to the pool
/// (without a round trip) when dropped.
pub(crate) struct Lease<'a, C: Connection> {
    pool: &'a Pool<C>,
    /// Always `Some` until the lease is dropped.
    conn: Option<C>,
    /// The fault count the connection was last verified at.
    verified: u64,
    /// Its place among the pool's `max`; released after the connection is back.
    _permit: SemaphorePermit<'a>,
}

impl<'a, C: Connection> Lease<'a, C> {
    fn new(pool: &'a Pool<C>, conn: C, verified: u64, permit: SemaphorePermit<'a>) -> Self {
        Self {
            pool,
            conn: Some(conn),
            verified,
            _permit: permit,
        }
    }
}

impl<C: Connection> Deref for Lease<'_, C> {
    type Target = C;

    fn deref(&self) -> &C {
        self.conn
            .as_ref()
            .expect("a lease holds its connection until dropped")
    }
}

impl<C: Connection> DerefMut for Lease<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn
            .as_mut()
            .expect("a lease holds its connection until dropped")
    }
}

impl<C: Connection> Drop for Lease<'_, C> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put_back(conn, self.verified);
        }
        // `_permit` is dropped after this: the connection is idle before anyone
        // waiting for a permit can look for it.
    }
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
