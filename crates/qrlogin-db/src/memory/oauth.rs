//! [`OAuthDb`] in memory: clients, signing keys and pending requests here; codes and
//! tokens are `State` methods in `oauth_tokens.rs`, which this impl calls.

use super::state::{keys_where, refused, Request, State};
use super::MemoryDb;
use crate::{AccessToken, DbResult, DevicePoll, OAuthDb, OAuthRequest, StoredKey};
use async_trait::async_trait;
use qrlogin_core::{Millis, TokenHash};
use qrlogin_oauth::{Client, CodeGrant, RefreshGrant};

impl State {
    /// Removes a client with its requests, codes and tokens (`ON DELETE CASCADE`);
    /// whether there was one. Walks those tables: an operator's rare action, where an
    /// index by client would cost every token issued.
    fn remove_client(&mut self, id: &str) -> bool {
        if self.clients.remove(id).is_none() {
            return false;
        }
        for qr in keys_where(&self.requests, |r| r.request.client_id == id) {
            self.remove_request(&qr);
        }
        for h in keys_where(&self.codes, |g| g.client_id == id) {
            self.remove_code(&h);
        }
        for h in keys_where(&self.refresh, |g| g.client_id == id) {
            self.remove_refresh(&h);
        }
        for h in keys_where(&self.access, |t| t.client_id == id) {
            self.remove_access(&h);
        }
        true
    }

    /// Deletes a pending OAuth request with its device and user code entries.
    pub fn remove_request(&mut self, qr_id: &str) -> Option<Request> {
        let r = self.requests.remove(qr_id)?;
        if let Some(dc) = &r.request.device_code_hash {
            self.device_codes.remove(dc);
        }
        if let Some(uc) = &r.request.user_code_hash {
            if let Some(ids) = self.user_codes.get_mut(uc) {
                ids.retain(|id| id != qr_id);
                if ids.is_empty() {
                    self.user_codes.remove(uc);
                }
            }
        }
        Some(r)
    }

    /// Stores a pending request as the SQL's plain `INSERT` does: its client must
    /// exist, its QR session id and device code must be new (else an error).
    fn put_oauth_request(&mut self, r: &OAuthRequest) -> DbResult<()> {
        if !self.clients.contains_key(&r.client_id) {
            return Err(refused("oauth_requests.client_id names no client"));
        }
        if self.requests.contains_key(&r.qr_id) {
            return Err(refused("oauth_requests.qr_id is taken"));
        }
        if let Some(dc) = &r.device_code_hash {
            if self.device_codes.contains_key(dc) {
                return Err(refused("oauth_requests.device_code_hash is taken"));
            }
            self.device_codes.insert(*dc, r.qr_id.clone());
        }
        if let Some(uc) = &r.user_code_hash {
            self.user_codes
                .entry(*uc)
                .or_default()
                .push(r.qr_id.clone());
        }
        let stored = Request {
            request: r.clone(),
            slowed_down: false,
        };
        self.requests.insert(r.qr_id.clone(), stored);
        Ok(())
    }

    /// Records a device poll: the pure rule ([`qrlogin_oauth::PollPace::poll`]) applied
    /// to the stored pace, which is what the SQL `UPDATE` computes in one statement.
    /// Expired or not; `None` if the code is unknown or another client's.
    fn poll_device(&mut self, dc: &TokenHash, client_id: &str, now: Millis) -> Option<DevicePoll> {
        let qr_id = self.device_codes.get(dc)?;
        let r = (self.requests.get_mut(qr_id)).filter(|r| r.request.client_id == client_id)?;
        r.slowed_down = r.request.pace.poll(now).is_err();
        Some(DevicePoll {
            request: r.request.clone(),
            slow_down: r.slowed_down,
        })
    }
}

#[async_trait]
impl OAuthDb for MemoryDb {
    async fn create_client(&self, client: &Client) -> DbResult<bool> {
        let mut state = self.lock();
        if state.clients.contains_key(&client.id) {
            return Ok(false);
        }
        state.clients.insert(client.id.clone(), client.clone());
        Ok(true)
    }
    async fn client(&self, id: &str) -> DbResult<Option<Client>> {
        Ok(self.lock().clients.get(id).cloned())
    }
    async fn list_clients(&self) -> DbResult<Vec<Client>> {
        let mut all: Vec<Client> = self.lock().clients.values().cloned().collect();
        all.sort_unstable_by(|x, y| x.id.cmp(&y.id));
        Ok(all)
    }
    async fn set_client_secret(&self, id: &str, hash: &TokenHash) -> DbResult<bool> {
        let mut state = self.lock();
        let Some(c) = state.clients.get_mut(id) else {
            return Ok(false);
        };
        c.secret_hash = Some(*hash);
        Ok(true)
    }
    async fn remove_client(&self, id: &str) -> DbResult<bool> {
        Ok(self.lock().remove_client(id))
    }

