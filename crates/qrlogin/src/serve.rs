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
    /// Trust X-Forwarded-For for the client IP (only behind your own proxy).
    #[arg(long, env = "QRLOGIN_TRUST_PROXY")]
    trust_proxy: bool,
    /// Most clients waiting at once (long poll, SSE, WebSocket) before 503.
    #[arg(long, env = "QRLOGIN_MAX_WAITERS", default_value_t = 100_000)]
    max_waiters: usize,
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
            max_waiters: self.max_waiters,
        }
    }
}

fn init_logs() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("QRLOGIN_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
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
