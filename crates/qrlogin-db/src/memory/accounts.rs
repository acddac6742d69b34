//! [`AccountDb`] and [`LinkDb`] in memory: accounts by id and by username, links by
//! namespace and subject.

use super::state::{Owner, State};
use super::MemoryDb;
use crate::{Account, AccountDb, DbResult, LinkDb};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis, Username};

impl State {
    /// Inserts an account unless its id or username is taken; whether it was inserted
    /// (`INSERT … ON CONFLICT DO NOTHING`).
    pub fn insert_account(&mut self, a: &Account) -> bool {
        if self.accounts.contains_key(a.id.as_str())
            || self.usernames.contains_key(a.username.as_str())
        {
            return false;
        }
        self.usernames
            .insert(a.username.as_str().to_owned(), a.id.as_str().to_owned());
        self.accounts
            .insert(a.id.as_str().to_owned(), Owner::new(a.clone()));
        true
    }

    /// The account linked to `subject` in `namespace`, disabled or not.
    fn linked(&self, namespace: &str, subject: &str) -> Option<&Account> {
        let id = self.links.get(namespace)?.get(subject)?;
        self.accounts.get(id).map(|o| &o.account)
    }
}

#[async_trait]
impl AccountDb for MemoryDb {
    async fn create_account(&self, account: &Account) -> DbResult<bool> {
        Ok(self.lock().insert_account(account))
    }

    async fn account_by_username(&self, username: &Username) -> DbResult<Option<Account>> {
        let state = self.lock();
        let found = state
            .usernames
            .get(username.as_str())
            .and_then(|id| state.accounts.get(id));
        Ok(found.map(|o| o.account.clone()))
    }

    async fn account_by_id(&self, id: &AccountId) -> DbResult<Option<Account>> {
        let state = self.lock();
        Ok(state.accounts.get(id.as_str()).map(|o| o.account.clone()))
    }

    async fn list_accounts(&self) -> DbResult<Vec<Account>> {
        let mut all: Vec<Account> = {
            let state = self.lock();
            state.accounts.values().map(|o| o.account.clone()).collect()
        };
        // Sorted after the lock is let go: usernames are unique, so no tie to break.
        all.sort_unstable_by(|x, y| x.username.cmp(&y.username));
        Ok(all)
    }

    async fn update_profile(
        &self,
        id: &AccountId,
        display_name: &str,
        avatar_url: Option<&str>,
        now: Millis,
    ) -> DbResult<bool> {
        let mut state = self.lock();
        let Some(o) = state.accounts.get_mut(id.as_str()) else {
            return Ok(false);
        };
        o.account.display_name = display_name.to_owned();
        o.account.avatar_url = avatar_url.map(str::to_owned);
        o.account.updated_at = now;
        Ok(true)
    }

    async fn set_password(
        &self,
        id: &AccountId,
        password_hash: Option<&str>,
        now: Millis,
    ) -> DbResult<bool> {
        let mut state = self.lock();
        let Some(o) = state.accounts.get_mut(id.as_str()) else {
            return Ok(false);
        };
        o.account.password_hash = password_hash.map(str::to_owned);
        o.account.updated_at = now;
        state.revoke_logins(id.as_str());
        Ok(true)
    }

    async fn set_disabled(&self, id: &AccountId, disabled: bool, now: Millis) -> DbResult<bool> {
        let mut state = self.lock();
        let Some(o) = state.accounts.get_mut(id.as_str()) else {
            return Ok(false);
        };
        o.account.disabled = disabled;
        o.account.updated_at = now;
        if disabled {
            state.revoke_logins(id.as_str());
        }
        Ok(true)
    }

    async fn remove_account(&self, id: &AccountId) -> DbResult<bool> {
        Ok(self.lock().remove_account(id.as_str()))
    }
}

#[async_trait]
impl LinkDb for MemoryDb {
    async fn account_by_link(&self, namespace: &str, subject: &str) -> DbResult<Option<Account>> {
        Ok(self.lock().linked(namespace, subject).cloned())
    }

    async fn link_or_create(
        &self,
        namespace: &str,
        subject: &str,
        new_account: &Account,
        // The link's `created_at` in SQL, which nothing reads back: not kept.
        _now: Millis,
    ) -> DbResult<Option<Account>> {
        let mut state = self.lock();
        if let Some(found) = state.linked(namespace, subject) {
            return Ok(Some(found.clone()));
        }
        // Under the lock no other first use can come between the check and the insert:
        // a taken username or id is the only way to fail, and then nothing is written.
        if !state.insert_account(new_account) {
            return Ok(None);
        }
        let id = new_account.id.as_str().to_owned();
        state
            .links
            .entry(namespace.to_owned())
            .or_default()
            .insert(subject.to_owned(), id.clone());
        if let Some(o) = state.accounts.get_mut(&id) {
            o.links.push((namespace.to_owned(), subject.to_owned()));
        }
        Ok(Some(new_account.clone()))
    }
}
