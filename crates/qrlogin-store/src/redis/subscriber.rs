//! The subscriber of a [`RedisStore`](super::RedisStore): it hears only the sessions
//! this instance holds waiters for, and wakes them through the [`Hub`].
//!
//! Every session has its own channel, [`channel`] (`qrl:{<qr_id>}:ch`), hash-tagged into
//! the session's slot, which the transition script publishes to (`SPUBLISH` on a
//! Cluster, so a message stays in its shard; `PUBLISH` elsewhere). An instance therefore
//! receives messages in proportion to the PCs it holds, not to the whole deployment's
//! logins. (Before, every instance heard one `qrl:changed` channel with every change.)
//!
//! The hub reports a session when its first local waiter arrives and when its last one
//! leaves; this task drains those reports in batches, sends the `SUBSCRIBE`s and
//! `UNSUBSCRIBE`s they call for on its one connection (see `link`), and then confirms the
//! sessions to the hub, which lets their waiters read: subscribed before read. It is the
//! only one that changes what Redis has subscribed, so a waiter arriving just as the
//! last one left is never left unsubscribed: its report comes after, and is handled
//! after.
//!
//! The loop reconnects by itself (100–500 ms apart), pings a plain connection every
//! second to notice a silent half-dead socket, and after every (re)connect subscribes to
//! every watched session again and wakes *every* local waiter with
//! [`Hub::notify_all`], since changes published while it was away were lost: each waiter
//! re-reads its session. A session whose subscription Redis drops by itself (a Cluster
//! slot moving to another master) is subscribed again, on its new master, and its
//! waiters re-read.

use super::conn::CONNECT_TIMEOUT;
use super::link::{Event, Link};
use super::url::Target;
use crate::Hub;
use qrlogin_core::QrId;
use redis::sentinel::SentinelClient;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How often a quiet plain subscription is checked with a `PING`.
const PING_EVERY: Duration = Duration::from_secs(1);

/// The most hub reports handled in one batch (one round of commands).
const BATCH: usize = 4_096;

/// The channel of one session: in the session key's slot (`qrl:{<qr_id>}`), so that on a
/// Cluster the script that writes the session can `SPUBLISH` to it.
pub(crate) fn channel(id: &QrId) -> String {
    format!("qrl:{{{}}}:ch", id.as_str())
}

/// The session of a channel name, if it is one of ours.
pub(crate) fn id_of(channel: &[u8]) -> Option<QrId> {
    let s = std::str::from_utf8(channel).ok()?;
    let id = s.strip_prefix("qrl:{")?.strip_suffix("}:ch")?;
    QrId::parse(id).ok()
}

/// The command the transition script publishes with on `target`.
pub(crate) fn publish_command(target: &Target) -> &'static str {
    match target {
        Target::Cluster(_) => "SPUBLISH",
        Target::Single(_) | Target::Sentinel { .. } => "PUBLISH",
    }
}

/// Where to subscribe.
enum Source {
    /// A single server.
    Single(Box<redis::Client>),
    /// The master that Sentinel names now.
    Sentinel(Box<SentinelClient>),
    /// A Cluster's seed nodes.
    Cluster(Vec<String>),
}

impl Source {
    async fn open(&mut self) -> redis::RedisResult<Link> {
        match self {
            Source::Single(client) => Link::plain(client).await,
            Source::Sentinel(s) => Link::plain(&s.async_get_client().await?).await,
            Source::Cluster(nodes) => Link::sharded(nodes).await,
        }
    }
}

/// What [`spawn`] hands back: the task (the caller aborts it), a watch counting completed
/// (re)connects (1 after the first), and whether it is subscribed right now.
pub(crate) type Spawned = (
    tokio::task::JoinHandle<()>,
    watch::Receiver<u64>,
    Arc<AtomicBool>,
);

/// Starts the subscriber task for `target`, fed by the hub's `interest` reports.
pub(crate) fn spawn(
    target: &Target,
    hub: Arc<Hub>,
    interest: mpsc::UnboundedReceiver<QrId>,
) -> crate::StoreResult<Spawned> {
    let source = match target {
        Target::Single(url) => Source::Single(Box::new(
            redis::Client::open(url.as_str()).map_err(super::conn::map_err)?,
        )),
        Target::Cluster(nodes) => Source::Cluster(nodes.clone()),
        Target::Sentinel { .. } => {
            Source::Sentinel(Box::new(super::conn::sentinel_client(target)?))
        }
    };
    let (tx, rx) = watch::channel(0u64);
    let listening = Arc::new(AtomicBool::new(false));
    let task = tokio::spawn(run(source, hub, interest, tx, Arc::clone(&listening)));
    Ok((task, rx, listening))
}

