//! Codes, refresh and access tokens in memory, as `State` methods that `oauth.rs`
//! exposes through [`OAuthDb`](crate::OAuthDb). Each is listed under its account (and
//! its refresh family) so that removing the account or revoking the family finds it
//! without a scan; the removals at the end of this file keep those lists in step.

use super::state::{keys_where, refused, trim, State};
use super::MemoryDb;
use crate::{AccessToken, DbResult};
use qrlogin_core::{Millis, TokenHash};
use qrlogin_oauth::{CodeGrant, RefreshGrant};

/// What a scan found expired at `now`, to be purged a chunk at a time.
struct Expired {
    /// QR session ids of requests.
    requests: Vec<String>,
    /// Hashes of authorization codes.
    codes: Vec<TokenHash>,
    /// Hashes of refresh tokens.
    refresh: Vec<TokenHash>,
    /// Hashes of access tokens.
    access: Vec<TokenHash>,
}

impl MemoryDb {
    /// Deletes the requests, codes, refresh and access tokens expired at `now`, a
    /// chunk at a time; how many.
    pub(super) fn purge_oauth(&self, now: Millis) -> u64 {
        let dead = {
            let state = self.lock();
            Expired {
                requests: keys_where(&state.requests, |r| r.request.expires_at <= now),
                codes: keys_where(&state.codes, |g| g.expires_at <= now),
                refresh: keys_where(&state.refresh, |g| g.expires_at <= now),
                access: keys_where(&state.access, |t| t.expires_at <= now),
            }
        };
        let n = self.purge_in_chunks(&dead.requests, |s, qr| {
            let gone = (s.requests.get(qr)).is_some_and(|r| r.request.expires_at <= now);
            gone && s.remove_request(qr).is_some()
        }) + self.purge_in_chunks(&dead.codes, |s, h| {
            let gone = (s.codes.get(h)).is_some_and(|g| g.expires_at <= now);
            gone && s.remove_code(h).is_some()
        }) + self.purge_in_chunks(&dead.refresh, |s, h| {
            let gone = (s.refresh.get(h)).is_some_and(|g| g.expires_at <= now);
            gone && s.remove_refresh(h).is_some()
        }) + self.purge_in_chunks(&dead.access, |s, h| {
            let gone = (s.access.get(h)).is_some_and(|t| t.expires_at <= now);
            gone && s.remove_access(h).is_some()
        });
        let mut state = self.lock();
        trim(&mut state.requests);
        trim(&mut state.device_codes);
        trim(&mut state.user_codes);
        trim(&mut state.codes);
        trim(&mut state.refresh);
        trim(&mut state.access);
        trim(&mut state.families);
        n
    }
}

impl State {
    /// Whether a token of `client` for `account` may be stored: the client exists and
    /// the account exists and is enabled (the SQL `INSERT … SELECT FROM oauth_clients c,
    /// accounts a`).
    fn may_issue(&self, client: &str, account: &str) -> bool {
        self.clients.contains_key(client) && self.enabled(account).is_some()
    }

    /// Stores an authorization code; `false` if its client or account is gone; a hash
    /// already stored is an error, as the SQL primary key makes it.
    pub fn put_code(&mut self, hash: &TokenHash, g: &CodeGrant) -> DbResult<bool> {
        if !self.may_issue(&g.client_id, &g.account_id) {
            return Ok(false);
        }
        if self.codes.contains_key(hash) {
            return Err(refused("oauth_codes.code_hash is taken"));
        }
        self.codes.insert(*hash, g.clone());
        if let Some(o) = self.accounts.get_mut(g.account_id.as_str()) {
            o.codes.insert(*hash);
        }
        Ok(true)
    }

    /// Stores a refresh token (used or not, as given); `false` if its client or account
    /// is gone; a hash already stored is an error.
    pub fn put_refresh(&mut self, hash: &TokenHash, g: &RefreshGrant) -> DbResult<bool> {
        if !self.may_issue(&g.client_id, &g.account_id) {
            return Ok(false);
        }
        if self.refresh.contains_key(hash) {
            return Err(refused("refresh_tokens.token_hash is taken"));
        }
        self.refresh.insert(*hash, g.clone());
        if let Some(o) = self.accounts.get_mut(g.account_id.as_str()) {
            o.refresh.insert(*hash);
        }
        let family = self.families.entry(g.family_id.clone()).or_default();
        family.refresh.insert(*hash);
        Ok(true)
    }

