//! Server configuration. The binary layers [`Settings`] (defaults, `qrlogin.toml`,
//! `QRLOGIN_*` variables, flags) and checks them into a [`Config`] with
//! [`Config::from_settings`]; tests build a [`Config`] directly with
//! [`Config::for_tests`].

mod settings;

pub use settings::{ListenerSettings, Settings, KEYS};

use ipnet::IpNet;
use qrlogin_core::Lifetimes;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Which endpoints this instance serves, so a PC-facing and a phone-facing deployment
/// can share one store (as in the seed design: separate web and mobile servers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiRoles {
    /// PC endpoints, session endpoints, the PC page.
    Pc,
    /// Phone endpoints and the phone web app.
    Phone,
    /// Everything (default).
    #[default]
    All,
}

impl ApiRoles {
    /// Parses `pc`, `phone` or `all`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pc" => Some(Self::Pc),
            "phone" => Some(Self::Phone),
            "all" => Some(Self::All),
            _ => None,
        }
    }

    /// Whether the PC side is served.
    pub fn pc(self) -> bool {
        matches!(self, Self::Pc | Self::All)
    }

    /// Whether the phone side is served.
    pub fn phone(self) -> bool {
        matches!(self, Self::Phone | Self::All)
    }
}

/// Everything the server needs to start.
#[derive(Clone)]
pub struct Config {
    /// Address to bind, e.g. `127.0.0.1:8080` (port 0 picks a free one).
    pub listen: String,
    /// `memory`, or a Redis URL (`redis://`, `rediss://`, `redis+sentinel://`,
    /// `redis-cluster://`). May hold a password, so it never prints in clear.
    pub store: String,
    /// The database (`sqlite://PATH`, `postgres://…`, `memory`): accounts, tokens,
    /// PC sessions, the activity log. May hold a password, so it never prints in clear.
    pub db: String,
    /// Base of `qr_content`; `None` derives it from the bound address.
    pub public_url: Option<String>,
    /// Seed the demo accounts `alice`/`alice-demo` and `bob`/`bob-demo`.
    pub demo: bool,
    /// QR, confirm, grace and token lifetimes.
    pub lifetimes: Lifetimes,
    /// Which endpoints to serve.
    pub roles: ApiRoles,
    /// Trust loopback as a proxy (`--trust-proxy`, shorthand for
    /// `--trusted-proxies 127.0.0.0/8,::1`).
    pub trust_proxy: bool,
    /// Proxies whose `X-Forwarded-For` is believed (the right-most entry not in the
    /// list is the client); `--trust-proxy` adds the loopback ones; empty: the header is
    /// ignored.
    pub trusted_proxies: Vec<IpNet>,
    /// Rate limits, caps and the argon2 pool (docs/security.md).
    pub limits: crate::limits::Limits,
    /// Most waiters (long polls, SSE, WebSockets) held at once; past it, 503.
    pub max_waiters: usize,
    /// Browser origins allowed to call the API cross-origin (`--cors-origin`).
    pub cors_origins: Vec<String>,
    /// Origins the pages may load avatar images from (`--avatar-origin`), added to
    /// the pages' Content-Security-Policy `img-src`; empty: own origin only.
    pub avatar_origins: Vec<String>,
    /// WebAuthn relying-party id; `None` means the host of the public URL.
    pub rp_id: Option<String>,
    /// Connection handling: header-read and idle timeouts, the connection cap, the
    /// shutdown bound, TLS.
    pub listener: crate::listener::ListenerOptions,
}

/// A setting that cannot be used, named so the operator knows which line to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct SettingsError {
    /// The config key (`qr_ttl`, `trusted_proxies`, …).
    pub key: &'static str,
    /// What is wrong with its value.
    pub problem: String,
}

/// Longest QR or confirm lifetime accepted, in seconds (a day).
const MAX_TTL_SECS: u64 = 86_400;

impl Default for Config {
    /// The defaults of [`Settings`], so they are written only there.
    fn default() -> Self {
        Self::from_settings(&Settings::default()).expect("the default settings are valid")
    }
}

