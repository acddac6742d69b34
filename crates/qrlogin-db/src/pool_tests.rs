//! The pool's own tests: how many connections it lends, when it pings, and that a
//! cancelled statement or transaction leaves its connection usable. SQLite in memory
//! for most; the local PostgreSQL server (always there on this machine and in CI) for
//! what only a network connection shows.

use super::*;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::Row as _;
use std::str::FromStr;

/// The server's maintenance database: the tests need no schema of their own.
const PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A pool of `max` private in-memory SQLite connections with its own fault counter.
async fn sqlite_pool(max: usize, faults: &'static AtomicU64) -> Pool<SqliteConnection> {
    let opts = SqliteConnectOptions::from_str("sqlite::memory:").expect("options");
    let first = opts.connect().await.expect("connect");
    Pool::new(opts, max, Duration::from_millis(200), first).faults_from(faults)
}

/// A pool of one PostgreSQL connection with its own fault counter.
async fn pg_pool(faults: &'static AtomicU64) -> Pool<PgConnection> {
    let opts = PgConnectOptions::from_str(PG_URL).expect("options");
    let first = opts
        .connect()
        .await
        .expect("the PostgreSQL server on 127.0.0.1:5432 must be running");
    Pool::new(opts, 1, Duration::from_secs(3), first).faults_from(faults)
}

/// Whether `SELECT 1` on a lease of the pool succeeds (a macro: sqlx's executor bounds
/// do not abstract over the connection type in a plain function).
macro_rules! answers {
    ($pool:expr) => {{
        let mut lease = $pool.acquire().await.expect("lease");
        sqlx::query("SELECT 1").execute(&mut *lease).await.is_ok()
    }};
}

#[tokio::test]
async fn the_pool_lends_at_most_max_connections_and_the_next_caller_times_out_unavailable() {
    static FAULTS: AtomicU64 = AtomicU64::new(0);
    let pool = sqlite_pool(2, &FAULTS).await;
    let a = pool.acquire().await.expect("first");
    let _b = pool.acquire().await.expect("second");
    let started = Instant::now();
    let Err(DbError::Unavailable(msg)) = pool.acquire().await.map(drop) else {
        panic!("a third lease of a pool of two");
    };
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "gave up early"
    );
    assert!(msg.contains("no database connection"), "{msg}");
    assert_eq!(pool.connects(), 2);
    // A waiter gets the connection given back, without opening another.
    let waiter = pool.acquire();
    drop(a);
    let c = waiter.await.expect("the returned connection");
    assert!(c.conn.is_some());
    assert_eq!(pool.connects(), 2);
}

#[tokio::test]
async fn a_returned_connection_is_lent_again_without_a_ping() {
    static FAULTS: AtomicU64 = AtomicU64::new(0);
    let pool = sqlite_pool(1, &FAULTS).await;
    for _ in 0..5 {
        assert!(answers!(pool));
    }
    assert_eq!(pool.pings(), 0);
    assert_eq!(pool.connects(), 1);
}

#[tokio::test]
async fn a_connection_idle_longer_than_the_limit_is_pinged_before_it_is_lent() {
    static FAULTS: AtomicU64 = AtomicU64::new(0);
    let pool = sqlite_pool(1, &FAULTS)
        .await
        .ping_after_idle(Duration::from_millis(50));
    assert!(answers!(pool));
    assert_eq!(pool.pings(), 0);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(answers!(pool));
    assert_eq!(pool.pings(), 1);
    // Just used: lent again as it is.
    assert!(answers!(pool));
    assert_eq!(pool.pings(), 1);
}

#[tokio::test]
async fn after_a_connection_level_error_anywhere_the_next_lease_pings() {
    // The process-wide counter, as in production: other tests may bump it too, which
    // only adds pings, so the test asserts that there was one.
    let opts = SqliteConnectOptions::from_str("sqlite::memory:").expect("options");
    let first = opts.connect().await.expect("connect");
    let pool = Pool::new(opts, 1, Duration::from_secs(1), first);
    let before = CONNECTION_FAULTS.load(Ordering::Relaxed);
    let err = DbError::from(sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into()));
    assert!(matches!(err, DbError::Unavailable(_)), "{err:?}");
    assert!(CONNECTION_FAULTS.load(Ordering::Relaxed) > before);
    assert!(answers!(pool));
    assert!(pool.pings() >= 1);
    // A statement the database refuses is no connection fault.
    let refused = {
        let mut lease = pool.acquire().await.expect("lease");
        sqlx::query("SELECT nope FROM nothing")
            .execute(&mut *lease)
            .await
    };
    let err = DbError::from(refused.expect_err("no such table"));
    assert!(matches!(err, DbError::Corrupt(_)), "{err:?}");
}