async fn run(
    mut source: Source,
    hub: Arc<Hub>,
    mut interest: mpsc::UnboundedReceiver<QrId>,
    connects: watch::Sender<u64>,
    listening: Arc<AtomicBool>,
) {
    let mut attempt = 0usize;
    loop {
        // Reports from before this connection are covered by subscribing to everything
        // watched now; later ones are handled as they come.
        while interest.try_recv().is_ok() {}
        let watched = hub.watched();
        let opened = tokio::time::timeout(CONNECT_TIMEOUT * 4, async {
            let mut link = source.open().await?;
            link.subscribe(&watched).await?;
            redis::RedisResult::Ok(link)
        })
        .await;
        match opened {
            Ok(Ok(link)) => {
                attempt = 0;
                for id in &watched {
                    hub.confirm(id);
                }
                listening.store(true, Ordering::Relaxed);
                connects.send_modify(|n| *n += 1);
                tracing::info!(sessions = watched.len(), "Redis subscriber connected");
                // Anything published while we were not subscribed is lost: every waiter
                // re-reads its session now.
                hub.notify_all();
                let mut subscribed: HashSet<QrId> = watched.into_iter().collect();
                serve(link, &hub, &mut interest, &mut subscribed).await;
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

/// Follows the hub's reports and Redis' messages until the connection fails.
async fn serve(
    mut link: Link,
    hub: &Hub,
    interest: &mut mpsc::UnboundedReceiver<QrId>,
    subscribed: &mut HashSet<QrId>,
) {
    let mut tick = tokio::time::interval(PING_EVERY);
    tick.tick().await;
    loop {
        let step = tokio::select! {
            first = interest.recv() => {
                let Some(first) = first else { return };
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match interest.try_recv() {
                        Ok(id) => batch.push(id),
                        Err(_) => break,
                    }
                }
                reconcile(&mut link, hub, subscribed, batch).await
            }
            event = link.next() => match event {
                Event::Message(id) => {
                    hub.notify(&id);
                    Ok(())
                }
                Event::Dropped(id) if subscribed.remove(&id) => {
                    resubscribe(&mut link, hub, subscribed, id).await
                }
                Event::Dropped(_) | Event::Other => Ok(()),
                Event::Lost => return,
            },
            _ = tick.tick() => link.ping().await.map_err(|e| redis::RedisError::from((
                redis::ErrorKind::Io, "ping failed", e.to_string(),
            ))),
        };
        if let Err(e) = step {
            tracing::warn!(error = %e, "Redis subscriber command failed");
            return;
        }
    }
}

/// Brings Redis' subscriptions in line with the hub for the reported sessions, then
/// confirms the watched ones.
async fn reconcile(
    link: &mut Link,
    hub: &Hub,
    subscribed: &mut HashSet<QrId>,
    batch: Vec<QrId>,
) -> redis::RedisResult<()> {
    let mut add = Vec::new();
    let mut drop = Vec::new();
    let mut confirm = Vec::new();
    let mut seen = HashSet::with_capacity(batch.len());
    for id in batch {
        if !seen.insert(id.clone()) {
            continue;
        }
        match (hub.is_watched(&id), subscribed.contains(&id)) {
            (true, true) => confirm.push(id),
            (true, false) => add.push(id),
            (false, true) => drop.push(id),
            (false, false) => {}
        }
    }
    if !drop.is_empty() {
        link.unsubscribe(&drop).await?;
        for id in &drop {
            subscribed.remove(id);
        }
    }
    if !add.is_empty() {
        link.subscribe(&add).await?;
        subscribed.extend(add.iter().cloned());
    }
    for id in confirm.iter().chain(&add) {
        hub.confirm(id);
    }
    Ok(())
}

/// Subscribes again to a session whose subscription Redis dropped, then has its waiters
/// re-read (a change may have gone to the slot's new master meanwhile).
async fn resubscribe(
    link: &mut Link,
    hub: &Hub,
    subscribed: &mut HashSet<QrId>,
    id: QrId,
) -> redis::RedisResult<()> {
    if hub.is_watched(&id) {
        link.subscribe(std::slice::from_ref(&id)).await?;
        subscribed.insert(id.clone());
        hub.confirm(&id);
        hub.reread(&id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_name_gives_back_its_session_and_others_give_nothing() {
        let id = QrId::generate();
        assert_eq!(id_of(channel(&id).as_bytes()), Some(id.clone()));
        assert_eq!(id_of(b"qrl:changed"), None);
        assert_eq!(id_of(format!("qrl:{{{}}}", id.as_str()).as_bytes()), None);
    }
}
