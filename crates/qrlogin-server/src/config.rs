//! Server configuration. The binary fills it from flags and `QRLOGIN_*` variables;
//! tests build it directly with [`Config::for_tests`].

use qrlogin_core::Lifetimes;
use std::fmt;

/// Which endpoints this instance serves, so a PC-facing and a phone-facing deployment
/// can share one store (as in the seed design: separate web and mobile servers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
    /// list is the client); empty: the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Origins allowed to call the API from a browser (CORS); empty: none.
    pub cors_origins: Vec<String>,
    /// Rate limits, caps and the argon2 pool (docs/security.md).
    pub limits: crate::limits::Limits,
    /// Most waiters (long polls, SSE, WebSockets) held at once; past it, 503.
    pub max_waiters: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            store: "memory".into(),
            public_url: None,
            demo: false,
            lifetimes: Lifetimes::default(),
            roles: ApiRoles::All,
            trust_proxy: false,
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            limits: Default::default(),
            max_waiters: 100_000,
        }
    }
}

impl Config {
    /// Port 0 on loopback, memory store, demo accounts: what integration tests start.
    pub fn for_tests() -> Self {
        Self {
            listen: "127.0.0.1:0".into(),
            demo: true,
            ..Self::default()
        }
    }
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
            .field("public_url", &self.public_url)
            .field("demo", &self.demo)
            .field("lifetimes", &self.lifetimes)
            .field("roles", &self.roles)
            .field("trust_proxy", &self.trust_proxy)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("cors_origins", &self.cors_origins)
            .field("limits", &self.limits)
            .field("max_waiters", &self.max_waiters)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_password_never_prints() {
        assert_eq!(
            redact_url("redis://:hunter2@10.0.0.1:6379/0"),
            "redis://:***@10.0.0.1:6379/0"
        );
        assert_eq!(redact_url("redis://user:pw@h/0"), "redis://user:***@h/0");
        assert_eq!(redact_url("redis://h:6379"), "redis://h:6379");
        let c = Config {
            store: "redis://:hunter2@h".into(),
            ..Config::default()
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