#[tokio::test]
async fn a_connection_that_fails_its_ping_is_dropped_and_replaced() {
    static FAULTS: AtomicU64 = AtomicU64::new(0);
    let pool = pg_pool(&FAULTS).await;
    let pid: i32 = {
        let mut lease = pool.acquire().await.expect("lease");
        sqlx::query("SELECT pg_backend_pid()")
            .fetch_one(&mut *lease)
            .await
            .expect("pid")
            .get(0)
    };
    let mut admin = PgConnection::connect(PG_URL).await.expect("admin");
    sqlx::query("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .execute(&mut admin)
        .await
        .expect("terminate");
    admin.close().await.expect("close");
    FAULTS.fetch_add(1, Ordering::Relaxed);
    assert!(answers!(pool), "a fresh connection answers");
    assert_eq!(pool.pings(), 1);
    assert_eq!(pool.connects(), 2);
}

#[tokio::test]
async fn a_cancelled_postgres_statement_and_transaction_leave_the_connection_usable() {
    static FAULTS: AtomicU64 = AtomicU64::new(0);
    let pool = pg_pool(&FAULTS).await;
    let short = Duration::from_millis(100);
    {
        let mut lease = pool.acquire().await.expect("lease");
        sqlx::query("CREATE TEMP TABLE t (x INT)")
            .execute(&mut *lease)
            .await
            .expect("temp table");
    }
    let slept = tokio::time::timeout(short, async {
        let mut lease = pool.acquire().await.expect("lease");
        sqlx::query("SELECT pg_sleep(1)").execute(&mut *lease).await
    })
    .await;
    assert!(slept.is_err(), "pg_sleep(1) finished within {short:?}");
    let in_tx = tokio::time::timeout(short, async {
        let mut lease = pool.acquire().await.expect("lease");
        let mut tx = lease.begin().await.expect("begin");
        sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut *tx)
            .await
            .expect("insert");
        sqlx::query("SELECT pg_sleep(1)").execute(&mut *tx).await
    })
    .await;
    assert!(in_tx.is_err(), "the transaction finished within {short:?}");
    // The same connection (a pool of one, not pinged): the half-read exchange is
    // drained, the transaction rolled back, and the next statement answers.
    let mut lease = pool.acquire().await.expect("lease");
    let n: i64 = sqlx::query("SELECT count(*) FROM t")
        .fetch_one(&mut *lease)
        .await
        .expect("the connection after two cancellations")
        .get(0);
    assert_eq!(n, 0, "the cancelled transaction's insert was rolled back");
    assert_eq!((pool.pings(), pool.connects()), (0, 1));
}

#[tokio::test]
async fn a_cancelled_sqlite_transaction_is_rolled_back_before_the_next_statement() {
    static FAULTS: AtomicU64 = AtomicU64::new(0);
    let pool = sqlite_pool(1, &FAULTS).await;
    {
        let mut lease = pool.acquire().await.expect("lease");
        sqlx::query("CREATE TABLE t (x INT)")
            .execute(&mut *lease)
            .await
            .expect("table");
    }
    // A write, then a statement that runs for seconds, dropped after 50 ms.
    let slow = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000000) \
                SELECT max(i) FROM c";
    let cancelled = tokio::time::timeout(Duration::from_millis(50), async {
        let mut lease = pool.acquire().await.expect("lease");
        let mut tx = lease.begin().await.expect("begin");
        sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut *tx)
            .await
            .expect("insert");
        sqlx::query(slow).fetch_one(&mut *tx).await
    })
    .await;
    assert!(cancelled.is_err(), "the slow statement finished in 50 ms");
    let mut lease = pool.acquire().await.expect("lease");
    let n: i64 = sqlx::query("SELECT count(*) FROM t")
        .fetch_one(&mut *lease)
        .await
        .expect("the connection after a cancellation")
        .get(0);
    assert_eq!(n, 0, "the cancelled transaction's insert was rolled back");
    assert_eq!(pool.connects(), 1);
}

#[tokio::test]
async fn connections_idle_past_the_close_limit_are_closed_and_the_ones_in_use_are_kept() {
    static FAULTS: AtomicU64 = AtomicU64::new(0);
    let pool = sqlite_pool(3, &FAULTS)
        .await
        .close_after_idle(Duration::from_millis(500));
    // Three connections open at once, then all idle.
    let leases = [
        pool.acquire().await.expect("a"),
        pool.acquire().await.expect("b"),
        pool.acquire().await.expect("c"),
    ];
    drop(leases);
    assert_eq!(pool.connects(), 3);
    assert_eq!(pool.close_idle().await, 0, "none idle long enough yet");
    tokio::time::sleep(Duration::from_millis(600)).await;
    // One used again just now: it stays, the two others go.
    assert!(answers!(pool));
    assert_eq!(pool.close_idle().await, 2);
    assert_eq!(pool.close_idle().await, 0);
    // The kept one is lent without opening another.
    assert!(answers!(pool));
    assert_eq!(pool.connects(), 3);
    // Past the limit it goes too, and the next caller simply gets a new one.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(pool.close_idle().await, 1);
    assert!(answers!(pool));
    assert_eq!(pool.connects(), 4);
}
