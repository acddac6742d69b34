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
//! - one file per story: `pc_login.rs` (signed in, declined, expired), `phone_pages.rs`
//!   (the phone web app in a second browser: scan on a tap, revoke, activity, sign
//!   out), `phone_safety.rs` (a PC's own words shown as text, labelled self-reported;
//!   activity as sentences), `transports.rs` (SSE, WebSocket, long poll, fallback,
//!   `clientId`), `layout.rs` (320 px, dark mode), `csp.rs`, `languages.rs` (a
//!   Chromium set to zh-CN, `?lang=`, the widget's `lang` option).
//!
//! The widget's pure parts (SSE parser, transport fallback, language choice) have unit
//! tests without a browser: `node --test crates/qrlogin-server/assets/tests/`.
//!
//! Every step leaves a screenshot in `target/e2e-artifacts/<test>/` (and the console
//! log next to it): look at them. `QRLOGIN_E2E_DOCS=1` also refreshes the README
//! pictures in `docs/img/`.
//!
//! Run with `cargo test -p qrlogin-e2e`. Chromium comes from Debian
//! (`.ci/browser-deps.sh`), never downloaded from anywhere else. Without it the tests
//! skip with a loud message, except under `CI=true`, where they fail.
