//! The Redis backend: the production store, shared by any number of server instances.
//!
//! - `mod.rs`: [`RedisStore`], connecting, and the key layout below.
//! - `url`: the `--store` URL forms (single server, Sentinel, Cluster).
//! - `conn`: the command connection, fail-fast timeouts, error sorting.
//! - `clock`: Redis' clock as seen from here, so a writing script can tell that its
//!   caller has given up and write nothing (`scripts/deadline.lua`).
//! - `codec`: a QR session as a compact hash.
//! - `qr`: the store trait; `transition`: its one-step guarded transition.
//! - `subscriber`, `link`: the pub/sub connection that hears the sessions this instance
//!   holds waiters for (a channel per session) and wakes them.
//! - `scripts/*.lua`: every QR transition is one script (`EVALSHA`), atomic on the
//!   server: check `rev`, write, set the expiry, publish — no WATCH/MULTI, nothing
//!   blocking. Writing scripts whose late effect would break "503 changed nothing"
//!   start with `scripts/deadline.lua` and take their `not_after` as `ARGV[1]`.
//!
//! Key layout (Redis ≥ 7.0; every key expires by `PEXPIREAT`, nothing is left behind):
//!
//! | key | type | holds | expires |
//! | --- | --- | --- | --- |
//! | `qrl:{<qr_id>}` | hash | one QR session (see `codec`); hash tag: one slot | `purge_at` |
//! | `qrl:p:<32 raw bytes>` | string | poll-token SHA-256 → qr id | `purge_at` |
//! | `qrl:rl:{<key>}` | string | a rate-limit count (see `counters`) | its window's end |
//! | `qrl:e:{<key>}` | string | a one-use blob (`put_ephemeral`, taken by `GETDEL`) | its `expires_at` |
//!
//! Notifications: `PUBLISH qrl:{<qr_id>}:ch <version>` (`SPUBLISH` on a Cluster) from the
//! transition script, only when the version changes; only instances with a waiter for
//! that session are subscribed (see `subscriber`).

mod clock;
mod codec;
mod conn;
mod counters;
mod link;
mod qr;
mod subscriber;
mod transition;
mod url;

/// Entry points for the fuzz targets (`fuzz/`): what reads bytes the server did not
/// write itself (a record in Redis, a `--store` URL) must answer a clean error, never
/// panic.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    use crate::StoreError;
    use qrlogin_core::{QrId, QrSession};
    use std::collections::HashMap;

    /// Decodes a session from the fields of its hash, as after `HGETALL`.
    pub fn decode_hash(
        id: &QrId,
        fields: HashMap<Vec<u8>, Vec<u8>>,
    ) -> Result<Option<QrSession>, StoreError> {
        super::codec::decode(id, fields)
    }

    /// Decodes a session from an `HMGET` reply; `Ok(None)` when the text asks for the
    /// whole hash to be read instead.
    pub fn decode_hmget(id: &QrId, reply: &redis::Value) -> Result<Option<QrSession>, StoreError> {
        match super::codec::decode_listed(id, reply)? {
            super::codec::Listed::Session(s) => Ok(s),
            super::codec::Listed::ReadAll => Ok(None),
        }
    }

    /// The fields the `HMGET` of a read asks for, in order.
    pub fn hmget_fields() -> &'static [&'static str] {
        &super::codec::FIELDS
    }

    /// The `HSET` arguments of a session (field, value, field, value, …).
    pub fn encode(s: &QrSession) -> Vec<Vec<u8>> {
        redis::ToRedisArgs::to_redis_args(&super::codec::encode(s))
    }

    /// Parses a `--store` URL of the Redis backend; `Ok` holds the connection URLs it
    /// names (one per server or cluster node; a Sentinel URL names none directly).
    pub fn parse_url(url: &str) -> Result<Vec<String>, StoreError> {
        Ok(match super::url::parse(url)? {
            super::url::Target::Single(u) => vec![u],
            super::url::Target::Cluster(nodes) => nodes,
            super::url::Target::Sentinel { .. } => Vec::new(),
        })
    }
}

