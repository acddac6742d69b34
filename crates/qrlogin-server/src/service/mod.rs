//! Every use case of the server, between the HTTP routes and the stores: what a request
//! means, independent of how it arrived (long poll, SSE and WebSocket all call the same
//! functions). Nothing here knows HTTP: inputs are plain domain values
//! ([`RequestContext`], [`PhoneCredentials`], ids, tokens as text), outputs are the
//! API's bodies or domain records, failures are one [`Error`]. A route parses, calls one
//! function of this module, and renders; a new use case (accounts, OAuth, passkeys) is a
//! new function here.
//!
//! - [`qr`]: the PC's side: create, status (short and long poll), image check, cancel,
//!   redeem, and the watch behind SSE and WebSocket.
//! - [`transition`]: every state change: one guarded store step, a compare-and-set loop
//!   behind it.
//! - [`phone`]: the phone's side: scan, confirm, decline, its account's PC sessions.
//! - [`accounts`]: passwords, the demo accounts, phone login, `me` and logout.
//! - [`activity`]: the account's activity log: written by the use cases, read by the
//!   phone, purged after 90 days.
//! - [`activity_writer`]: the activity events of concurrent requests written together.
//! - [`housekeeping`]: the hourly purge of what has expired (old activity, tokens,
//!   OAuth codes and tokens).
//! - [`passkeys`], [`passkeys_flows`], [`passkeys_login`], [`passkeys_enroll`]: the
//!   phone's passkeys, signing in with one, and enrollment links of `--no-password`
//!   accounts.
//! - [`auth`]: who is calling (a bound phone token, a PC session token, a poll token).
//! - [`backend`]: a trusted backend scanning and confirming for its own users.
//! - [`linked`]: accounts linked to outside identities, and their activity entries.
//! - [`wait`]: the one wait primitive.
//! - [`error`]: the use cases' error.

pub mod accounts;
pub mod activity;
pub mod activity_writer;
pub mod auth;
pub mod backend;
pub mod error;
pub mod housekeeping;
pub mod linked;
pub mod oauth;
pub mod passkeys;
pub mod passkeys_enroll;
pub mod passkeys_flows;
pub mod passkeys_login;
pub mod phone;
pub mod qr;
pub mod transition;
pub mod wait;

pub use error::{Error, Result};

/// What the server knows of the caller, recorded for the phone to check before it
/// confirms: the IP (already resolved through a trusted proxy) and the user agent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    /// The caller's IP as text.
    pub ip: String,
    /// The `User-Agent`, already cut to a sane length.
    pub user_agent: Option<String>,
}

/// What a phone presents: its mobile token and the device it claims to be, checked
/// against the device the token was issued to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneCredentials {
    /// The bearer token, if any.
    pub token: Option<String>,
    /// The device id the phone sends (`X-Device-Id`).
    pub device_id: Option<String>,
    /// The device type the phone sends, if it does (`X-Device-Type`).
    pub device_type: Option<String>,
}
