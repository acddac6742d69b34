//! `qrlogin serve`: flags (each also from a `QRLOGIN_*` variable) → [`Config`] → run
//! until SIGINT/SIGTERM.

use anyhow::Context as _;
use clap::Args;
use qrlogin_core::Lifetimes;
use qrlogin_server::{ApiRoles, Application, Config};

/// Flags of `qrlogin serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "QRLOGIN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// `memory` (single instance) or a Redis URL: redis://host:port/db, rediss://…,
    /// redis+sentinel://host:port/master, redis-cluster://h1:p1,h2:p2.
    #[arg(
        long,
        env = "QRLOGIN_STORE",
        default_value = "memory",
        hide_env_values = true
    )]
    store: String,
    /// Public base URL put in QR codes (default: http://<listen address>).
    #[arg(long, env = "QRLOGIN_PUBLIC_URL")]
    public_url: Option<String>,
    /// Seed the demo accounts alice/alice-demo and bob/bob-demo.
    #[arg(long, env = "QRLOGIN_DEMO")]
    demo: bool,
    /// Lifetime of a QR session in seconds.
    #[arg(long, env = "QRLOGIN_QR_TTL", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    qr_ttl: u64,
    /// Time to redeem after the phone confirms, in seconds.
    #[arg(long, env = "QRLOGIN_CONFIRM_TTL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    confirm_ttl: u64,
    /// Which endpoints to serve: pc, phone or all.
    #[arg(long, env = "QRLOGIN_API", default_value = "all", value_parser = ["pc", "phone", "all"])]
    api: String,
    /// Trust loopback as our proxy: shorthand for --trusted-proxies 127.0.0.0/8,::1.
    #[arg(long, env = "QRLOGIN_TRUST_PROXY")]
    trust_proxy: bool,
    /// Our proxies (CIDR[,CIDR…]): the client is the right-most X-Forwarded-For entry
    /// not in the list. Without it (or --trust-proxy) X-Forwarded-For is ignored.
    #[arg(long, env = "QRLOGIN_TRUSTED_PROXIES", value_delimiter = ',', value_parser = qrlogin_server::limits::proxies::parse_net)]
    trusted_proxies: Vec<ipnet::IpNet>,
    /// An origin allowed to call the API from a browser (CORS); repeatable. Off by default.
    #[arg(long = "cors-origin", env = "QRLOGIN_CORS_ORIGINS", value_delimiter = ',', value_parser = qrlogin_server::routes::headers::parse_origin)]
    cors_origins: Vec<String>,
    /// Most clients waiting at once (long poll, SSE, WebSocket) before 503.
    #[arg(long, env = "QRLOGIN_MAX_WAITERS", default_value_t = 100_000)]
    max_waiters: usize,
    /// Most clients waiting at once from one address (an IPv6 /64) before 429.
    #[arg(long, env = "QRLOGIN_MAX_WAITERS_PER_IP", default_value_t = 10_000)]
    max_waiters_per_ip: usize,
    /// QR sessions one address may create per minute before 429.
    #[arg(long, env = "QRLOGIN_QR_PER_IP_PER_MINUTE", default_value_t = 600)]
    qr_per_ip_per_minute: u64,
    /// QR sessions the memory store keeps at once before 503.
    #[arg(long, env = "QRLOGIN_MAX_QR_SESSIONS", default_value_t = 100_000)]
    max_qr_sessions: usize,
    /// Password attempts per (address, username) per 5 minutes before 429.
    #[arg(long, env = "QRLOGIN_LOGIN_ATTEMPTS", default_value_t = 10)]
    login_attempts: u64,
    /// Password attempts per address per 5 minutes, any usernames, before 429.
    #[arg(long, env = "QRLOGIN_LOGIN_ATTEMPTS_PER_IP", default_value_t = 100)]
    login_attempts_per_ip: u64,
    /// Attempts per username per 5 minutes from anywhere after which answers slow down.
    #[arg(long, env = "QRLOGIN_LOGIN_SLOWDOWN_AFTER", default_value_t = 30)]
    login_slowdown_after: u64,
    /// Password checks (argon2) at once; 0 = one per CPU core.
    #[arg(long, env = "QRLOGIN_ARGON2_WORKERS", default_value_t = 0)]
    argon2_workers: usize,
}

impl ServeArgs {
    fn into_config(self) -> Config {
        let lifetimes = Lifetimes {
            qr_ms: self.qr_ttl as i64 * 1000,
            confirm_ms: self.confirm_ttl as i64 * 1000,
            ..Lifetimes::default()
        };
        Config {
            listen: self.listen,
            store: self.store,
            public_url: self.public_url,
            demo: self.demo,
            lifetimes,
            roles: ApiRoles::parse(&self.api).unwrap_or_default(),
            trust_proxy: self.trust_proxy,
            trusted_proxies: self.trusted_proxies,
            cors_origins: self.cors_origins,
            max_waiters: self.max_waiters,
            limits: qrlogin_server::limits::Limits {
                max_waiters_per_ip: self.max_waiters_per_ip,
                qr_per_ip_per_minute: self.qr_per_ip_per_minute,
                max_qr_sessions: self.max_qr_sessions,
                login_per_ip_user: self.login_attempts,
                login_per_ip: self.login_attempts_per_ip,
                login_soft_per_user: self.login_slowdown_after,
                argon2_workers: self.argon2_workers,
                ..Default::default()
            },
        }
    }
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
    init_logs();
    let config = args.into_config();
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
