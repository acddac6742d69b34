//! [`TokenDb`] in memory: phone tokens and PC sessions by hash, each also listed under
//! its account (for revocation) and, for sessions, under its public id.

use super::state::{keys_where, refused, trim, State};
use super::MemoryDb;
use crate::{Account, DbResult, MobileToken, TokenDb, WebSession};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis, SessionId, TokenHash};

impl State {
    /// The phone token with this hash and its account, if the token is live at `now`
    /// and the account enabled (the SQL join's conditions).
    fn live_mobile_token(&self, hash: &TokenHash, now: Millis) -> Option<(&MobileToken, &Account)> {
        let t = self
            .mobile_tokens
            .get(hash)
            .filter(|t| t.expires_at > now)?;
        let o = self.enabled(t.account_id.as_str())?;
        Some((t, &o.account))
    }

    /// Stores a phone token (replacing one with the same hash) for an enabled account.
    fn put_mobile_token(&mut self, hash: &TokenHash, t: &MobileToken) -> bool {
        if self.enabled(t.account_id.as_str()).is_none() {
            return false;
        }
        // The upsert of a hash: drop the old row, with its entry under its account.
        self.remove_mobile_token(hash);
        self.mobile_tokens.insert(*hash, t.clone());
        if let Some(o) = self.accounts.get_mut(t.account_id.as_str()) {
            o.tokens.insert(*hash);
        }
        true
    }

    /// Stores a PC session (replacing one with the same hash) for an enabled account;
    /// an id another session holds is refused, as the SQL `UNIQUE` id refuses it.
    fn put_web_session(&mut self, hash: &TokenHash, s: &WebSession) -> DbResult<bool> {
        if self.enabled(s.account_id.as_str()).is_none() {
            return Ok(false);
        }
        if self.session_ids.get(&s.id).is_some_and(|h| h != hash) {
            return Err(refused("web_sessions.id is another session's"));
        }
        self.remove_web_session(hash);
        self.web_sessions.insert(*hash, s.clone());
        self.session_ids.insert(s.id.clone(), *hash);
        if let Some(o) = self.accounts.get_mut(s.account_id.as_str()) {
            o.sessions.insert(*hash);
        }
        Ok(true)
    }

    /// The hashes of the phone tokens and of the PC sessions expired at `now`.
    pub(super) fn expired_tokens(&self, now: Millis) -> (Vec<TokenHash>, Vec<TokenHash>) {
        (
            keys_where(&self.mobile_tokens, |t| t.expires_at <= now),
            keys_where(&self.web_sessions, |s| s.expires_at <= now),
        )
    }
}
#[async_trait]
impl TokenDb for MemoryDb {
    async fn put_mobile_token(&self, hash: &TokenHash, token: &MobileToken) -> DbResult<bool> {
        Ok(self.lock().put_mobile_token(hash, token))
    }

    async fn mobile_token(&self, hash: &TokenHash, now: Millis) -> DbResult<Option<MobileToken>> {
        let state = self.lock();
        Ok(state.live_mobile_token(hash, now).map(|(t, _)| t.clone()))
    }

    async fn mobile_token_with_account(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<(MobileToken, Account)>> {
        let state = self.lock();
        let found = state.live_mobile_token(hash, now);
        Ok(found.map(|(t, a)| (t.clone(), a.clone())))
    }

    async fn revoke_mobile_token(&self, hash: &TokenHash) -> DbResult<bool> {
        Ok(self.lock().remove_mobile_token(hash))
    }

    async fn put_web_session(&self, hash: &TokenHash, session: &WebSession) -> DbResult<bool> {
        self.lock().put_web_session(hash, session)
    }

    async fn web_session_by_token(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<WebSession>> {
        let state = self.lock();
        let found = state.web_sessions.get(hash).filter(|s| s.expires_at > now);
        let found = found.filter(|s| state.enabled(s.account_id.as_str()).is_some());
        Ok(found.cloned())
    }

    async fn web_sessions_of(&self, account: &AccountId, now: Millis) -> DbResult<Vec<WebSession>> {
        let mut live: Vec<WebSession> = {
            let state = self.lock();
            let Some(o) = state.enabled(account.as_str()) else {
                return Ok(Vec::new());
            };
            (o.sessions.iter())
                .filter_map(|h| state.web_sessions.get(h))
                .filter(|s| s.expires_at > now)
                .cloned()
                .collect()
        };
        // ORDER BY created_at DESC, id DESC (ids are unique: a total order).
        live.sort_unstable_by(|x, y| {
            (y.created_at, y.id.as_str()).cmp(&(x.created_at, x.id.as_str()))
        });
        Ok(live)
    }

    async fn revoke_web_session(&self, account: &AccountId, session: &SessionId) -> DbResult<bool> {
        let mut state = self.lock();
        let Some(&hash) = state.session_ids.get(session) else {
            return Ok(false);
        };
        let own = (state.web_sessions.get(&hash)).is_some_and(|s| s.account_id == *account);
        Ok(own && state.remove_web_session(&hash))
    }

    async fn revoke_web_session_token(&self, hash: &TokenHash) -> DbResult<bool> {
        Ok(self.lock().remove_web_session(hash))
    }

    async fn purge_expired_tokens(&self, now: Millis) -> DbResult<u64> {
        let (tokens, sessions) = self.lock().expired_tokens(now);
        Ok(self.purge_tokens(&tokens, &sessions, now))
    }
}

impl MemoryDb {
    /// Deletes the phone tokens and PC sessions of a scan's findings that are still
    /// expired at `now`, a chunk at a time; how many.
    pub(super) fn purge_tokens(
        &self,
        tokens: &[TokenHash],
        sessions: &[TokenHash],
        now: Millis,
    ) -> u64 {
        let n = self.purge_in_chunks(tokens, |state, h| {
            let dead = (state.mobile_tokens.get(h)).is_some_and(|t| t.expires_at <= now);
            dead && state.remove_mobile_token(h)
        }) + self.purge_in_chunks(sessions, |state, h| {
            let dead = (state.web_sessions.get(h)).is_some_and(|s| s.expires_at <= now);
            dead && state.remove_web_session(h)
        });
        let mut state = self.lock();
        trim(&mut state.mobile_tokens);
        trim(&mut state.web_sessions);
        trim(&mut state.session_ids);
        n
    }
}
