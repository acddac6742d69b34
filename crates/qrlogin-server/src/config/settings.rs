//! [`Settings`]: what an operator sets, as one flat struct whose field names are the
//! keys of `qrlogin.toml` (and, upper-cased behind `QRLOGIN_`, the environment
//! variables; with dashes, the flags of `qrlogin serve`). Its [`Default`] is the one
//! place every default lives: the command line's help, the README table and
//! [`Config::default`](super::Config::default) all read them from here.
//!
//! What each key means is written once, on the flags of `qrlogin serve` (its `--help`
//! and the README table are rendered from them); the field docs here only say where a
//! value goes.

use super::{redact_url, ApiRoles};
use qrlogin_core::Lifetimes;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Every key of the config file, in the order `qrlogin config show` prints them.
pub const KEYS: &[&str] = &[
    "listen",
    "store",
    "db",
    "public_url",
    "demo",
    "qr_ttl",
    "confirm_ttl",
    "api",
    "trust_proxy",
    "trusted_proxies",
    "cors_origin",
    "avatar_origin",
    "rp_id",
    "max_waiters",
    "tls_cert",
    "tls_key",
    "header_timeout",
    "idle_timeout",
    "max_connections",
    "shutdown_timeout",
    "max_waiters_per_ip",
    "qr_per_ip_per_minute",
    "oauth_per_ip_per_minute",
    "user_code_attempts_per_ip",
    "passkey_per_ip_per_minute",
    "max_qr_sessions",
    "login_attempts",
    "login_attempts_per_ip",
    "login_slowdown_after",
    "argon2_workers",
];

/// The operator's settings, before they are checked and turned into a
/// [`Config`](super::Config) by [`Config::from_settings`](super::Config::from_settings).
/// Unknown keys are refused, so a typo in a config file is an error, not a silent
/// default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `--listen`.
    pub listen: String,
    /// `--store`; may hold a password.
    pub store: String,
    /// `--db`; may hold a password. Plumbing only until the database is wired in.
    pub db: String,
    /// `--public-url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// `--demo`.
    #[serde(deserialize_with = "lenient_bool")]
    pub demo: bool,
    /// `--qr-ttl`, seconds.
    pub qr_ttl: u64,
    /// `--confirm-ttl`, seconds.
    pub confirm_ttl: u64,
    /// `--api`.
    pub api: ApiRoles,
    /// `--trust-proxy`.
    #[serde(deserialize_with = "lenient_bool")]
    pub trust_proxy: bool,
    /// `--trusted-proxies`: CIDRs (or single addresses), checked at start-up.
    #[serde(deserialize_with = "list")]
    pub trusted_proxies: Vec<String>,
    /// `--cors-origin`.
    #[serde(deserialize_with = "list")]
    pub cors_origin: Vec<String>,
    /// `--avatar-origin`.
    #[serde(deserialize_with = "list")]
    pub avatar_origin: Vec<String>,
    /// `--rp-id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rp_id: Option<String>,
    /// `--max-waiters`.
    pub max_waiters: usize,
    /// `--tls-cert`: PEM file (see [`Settings::listener_settings`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    /// `--tls-key`: PEM file (see [`Settings::listener_settings`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// `--header-timeout`, seconds.
    pub header_timeout: u64,
    /// `--idle-timeout`, seconds.
    pub idle_timeout: u64,
    /// `--max-connections`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<usize>,
    /// `--shutdown-timeout`, seconds.
    pub shutdown_timeout: u64,
    /// `--max-waiters-per-ip` (an IPv6 client counts by its /64).
    pub max_waiters_per_ip: usize,
    /// `--qr-per-ip-per-minute`.
    pub qr_per_ip_per_minute: u64,
    /// `--oauth-per-ip-per-minute`.
    pub oauth_per_ip_per_minute: u64,
    /// `--user-code-attempts-per-ip`: per address per 5 minutes.
    pub user_code_attempts_per_ip: u64,
    /// `--passkey-per-ip-per-minute`.
    pub passkey_per_ip_per_minute: u64,
    /// `--max-qr-sessions` (memory store).
    pub max_qr_sessions: usize,
    /// `--login-attempts`: per (address, username) per 5 minutes.
    pub login_attempts: u64,
    /// `--login-attempts-per-ip`: per address per 5 minutes.
    pub login_attempts_per_ip: u64,
    /// `--login-slowdown-after`: per username per 5 minutes, then slowed.
    pub login_slowdown_after: u64,
    /// `--argon2-workers` (0: one per core).
    pub argon2_workers: usize,
}

