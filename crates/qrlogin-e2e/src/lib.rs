//! End-to-end browser tests of qrlogin: nothing to import here.
//!
//! The tests live in `tests/browser/` and drive headless Debian Chromium through
//! chromedriver (WebDriver, via fantoccini) against a real `qrlogin_server` started on
//! port 0 with the memory store and the demo accounts:
//!
//! - `harness.rs`: finding chromium/chromedriver (fail under `CI=true`, skip loudly
//!   otherwise), one chromedriver per test killed on drop, a fresh profile per browser,
//!   bounded waits, screenshots to `target/e2e-artifacts/<test>/<step>.png`, the
//!   browser console log (for CSP violations);
//! - `app.rs`: the server and the phone acting through the typed API client;
//! - `qr.rs`: decoding the QR code from the pixels the browser shows (rqrr);
//! - one file per story: `pc_login.rs`, `phone_pages.rs`, `transports.rs`,
//!   `layout.rs`, `csp.rs`.
//!
//! Run with `cargo test -p qrlogin-e2e`. Chromium comes from Debian
//! (`.ci/browser-deps.sh`), never downloaded from anywhere else.
