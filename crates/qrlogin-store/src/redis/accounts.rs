//! [`AccountStore`] on Redis: JSON values under keys of their own (see the key table in
//! `mod.rs`). Records of one account live in different slots (a token is found by its
//! hash alone), so multi-key writes are ordered so that a failure half-way leaves
//! nothing usable that cannot also be listed and revoked.
//!
//! A write that Redis holds back until after the call answered `Unavailable` (a write
//! pause during a failover, see `clock`) must not change anything a client can see.
//! Only revoking needs a guard for that (`take.lua`). Tokens and sessions written late
//! are harmless: their secret was never handed out, as the call that made it failed.

use super::conn::map_err;
use super::{run, RedisStore};
use crate::{Account, AccountStore, MobileToken, StoreError, StoreResult, WebSession};
use async_trait::async_trait;
use qrlogin_core::{Millis, TokenHash};
use serde::de::DeserializeOwned;
use std::collections::HashMap;

fn user_key(username: &str) -> String {
    format!("qrl:user:{username}")
}
fn account_key(id: &str) -> String {
    format!("qrl:acc:{id}")
}
fn mobile_key(hash: &TokenHash) -> String {
    format!("qrl:mt:{}", hash.to_hex())
}
fn web_key_hex(hex: &str) -> String {
    format!("qrl:ws:{hex}")
}
fn account_sessions_key(account_id: &str) -> String {
    format!("qrl:accws:{account_id}")
}

/// A token or session is live strictly before its `expires_at` (as in every backend).
fn live(expires_at: Millis, now: Millis) -> bool {
    now < expires_at
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data always serializes")
}

fn parse<T: DeserializeOwned>(s: Option<String>, what: &str) -> StoreResult<Option<T>> {
    s.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}"))))
        .transpose()
}

fn get(key: impl redis::ToRedisArgs) -> redis::Cmd {
    let mut c = redis::cmd("GET");
    c.arg(key);
    c
}

/// `SET key value PXAT at`: the key disappears by itself when the record expires.
fn set_until(key: String, value: String, at: Millis) -> redis::Cmd {
    let mut c = redis::cmd("SET");
    c.arg(key).arg(value).arg("PXAT").arg(at);
    c
}

impl RedisStore {
    /// Deletes and returns the PC session stored under a token hash (hex), unless Redis
    /// runs the delete after this call gave up (then nothing is deleted): a revoke or
    /// logout answered 503 must not take effect later.
    async fn take_web_session(&self, hex: &str) -> StoreResult<Option<WebSession>> {
        let key = web_key_hex(hex);
        let json: Option<String> = self
            .with_not_after(|mut c, not_after| async move {
                let mut take = self.scripts.take.key(key);
                take.arg(not_after);
                take.invoke_async(&mut c).await.map_err(map_err)
            })
            .await?;
        parse(json, "PC session")
    }

    /// Drops a taken session from its account's index. Only tidying: the session is
    /// gone already, so the call reports success either way (a stale entry is skipped
    /// and removed when the sessions are listed), and a late `HDEL` harms nothing.
    async fn unindex_taken(&self, account_id: &str, session_id: String) {
        if let Err(e) = self.unindex(account_id, &[session_id]).await {
            tracing::debug!(error = %e, "revoked session left in the index until listed");
        }
    }

    /// Drops session ids from an account's index (revoked or expired ones).
    async fn unindex(&self, account_id: &str, session_ids: &[String]) -> StoreResult<()> {
        if session_ids.is_empty() {
            return Ok(());
        }
        let mut c = redis::cmd("HDEL");
        c.arg(account_sessions_key(account_id)).arg(session_ids);
        self.query::<i64>(c).await.map(|_| ())
    }
}

#[async_trait]
impl AccountStore for RedisStore {
    async fn create_account(&self, account: &Account) -> StoreResult<bool> {
        // The username key decides, atomically, who gets the name. Not guarded against a
        // late write: accounts are only seeded at start-up, where a name taken by a late
        // claim reads as already there.
        let mut claim = redis::cmd("SET");
        claim
            .arg(user_key(&account.username))
            .arg(json(account))
            .arg("NX");
        let claimed: Option<String> = self.query(claim).await?;
        let by_id = |nx: bool| {
            let mut c = redis::cmd("SET");
            c.arg(account_key(&account.id)).arg(&account.username);
            if nx {
                c.arg("NX");
            }
            c
        };
        if claimed.is_some() {
            self.query::<Option<String>>(by_id(false)).await?;
            return Ok(true);
        }
        // Taken. If by this very account (an earlier call that failed half-way), make
        // sure its id index exists; either way the name is not free.
        let existing: Option<Account> = parse(
            self.query(get(user_key(&account.username))).await?,
            "account",
        )?;
        if existing.is_some_and(|a| a.id == account.id) {
            self.query::<Option<String>>(by_id(true)).await?;
        }
        Ok(false)
    }

