//! The command connection: one multiplexed connection that reconnects by itself, for a
//! single server, a Sentinel-named master, or a Cluster.
//!
//! Every command fails fast while Redis is away: 500 ms to connect, 500 ms to answer,
//! few and short reconnect retries, and over all that a hard deadline per store call
//! ([`OP_DEADLINE`]), so a request answers 503 in well under a second instead of
//! hanging. A later call simply tries again, so service resumes as soon as Redis does.

use super::url::Target;
use crate::{StoreError, StoreResult};
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{
    Cmd, ConnectionAddr, ErrorKind, Pipeline, RedisError, RedisFuture, ServerErrorKind, Value,
};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// How long one connection attempt may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// How long one command may wait for its answer.
pub(crate) const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
/// The most one store call may take, retries and reconnects included.
pub(crate) const OP_DEADLINE: Duration = Duration::from_millis(800);

/// A connection for one command: cheap to clone (all share one socket per node).
#[derive(Clone)]
pub(crate) enum Any {
    /// Single server or Sentinel master.
    Manager(ConnectionManager),
    /// Cluster: routes each command to the node of its key's slot.
    Cluster(ClusterConnection),
}

impl ConnectionLike for Any {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Any::Manager(c) => c.req_packed_command(cmd),
            Any::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Any::Manager(c) => c.req_packed_commands(cmd, offset, count),
            Any::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Any::Manager(c) => c.get_db(),
            Any::Cluster(c) => c.get_db(),
        }
    }
}

/// The command side of a [`RedisStore`](super::RedisStore).
pub(crate) enum Conn {
    /// A fixed connection (single server or Cluster).
    Fixed(Any),
    /// A master found through Sentinel; re-asked after a failure, so a failover is
    /// followed without a restart.
    Sentinel {
        /// Asks the Sentinels (a tokio Mutex: resolving awaits).
        client: Box<tokio::sync::Mutex<SentinelClient>>,
        /// The master's connection and its generation, until a failure drops it. A std
        /// Mutex: held only to clone or replace.
        current: Mutex<Option<(ConnectionManager, u64)>>,
        /// How many master connections have been made: the generation of the next.
        made: AtomicU64,
    },
}

/// The reconnect policy of single-server connections: short waits, few tries, so a
/// call while Redis is down fails in tens of milliseconds and the next one retries.
fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(RESPONSE_TIMEOUT))
        .set_number_of_retries(1)
        .set_min_delay(Duration::from_millis(20))
        .set_max_delay(Duration::from_millis(100))
}

/// A Sentinel client for `target` (which must be a Sentinel target).
pub(crate) fn sentinel_client(target: &Target) -> StoreResult<SentinelClient> {
    let Target::Sentinel {
        sentinels,
        master,
        db,
        user,
        password,
    } = target
    else {
        unreachable!("sentinel_client is only called for Sentinel targets")
    };
    let addrs = sentinels
        .iter()
        .map(|(h, p)| ConnectionAddr::Tcp(h.clone(), *p));
    let mut b = SentinelClientBuilder::new(addrs, master, SentinelServerType::Master)
        .map_err(map_err)?
        .set_client_to_redis_db(*db);
    if let Some(u) = user {
        b = b.set_client_to_redis_username(u);
    }
    if let Some(p) = password {
        b = b.set_client_to_redis_password(p);
    }
    b.build().map_err(map_err)
}

impl Conn {
    /// Connects to `target`, failing if it does not answer now.
    pub(crate) async fn open(target: &Target) -> StoreResult<Conn> {
        let conn = match target {
            Target::Single(url) => {
                let client = redis::Client::open(url.as_str()).map_err(map_err)?;
                let m = ConnectionManager::new_lazy_with_config(client, manager_config())
                    .map_err(map_err)?;
                Conn::Fixed(Any::Manager(m))
            }
            Target::Cluster(nodes) => {
                let client = redis::cluster::ClusterClientBuilder::new(nodes.clone())
                    .connection_timeout(CONNECT_TIMEOUT)
                    .response_timeout(RESPONSE_TIMEOUT)
                    .overall_response_timeout(Some(OP_DEADLINE))
                    .retries(2)
                    .min_retry_wait(10)
                    .max_retry_wait(100)
                    .build()
                    .map_err(map_err)?;
                let c = deadline(async { client.get_async_connection().await.map_err(map_err) })
                    .await?;
                Conn::Fixed(Any::Cluster(c))
            }
            Target::Sentinel { .. } => Conn::Sentinel {
                client: Box::new(tokio::sync::Mutex::new(sentinel_client(target)?)),
                current: Mutex::new(None),
                made: AtomicU64::new(0),
            },
        };
        Ok(conn)
    }

    /// A connection to send one store call's commands on, and its generation: it changes
    /// whenever a Sentinel master is looked up again, as the master (and its clock, see
    /// `clock`) may be another server now. Always 0 for a fixed connection.
    pub(crate) async fn get(&self) -> StoreResult<(Any, u64)> {
        match self {
            Conn::Fixed(c) => Ok((c.clone(), 0)),
            Conn::Sentinel {
                client,
                current,
                made,
            } => {
                if let Some((m, generation)) =
                    current.lock().expect("sentinel lock poisoned").clone()
                {
                    return Ok((Any::Manager(m), generation));
                }
                let master = client
                    .lock()
                    .await
                    .async_get_client()
                    .await
                    .map_err(map_err)?;
                let m = ConnectionManager::new_lazy_with_config(master, manager_config())
                    .map_err(map_err)?;
                let generation = made.fetch_add(1, Ordering::Relaxed) + 1;
                *current.lock().expect("sentinel lock poisoned") = Some((m.clone(), generation));
                Ok((Any::Manager(m), generation))
            }
        }
    }

    /// Called with every failed call's error: after a failure that may mean the master
    /// moved, the next call asks the Sentinels again.
    pub(crate) fn failed(&self, e: &StoreError) {
        if let (Conn::Sentinel { current, .. }, StoreError::Unavailable(_)) = (self, e) {
            current.lock().expect("sentinel lock poisoned").take();
        }
    }
}

/// Runs one store call under [`OP_DEADLINE`]: past it, the call is `Unavailable`.
pub(crate) async fn deadline<T>(f: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    tokio::time::timeout(OP_DEADLINE, f)
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(
                "Redis did not answer in time".into(),
            ))
        })
}

/// The error code a writing script answers with when it ran past its caller's deadline
/// and wrote nothing (`scripts/deadline.lua`).
const LATE: &str = "LATE";

/// Sorts a Redis error into the two kinds a store reports: Redis away or busy (503,
/// retry later) or something that should not happen (500, a bug to look at). A script
/// that came too late is "away" too: it changed nothing, and a retry may well work.
pub(crate) fn map_err(e: RedisError) -> StoreError {
    use ServerErrorKind as S;
    if e.code() == Some(LATE) {
        return StoreError::Unavailable(
            "Redis ran the write after this call's deadline, so it wrote nothing".into(),
        );
    }
    let away = e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_cluster_error()
        || matches!(
            e.kind(),
            ErrorKind::Server(
                S::BusyLoading | S::TryAgain | S::ClusterDown | S::MasterDown | S::ReadOnly
            ) | ErrorKind::ClusterConnectionNotFound
                | ErrorKind::MasterNameNotFoundBySentinel
                | ErrorKind::EmptySentinelList
                | ErrorKind::InvalidClientConfig
        );
    if away {
        StoreError::Unavailable(e.to_string())
    } else {
        StoreError::Corrupt(format!("Redis answered with an error: {e}"))
    }
}
