//! [`Bounded`]: a [`Db`] whose every call answers within a time limit. A PostgreSQL
//! server that vanishes from the network (no reset, no FIN) would otherwise hold a
//! request until TCP gives up, minutes later; bounded, it is a quick `Unavailable`.
//! Dropping a sqlx call mid-way is safe: an open transaction rolls back, and a
//! connection with an unfinished exchange is drained or closed before reuse.

use crate::{
    Account, AccountDb, ActivityDb, ActivityEvent, Db, DbError, DbResult, LinkDb, MobileToken,
    TokenDb, WebSession,
};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis, SessionId, TokenHash, Username};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Wraps a database so that no call takes longer than `limit`.
pub(crate) struct Bounded {
    /// The database that does the work.
    pub(crate) inner: Arc<dyn Db>,
    /// The most any one call may take.
    pub(crate) limit: Duration,
}

impl Bounded {
    pub(crate) async fn run<T>(&self, call: impl Future<Output = DbResult<T>>) -> DbResult<T> {
        match tokio::time::timeout(self.limit, call).await {
            Ok(done) => done,
            Err(_) => {
                // The call was dropped mid-way: its connection may be stuck on a dead
                // network, so every connection is pinged before it is lent next.
                crate::error::connection_fault();
                Err(DbError::Unavailable(format!(
                    "the database did not answer within {:?}",
                    self.limit
                )))
            }
        }
    }
}

#[async_trait]
impl AccountDb for Bounded {
    async fn create_account(&self, a: &Account) -> DbResult<bool> {
        self.run(self.inner.create_account(a)).await
    }
    async fn account_by_username(&self, u: &Username) -> DbResult<Option<Account>> {
        self.run(self.inner.account_by_username(u)).await
    }
    async fn account_by_id(&self, id: &AccountId) -> DbResult<Option<Account>> {
        self.run(self.inner.account_by_id(id)).await
    }
    async fn list_accounts(&self) -> DbResult<Vec<Account>> {
        self.run(self.inner.list_accounts()).await
    }
    async fn update_profile(
        &self,
        id: &AccountId,
        name: &str,
        avatar: Option<&str>,
        now: Millis,
    ) -> DbResult<bool> {
        self.run(self.inner.update_profile(id, name, avatar, now))
            .await
    }
    async fn set_password(&self, id: &AccountId, h: Option<&str>, now: Millis) -> DbResult<bool> {
        self.run(self.inner.set_password(id, h, now)).await
    }
    async fn set_disabled(&self, id: &AccountId, off: bool, now: Millis) -> DbResult<bool> {
        self.run(self.inner.set_disabled(id, off, now)).await
    }
    async fn remove_account(&self, id: &AccountId) -> DbResult<bool> {
        self.run(self.inner.remove_account(id)).await
    }
}