    async fn account_by_username(&self, username: &str) -> StoreResult<Option<Account>> {
        parse(self.query(get(user_key(username))).await?, "account")
    }

    async fn account_by_id(&self, id: &str) -> StoreResult<Option<Account>> {
        let username: Option<String> = self.query(get(account_key(id))).await?;
        let Some(username) = username else {
            return Ok(None);
        };
        Ok(self
            .account_by_username(&username)
            .await?
            .filter(|a| a.id == id))
    }

    async fn put_mobile_token(&self, hash: &TokenHash, token: &MobileToken) -> StoreResult<()> {
        // A late write is harmless: a login that failed never handed out this token.
        let c = set_until(mobile_key(hash), json(token), token.expires_at);
        self.query::<Option<String>>(c).await.map(|_| ())
    }

    async fn mobile_token(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> StoreResult<Option<MobileToken>> {
        let t: Option<MobileToken> = parse(self.query(get(mobile_key(hash))).await?, "token")?;
        Ok(t.filter(|t| live(t.expires_at, now)))
    }

    async fn put_web_session(&self, hash: &TokenHash, session: &WebSession) -> StoreResult<()> {
        let hex = hash.to_hex();
        // Both writes in one round trip: they are in different slots (one script could
        // not span them on a Cluster), so they are sent together on the multiplexed
        // connection, the index first. The call succeeds only if both did, and only
        // then does the caller (redeem) hand out the token; if either fails, the token
        // is never handed out, so a session written without its index (or a late write)
        // can be used by nobody, and it expires. An index entry whose session was never
        // written is skipped and cleaned when listing.
        let mut index = self
            .scripts
            .index_session
            .key(account_sessions_key(&session.account_id));
        index.arg(&session.id).arg(&hex).arg(session.expires_at);
        let put = set_until(web_key_hex(&hex), json(session), session.expires_at);
        self.with(|mut c| async move {
            let mut c2 = c.clone();
            futures::try_join!(
                async { index.invoke_async::<i64>(&mut c).await.map_err(map_err) },
                run::<Option<String>>(&mut c2, &put),
            )?;
            Ok(())
        })
        .await
    }

    async fn web_session_by_token(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> StoreResult<Option<WebSession>> {
        let s: Option<WebSession> = parse(
            self.query(get(web_key_hex(&hash.to_hex()))).await?,
            "PC session",
        )?;
        Ok(s.filter(|s| live(s.expires_at, now)))
    }

    async fn web_sessions_of(&self, account_id: &str, now: Millis) -> StoreResult<Vec<WebSession>> {
        let mut all = redis::cmd("HGETALL");
        all.arg(account_sessions_key(account_id));
        let index: HashMap<String, String> = self.query(all).await?;
        let (ids, hexes): (Vec<String>, Vec<String>) = index.into_iter().unzip();
        // One GET per session, all in flight at once on the multiplexed connection (an
        // MGET could not span the slots of a Cluster).
        let values: Vec<Option<String>> = self
            .with(|c| async move {
                futures::future::try_join_all(hexes.iter().map(|h| {
                    let mut c = c.clone();
                    async move { run(&mut c, &get(web_key_hex(h))).await }
                }))
                .await
            })
            .await?;
        let mut live_ones = Vec::new();
        let mut gone = Vec::new();
        for (id, value) in ids.into_iter().zip(values) {
            match parse::<WebSession>(value, "PC session")? {
                Some(s) if s.id == id && s.account_id == account_id => {
                    if live(s.expires_at, now) {
                        live_ones.push(s);
                    }
                }
                _ => gone.push(id),
            }
        }
        // Best effort: a stale entry left behind is skipped again next time.
        if let Err(e) = self.unindex(account_id, &gone).await {
            tracing::debug!(error = %e, "stale session index entries left for later");
        }
        live_ones.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(live_ones)
    }

    async fn revoke_web_session(&self, account_id: &str, session_id: &str) -> StoreResult<bool> {
        // Only the account's own index is consulted, so another account's session id
        // answers exactly like an unknown one.
        let mut c = redis::cmd("HGET");
        c.arg(account_sessions_key(account_id)).arg(session_id);
        let hex: Option<String> = self.query(c).await?;
        let Some(hex) = hex else {
            return Ok(false);
        };
        let taken = self.take_web_session(&hex).await?;
        self.unindex_taken(account_id, session_id.to_owned()).await;
        Ok(taken.is_some())
    }

    async fn revoke_web_session_token(&self, hash: &TokenHash) -> StoreResult<bool> {
        let Some(s) = self.take_web_session(&hash.to_hex()).await? else {
            return Ok(false);
        };
        self.unindex_taken(&s.account_id, s.id).await;
        Ok(true)
    }

    async fn ping(&self) -> StoreResult<()> {
        self.ping_redis().await
    }
}
