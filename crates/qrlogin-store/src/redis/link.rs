//! The pub/sub connection of one instance, in the two forms Redis offers.
//!
//! - **Plain** (a single server, a Sentinel-named master): one `redis::aio::PubSub`
//!   connection, `SUBSCRIBE`/`UNSUBSCRIBE` with many channels per command. Messages
//!   published on the master also reach subscribers of its replicas (PUBLISH is
//!   replicated), so a failover loses nothing that a re-read would not find.
//! - **Sharded** (a Cluster): redis-rs 1.8's `ClusterConnection` speaks RESP3 with a push
//!   sender, routes each `SSUBSCRIBE` to the master owning its channel's slot, keeps one
//!   multiplexed socket per node (so many subscribes in flight are pipelined, never a
//!   socket per waiter), and resubscribes by itself after a node reconnect or a slot-map
//!   refresh. When a slot leaves a node, Redis unsubscribes that slot's shard channels
//!   with a `sunsubscribe` push; that comes out here as [`Event::Dropped`], and the
//!   subscriber subscribes again (now on the new owner) and has the waiters re-read.

use super::conn::{map_err, CONNECT_TIMEOUT, OP_DEADLINE, RESPONSE_TIMEOUT};
use super::subscriber::{channel, id_of};
use futures::{StreamExt, TryStreamExt};
use qrlogin_core::QrId;
use redis::aio::{PubSubSink, PubSubStream};
use redis::cluster_async::ClusterConnection;
use redis::{PushInfo, PushKind, RedisResult, Value};
use tokio::sync::mpsc;

/// Channels per `SUBSCRIBE`/`UNSUBSCRIBE` command on a plain connection: large batches
/// are cheap for Redis, and this keeps one command well under any proxy's limits.
const PLAIN_BATCH: usize = 1_000;

/// Sharded subscribes in flight at once (each is routed to its own slot's node; a
/// multi-channel `SSUBSCRIBE` must stay within one slot).
const SHARDED_IN_FLIGHT: usize = 512;

/// What the connection reports.
pub(crate) enum Event {
    /// A session changed.
    Message(QrId),
    /// Redis dropped this session's subscription by itself (its slot moved away).
    Dropped(QrId),
    /// The connection is gone; subscriptions may have been lost.
    Lost,
    /// Nothing the subscriber needs (confirmations, malformed messages).
    Other,
}

/// One instance's pub/sub connection.
pub(crate) enum Link {
    /// `SUBSCRIBE` on a single server or Sentinel master.
    Plain {
        /// Sends (un)subscribe commands; answers once Redis confirmed every channel.
        sink: PubSubSink,
        /// The messages.
        stream: PubSubStream,
    },
    /// `SSUBSCRIBE` on a Cluster.
    Sharded {
        /// Routes each command to the slot's master.
        conn: ClusterConnection,
        /// The RESP3 pushes of every node: messages, confirmations, disconnections.
        pushes: mpsc::UnboundedReceiver<PushInfo>,
    },
}

impl Link {
    /// A plain link on `client`.
    pub(crate) async fn plain(client: &redis::Client) -> RedisResult<Link> {
        let (sink, stream) = client.get_async_pubsub().await?.split();
        Ok(Link::Plain { sink, stream })
    }

    /// A sharded link on the Cluster of these seed nodes.
    pub(crate) async fn sharded(nodes: &[String]) -> RedisResult<Link> {
        let (tx, pushes) = mpsc::unbounded_channel();
        let client = redis::cluster::ClusterClientBuilder::new(nodes.to_vec())
            .use_protocol(redis::ProtocolVersion::RESP3)
            .push_sender(tx)
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            .overall_response_timeout(Some(OP_DEADLINE))
            .retries(2)
            .min_retry_wait(10)
            .max_retry_wait(100)
            .build()?;
        let conn = client.get_async_connection().await?;
        Ok(Link::Sharded { conn, pushes })
    }

    /// Subscribes to the channels of `ids`; answers when Redis confirmed all of them.
    pub(crate) async fn subscribe(&mut self, ids: &[QrId]) -> RedisResult<()> {
        match self {
            Link::Plain { sink, .. } => {
                for batch in ids.chunks(PLAIN_BATCH) {
                    let names: Vec<String> = batch.iter().map(channel).collect();
                    sink.subscribe(names).await?;
                }
                Ok(())
            }
            Link::Sharded { conn, .. } => {
                let calls: Vec<_> = ids
                    .iter()
                    .map(|id| {
                        let (mut c, name) = (conn.clone(), channel(id));
                        async move { c.ssubscribe(name).await }
                    })
                    .collect();
                futures::stream::iter(calls)
                    .buffer_unordered(SHARDED_IN_FLIGHT)
                    .try_collect::<Vec<()>>()
                    .await?;
                Ok(())
            }
        }
    }

    /// Unsubscribes from the channels of `ids`.
    pub(crate) async fn unsubscribe(&mut self, ids: &[QrId]) -> RedisResult<()> {
        match self {
            Link::Plain { sink, .. } => {
                for batch in ids.chunks(PLAIN_BATCH) {
                    let names: Vec<String> = batch.iter().map(channel).collect();
                    sink.unsubscribe(names).await?;
                }
                Ok(())
            }
            Link::Sharded { conn, .. } => {
                let calls: Vec<_> = ids
                    .iter()
                    .map(|id| {
                        let (mut c, name) = (conn.clone(), channel(id));
                        async move { c.sunsubscribe(name).await }
                    })
                    .collect();
                futures::stream::iter(calls)
                    .buffer_unordered(SHARDED_IN_FLIGHT)
                    .try_collect::<Vec<()>>()
                    .await?;
                Ok(())
            }
        }
    }

    /// The next thing Redis says.
    pub(crate) async fn next(&mut self) -> Event {
        match self {
            Link::Plain { stream, .. } => match stream.next().await {
                Some(msg) => id_of(msg.get_channel_name().as_bytes())
                    .map(Event::Message)
                    .unwrap_or(Event::Other),
                None => Event::Lost,
            },
            Link::Sharded { pushes, .. } => match pushes.recv().await {
                None => Event::Lost,
                Some(push) => match push.kind {
                    PushKind::Disconnection => Event::Lost,
                    PushKind::SMessage => first_id(&push.data)
                        .map(Event::Message)
                        .unwrap_or(Event::Other),
                    PushKind::SUnsubscribe => first_id(&push.data)
                        .map(Event::Dropped)
                        .unwrap_or(Event::Other),
                    _ => Event::Other,
                },
            },
        }
    }

    /// Checks that a quiet plain connection still answers. A Cluster's node sockets are
    /// watched by redis-rs itself, which pushes a disconnection when one drops.
    pub(crate) async fn ping(&mut self) -> Result<(), crate::StoreError> {
        match self {
            Link::Plain { sink, .. } => {
                match tokio::time::timeout(CONNECT_TIMEOUT, sink.ping::<Value>()).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(map_err(e)),
                    Err(_) => Err(crate::StoreError::Unavailable(
                        "the subscriber connection did not answer a ping".into(),
                    )),
                }
            }
            Link::Sharded { .. } => Ok(()),
        }
    }
}

/// The session of a push whose first element is a channel name.
fn first_id(data: &[Value]) -> Option<QrId> {
    match data.first()? {
        Value::BulkString(b) => id_of(b),
        Value::SimpleString(s) => id_of(s.as_bytes()),
        _ => None,
    }
}