/// The names of a session's keys, as the store writes them (see the table above): for
/// tools that inspect a store's Redis, such as the benchmark's memory figure, so that
/// the layout is written down once.
pub use qr::{poll_key, session_key};

use crate::{Hub, StoreError, StoreResult};
use conn::{deadline, map_err, Any, Conn, OP_DEADLINE};
use redis::aio::ConnectionLike;
use redis::FromRedisValue;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long [`RedisStore::connect`] waits for the subscriber's first subscription, so
/// that a store that has connected hears other instances' changes from the start.
const FIRST_SUBSCRIBE: Duration = Duration::from_secs(2);

/// The Redis store: one command connection, one subscriber connection and the [`Hub`]
/// of this instance's waiters.
pub struct RedisStore {
    /// Commands (single server, Sentinel master or Cluster).
    conn: Conn,
    /// Local waiters, woken by the subscriber.
    hub: Arc<Hub>,
    /// The subscriber task; aborted when the store is dropped.
    subscriber: tokio::task::JoinHandle<()>,
    /// Completed subscriptions so far (1 once connected, +1 per reconnect).
    subscribed: watch::Receiver<u64>,
    /// Whether the subscriber is subscribed now. While it is not, other instances'
    /// changes reach this one's waiters only when it is back, so the store does not
    /// report itself ready (see `QrStore::ping`).
    listening: Arc<std::sync::atomic::AtomicBool>,
    /// The transition scripts, hashed once (`EVALSHA`, loading on `NOSCRIPT`).
    scripts: Scripts,
    /// The offset to Redis' clock, for the `not_after` of writing scripts.
    clock: clock::Clock,
    /// `PUBLISH`, or `SPUBLISH` on a Cluster: what the transition script notifies with.
    publish: &'static str,
    /// Whether the session scripts may write the poll index themselves (create it, move
    /// its expiry on a confirm), saving a round trip each: not on a Cluster, where the
    /// index lives in another slot than the session.
    index_in_script: bool,
}

/// The Lua scripts of `scripts/`.
struct Scripts {
    create: redis::Script,
    cas: redis::Script,
    transition: redis::Script,
}

/// A script that refuses to write after its `not_after` (`ARGV[1]`).
macro_rules! with_deadline {
    ($file:literal) => {
        redis::Script::new(concat!(
            include_str!("scripts/deadline.lua"),
            include_str!($file)
        ))
    };
}

impl RedisStore {
    /// Connects to Redis and starts the subscriber. URL forms:
    ///
    /// - `redis://[user:pass@]host:port[/db]` — one server;
    /// - `redis+sentinel://[user:pass@]host:port[,host:port…]/master_name[/db]` — the
    ///   master named by these Sentinels (credentials and db are the master's);
    /// - `redis-cluster://[user:pass@]host:port[,host:port…]` — a Cluster, from any
    ///   of its nodes.
    ///
    /// - `rediss://…`, `rediss-cluster://…` — the same over TLS, the server certificate
    ///   verified against the system trust store (or `SSL_CERT_FILE`).
    ///
    /// Fails with [`StoreError::Unavailable`] if the URL is malformed or Redis does not
    /// answer now; afterwards the store reconnects by itself whenever Redis comes back.
    pub async fn connect(url: &str) -> StoreResult<Arc<RedisStore>> {
        let target = url::parse(url)?;
        let conn = Conn::open(&target).await?;
        let (interest, reports) = tokio::sync::mpsc::unbounded_channel();
        let hub = Hub::with_interest(interest);
        let (subscriber, subscribed, listening) =
            subscriber::spawn(&target, Arc::clone(&hub), reports)?;
        let store = Arc::new(RedisStore {
            conn,
            hub,
            subscriber,
            subscribed,
            listening,
            scripts: Scripts {
                create: with_deadline!("scripts/create.lua"),
                cas: with_deadline!("scripts/cas.lua"),
                transition: with_deadline!("scripts/transition.lua"),
            },
            clock: clock::Clock::new(),
            publish: subscriber::publish_command(&target),
            index_in_script: !matches!(target, url::Target::Cluster(_)),
        });
        store.ping_redis().await?;
        store.measure_clock().await?;
        tokio::spawn(refresh_clock(Arc::downgrade(&store)));
        let mut rx = store.subscribed.clone();
        if tokio::time::timeout(FIRST_SUBSCRIBE, rx.wait_for(|n| *n > 0))
            .await
            .is_err()
        {
            return Err(StoreError::Unavailable(
                "the Redis subscriber connection could not subscribe".into(),
            ));
        }
        Ok(store)
    }

