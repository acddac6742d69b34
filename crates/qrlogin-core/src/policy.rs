//! Lifetimes: how long each thing lives. One struct so the server config, the stores and
//! the tests agree on every number.

/// Lifetimes in milliseconds. Defaults are those of API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// A QR session expires this long after creation unless confirmed (120 s).
    pub qr_ms: i64,
    /// A confirmed QR session must be redeemed within this long of the confirm (60 s).
    pub confirm_ms: i64,
    /// After expiry (or a terminal state) the session is still reported for this long,
    /// then may be forgotten (60 s).
    pub grace_ms: i64,
    /// A phone's access token lives this long (30 days).
    pub mobile_token_ms: i64,
    /// A PC session made by a QR login lives this long (7 days).
    pub web_session_ms: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            qr_ms: 120_000,
            confirm_ms: 60_000,
            grace_ms: 60_000,
            mobile_token_ms: 30 * 24 * 3600 * 1000,
            web_session_ms: 7 * 24 * 3600 * 1000,
        }
    }
}
