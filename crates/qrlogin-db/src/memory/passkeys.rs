//! [`PasskeyDb`] in memory: passkeys by id and by raw credential id, each listed under
//! its account; enrollment links by secret hash.

use super::state::{Enrollment, State};
use super::MemoryDb;
use crate::{DbResult, PasskeyDb, PasskeyRecord};
use async_trait::async_trait;
use qrlogin_core::{AccountId, Millis, RandomId, TokenHash};

impl State {
    /// Stores a passkey for an enabled account unless its id or credential id is
    /// taken; whether it was stored (`INSERT … SELECT … ON CONFLICT DO NOTHING`).
    fn insert_passkey(&mut self, p: &PasskeyRecord) -> bool {
        if self.enabled(p.account_id.as_str()).is_none()
            || self.passkeys.contains_key(&p.id)
            || self.credentials.contains_key(&p.credential_id)
        {
            return false;
        }
        self.passkeys.insert(p.id.clone(), p.clone());
        self.credentials
            .insert(p.credential_id.clone(), p.id.clone());
        if let Some(o) = self.accounts.get_mut(p.account_id.as_str()) {
            o.passkeys.insert(p.id.clone());
        }
        true
    }

    /// The enrollment link with this hash if it is unused and live at `now`.
    fn live_enrollment(&self, hash: &TokenHash, now: Millis) -> Option<&Enrollment> {
        (self.enrollments.get(hash)).filter(|e| !e.used && e.expires_at > now)
    }

    /// The account's passkey with this id, mutable; `None` for another account's.
    fn own_passkey(&mut self, account: &AccountId, id: &RandomId) -> Option<&mut PasskeyRecord> {
        (self.passkeys.get_mut(id)).filter(|p| p.account_id == *account)
    }
}

#[async_trait]
impl PasskeyDb for MemoryDb {
    async fn add_passkey(&self, passkey: &PasskeyRecord) -> DbResult<bool> {
        Ok(self.lock().insert_passkey(passkey))
    }

    async fn passkeys_of(&self, account: &AccountId) -> DbResult<Vec<PasskeyRecord>> {
        let mut found: Vec<PasskeyRecord> = {
            let state = self.lock();
            let Some(o) = state.accounts.get(account.as_str()) else {
                return Ok(Vec::new());
            };
            (o.passkeys.iter())
                .filter_map(|id| state.passkeys.get(id))
                .cloned()
                .collect()
        };
        // ORDER BY created_at, id (ids are unique: a total order).
        found.sort_unstable_by(|x, y| (x.created_at, &x.id).cmp(&(y.created_at, &y.id)));
        Ok(found)
    }

    async fn passkey_by_credential(&self, credential_id: &[u8]) -> DbResult<Option<PasskeyRecord>> {
        let state = self.lock();
        let id = state.credentials.get(credential_id);
        Ok(id.and_then(|id| state.passkeys.get(id)).cloned())
    }

    async fn record_passkey_use(
        &self,
        id: &RandomId,
        passkey: &str,
        counter: i64,
        now: Millis,
    ) -> DbResult<bool> {
        let mut state = self.lock();
        let Some(p) = state.passkeys.get_mut(id) else {
            return Ok(false);
        };
        p.passkey = passkey.to_owned();
        p.counter = counter;
        p.last_used_at = Some(now);
        Ok(true)
    }

    async fn rename_passkey(
        &self,
        account: &AccountId,
        id: &RandomId,
        name: &str,
    ) -> DbResult<bool> {
        let mut state = self.lock();
        let Some(p) = state.own_passkey(account, id) else {
            return Ok(false);
        };
        p.name = name.to_owned();
        Ok(true)
    }

    async fn remove_passkey(&self, account: &AccountId, id: &RandomId) -> DbResult<bool> {
        let mut state = self.lock();
        if state.own_passkey(account, id).is_none() {
            return Ok(false);
        }
        if let Some(p) = state.passkeys.remove(id) {
            state.credentials.remove(&p.credential_id);
        }
        if let Some(o) = state.accounts.get_mut(account.as_str()) {
            o.passkeys.remove(id);
        }
        Ok(true)
    }

    async fn put_enrollment(
        &self,
        hash: &TokenHash,
        account: &AccountId,
        // The link's `created_at` in SQL, which nothing reads back: not kept.
        _now: Millis,
        expires_at: Millis,
    ) -> DbResult<bool> {
        let mut state = self.lock();
        // Any account, disabled or not (the SQL selects no `NOT disabled` here).
        if state.enrollments.contains_key(hash) {
            return Ok(false);
        }
        let Some(o) = state.accounts.get_mut(account.as_str()) else {
            return Ok(false);
        };
        o.enrollments.insert(*hash);
        let link = Enrollment {
            account_id: account.as_str().to_owned(),
            expires_at,
            used: false,
        };
        state.enrollments.insert(*hash, link);
        Ok(true)
    }

    async fn enrollment_account(
        &self,
        hash: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<AccountId>> {
        let state = self.lock();
        let Some(e) = state.live_enrollment(hash, now) else {
            return Ok(None);
        };
        // Stored from an `AccountId`, so it parses; a failure would be a bug here.
        AccountId::parse(&e.account_id)
            .map(Some)
            .map_err(|e| crate::error::corrupt("account id", format!("{e:?}")))
    }

    async fn enroll_passkey(
        &self,
        hash: &TokenHash,
        passkey: &PasskeyRecord,
        now: Millis,
    ) -> DbResult<bool> {
        let mut state = self.lock();
        let usable = (state.live_enrollment(hash, now))
            .is_some_and(|e| e.account_id == passkey.account_id.as_str());
        // Both or neither: a passkey that cannot be stored leaves the link unused.
        if !usable || !state.insert_passkey(passkey) {
            return Ok(false);
        }
        if let Some(e) = state.enrollments.get_mut(hash) {
            e.used = true;
        }
        Ok(true)
    }
}
