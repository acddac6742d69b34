//! [`QrStore::transition`](crate::QrStore::transition) on Redis: `scripts/transition.lua`
//! checks the guard, writes the patch, moves the expiries, publishes, and answers the
//! record, all in one `EVALSHA`. Only on a Cluster, where the poll index lives in
//! another slot, does a confirm's longer lifetime cost a second call for the index.

use super::conn::map_err;
use super::qr::{poll_key, session_key};
use super::{codec, RedisStore};
use crate::{StoreError, StoreResult, Transition};
use qrlogin_core::{Patch, Plan, QrId, QrSession};
use std::collections::HashMap;

/// The patched fields besides the state (`ARGV[11..]` of the script): the new expiry
/// and the scanner's fields, written as a whole record writes them.
struct PatchFields<'a>(&'a Patch);

impl redis::ToRedisArgs for PatchFields<'_> {
    fn write_redis_args<W>(&self, out: &mut W)
    where
        W: ?Sized + redis::RedisWrite,
    {
        if let Some((expires_at, _)) = self.0.expires {
            out.write_arg(b"e");
            out.write_arg_fmt(expires_at);
        }
        if let Some(k) = &self.0.scanner {
            codec::write_scanner(out, k);
        }
    }

    fn num_of_args(&self) -> usize {
        2 * usize::from(self.0.expires.is_some())
            + self.0.scanner.as_ref().map_or(0, codec::scanner_args)
    }
}

/// The allowed states as the digits the record stores (`s`).
fn state_codes(plan: &Plan) -> String {
    plan.guard
        .states
        .iter()
        .map(|st| char::from(b'0' + codec::state_code(*st)))
        .collect()
}

impl RedisStore {
    /// See [`QrStore::transition`](crate::QrStore::transition).
    pub(super) async fn run_transition(&self, id: &QrId, plan: &Plan) -> StoreResult<Transition> {
        let key = session_key(id);
        let (ticket, scanner_key) = match &plan.guard.ticket {
            Some(t) => (t.ticket_hash.0.to_vec(), t.scanner_key.0.to_vec()),
            None => (Vec::new(), Vec::new()),
        };
        let purge_at = plan.patch.expires.map(|(_, purge_at)| purge_at);
        let index_prefix: &[u8] = if self.index_in_script { b"qrl:p:" } else { b"" };
        let (code, fields): (i64, HashMap<Vec<u8>, Vec<u8>>) = self
            .with_not_after(|mut c, not_after| async move {
                let mut script = self.scripts.transition.key(key);
                script
                    .arg(not_after)
                    .arg(state_codes(plan))
                    .arg(plan.guard.alive_at)
                    .arg(ticket)
                    .arg(scanner_key)
                    .arg(codec::state_code(plan.patch.state))
                    .arg(purge_at.map(|p| p.to_string()).unwrap_or_default())
                    .arg(self.publish)
                    .arg(super::subscriber::channel(id))
                    .arg(index_prefix)
                    .arg(PatchFields(&plan.patch));
                script.invoke_async(&mut c).await.map_err(map_err)
            })
            .await?;
        if code == -1 {
            return Ok(Transition::Missing);
        }
        let session = codec::decode(id, fields)?
            .ok_or_else(|| StoreError::Corrupt(format!("QR session {id}: vanished mid-script")))?;
        match code {
            0 => Ok(Transition::Refused(session)),
            1 => Ok(Transition::Applied(session)),
            2 => {
                if let Some(purge_at) = purge_at {
                    self.extend_poll_index(&session, purge_at).await;
                }
                Ok(Transition::Applied(session))
            }
            other => Err(StoreError::Corrupt(format!(
                "transition script answered {other}"
            ))),
        }
    }

    /// The session now lives longer (a confirm): so must its poll index, or a valid
    /// token of another session would read as unknown (401, not 403) near the end. The
    /// write is done already; a failure here only shortens the index, so it is logged,
    /// not reported.
    pub(super) async fn extend_poll_index(&self, s: &QrSession, purge_at: qrlogin_core::Millis) {
        let mut cmd = redis::cmd("PEXPIREAT");
        cmd.arg(poll_key(&s.poll_hash)).arg(purge_at).arg("GT");
        if let Err(e) = self.query::<i64>(cmd).await {
            tracing::warn!(error = %e, qr_id = %s.id, "poll index expiry not extended");
        }
    }
}
