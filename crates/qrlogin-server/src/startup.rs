//! Building and running the server: `Application::build(config)` binds the listener,
//! opens the store and the database and reports the port; `run_until(shutdown)` serves until the future
//! resolves, then answers held waiters and drains. The binary and every test start the
//! server exactly this way.

use crate::config::Config;
use crate::limits::{login::LoginThrottle, passwords::PasswordPool, proxies, waiters::WaiterSlots};
use crate::listener::{Listener, TlsReloader};
use crate::routes;
use crate::service::{accounts, housekeeping};
use crate::state::{AppState, Shared};
use crate::telemetry;
use anyhow::Context as _;
use qrlogin_core::{SharedClock, SystemClock};
use qrlogin_store::memory::MemoryStore;
use qrlogin_store::{Counters, MemoryCounters, QrStore};
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
    open_stores(url, clock, usize::MAX).await.map(|(qr, _)| qr)
}

/// The QR store, with the memory store bounded to `max_qr` sessions, and the rate-limit
/// counters: in Redis when the store is Redis (shared by every instance), else in
/// memory.
async fn open_stores(
    url: &str,
    clock: SharedClock,
    max_qr: usize,
) -> anyhow::Result<(Arc<dyn QrStore>, Arc<dyn Counters>)> {
    if url == "memory" {
        let store = MemoryStore::with_clock(clock.clone());
        store.set_max_qr_sessions(max_qr);
        store.spawn_purger(Duration::from_secs(1));
        return Ok((store, Arc::new(MemoryCounters::new(clock))));
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
        let limits = config.limits.clone();
        let (qr, counters) =
            open_stores(&config.store, clock.clone(), limits.max_qr_sessions).await?;
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
        let public_url = public_url.trim_end_matches('/').to_owned();
        let shared = shared_state(config, qr, counters, db, clock, &public_url).await?;
        let state = AppState::new(shared);
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
        let purger = spawn_purger(&self.state);
        let options = self.state.config.listener.clone();
        let app = routes::router(self.state);
        let served = crate::listener::serve(self.listener, app, token, &options, shutdown).await;
        purger.abort();
        served
    }
}

/// The shared state over opened stores: the throttles, the argon2 pool, the trusted
/// proxies and the waiter slots, built from `config` in one place (the server and the
/// unit tests that drive routes directly both use it).
pub(crate) async fn shared_state(
    config: Config,
    qr: Arc<dyn QrStore>,
    counters: Arc<dyn Counters>,
    db: Arc<dyn qrlogin_db::Db>,
    clock: SharedClock,
    public_url: &str,
) -> anyhow::Result<Shared> {
    let limits = config.limits.clone();
    let dummy = qrlogin_core::Secret::generate(qrlogin_core::SecretKind::Session)
        .expose()
        .to_owned();
    let mut trusted = config.trusted_proxies.clone();
    if config.trust_proxy {
        trusted.extend(proxies::loopback());
    }
    let held = Arc::<std::sync::atomic::AtomicUsize>::default();
    let waiters = WaiterSlots::new(held.clone(), config.max_waiters, limits.max_waiters_per_ip);
    let webauthn =
        crate::service::passkeys::relying_party(public_url, config.rp_id.as_deref()).map(Arc::new);
    Ok(Shared {
        qr,
        activity: crate::service::activity_writer::ActivityWriter::new(db.clone()),
        db,
        webauthn,
        jwks: Default::default(),
        public_url: public_url.trim_end_matches('/').into(),
        config: Arc::new(config),
        shutdown: CancellationToken::new(),
        login_throttle: LoginThrottle::new(counters.clone(), limits.clone()),
        passwords: PasswordPool::new(limits.argon2_workers, limits.argon2_queue_wait),
        counters,
        proxies: proxies::TrustedProxies::new(trusted),
        waiters: Arc::new(waiters),
        dummy_hash: accounts::hash_password(dummy).await?.into(),
        held,
        housekeeping: Default::default(),
        clock,
    })
}

/// The housekeeping task ([`housekeeping::run`]): every hour by the server's clock
/// (and once at start), drops what has expired. Stops when the server begins to shut
/// down.
fn spawn_purger(state: &AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(housekeeping::run(state.clone()))
}
