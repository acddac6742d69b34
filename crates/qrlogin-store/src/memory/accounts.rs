//! Accounts, phone tokens and PC sessions in memory: the [`AccountStore`] half of
//! [`MemoryStore`].

use super::{MemoryStore, Step};
use crate::{Account, AccountStore, MobileToken, StoreResult, WebSession};
use async_trait::async_trait;
use qrlogin_core::{Millis, TokenHash};
use std::collections::{BTreeSet, HashMap};

/// Accounts by id, with the username index that makes names unique.
#[derive(Default)]
pub(super) struct AccountTable {
    /// The accounts by id.
    by_id: HashMap<String, Account>,
    /// Username → id; checked and written under the same lock, so two sign-ups with
    /// one name cannot both win.
    id_by_username: HashMap<String, String>,
}

/// Phone tokens by hash, with their expiry queue.
#[derive(Default)]
pub(super) struct TokenTable {
    /// The tokens by the SHA-256 of their text.
    by_hash: HashMap<TokenHash, MobileToken>,
    /// `(expires_at, hash bytes)` in time order, for purging without a scan
    /// (`TokenHash` has no order of its own: its equality is constant-time only).
    due: BTreeSet<(Millis, [u8; 32])>,
}

impl TokenTable {
    /// Removes tokens expired at `now`, at most `budget` of them.
    pub(super) fn purge(&mut self, now: Millis, budget: usize) -> Step {
        let mut removed = 0;
        while self.due.first().is_some_and(|(at, _)| *at <= now) {
            if removed == budget {
                return (removed, true);
            }
            let Some((_, hash)) = self.due.pop_first() else {
                break;
            };
            removed += usize::from(self.by_hash.remove(&TokenHash(hash)).is_some());
        }
        (removed, false)
    }
}

/// PC sessions, indexed three ways so that every call of the trait is a lookup, never
/// a scan: by token hash (`/me`, logout), by id (revoke from the phone) and by account
/// (the phone's list).
#[derive(Default)]
pub(super) struct WebTable {
    /// The sessions by the SHA-256 of their token.
    by_hash: HashMap<TokenHash, WebSession>,
    /// Session id → token hash.
    hash_by_id: HashMap<String, TokenHash>,
    /// Account → `(created_at, session id)`, so the list comes out newest first by
    /// iterating backwards.
    by_account: HashMap<String, BTreeSet<(Millis, String)>>,
    /// `(expires_at, hash bytes)` in time order, for purging without a scan.
    due: BTreeSet<(Millis, [u8; 32])>,
}

impl WebTable {
    /// Stores `session` under `hash`, first dropping anything it replaces (the same
    /// token, or the same session id under another token), so no index goes stale.
    fn insert(&mut self, hash: TokenHash, session: WebSession) {
        self.remove(&hash);
        if let Some(old) = self.hash_by_id.get(&session.id).copied() {
            self.remove(&old);
        }
        self.hash_by_id.insert(session.id.clone(), hash);
        self.by_account
            .entry(session.account_id.clone())
            .or_default()
            .insert((session.created_at, session.id.clone()));
        self.due.insert((session.expires_at, hash.0));
        self.by_hash.insert(hash, session);
    }

    /// Removes the session with this token hash from every index; what was removed.
    fn remove(&mut self, hash: &TokenHash) -> Option<WebSession> {
        let session = self.by_hash.remove(hash)?;
        self.hash_by_id.remove(&session.id);
        if let Some(ids) = self.by_account.get_mut(&session.account_id) {
            ids.remove(&(session.created_at, session.id.clone()));
            if ids.is_empty() {
                self.by_account.remove(&session.account_id);
            }
        }
        self.due.remove(&(session.expires_at, hash.0));
        Some(session)
    }

    /// Removes sessions expired at `now`, at most `budget` of them.
    pub(super) fn purge(&mut self, now: Millis, budget: usize) -> Step {
        let mut removed = 0;
        while self.due.first().is_some_and(|(at, _)| *at <= now) {
            if removed == budget {
                return (removed, true);
            }
            let Some((_, hash)) = self.due.pop_first() else {
                break;
            };
            removed += usize::from(self.remove(&TokenHash(hash)).is_some());
        }
        (removed, false)
    }
}

/// A token or session is live strictly before its `expires_at`: that is the instant it
/// "stops working".
fn live(expires_at: Millis, now: Millis) -> bool {
    now < expires_at
}

#[async_trait]
impl AccountStore for MemoryStore {
    async fn create_account(&self, account: &Account) -> StoreResult<bool> {
        let mut t = self.account_table();
        // A clashing id is refused too: accepting it would orphan the other account's
        // username entry.
        if t.id_by_username.contains_key(&account.username) || t.by_id.contains_key(&account.id) {
            return Ok(false);
        }
        t.id_by_username
            .insert(account.username.clone(), account.id.clone());
        t.by_id.insert(account.id.clone(), account.clone());
        Ok(true)
    }

    async fn account_by_username(&self, username: &str) -> StoreResult<Option<Account>> {
        let t = self.account_table();
        Ok(t.id_by_username
            .get(username)
            .and_then(|id| t.by_id.get(id))
            .cloned())
    }

    async fn account_by_id(&self, id: &str) -> StoreResult<Option<Account>> {
        Ok(self.account_table().by_id.get(id).cloned())
    }

    async fn put_mobile_token(&self, hash: &TokenHash, token: &MobileToken) -> StoreResult<()> {
        let mut t = self.mobile_table();
        if let Some(old) = t.by_hash.insert(*hash, token.clone()) {
            t.due.remove(&(old.expires_at, hash.0));
        }
        t.due.insert((token.expires_at, hash.0));
        Ok(())
    }

    async fn mobile_token(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> StoreResult<Option<MobileToken>> {
        let t = self.mobile_table();
        Ok(t.by_hash
            .get(hash)
            .filter(|tok| live(tok.expires_at, now))
            .cloned())
    }

    async fn put_web_session(&self, hash: &TokenHash, session: &WebSession) -> StoreResult<()> {
        self.web_table().insert(*hash, session.clone());
        Ok(())
    }

    async fn web_session_by_token(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> StoreResult<Option<WebSession>> {
        let t = self.web_table();
        Ok(t.by_hash
            .get(hash)
            .filter(|s| live(s.expires_at, now))
            .cloned())
    }

    async fn web_sessions_of(&self, account_id: &str, now: Millis) -> StoreResult<Vec<WebSession>> {
        let t = self.web_table();
        let Some(ids) = t.by_account.get(account_id) else {
            return Ok(Vec::new());
        };
        Ok(ids
            .iter()
            .rev()
            .filter_map(|(_, id)| t.hash_by_id.get(id).and_then(|h| t.by_hash.get(h)))
            .filter(|s| live(s.expires_at, now))
            .cloned()
            .collect())
    }

    async fn revoke_web_session(&self, account_id: &str, session_id: &str) -> StoreResult<bool> {
        let mut t = self.web_table();
        let Some(hash) = t.hash_by_id.get(session_id).copied() else {
            return Ok(false);
        };
        // Another account's session answers exactly like an unknown one (404 upstream),
        // so ids of other accounts' sessions cannot be probed.
        if t.by_hash.get(&hash).map(|s| s.account_id.as_str()) != Some(account_id) {
            return Ok(false);
        }
        Ok(t.remove(&hash).is_some())
    }

    async fn revoke_web_session_token(&self, hash: &TokenHash) -> StoreResult<bool> {
        Ok(self.web_table().remove(hash).is_some())
    }

    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }
}