impl Config {
    /// Checks the operator's settings and turns them into what the server runs on; the
    /// first unusable value is an error naming its key.
    pub fn from_settings(s: &Settings) -> Result<Self, SettingsError> {
        let ttl_ms = |key: &'static str, secs: u64| -> Result<i64, SettingsError> {
            if (1..=MAX_TTL_SECS).contains(&secs) {
                Ok(secs as i64 * 1000)
            } else {
                Err(SettingsError {
                    key,
                    problem: format!("{secs} is not 1..={MAX_TTL_SECS} seconds"),
                })
            }
        };
        let lifetimes = Lifetimes {
            qr_ms: ttl_ms("qr_ttl", s.qr_ttl)?,
            confirm_ms: ttl_ms("confirm_ttl", s.confirm_ttl)?,
            ..Lifetimes::default()
        };
        let mut trusted_proxies = s
            .trusted_proxies
            .iter()
            .map(|text| parse_net(text))
            .collect::<Result<Vec<_>, _>>()?;
        if s.trust_proxy {
            trusted_proxies.extend(loopback_nets());
        }
        Ok(Self {
            listen: s.listen.clone(),
            store: s.store.clone(),
            public_url: s.public_url.clone(),
            demo: s.demo,
            lifetimes,
            roles: s.api,
            trust_proxy: s.trust_proxy,
            trusted_proxies,
            max_waiters: s.max_waiters,
            db: s.db.clone(),
            cors_origins: s.cors_origin.clone(),
            avatar_origins: s
                .avatar_origin
                .iter()
                .map(|o| {
                    crate::routes::headers::parse_origin(o).map_err(|problem| SettingsError {
                        key: "avatar_origin",
                        problem,
                    })
                })
                .collect::<Result<_, _>>()?,
            rp_id: s.rp_id.clone(),
            listener: listener_options(s)?,
            limits: crate::limits::Limits {
                max_waiters_per_ip: s.max_waiters_per_ip,
                qr_per_ip_per_minute: s.qr_per_ip_per_minute,
                oauth_per_ip_per_minute: s.oauth_per_ip_per_minute,
                user_code_attempts_per_ip: s.user_code_attempts_per_ip,
                passkey_per_ip_per_minute: s.passkey_per_ip_per_minute,
                max_qr_sessions: s.max_qr_sessions,
                login_per_ip_user: s.login_attempts,
                login_per_ip: s.login_attempts_per_ip,
                login_soft_per_user: s.login_slowdown_after,
                argon2_workers: s.argon2_workers,
                ..Default::default()
            },
        })
    }

    /// Port 0 on loopback, memory store, demo accounts: what integration tests start.
    pub fn for_tests() -> Self {
        Self {
            listen: "127.0.0.1:0".into(),
            db: "memory".into(),
            demo: true,
            ..Self::default()
        }
    }
}

/// The listener's options from the settings; a certificate without its key (or the
/// reverse) is refused at start rather than silently served as plain HTTP.
fn listener_options(s: &Settings) -> Result<crate::listener::ListenerOptions, SettingsError> {
    let l = s.listener_settings();
    let tls = match (l.tls_cert, l.tls_key) {
        (Some(cert), Some(key)) => Some(crate::listener::TlsFiles { cert, key }),
        (None, None) => None,
        (cert, _) => {
            return Err(SettingsError {
                key: if cert.is_some() {
                    "tls_key"
                } else {
                    "tls_cert"
                },
                problem: "tls_cert and tls_key go together: give both or neither".into(),
            })
        }
    };
    Ok(crate::listener::ListenerOptions {
        header_timeout: l.header_timeout,
        idle_timeout: l.idle_timeout,
        max_connections: l.max_connections,
        shutdown_timeout: l.shutdown_timeout,
        tls,
    })
}

/// One `trusted_proxies` entry: a CIDR, or a single address meaning just that host.
fn parse_net(text: &str) -> Result<IpNet, SettingsError> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| SettingsError {
            key: "trusted_proxies",
            problem: format!("{text:?} is not a CIDR (like 10.0.0.0/8) or an address"),
        })
}

/// What `--trust-proxy` trusts: a proxy on this machine.
fn loopback_nets() -> [IpNet; 2] {
    [
        IpNet::new_assert(IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 0)), 8),
        IpNet::new_assert(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), 128),
    ]
}

/// Hides the password of a store URL (`redis://:secret@host` → `redis://:***@host`).
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("store", &redact_url(&self.store))
            .field("db", &redact_url(&self.db))
            .field("public_url", &self.public_url)
            .field("demo", &self.demo)
            .field("lifetimes", &self.lifetimes)
            .field("roles", &self.roles)
            .field("trust_proxy", &self.trust_proxy)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("limits", &self.limits)
            .field("max_waiters", &self.max_waiters)
            .field("cors_origins", &self.cors_origins)
            .field("avatar_origins", &self.avatar_origins)
            .field("rp_id", &self.rp_id)
            .field("listener", &self.listener)
            .finish()
    }
}

#[cfg(test)]
mod tests;
