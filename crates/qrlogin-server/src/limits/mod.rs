//! What keeps one client from taking the service from everyone else (docs/security.md
//! lists each limit with its default and flag):
//!
//! - [`login`]: password guessing, counted *before* the password is checked, keyed per
//!   (address, username) and per address (429), and softly per username (slower
//!   answers, never a lockout of the real user).
//! - [`passwords`]: argon2 on a bounded pool, so guesses cannot exhaust memory or CPU.
//! - [`waiters`]: the cap on held waiters, overall and per address.
//! - [`proxies`]: which address a request is from, through `--trusted-proxies`.
//! - [`entry`]: per-address budgets of the OAuth token and device authorization
//!   endpoints, of typed device user codes, and of passkey sign-in and enrollment.
//! - [`rate`]: the shared fixed-window check every limit uses (QR creation too).

pub mod entry;
pub mod login;
pub mod passwords;
pub mod proxies;
pub mod rate;
pub mod waiters;

use std::time::Duration;

/// The limits' settings; [`Default`] is what the server runs with unless flags say
/// otherwise.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Password attempts per (address, username) per [`Limits::login_window`]; past it, 429.
    pub login_per_ip_user: u64,
    /// Password attempts per address per window, any usernames; past it, 429.
    pub login_per_ip: u64,
    /// Attempts per username per window, from anywhere, after which every further
    /// attempt for it is slowed (never refused).
    pub login_soft_per_user: u64,
    /// The slowdown per attempt over the soft limit (growing, capped at 10 s).
    pub login_slowdown: Duration,
    /// The window of the login counters.
    pub login_window: Duration,
    /// QR sessions one address may create per minute; past it, 429.
    pub qr_per_ip_per_minute: u64,
    /// Requests to `/oauth2/token`, and apart to `/oauth2/device_authorization`, one
    /// address may make per minute; past it, 429.
    pub oauth_per_ip_per_minute: u64,
    /// Device user codes one address may type per 5 minutes, right or wrong; past it,
    /// 429 (RFC 8628 §5.1).
    pub user_code_attempts_per_ip: u64,
    /// Passkey sign-in requests (start and finish together), and apart as many
    /// enrollment requests, one address may make per minute; past it, 429.
    pub passkey_per_ip_per_minute: u64,
    /// QR sessions the memory store keeps at once; past it, creating is 503.
    pub max_qr_sessions: usize,
    /// Waiters (long polls, SSE, WebSockets) one address may hold; past it, 429.
    pub max_waiters_per_ip: usize,
    /// Password checks running at once (0: one per CPU core).
    pub argon2_workers: usize,
    /// How long a password check waits for a free worker before 429.
    pub argon2_queue_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            login_per_ip_user: 10,
            login_per_ip: 100,
            login_soft_per_user: 30,
            login_slowdown: Duration::from_millis(500),
            login_window: Duration::from_secs(300),
            qr_per_ip_per_minute: 600,
            // A device polls every 5 s (12 a minute); this leaves room for many devices
            // behind one NAT and their token refreshes.
            oauth_per_ip_per_minute: 600,
            // Typos and a few retries; 8 letters of 20 take ~10^10 guesses.
            user_code_attempts_per_ip: 20,
            // Two requests a sign-in: thirty sign-ins a minute from one address.
            passkey_per_ip_per_minute: 60,
            max_qr_sessions: 100_000,
            max_waiters_per_ip: 10_000,
            argon2_workers: 0,
            argon2_queue_wait: Duration::from_secs(2),
        }
    }
}
