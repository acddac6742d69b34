//! The one subscriber connection of a [`RedisStore`](super::RedisStore): it hears every
//! "session X changed" that any instance publishes and wakes the local waiters of X
//! through the [`Hub`].
//!
//! One channel, [`CHANNEL`], plain `PUBLISH`/`SUBSCRIBE`. On a Cluster a plain
//! `PUBLISH` is broadcast over the cluster bus to every node, so one subscription on any
//! node hears every shard's writes. (`SPUBLISH` would keep each message in its shard,
//! but then every instance needs a subscription per shard, redone on every slot
//! migration; at a few messages per login the broadcast is the simpler, robust choice.)
//!
//! The loop reconnects by itself (100–500 ms apart), pings every second to notice a
//! silent half-dead socket, and after every (re)subscription wakes *every* local waiter
//! with [`Hub::notify_all`], since changes published while it was away were lost: each
//! waiter re-reads its session, so nothing is missed.

use super::conn::CONNECT_TIMEOUT;
use super::url::Target;
use crate::Hub;
use futures::StreamExt;
use qrlogin_core::QrId;
use redis::sentinel::SentinelClient;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The channel every instance publishes to and subscribes on; messages are qr ids.
pub(crate) const CHANNEL: &str = "qrl:changed";

/// How often a quiet subscription is checked with a `PING`.
const PING_EVERY: Duration = Duration::from_secs(1);

/// Where to subscribe.
enum Source {
    /// A single server, or a Cluster's seed nodes (any node hears every message), tried
    /// in turn.
    Nodes(Vec<redis::Client>),
    /// The master that Sentinel names now.
    Sentinel(Box<SentinelClient>),
}

impl Source {
    async fn client(&mut self, attempt: usize) -> redis::RedisResult<redis::Client> {
        match self {
            Source::Nodes(nodes) => Ok(nodes[attempt % nodes.len()].clone()),
            Source::Sentinel(s) => s.async_get_client().await,
        }
    }
}

/// What [`spawn`] hands back: the task (the caller aborts it), a watch counting completed
/// subscriptions (1 after the first, +1 per reconnect), and whether it is subscribed
/// right now.
pub(crate) type Spawned = (
    tokio::task::JoinHandle<()>,
    watch::Receiver<u64>,
    Arc<AtomicBool>,
);

/// Starts the subscriber task for `target`.
pub(crate) fn spawn(target: &Target, hub: Arc<Hub>) -> crate::StoreResult<Spawned> {
    let source = match target {
        Target::Single(url) => Source::Nodes(vec![
            redis::Client::open(url.as_str()).map_err(super::conn::map_err)?
        ]),
        Target::Cluster(nodes) => Source::Nodes(
            nodes
                .iter()
                .map(|n| redis::Client::open(n.as_str()))
                .collect::<Result<_, _>>()
                .map_err(super::conn::map_err)?,
        ),
        Target::Sentinel { .. } => {
            Source::Sentinel(Box::new(super::conn::sentinel_client(target)?))
        }
    };
    let (tx, rx) = watch::channel(0u64);
    let listening = Arc::new(AtomicBool::new(false));
    let task = tokio::spawn(run(source, hub, tx, Arc::clone(&listening)));
    Ok((task, rx, listening))
}

async fn run(
    mut source: Source,
    hub: Arc<Hub>,
    subscribed: watch::Sender<u64>,
    listening: Arc<AtomicBool>,
) {
    let mut attempt = 0usize;
    loop {
        let opened = tokio::time::timeout(CONNECT_TIMEOUT * 2, async {
            let client = source.client(attempt).await?;
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(CHANNEL).await?;
            redis::RedisResult::Ok(pubsub)
        })
        .await;
        match opened {
            Ok(Ok(pubsub)) => {
                attempt = 0;
                listening.store(true, Ordering::Relaxed);
                subscribed.send_modify(|n| *n += 1);
                tracing::info!(channel = CHANNEL, "Redis subscriber connected");
                // Anything published while we were not subscribed is lost: every waiter
                // re-reads its session now.
                hub.notify_all();
                listen(pubsub, &hub).await;
                listening.store(false, Ordering::Relaxed);
                tracing::warn!("Redis subscriber connection lost; reconnecting");
            }
            Ok(Err(e)) => tracing::debug!(error = %e, "Redis subscriber cannot connect"),
            Err(_) => tracing::debug!("Redis subscriber connect timed out"),
        }
        attempt += 1;
        let wait = (100 * attempt as u64).min(500);
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
}

/// Fans messages out until the connection ends or stops answering pings.
async fn listen(pubsub: redis::aio::PubSub, hub: &Hub) {
    let (mut sink, mut stream) = pubsub.split();
    let mut tick = tokio::time::interval(PING_EVERY);
    tick.tick().await;
    loop {
        tokio::select! {
            msg = stream.next() => match msg {
                Some(msg) => {
                    match std::str::from_utf8(msg.get_payload_bytes()).ok().and_then(|s| QrId::parse(s).ok()) {
                        Some(id) => hub.notify(&id),
                        None => tracing::warn!("ignoring a malformed message on {CHANNEL}"),
                    }
                }
                None => return,
            },
            _ = tick.tick() => {
                let pong = tokio::time::timeout(CONNECT_TIMEOUT, sink.ping::<redis::Value>()).await;
                if !matches!(pong, Ok(Ok(_))) {
                    return;
                }
            }
        }
    }
}
