//! `spawn_app()` and typed helpers shared by the API tests: the testkit's in-process
//! server (its own two-worker runtime) with test defaults.

use qrlogin_server::Config;
pub use qrlogin_testkit::{assert_problem, code_of, expect_problem, TestApp};

/// The server with test defaults: memory store, demo accounts, port 0.
pub async fn spawn_app() -> TestApp {
    spawn_with(Config::for_tests()).await
}

/// The server with default lifetimes on a `ManualClock`, for expiry tests: time moves
/// only with `app.advance(ms)`, so no test sleeps for an expiry.
pub async fn spawn_with_manual_clock() -> TestApp {
    qrlogin_testkit::spawn_app_with_manual_clock(Config::for_tests()).await
}

/// Waits (bounded) until the server holds `n` waiters: a long poll, SSE stream or
/// WebSocket is then parked and a clock move must wake it.
pub async fn until_waiters_held(app: &TestApp, n: usize) {
    for _ in 0..500 {
        if app.state.held.load(std::sync::atomic::Ordering::Relaxed) >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the server never held {n} waiters");
}

/// The server with `config`.
pub async fn spawn_with(config: Config) -> TestApp {
    qrlogin_testkit::spawn_app(config).await
}