#[async_trait]
impl TokenDb for Bounded {
    async fn put_mobile_token(&self, h: &TokenHash, t: &MobileToken) -> DbResult<bool> {
        self.run(self.inner.put_mobile_token(h, t)).await
    }
    async fn mobile_token(&self, h: &TokenHash, now: Millis) -> DbResult<Option<MobileToken>> {
        self.run(self.inner.mobile_token(h, now)).await
    }
    async fn mobile_token_with_account(
        &self,
        h: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<(MobileToken, Account)>> {
        self.run(self.inner.mobile_token_with_account(h, now)).await
    }
    async fn revoke_mobile_token(&self, h: &TokenHash) -> DbResult<bool> {
        self.run(self.inner.revoke_mobile_token(h)).await
    }
    async fn put_web_session(&self, h: &TokenHash, s: &WebSession) -> DbResult<bool> {
        self.run(self.inner.put_web_session(h, s)).await
    }
    async fn web_session_by_token(
        &self,
        h: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<WebSession>> {
        self.run(self.inner.web_session_by_token(h, now)).await
    }
    async fn web_sessions_of(&self, a: &AccountId, now: Millis) -> DbResult<Vec<WebSession>> {
        self.run(self.inner.web_sessions_of(a, now)).await
    }
    async fn revoke_web_session(&self, a: &AccountId, s: &SessionId) -> DbResult<bool> {
        self.run(self.inner.revoke_web_session(a, s)).await
    }
    async fn revoke_web_session_token(&self, h: &TokenHash) -> DbResult<bool> {
        self.run(self.inner.revoke_web_session_token(h)).await
    }
    async fn purge_expired_tokens(&self, now: Millis) -> DbResult<u64> {
        self.run(self.inner.purge_expired_tokens(now)).await
    }
}

#[async_trait]
impl ActivityDb for Bounded {
    async fn append_event(&self, e: &ActivityEvent) -> DbResult<()> {
        self.run(self.inner.append_event(e)).await
    }
    async fn append_events(&self, events: &[ActivityEvent]) -> DbResult<()> {
        self.run(self.inner.append_events(events)).await
    }
    async fn events_of(&self, a: &AccountId, limit: u32) -> DbResult<Vec<ActivityEvent>> {
        self.run(self.inner.events_of(a, limit)).await
    }
    async fn purge_events_before(&self, at: Millis) -> DbResult<u64> {
        self.run(self.inner.purge_events_before(at)).await
    }
}

#[async_trait]
impl LinkDb for Bounded {
    async fn account_by_link(&self, ns: &str, sub: &str) -> DbResult<Option<Account>> {
        self.run(self.inner.account_by_link(ns, sub)).await
    }
    async fn link_or_create(
        &self,
        ns: &str,
        sub: &str,
        new_account: &Account,
        now: Millis,
    ) -> DbResult<Option<Account>> {
        self.run(self.inner.link_or_create(ns, sub, new_account, now))
            .await
    }
}

#[async_trait]
impl crate::PasskeyDb for Bounded {
    async fn add_passkey(&self, p: &crate::PasskeyRecord) -> DbResult<bool> {
        self.run(self.inner.add_passkey(p)).await
    }
    async fn passkeys_of(&self, a: &AccountId) -> DbResult<Vec<crate::PasskeyRecord>> {
        self.run(self.inner.passkeys_of(a)).await
    }
    async fn passkey_by_credential(&self, c: &[u8]) -> DbResult<Option<crate::PasskeyRecord>> {
        self.run(self.inner.passkey_by_credential(c)).await
    }
    async fn record_passkey_use(
        &self,
        id: &qrlogin_core::RandomId,
        json: &str,
        counter: i64,
        now: Millis,
    ) -> DbResult<bool> {
        self.run(self.inner.record_passkey_use(id, json, counter, now))
            .await
    }
    async fn rename_passkey(
        &self,
        a: &AccountId,
        id: &qrlogin_core::RandomId,
        name: &str,
    ) -> DbResult<bool> {
        self.run(self.inner.rename_passkey(a, id, name)).await
    }
    async fn remove_passkey(&self, a: &AccountId, id: &qrlogin_core::RandomId) -> DbResult<bool> {
        self.run(self.inner.remove_passkey(a, id)).await
    }
    async fn put_enrollment(
        &self,
        h: &TokenHash,
        a: &AccountId,
        now: Millis,
        until: Millis,
    ) -> DbResult<bool> {
        self.run(self.inner.put_enrollment(h, a, now, until)).await
    }
    async fn enrollment_account(&self, h: &TokenHash, now: Millis) -> DbResult<Option<AccountId>> {
        self.run(self.inner.enrollment_account(h, now)).await
    }
    async fn enroll_passkey(
        &self,
        h: &TokenHash,
        p: &crate::PasskeyRecord,
        now: Millis,
    ) -> DbResult<bool> {
        self.run(self.inner.enroll_passkey(h, p, now)).await
    }
}

#[async_trait]
impl Db for Bounded {
    async fn ping(&self) -> DbResult<()> {
        self.run(self.inner.ping()).await
    }
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::fixtures::{stored_account, NOW};
    use sqlx::{ConnectOptions, Connection};
    use std::str::FromStr;

    #[tokio::test]
    async fn a_call_that_outlasts_the_limit_answers_unavailable_and_changes_nothing() {
        let dir = std::env::temp_dir().join(format!("qrlogin-bounded-{}", AccountId::generate()));
        std::fs::create_dir_all(&dir).expect("dir");
        let url = format!("sqlite://{}", dir.join("b.db").display());
        let inner = crate::open(&url).await.expect("open");
        let acc = stored_account(&*inner).await;
        let db = Bounded {
            inner,
            limit: Duration::from_millis(100),
        };
        let mut holder = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .expect("url")
            .connect()
            .await
            .expect("connect");
        // Holds the write lock: the write below waits (busy timeout 5 s) past the limit.
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .expect("lock");
        let r = db.set_disabled(&acc.id, true, NOW).await;
        let Err(DbError::Unavailable(msg)) = r else {
            panic!("expected Unavailable, got {r:?}");
        };
        assert!(msg.contains("did not answer"), "{msg}");
        sqlx::query("ROLLBACK")
            .execute(&mut holder)
            .await
            .expect("unlock");
        holder.close().await.expect("close");
        let stored = db
            .account_by_id(&acc.id)
            .await
            .expect("get")
            .expect("account");
        assert!(!stored.disabled);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