    /// The refresh token with this hash (used or not, expired or not) if its account is
    /// enabled.
    pub fn refresh_of_enabled(&self, hash: &TokenHash) -> Option<RefreshGrant> {
        let g = self.refresh.get(hash)?;
        self.enabled(&g.account_id)?;
        Some(g.clone())
    }

    /// Deletes every refresh and access token of a family; how many.
    pub fn revoke_family(&mut self, family: &str) -> u64 {
        let Some(f) = self.families.get(family) else {
            return 0;
        };
        let (refresh, access): (Vec<TokenHash>, Vec<TokenHash>) = (
            f.refresh.iter().copied().collect(),
            f.access.iter().copied().collect(),
        );
        for h in &refresh {
            self.remove_refresh(h);
        }
        for h in &access {
            self.remove_access(h);
        }
        (refresh.len() + access.len()) as u64
    }

    /// Stores an access token; `false` if its client is gone, or its account (when it
    /// has one) is gone or disabled; a hash already stored is an error.
    pub fn put_access(&mut self, hash: &TokenHash, t: &AccessToken) -> DbResult<bool> {
        let account_ok = (t.account_id.as_ref()).is_none_or(|a| self.enabled(a.as_str()).is_some());
        if !self.clients.contains_key(&t.client_id) || !account_ok {
            return Ok(false);
        }
        if self.access.contains_key(hash) {
            return Err(refused("access_tokens.token_hash is taken"));
        }
        self.access.insert(*hash, t.clone());
        if let Some(a) = &t.account_id {
            if let Some(o) = self.accounts.get_mut(a.as_str()) {
                o.access.insert(*hash);
            }
        }
        if let Some(f) = &t.family_id {
            self.families
                .entry(f.clone())
                .or_default()
                .access
                .insert(*hash);
        }
        Ok(true)
    }

    /// The access token with this hash if it is live at `now` and its account, if any,
    /// is enabled.
    pub fn live_access(&self, hash: &TokenHash, now: Millis) -> Option<AccessToken> {
        let t = self.access.get(hash).filter(|t| t.expires_at > now)?;
        if let Some(a) = &t.account_id {
            self.enabled(a.as_str())?;
        }
        Some(t.clone())
    }

    /// Takes a token out of its family's index (its refresh or access set), dropping
    /// the family once it is empty.
    fn unfamily(&mut self, family: &str, hash: &TokenHash, refresh: bool) {
        if let Some(f) = self.families.get_mut(family) {
            if refresh {
                f.refresh.remove(hash);
            } else {
                f.access.remove(hash);
            }
            if f.refresh.is_empty() && f.access.is_empty() {
                self.families.remove(family);
            }
        }
    }

    /// Deletes an authorization code, returning its grant.
    pub fn remove_code(&mut self, hash: &TokenHash) -> Option<CodeGrant> {
        let g = self.codes.remove(hash)?;
        if let Some(o) = self.accounts.get_mut(g.account_id.as_str()) {
            o.codes.remove(hash);
        }
        Some(g)
    }

    /// Deletes a refresh token, returning its grant.
    pub fn remove_refresh(&mut self, hash: &TokenHash) -> Option<RefreshGrant> {
        let g = self.refresh.remove(hash)?;
        if let Some(o) = self.accounts.get_mut(g.account_id.as_str()) {
            o.refresh.remove(hash);
        }
        self.unfamily(&g.family_id, hash, true);
        Some(g)
    }

    /// Deletes an access token, returning it.
    pub fn remove_access(&mut self, hash: &TokenHash) -> Option<AccessToken> {
        let t = self.access.remove(hash)?;
        if let Some(a) = &t.account_id {
            if let Some(o) = self.accounts.get_mut(a.as_str()) {
                o.access.remove(hash);
            }
        }
        if let Some(f) = &t.family_id {
            self.unfamily(f, hash, false);
        }
        Some(t)
    }
}
