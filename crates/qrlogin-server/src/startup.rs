//! Building and running the server: `Application::build(config)` binds the listener,
//! opens the store and the database and reports the port; `run_until(shutdown)` serves until the future
//! resolves, then answers held waiters and drains. The binary and every test start the
//! server exactly this way.

use crate::config::Config;
use crate::limits::LoginLimiter;
use crate::listener::{Listener, TlsReloader};
use crate::routes;
use crate::service::accounts;
use crate::state::{AppState, Shared};
use crate::telemetry;
use anyhow::Context as _;
use qrlogin_core::{SharedClock, SystemClock};
use qrlogin_store::memory::MemoryStore;
use qrlogin_store::QrStore;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A bound, ready-to-run server.
pub struct Application {
    listener: Listener,
    addr: SocketAddr,
    state: AppState,
}

/// Opens the store named by `url`: `memory` (purged by `clock`), or a Redis URL (Redis
/// keys expire by Redis' own clock at the times the server computes from `clock`).
pub async fn open_store(url: &str, clock: SharedClock) -> anyhow::Result<Arc<dyn QrStore>> {
    if url == "memory" {
        let store = MemoryStore::with_clock(clock);
        store.spawn_purger(Duration::from_secs(1));
        return Ok(store);
    }
    if url.starts_with("redis") {
        let store = qrlogin_store::redis::RedisStore::connect(url)
            .await
            .context("opening the Redis store")?;
        return Ok(store);
    }
    anyhow::bail!(
        "unknown store {:?}: use `memory` or a redis:// URL",
        crate::config::redact_url(url)
    )
}

impl Application {
    /// Binds `config.listen`, opens the store, seeds demo accounts if asked; runs on the
    /// wall clock.
    // Hands back `build_with_clock`'s future itself rather than awaiting it in one of its
    // own: one more layer of async nesting pushes callers that await `build` inside
    // deeply nested futures over rustc's layout query depth.
    pub fn build(config: Config) -> impl Future<Output = anyhow::Result<Self>> + Send {
        Self::build_with_clock(config, SystemClock::shared())
    }

    /// [`build`](Self::build) on `clock`: tests pass a `ManualClock` and move it (then
    /// call [`Shared::clock_moved`](crate::state::Shared::clock_moved) so held waiters
    /// look at it again).
    pub fn build_with_clock(
        config: Config,
        clock: SharedClock,
    ) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<Self>> + Send>> {
        // A boxed trait object: the stores' and the database's open futures are deep,
        // and every test's future that awaits this would otherwise need a raised
        // recursion limit for rustc to compute its layout.
        Box::pin(Self::build_inner(config, clock))
    }

    async fn build_inner(config: Config, clock: SharedClock) -> anyhow::Result<Self> {
        telemetry::init();
        let listener = Listener::bind(&config.listen, &config.listener).await?;
        let addr = listener.local_addr();
        let qr = open_store(&config.store, clock.clone()).await?;
        let db = qrlogin_db::open(&config.db).await.with_context(|| {
            format!(
                "opening the database {}",
                qrlogin_db::redact_url(&config.db)
            )
        })?;
        if config.demo {
            accounts::seed_demo(db.as_ref(), clock.now())
                .await
                .context("seeding demo accounts")?;
        }
        crate::service::oauth::keys::ensure(db.as_ref(), clock.now())
            .await
            .context("making the signing keys")?;
        if config.demo {
            crate::service::oauth::clients::seed_demo(db.as_ref(), clock.now())
                .await
                .context("registering the demo client")?;
        }
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("{}://{addr}", listener.scheme()));
        let dummy = qrlogin_core::Secret::generate(qrlogin_core::SecretKind::Session)
            .expose()
            .to_owned();
        let state = AppState::new(Shared {
            qr,
            db,
            public_url: public_url.trim_end_matches('/').into(),
            config: Arc::new(config),
            shutdown: CancellationToken::new(),
            login_limiter: Arc::new(LoginLimiter::default()),
            dummy_hash: accounts::hash_password(dummy).await?.into(),
            held: Default::default(),
            jwks: Default::default(),
            clock,
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

    /// `http://<bound address>`, or `https://` when serving TLS.
    pub fn url(&self) -> String {
        format!("{}://{}", self.listener.scheme(), self.addr)
    }

    /// Re-reads the TLS certificate and key (what SIGHUP does, which `run_until`
    /// handles by itself); `None` when not serving TLS.
    pub fn tls_reloader(&self) -> Option<TlsReloader> {
        self.listener.tls().cloned()
    }

    /// The shared state (tests reach the stores through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves; then held long polls and streams answer at
    /// once, in-flight requests finish, and this returns, within the configured
    /// shutdown timeout whatever the clients do. With TLS, SIGHUP reloads the
    /// certificate meanwhile.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let token = self.state.shutdown.clone();
        let options = self.state.config.listener.clone();
        let app = routes::router(self.state);
        crate::listener::serve(self.listener, app, token, &options, shutdown).await
    }
}
