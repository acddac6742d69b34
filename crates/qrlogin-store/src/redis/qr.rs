//! [`QrStore`] on Redis: a hash per session, a poll index key, and the transition
//! scripts. Creating writes two keys: on one server (or Sentinel) in one script, in one
//! round trip; on a Cluster they live in different slots (the index is found by the
//! poll hash alone), so they are written side by side, not atomically; a session whose
//! index write failed is never handed out (the create call fails), and expires.
//!
//! The session scripts refuse to write after their `not_after` (see `clock`), so a call
//! answered `Unavailable` has changed no session, even if its script was held up in
//! Redis (a write pause during a failover) until after the caller gave up. The poll
//! index of a refused create may still be written late; it is harmless, as it points
//! to no session and its poll token was never handed out.

use super::conn::{map_err, OP_DEADLINE};
use super::{codec, run, RedisStore};
use crate::{CasOutcome, QrStore, StoreError, StoreResult, Subscription, Transition};
use async_trait::async_trait;
use qrlogin_core::{Millis, Plan, QrId, QrSession, TokenHash};
use std::collections::HashMap;

/// The session hash: a hash tag around the id puts every key of a session in one slot.
/// Public so that tools measuring the store (the benchmark's `MEMORY USAGE` of each
/// session) name the keys the store writes instead of restating the layout.
pub fn session_key(id: &QrId) -> String {
    format!("qrl:{{{id}}}")
}

/// The poll index: the SHA-256 in raw bytes keeps the key 32 bytes shorter than hex.
/// Public for the same reason as [`session_key`].
pub fn poll_key(hash: &TokenHash) -> Vec<u8> {
    let mut k = b"qrl:p:".to_vec();
    k.extend_from_slice(&hash.0);
    k
}

/// A one-use blob: the hash tag keeps each key in one slot of a Cluster.
pub(crate) fn ephemeral_key(key: &str) -> String {
    format!("qrl:e:{{{key}}}")
}

#[async_trait]
impl QrStore for RedisStore {
    async fn create(&self, session: &QrSession, purge_at: Millis) -> StoreResult<()> {
        let key = session_key(&session.id);
        let fields = codec::encode(session);
        let poll = poll_key(&session.poll_hash);
        let created: i64 = self
            .with_not_after(|mut c, not_after| async move {
                let mut create = self.scripts.create.key(key);
                let in_script: &[u8] = if self.index_in_script { &poll } else { b"" };
                create
                    .arg(not_after)
                    .arg(purge_at)
                    .arg(in_script)
                    .arg(session.id.as_str())
                    .arg(fields);
                if self.index_in_script {
                    return create.invoke_async(&mut c).await.map_err(map_err);
                }
                let mut index = redis::cmd("SET");
                index
                    .arg(&poll)
                    .arg(session.id.as_str())
                    .arg("PXAT")
                    .arg(purge_at);
                let mut c2 = c.clone();
                let (created, ()) = futures::try_join!(
                    async { create.invoke_async(&mut c).await.map_err(map_err) },
                    run::<()>(&mut c2, &index),
                )?;
                Ok(created)
            })
            .await?;
        if created == 1 {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "QR session {} already exists",
                session.id
            )))
        }
    }

    /// `HMGET` of the fields a session has (decoded straight from the reply); only a
    /// session whose text does not fit the pieces asked for is read again whole.
    async fn get(&self, id: &QrId) -> StoreResult<Option<QrSession>> {
        let key = session_key(id);
        let mut cmd = redis::cmd("HMGET");
        cmd.arg(&key).arg(&codec::FIELDS[..]);
        let reply: redis::Value = self.query(cmd).await?;
        match codec::decode_listed(id, &reply)? {
            codec::Listed::Session(s) => Ok(s),
            codec::Listed::ReadAll => {
                let mut cmd = redis::cmd("HGETALL");
                cmd.arg(key);
                let fields: HashMap<Vec<u8>, Vec<u8>> = self.query(cmd).await?;
                codec::decode(id, fields)
            }
        }
    }

    async fn find_by_poll_hash(&self, hash: &TokenHash) -> StoreResult<Option<QrId>> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(poll_key(hash));
        let id: Option<String> = self.query(cmd).await?;
        id.map(|s| {
            QrId::parse(&s).map_err(|_| StoreError::Corrupt("poll index holds a bad id".into()))
        })
        .transpose()
    }

    async fn compare_and_set(
        &self,
        expected_rev: u64,
        next: &QrSession,
        purge_at: Millis,
    ) -> StoreResult<CasOutcome> {
        let key = session_key(&next.id);
        let fields = codec::encode(next);
        let outcome: i64 = self
            .with_not_after(|mut c, not_after| async move {
                let mut cas = self.scripts.cas.key(key);
                cas.arg(not_after)
                    .arg(expected_rev)
                    .arg(next.version)
                    .arg(purge_at)
                    .arg(self.publish)
                    .arg(super::subscriber::channel(&next.id))
                    .arg(fields);
                cas.invoke_async(&mut c).await.map_err(map_err)
            })
            .await?;
        match outcome {
            -1 => Ok(CasOutcome::Missing),
            0 => Ok(CasOutcome::Conflict),
            1 => Ok(CasOutcome::Written),
            2 => {
                self.extend_poll_index(next, purge_at).await;
                Ok(CasOutcome::Written)
            }
            other => Err(StoreError::Corrupt(format!("cas script answered {other}"))),
        }
    }

    async fn transition(&self, id: &QrId, plan: &Plan) -> StoreResult<Transition> {
        self.run_transition(id, plan).await
    }

    /// Answers once Redis has confirmed the session's channel (at once when another
    /// local waiter had it subscribed already), so the caller's read comes after.
    async fn subscribe(&self, id: &QrId) -> StoreResult<Subscription> {
        let sub = self.hub.subscribe(id);
        if !sub.is_confirmed()
            && tokio::time::timeout(OP_DEADLINE, sub.confirmed())
                .await
                .is_err()
        {
            return Err(StoreError::Unavailable(
                "Redis did not confirm the subscription in time".into(),
            ));
        }
        Ok(sub)
    }

    fn notifications(&self) -> u64 {
        self.hub.notifications()
    }

    /// Ready means both connections work: commands, and the subscriber that wakes this
    /// instance's waiters on other instances' changes. Without the latter, a long poll
    /// held here would answer a confirm made elsewhere only when the subscriber is back,
    /// so a load balancer should send new PCs elsewhere meanwhile.
    async fn ping(&self) -> StoreResult<()> {
        if !self.listening.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(StoreError::Unavailable(
                "the Redis subscriber connection is reconnecting".into(),
            ));
        }
        self.ping_redis().await
    }

    async fn put_ephemeral(&self, key: &str, value: &[u8], expires_at: Millis) -> StoreResult<()> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(ephemeral_key(key))
            .arg(value)
            .arg("PXAT")
            .arg(expires_at);
        self.query::<()>(cmd).await
    }

    /// `GETDEL`: read and delete in one command, so a challenge is taken once.
    async fn take_ephemeral(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let mut cmd = redis::cmd("GETDEL");
        cmd.arg(ephemeral_key(key));
        self.query(cmd).await
    }

    fn waiters(&self) -> usize {
        self.hub.waiters()
    }

    fn wake_local_waiters(&self) {
        self.hub.notify_all();
    }
}
