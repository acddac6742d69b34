//! Building and running the server: `Application::build(config)` binds the listener,
//! opens the store and reports the port; `run_until(shutdown)` serves until the future
//! resolves, then answers held waiters and drains. The binary and every test start the
//! server exactly this way.

use crate::config::Config;
use crate::limits::LoginLimiter;
use crate::routes;
use crate::service::accounts;
use crate::state::{AppState, Shared};
use crate::telemetry;
use anyhow::Context as _;
use qrlogin_core::{SharedClock, SystemClock};
use qrlogin_store::memory::MemoryStore;
use qrlogin_store::{AccountStore, QrStore};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
}

/// Opens the store named by `url`: `memory` (purged by `clock`), or a Redis URL (Redis
/// keys expire by Redis' own clock at the times the server computes from `clock`).
pub async fn open_store(
    url: &str,
    clock: SharedClock,
) -> anyhow::Result<(Arc<dyn QrStore>, Arc<dyn AccountStore>)> {
    if url == "memory" {
        let store = MemoryStore::with_clock(clock);
        store.spawn_purger(Duration::from_secs(1));
        return Ok((store.clone(), store));
    }
    if url.starts_with("redis") {
        let store = qrlogin_store::redis::RedisStore::connect(url)
            .await
            .context("opening the Redis store")?;
        return Ok((store.clone(), store));
    }
    anyhow::bail!(
        "unknown store {:?}: use `memory` or a redis:// URL",
        crate::config::redact_url(url)
    )
}

impl Application {
    /// Binds `config.listen`, opens the store, seeds demo accounts if asked; runs on the
    /// wall clock.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, SystemClock::shared()).await
    }

    /// [`build`](Self::build) on `clock`: tests pass a `ManualClock` and move it (then
    /// call [`Shared::clock_moved`](crate::state::Shared::clock_moved) so held waiters
    /// look at it again).
    pub async fn build_with_clock(config: Config, clock: SharedClock) -> anyhow::Result<Self> {
        telemetry::init();
        let listener = TcpListener::bind(&config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let addr = listener.local_addr()?;
        let (qr, accounts_store) = open_store(&config.store, clock.clone()).await?;
        if config.demo {
            accounts::seed_demo(accounts_store.as_ref(), clock.now())
                .await
                .context("seeding demo accounts")?;
        }
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let dummy = qrlogin_core::Secret::generate(qrlogin_core::SecretKind::Session)
            .expose()
            .to_owned();
        let state = AppState::new(Shared {
            qr,
            accounts: accounts_store,
            public_url: public_url.trim_end_matches('/').into(),
            config: Arc::new(config),
            shutdown: CancellationToken::new(),
            login_limiter: Arc::new(LoginLimiter::default()),
            dummy_hash: accounts::hash_password(dummy).await?.into(),
            held: Default::default(),
            clock,
            account_cache: Default::default(),
        });
        Ok(Self {
            listener,
            addr,
            state,
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<bound address>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state (tests reach the stores through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves; then held long polls and streams answer at
    /// once, in-flight requests finish, and this returns.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let token = self.state.shutdown.clone();
        let app = routes::router(self.state);
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: answering held requests");
            token.cancel();
        })
        .await
    }
}