    async fn put_signing_key(&self, key: &StoredKey) -> DbResult<()> {
        let mut state = self.lock();
        // ON CONFLICT DO NOTHING on the kid; kept in listing order (created_at, kid).
        if state.keys.iter().any(|k| k.kid == key.kid) {
            return Ok(());
        }
        let at =
            (state.keys).partition_point(|k| (k.created_at, &k.kid) < (key.created_at, &key.kid));
        state.keys.insert(at, key.clone());
        Ok(())
    }
    async fn signing_keys(&self) -> DbResult<Vec<StoredKey>> {
        Ok(self.lock().keys.clone())
    }
    async fn retire_signing_keys(&self, alg: &str, keep: &str, until: Millis) -> DbResult<u64> {
        let mut state = self.lock();
        let mut n = 0;
        for k in state.keys.iter_mut() {
            if k.alg == alg && k.kid != keep && k.not_after.is_none() {
                k.not_after = Some(until);
                n += 1;
            }
        }
        Ok(n)
    }
    async fn purge_signing_keys(&self, now: Millis) -> DbResult<u64> {
        let mut state = self.lock();
        let before = state.keys.len();
        // `not_after <= now`: a live key (NULL) is never purged.
        (state.keys).retain(|k| k.not_after.is_none_or(|t| t > now));
        Ok((before - state.keys.len()) as u64)
    }

    async fn put_oauth_request(&self, request: &OAuthRequest) -> DbResult<()> {
        self.lock().put_oauth_request(request)
    }
    async fn oauth_request(&self, qr_id: &str, now: Millis) -> DbResult<Option<OAuthRequest>> {
        let state = self.lock();
        let r = state
            .requests
            .get(qr_id)
            .filter(|r| r.request.expires_at > now);
        Ok(r.map(|r| r.request.clone()))
    }
    async fn device_request(&self, device_code: &TokenHash) -> DbResult<Option<OAuthRequest>> {
        let state = self.lock();
        let qr_id = state.device_codes.get(device_code);
        let r = qr_id.and_then(|qr| state.requests.get(qr));
        Ok(r.map(|r| r.request.clone()))
    }
    async fn request_by_user_code(
        &self,
        user_code: &TokenHash,
        now: Millis,
    ) -> DbResult<Option<OAuthRequest>> {
        let state = self.lock();
        let Some(ids) = state.user_codes.get(user_code) else {
            return Ok(None);
        };
        // ORDER BY expires_at DESC LIMIT 1 among the live ones (a tie is unordered in
        // SQL too).
        let live = (ids.iter())
            .filter_map(|qr| state.requests.get(qr))
            .filter(|r| r.request.expires_at > now)
            .max_by_key(|r| r.request.expires_at);
        Ok(live.map(|r| r.request.clone()))
    }
    async fn poll_device(
        &self,
        device_code: &TokenHash,
        client_id: &str,
        now: Millis,
    ) -> DbResult<Option<DevicePoll>> {
        Ok(self.lock().poll_device(device_code, client_id, now))
    }

    async fn put_code(&self, hash: &TokenHash, grant: &CodeGrant) -> DbResult<bool> {
        self.lock().put_code(hash, grant)
    }
    async fn take_code(&self, hash: &TokenHash) -> DbResult<Option<CodeGrant>> {
        Ok(self.lock().remove_code(hash))
    }
    async fn put_refresh_token(&self, hash: &TokenHash, grant: &RefreshGrant) -> DbResult<bool> {
        self.lock().put_refresh(hash, grant)
    }
    async fn refresh_token(&self, hash: &TokenHash) -> DbResult<Option<RefreshGrant>> {
        Ok(self.lock().refresh_of_enabled(hash))
    }
    async fn mark_refresh_used(&self, hash: &TokenHash) -> DbResult<bool> {
        let mut state = self.lock();
        let Some(g) = state.refresh.get_mut(hash).filter(|g| !g.used) else {
            return Ok(false);
        };
        g.used = true;
        Ok(true)
    }
    async fn revoke_family(&self, family_id: &str) -> DbResult<u64> {
        Ok(self.lock().revoke_family(family_id))
    }
    async fn put_access_token(&self, hash: &TokenHash, token: &AccessToken) -> DbResult<bool> {
        self.lock().put_access(hash, token)
    }
    async fn access_token(&self, hash: &TokenHash, now: Millis) -> DbResult<Option<AccessToken>> {
        Ok(self.lock().live_access(hash, now))
    }
    async fn revoke_access_token(&self, hash: &TokenHash, client_id: &str) -> DbResult<bool> {
        let mut state = self.lock();
        let own = (state.access.get(hash)).is_some_and(|t| t.client_id == client_id);
        Ok(own && state.remove_access(hash).is_some())
    }
    async fn purge_expired_oauth(&self, now: Millis) -> DbResult<u64> {
        Ok(self.purge_oauth(now))
    }
}
