//! `qrlogin serve`: settings layered by [`crate::config`] (defaults, `--config` file,
//! `QRLOGIN_*` variables, these flags) → [`Config`] → run until SIGINT/SIGTERM.
//!
//! The doc comment of each flag is its only description: `--help` shows it, and a test
//! checks that README's table renders from it. The flags have no defaults and no `env`
//! of their own: a flag only counts when given, and the rest comes from the layers.

use anyhow::Context as _;
use clap::Args;
use qrlogin_server::{Application, Config};
use serde::Serialize;
use std::path::PathBuf;

/// Flags of `qrlogin serve` (and `qrlogin config show`). Each is also the key of the
/// config file (dashes as underscores) and a `QRLOGIN_` variable.
#[derive(Args, Debug, Default, Serialize)]
pub struct ServeArgs {
    /// TOML file of settings; its keys are these flags' names with `_` for `-`.
    #[arg(long, env = "QRLOGIN_CONFIG", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Address to bind (port 0: any free port; the bound address is printed).
    #[arg(long, value_name = "ADDR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    /// `memory`, `redis://host:port/db`, `redis+sentinel://h:p[,h:p]/master[/db]`,
    /// `redis-cluster://h1:p1,h2:p2`: where QR sessions live.
    #[arg(long, value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    store: Option<String>,
    /// `sqlite://PATH`, `postgres://user@host:port/db` or `memory`: where accounts and
    /// sessions are kept.
    #[arg(long, value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    db: Option<String>,
    /// Base of the URL in the QR code, what phones can reach (unset: `http://` and the
    /// listen address).
    #[arg(long, value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    public_url: Option<String>,
    /// Seed the accounts `alice`/`alice-demo` and `bob`/`bob-demo`.
    #[arg(long)]
    #[serde(skip_serializing_if = "is_false")]
    demo: bool,
    /// QR session lifetime in seconds.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    #[serde(skip_serializing_if = "Option::is_none")]
    qr_ttl: Option<u64>,
    /// Seconds to redeem after the phone confirms.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    #[serde(skip_serializing_if = "Option::is_none")]
    confirm_ttl: Option<u64>,
    /// Serve only the PC-facing or the phone-facing endpoints, or all.
    #[arg(long, value_name = "pc|phone|all", value_parser = ["pc", "phone", "all"])]
    #[serde(skip_serializing_if = "Option::is_none")]
    api: Option<String>,
    /// Trust a proxy on this machine (loopback) for the client address in
    /// `X-Forwarded-For`.
    #[arg(long)]
    #[serde(skip_serializing_if = "is_false")]
    trust_proxy: bool,
    /// Addresses of your proxies, whose `X-Forwarded-For` is believed (comma-separated).
    #[arg(long, value_name = "CIDR[,CIDR…]", value_delimiter = ',')]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    trusted_proxies: Vec<String>,
    /// A browser origin allowed to call the API cross-origin (repeatable;
    /// comma-separated in the variable).
    #[arg(long, value_name = "URL")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cors_origin: Vec<String>,
    /// An origin the pages may show avatar images from, e.g. your CDN (repeatable;
    /// comma-separated in the variable).
    #[arg(long, value_name = "URL")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    avatar_origin: Vec<String>,
    /// WebAuthn relying-party id for passkeys (unset: the host of the public URL).
    #[arg(long, value_name = "DOMAIN")]
    #[serde(skip_serializing_if = "Option::is_none")]
    rp_id: Option<String>,
    /// Cap on held long polls, SSE streams and WebSockets (503 past it).
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    max_waiters: Option<usize>,
    /// Certificate chain (PEM) for HTTPS on the listen address.
    #[arg(long, value_name = "PEM")]
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_cert: Option<PathBuf>,
    /// Private key (PEM) for HTTPS on the listen address.
    #[arg(long, value_name = "PEM")]
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_key: Option<PathBuf>,
    /// Seconds a client gets to send a request's headers.
    #[arg(long, value_name = "SECS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    header_timeout: Option<u64>,
    /// Seconds an idle keep-alive connection is kept open.
    #[arg(long, value_name = "SECS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    idle_timeout: Option<u64>,
    /// Most connections open at once (unset: no cap).
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    max_connections: Option<usize>,
    /// Seconds held requests get to finish on SIGINT/SIGTERM.
    #[arg(long, value_name = "SECS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    shutdown_timeout: Option<u64>,
    /// Most clients waiting at once from one address (an IPv6 /64) before 429.
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    max_waiters_per_ip: Option<usize>,
    /// QR sessions one address may create per minute before 429.
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    qr_per_ip_per_minute: Option<u64>,
    /// Requests one address may make per minute to /oauth2/token, and apart to
    /// /oauth2/device_authorization and to /oauth2/revoke, before 429.
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    oauth_per_ip_per_minute: Option<u64>,
    /// Device user codes one address may type at /m/device per 5 minutes, right or
    /// wrong, before 429 (user codes are short: RFC 8628 §5.1).
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    user_code_attempts_per_ip: Option<u64>,
    /// Passkey sign-in requests (start and finish together), and apart as many
    /// enrollment requests, one address may make per minute before 429.
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    passkey_per_ip_per_minute: Option<u64>,
    /// QR sessions the memory store keeps at once before 503.
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    max_qr_sessions: Option<usize>,
    /// Password attempts per (address, username) per 5 minutes before 429.
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    login_attempts: Option<u64>,
    /// Password attempts per address per 5 minutes, any usernames, before 429.
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    login_attempts_per_ip: Option<u64>,
    /// Attempts per username per 5 minutes from anywhere after which answers slow down
    /// (never refused, so nobody can lock a user out).
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    login_slowdown_after: Option<u64>,
    /// Password checks (argon2) at once; 0 = one per CPU core.
    #[arg(long, value_name = "N")]
    #[serde(skip_serializing_if = "Option::is_none")]
    argon2_workers: Option<usize>,
}

impl ServeArgs {
    /// No flags but `--config`: what commands other than `serve` (`db`, `accounts`)
    /// layer to find the settings they share with it.
    pub fn with_config(config: Option<PathBuf>) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }
}

/// Leaves an unset switch out of the flag layer, so it cannot undo the file's `true`.
fn is_false(b: &bool) -> bool {
    !*b
}

fn init_logs() {
    use tracing_subscriber::EnvFilter;
    // Libraries that would log secrets at trace stay at info (see `log_directives`).
    let user = std::env::var("QRLOGIN_LOG").ok();
    let directives = qrlogin_server::telemetry::log_directives(user.as_deref());
    let filter = EnvFilter::try_new(&directives)
        .unwrap_or_else(|_| EnvFilter::new(qrlogin_server::telemetry::log_directives(None)));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("QRLOGIN_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Runs the server until a signal.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let settings = crate::config::load(&args)?;
    let config = Config::from_settings(&settings)?;
    init_logs();
    tracing::info!(?config, "starting");
    let app = Application::build(config).await?;
    // The one line scripts wait for: printed once the socket accepts connections.
    println!("qrlogin listening on {}", app.url());
    app.run_until(qrlogin_server::shutdown_signal())
        .await
        .context("serving")?;
    tracing::info!("stopped");
    Ok(())
}