    /// How many times the subscriber connection has subscribed (1 after connecting,
    /// +1 per reconnect): a metric, and what tests wait on to see a reconnect.
    pub fn subscriber_connects(&self) -> u64 {
        *self.subscribed.borrow()
    }

    /// How many change notifications this instance has received from Redis: only for
    /// sessions it holds waiters for (the `qrlogin_store_notifications_total` metric).
    pub fn notifications_received(&self) -> u64 {
        self.hub.notifications()
    }

    /// Runs one store call with a connection, under the call deadline; failures that
    /// may mean the master moved make the next call look for it again.
    async fn with<T, F, Fut>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(Any) -> Fut,
        Fut: std::future::Future<Output = StoreResult<T>>,
    {
        self.with_generation(|c, _| f(c)).await
    }

    /// [`with`](Self::with), also handing `f` the connection's generation.
    async fn with_generation<T, F, Fut>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(Any, u64) -> Fut,
        Fut: std::future::Future<Output = StoreResult<T>>,
    {
        let result = deadline(async {
            let (c, generation) = self.conn.get().await?;
            f(c, generation).await
        })
        .await;
        if let Err(e) = &result {
            self.conn.failed(e);
        }
        result
    }

    /// A store call that runs a script with a deadline: `f` also gets the `not_after`
    /// (Redis unix ms) to pass as the script's `ARGV[1]`. The call's own deadline is
    /// taken before the call starts, so `not_after` can only be early.
    async fn with_not_after<T, F, Fut>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(Any, i64) -> Fut,
        Fut: std::future::Future<Output = StoreResult<T>>,
    {
        let ends = Instant::now() + OP_DEADLINE;
        self.with_generation(|mut c, generation| async move {
            let not_after = self.clock.not_after(&mut c, generation, ends).await?;
            f(c, not_after).await
        })
        .await
    }

    /// Measures the offset to Redis' clock now.
    async fn measure_clock(&self) -> StoreResult<()> {
        deadline(async {
            let (mut c, generation) = self.conn.get().await?;
            self.clock.measure(&mut c, generation).await
        })
        .await
    }

    /// One command, under the call deadline.
    async fn query<T: FromRedisValue + Send>(&self, cmd: redis::Cmd) -> StoreResult<T> {
        self.with(|mut c| async move { run(&mut c, &cmd).await })
            .await
    }

    async fn ping_redis(&self) -> StoreResult<()> {
        self.query::<String>(redis::cmd("PING")).await.map(|_| ())
    }
}

/// Keeps the store's clock offset fresh (one `TIME` a second, per master on a Cluster),
/// so writes need not measure first; ends with the store.
async fn refresh_clock(store: Weak<RedisStore>) {
    let mut tick = tokio::time::interval(clock::REFRESH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(store) = store.upgrade() else {
            return;
        };
        if let Err(e) = store.measure_clock().await {
            tracing::debug!(error = %e, "Redis clock offset not refreshed");
        }
    }
}

/// Sends one command on `c`.
async fn run<T: FromRedisValue>(c: &mut impl ConnectionLike, cmd: &redis::Cmd) -> StoreResult<T> {
    cmd.query_async(c).await.map_err(map_err)
}

impl Drop for RedisStore {
    fn drop(&mut self) {
        self.subscriber.abort();
    }
}