impl Default for Settings {
    fn default() -> Self {
        let lifetimes = Lifetimes::default();
        let limits = crate::limits::Limits::default();
        Self {
            listen: "127.0.0.1:8080".into(),
            store: "memory".into(),
            db: "sqlite://qrlogin.db".into(),
            public_url: None,
            demo: false,
            // The core's lifetimes are the defaults; restating them here would be a
            // second copy.
            qr_ttl: (lifetimes.qr_ms / 1000).unsigned_abs(),
            confirm_ttl: (lifetimes.confirm_ms / 1000).unsigned_abs(),
            api: ApiRoles::All,
            trust_proxy: false,
            trusted_proxies: Vec::new(),
            cors_origin: Vec::new(),
            avatar_origin: Vec::new(),
            rp_id: None,
            max_waiters: 100_000,
            tls_cert: None,
            tls_key: None,
            header_timeout: 10,
            idle_timeout: 60,
            max_connections: None,
            shutdown_timeout: 30,
            max_waiters_per_ip: limits.max_waiters_per_ip,
            qr_per_ip_per_minute: limits.qr_per_ip_per_minute,
            oauth_per_ip_per_minute: limits.oauth_per_ip_per_minute,
            user_code_attempts_per_ip: limits.user_code_attempts_per_ip,
            passkey_per_ip_per_minute: limits.passkey_per_ip_per_minute,
            max_qr_sessions: limits.max_qr_sessions,
            login_attempts: limits.login_per_ip_user,
            login_attempts_per_ip: limits.login_per_ip,
            login_slowdown_after: limits.login_soft_per_user,
            argon2_workers: limits.argon2_workers,
        }
    }
}

/// The listener's share of the settings (timeouts, connection cap, TLS files), as
/// durations and paths; `Config` turns it into the listener's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerSettings {
    /// Time a client gets to send a request's headers.
    pub header_timeout: Duration,
    /// Time an idle keep-alive connection is kept.
    pub idle_timeout: Duration,
    /// Most connections open at once; `None` is no cap.
    pub max_connections: Option<usize>,
    /// Time held requests get to finish once a stop is asked for.
    pub shutdown_timeout: Duration,
    /// Certificate chain (PEM) when serving HTTPS.
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) when serving HTTPS.
    pub tls_key: Option<PathBuf>,
}

impl Settings {
    /// The listener settings, for the code that builds the listener.
    pub fn listener_settings(&self) -> ListenerSettings {
        ListenerSettings {
            header_timeout: Duration::from_secs(self.header_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            max_connections: self.max_connections,
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
        }
    }

    /// A copy safe to print: passwords in the store, database and public URLs as `***`.
    /// (The TLS key is a path, not key material, so it stays.)
    pub fn redacted(&self) -> Self {
        Self {
            store: redact_url(&self.store),
            db: redact_url(&self.db),
            public_url: self.public_url.as_deref().map(redact_url),
            ..self.clone()
        }
    }
}

/// A boolean as people write it in files and variables: `true`/`false`, `1`/`0`,
/// `yes`/`no`, `on`/`off`.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("true or false")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            match v {
                0 => Ok(false),
                1 => Ok(true),
                _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
            }
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            self.visit_u64(u64::try_from(v).unwrap_or(u64::MAX))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" | "" => Ok(false),
                _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }
    d.deserialize_any(V)
}

/// A list written as a TOML array or, as environment variables must, one
/// comma-separated string.
fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings or one comma-separated string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                out.push(s);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests;
