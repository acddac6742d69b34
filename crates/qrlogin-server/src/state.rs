//! Shared state of the handlers: the stores, the configuration and the process-wide
//! signals. Cloned for every request, so it is one `Arc`: a clone is one reference-count
//! update (the benchmark measured eight separate ones, plus the cancellation token's
//! lock, at ~5 % of the server's CPU on the status path).

use crate::config::Config;
use crate::limits::login::LoginThrottle;
use crate::limits::passwords::PasswordPool;
use crate::limits::proxies::TrustedProxies;
use crate::limits::waiters::WaiterSlots;
use qrlogin_core::{Millis, SharedClock};
use qrlogin_db::Db;
use qrlogin_store::{Counters, QrStore};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What every handler can reach; derefs to [`Shared`].
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Wraps the shared parts.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Shared {
    /// Now, by the server's clock: the only "now" any use case reads.
    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// Wakes every held waiter to read the clock again. Call after moving a
    /// `ManualClock` (the wall clock needs no help: waiters arm timers to expiry).
    pub fn clock_moved(&self) {
        self.qr.wake_local_waiters();
        self.housekeeping.notify_one();
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    /// QR sessions.
    pub qr: Arc<dyn QrStore>,
    /// The durable data (`--db`): accounts, phone tokens, PC sessions, the activity
    /// log. Read on every authenticated request, never cached, so a revocation or a
    /// disabled account holds on every instance from the next request on.
    pub db: Arc<dyn Db>,
    /// Writes the activity log into [`Shared::db`], the events of concurrent requests
    /// in one statement (group commit).
    pub activity: crate::service::activity_writer::ActivityWriter,
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// `public_url` resolved against the bound address; base of `qr_content`.
    pub public_url: Arc<str>,
    /// Cancelled when the server begins to shut down, so held long polls, SSE streams
    /// and WebSockets answer at once instead of holding the shutdown up.
    pub shutdown: CancellationToken,
    /// Rate-limit counters: in memory, or in Redis shared by every instance.
    pub counters: Arc<dyn Counters>,
    /// Throttles password guessing on the phone login.
    pub login_throttle: LoginThrottle,
    /// Runs argon2 checks, a bounded number at once.
    pub passwords: PasswordPool,
    /// Which proxies' `X-Forwarded-For` is believed.
    pub proxies: TrustedProxies,
    /// The waiter cap, overall and per address (counts in `held`).
    pub waiters: Arc<WaiterSlots>,
    /// An argon2 hash of a random password, verified against for unknown usernames so
    /// that they take as long as wrong passwords.
    pub dummy_hash: Arc<str>,
    /// The one clock of the server, shared with the stores: the wall clock in
    /// production, a `ManualClock` in tests that move time.
    pub clock: SharedClock,
    /// Trusted issuers' JWK sets, fetched on demand (token exchange).
    pub jwks: Arc<crate::service::oauth::jwks_cache::JwksCache>,
    /// Wakes the housekeeping task to look at the clock again (after a test moved it):
    /// its hour is measured by [`Shared::clock`], not by a timer.
    pub housekeeping: tokio::sync::Notify,
    /// Waiters (long polls, SSE streams, WebSockets) this server holds now, for the cap.
    pub held: Arc<AtomicUsize>,
    /// The WebAuthn relying party of `public_url` (and `--rp-id`), for passkeys; `None`
    /// when the public URL cannot be one (a non-loopback IP): the passkey endpoints then
    /// answer 503 `unavailable`.
    pub webauthn: Option<Arc<webauthn_rs::Webauthn>>,
}
