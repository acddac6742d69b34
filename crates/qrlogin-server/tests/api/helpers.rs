//! `spawn_app()` and typed helpers shared by the API tests: the testkit's in-process
//! server (its own two-worker runtime) with test defaults.

use qrlogin_core::Lifetimes;
use qrlogin_server::Config;
pub use qrlogin_testkit::{assert_problem, code_of, expect_problem, TestApp};

/// The server with test defaults: memory store, demo accounts, port 0.
pub async fn spawn_app() -> TestApp {
    spawn_with(Config::for_tests()).await
}

/// The server with short lifetimes, for expiry tests.
pub async fn spawn_with_lifetimes(qr_ms: i64, confirm_ms: i64, grace_ms: i64) -> TestApp {
    let lifetimes = Lifetimes {
        qr_ms,
        confirm_ms,
        grace_ms,
        ..Lifetimes::default()
    };
    spawn_with(Config {
        lifetimes,
        ..Config::for_tests()
    })
    .await
}

/// The server with `config`.
pub async fn spawn_with(config: Config) -> TestApp {
    qrlogin_testkit::spawn_app(config).await
}
