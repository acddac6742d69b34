//! Helpers shared by the scale-out tests: configs on a Redis URL, several instances at
//! once, problem+json assertions and bounded waits.

use futures::{Stream, StreamExt};
use qrlogin_core::api::Status;
use qrlogin_server::{ApiRoles, Config};
pub use qrlogin_testkit::{assert_problem, expect_problem};
use qrlogin_testkit::{redis_available, spawn_app, RedisServer, TestApp};
use std::time::{Duration, Instant};

/// The longest any single step may take before a test gives up (far above what any
/// step needs, far below the 30 s of a long poll).
pub const STEP: Duration = Duration::from_secs(10);

/// Test defaults (port 0, demo accounts) on the store at `url`, serving `roles`, and on
/// one SQLite database shared by every instance of that store (a fleet shares its
/// database as it shares Redis). The file lives in the private Redis' own directory, so
/// it goes when that Redis is dropped.
pub fn on(url: &str, roles: ApiRoles) -> Config {
    Config {
        store: url.to_owned(),
        db: shared_db(url),
        roles,
        ..Config::for_tests()
    }
}

/// The SQLite URL every instance on the Redis at `url` shares.
fn shared_db(url: &str) -> String {
    let port: String = url
        .rsplit_once("127.0.0.1:")
        .map(|(_, rest)| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    let tmp = std::env::temp_dir();
    let redis_dir = tmp.join(format!("qrl-redis-{}-{port}", std::process::id()));
    let dir = if redis_dir.is_dir() {
        redis_dir
    } else {
        let d = tmp.join(format!("qrl-db-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&d).expect("a directory for the shared database");
        d
    };
    format!("sqlite://{}", dir.join("qrlogin.db").display())
}

/// `n` instances serving every role on the store at `url`, started at the same time
/// (so their demo-account seeding races, as a fleet's rollout does).
pub async fn instances(url: &str, n: usize) -> Vec<TestApp> {
    futures::future::join_all((0..n).map(|_| spawn_app(on(url, ApiRoles::All)))).await
}

/// The next status of a stream (SSE or WebSocket), within [`STEP`].
pub async fn next_status<S, E>(s: &mut S) -> Status
where
    S: Stream<Item = Result<Status, E>> + Unpin,
    E: std::fmt::Debug,
{
    tokio::time::timeout(STEP, s.next())
        .await
        .expect("a status in time")
        .expect("the stream is still open")
        .expect("a status, not an error")
}

/// Polls `ok` every 20 ms until it holds; panics after `limit`. Returns how long it
/// took.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut ok: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let t = Instant::now();
    while !ok().await {
        assert!(t.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    t.elapsed()
}

/// Milliseconds with one decimal, for the printed figures.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A private Redis and `n` instances on it, or `None` when Redis cannot be had (the
/// testkit's rule: a failure under `CI=true`, a loud skip otherwise). Keep the Redis
/// handle alive for the test: dropping it stops the server.
pub async fn on_private_redis(n: usize) -> Option<(RedisServer, Vec<TestApp>)> {
    if !redis_available() {
        return None;
    }
    let redis = RedisServer::start();
    let apps = instances(&redis.url(), n).await;
    Some((redis, apps))
}
