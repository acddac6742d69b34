//! The tables of the memory backend and their indexes, and the removals every other
//! file goes through (those of OAuth rows are in `oauth.rs` and `oauth_tokens.rs`):
//! each one takes a row out of its table *and* out of every index that names it, so
//! no path can leave an orphan behind (the unit tests check the whole structure after
//! each scenario with `assert_consistent`).

use crate::{
    AccessToken, Account, ActivityEvent, DbError, MobileToken, OAuthRequest, PasskeyRecord,
    StoredKey, TrustedIssuer, WebSession,
};
use qrlogin_core::{EventId, Millis, RandomId, SessionId, TokenHash};
use qrlogin_oauth::{Client, CodeGrant, RefreshGrant};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hash;
use std::sync::Arc;

/// Where an event sits in its account's log: `(at, seq)`, the SQL schema's
/// `ORDER BY at, seq` (seq: insertion order, for events of one millisecond).
pub(super) type EventKey = (Millis, u64);

/// An account and everything that hangs off it (what `ON DELETE CASCADE` removes with
/// it in the SQL schema), so revoking or removing an account touches its own rows only
/// instead of scanning every table.
pub(super) struct Owner {
    /// The account itself.
    pub account: Account,
    /// Hashes of its phone tokens.
    pub tokens: HashSet<TokenHash>,
    /// Token hashes of its PC sessions.
    pub sessions: HashSet<TokenHash>,
    /// Its links, `(namespace, subject)`.
    pub links: Vec<(String, String)>,
    /// Its activity log, oldest first (shared: see `activity.rs`).
    pub events: BTreeMap<EventKey, Arc<ActivityEvent>>,
    /// Ids of its passkeys.
    pub passkeys: HashSet<RandomId>,
    /// Secret hashes of its enrollment links.
    pub enrollments: HashSet<TokenHash>,
    /// Hashes of its authorization codes.
    pub codes: HashSet<TokenHash>,
    /// Hashes of its refresh tokens.
    pub refresh: HashSet<TokenHash>,
    /// Hashes of its access tokens (`client_credentials` tokens have no account).
    pub access: HashSet<TokenHash>,
}

impl Owner {
    /// A new account with nothing hanging off it yet.
    pub fn new(account: Account) -> Self {
        Self {
            account,
            tokens: HashSet::new(),
            sessions: HashSet::new(),
            links: Vec::new(),
            events: BTreeMap::new(),
            passkeys: HashSet::new(),
            enrollments: HashSet::new(),
            codes: HashSet::new(),
            refresh: HashSet::new(),
            access: HashSet::new(),
        }
    }
}

/// An enrollment link as stored (`passkey_enrollments`).
#[derive(Clone)]
pub(super) struct Enrollment {
    /// Whose link it is.
    pub account_id: String,
    /// Live until then (exclusive).
    pub expires_at: Millis,
    /// Set by the enrollment that used it; kept until the account goes, as in SQL.
    pub used: bool,
}

/// A pending OAuth request with the one column the record does not carry.
#[derive(Clone)]
pub(super) struct Request {
    /// The request as stored and as returned.
    pub request: OAuthRequest,
    /// Whether its latest poll came too soon (`slowed_down`, migration 0005).
    pub slowed_down: bool,
}

/// The tokens of one refresh family, so `revoke_family` finds them without a scan.
#[derive(Default)]
pub(super) struct Family {
    /// Its refresh tokens.
    pub refresh: HashSet<TokenHash>,
    /// Its access tokens.
    pub access: HashSet<TokenHash>,
}

/// Every table, keyed as the SQL schema keys it, with the indexes its lookups need.
/// Account ids are kept as their text (`String`) so that a lookup by the `&str` of a
/// code or refresh grant needs no parse or allocation.
#[derive(Default)]
pub(super) struct State {
    /// Accounts by id, with what hangs off each.
    pub accounts: HashMap<String, Owner>,
    /// Account id by username (the `UNIQUE` username).
    pub usernames: HashMap<String, String>,
    /// Phone tokens by hash.
    pub mobile_tokens: HashMap<TokenHash, MobileToken>,
    /// PC sessions by token hash.
    pub web_sessions: HashMap<TokenHash, WebSession>,
    /// Token hash by session id (the `UNIQUE` id, and revocation by id).
    pub session_ids: HashMap<SessionId, TokenHash>,
    /// Account id by namespace, then subject.
    pub links: HashMap<String, HashMap<String, String>>,
    /// Ids of every stored event (the `UNIQUE` id: a second append is ignored).
    pub event_ids: HashSet<EventId>,
    /// The last event `seq` handed out.
    pub seq: u64,
    /// Passkeys by id.
    pub passkeys: HashMap<RandomId, PasskeyRecord>,
    /// Passkey id by raw credential id (the `UNIQUE` credential).
    pub credentials: HashMap<Vec<u8>, RandomId>,
    /// Enrollment links by secret hash.
    pub enrollments: HashMap<TokenHash, Enrollment>,
    /// Trusted issuers, ordered by `iss` as they are listed.
    pub issuers: BTreeMap<String, TrustedIssuer>,
    /// OAuth clients by id.
    pub clients: HashMap<String, Client>,
    /// Signing keys, kept in their listing order `(created_at, kid)`: few, read often.
    pub keys: Vec<StoredKey>,
    /// Pending OAuth requests by QR session id.
    pub requests: HashMap<String, Request>,
    /// QR session id by device code hash (`UNIQUE`).
    pub device_codes: HashMap<TokenHash, String>,
    /// QR session ids by user code hash (not unique: a code may be drawn twice).
    pub user_codes: HashMap<TokenHash, Vec<String>>,
    /// Authorization codes by hash.
    pub codes: HashMap<TokenHash, CodeGrant>,
    /// Refresh tokens by hash.
    pub refresh: HashMap<TokenHash, RefreshGrant>,
    /// Access tokens by hash.
    pub access: HashMap<TokenHash, AccessToken>,
    /// Refresh families by id.
    pub families: HashMap<String, Family>,
}

/// What the SQL backends answer when a statement breaks a constraint that the trait
/// has no `false` for (a duplicate primary key of a plain `INSERT`, an unknown client
/// of a request): an error, `Corrupt`, since only a bug gets there.
pub(super) fn refused(what: &str) -> DbError {
    DbError::Corrupt(format!("constraint failed: {what}"))
}

/// The keys of a table's rows that `pick` picks: what a `DELETE … WHERE` walks, taken
/// first so the rows can then be removed (and their indexes with them) one by one.
pub(super) fn keys_where<K: Clone, V>(table: &HashMap<K, V>, pick: impl Fn(&V) -> bool) -> Vec<K> {
    (table.iter())
        .filter(|(_, v)| pick(v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Gives a map's spare room back after a purge emptied most of it, so that a burst
/// (a million tokens an hour ago) does not keep its table's memory for ever.
pub(super) fn trim<K: Eq + Hash, V>(map: &mut HashMap<K, V>) {
    if map.capacity() > 64 && map.len() < map.capacity() / 4 {
        map.shrink_to(map.len() * 2);
    }
}

/// [`trim`] for a set.
pub(super) fn trim_set<K: Eq + Hash>(set: &mut HashSet<K>) {
    if set.capacity() > 64 && set.len() < set.capacity() / 4 {
        set.shrink_to(set.len() * 2);
    }
}

impl State {
    /// The account with this id if it exists and is enabled: what every insert that
    /// selects `FROM accounts WHERE id = $ AND NOT disabled` requires.
    pub fn enabled(&self, id: &str) -> Option<&Owner> {
        self.accounts.get(id).filter(|o| !o.account.disabled)
    }

    /// Deletes a phone token; whether there was one.
    pub fn remove_mobile_token(&mut self, hash: &TokenHash) -> bool {
        let Some(t) = self.mobile_tokens.remove(hash) else {
            return false;
        };
        if let Some(o) = self.accounts.get_mut(t.account_id.as_str()) {
            o.tokens.remove(hash);
        }
        true
    }

    /// Deletes a PC session; whether there was one.
    pub fn remove_web_session(&mut self, hash: &TokenHash) -> bool {
        let Some(s) = self.web_sessions.remove(hash) else {
            return false;
        };
        self.session_ids.remove(&s.id);
        if let Some(o) = self.accounts.get_mut(s.account_id.as_str()) {
            o.sessions.remove(hash);
        }
        true
    }

    /// Deletes every phone token and PC session of an account (new password, disable).
    pub fn revoke_logins(&mut self, id: &str) {
        let Some(o) = self.accounts.get_mut(id) else {
            return;
        };
        let (tokens, sessions) = (
            std::mem::take(&mut o.tokens),
            std::mem::take(&mut o.sessions),
        );
        for h in &tokens {
            self.mobile_tokens.remove(h);
        }
        for h in &sessions {
            if let Some(s) = self.web_sessions.remove(h) {
                self.session_ids.remove(&s.id);
            }
        }
    }

    /// Deletes an account with everything that hangs off it; whether there was one.
    pub fn remove_account(&mut self, id: &str) -> bool {
        self.revoke_logins(id);
        let Some(o) = self.accounts.remove(id) else {
            return false;
        };
        self.usernames.remove(o.account.username.as_str());
        for (namespace, subject) in &o.links {
            if let Some(subjects) = self.links.get_mut(namespace) {
                subjects.remove(subject);
                if subjects.is_empty() {
                    self.links.remove(namespace);
                }
            }
        }
        for e in o.events.values() {
            self.event_ids.remove(&e.id);
        }
        for p in &o.passkeys {
            if let Some(p) = self.passkeys.remove(p) {
                self.credentials.remove(&p.credential_id);
            }
        }
        for h in &o.enrollments {
            self.enrollments.remove(h);
        }
        // The account is gone already, so these find no owner list to update: they
        // take each row out of its table and its refresh family.
        for h in &o.codes {
            self.remove_code(h);
        }
        for h in &o.refresh {
            self.remove_refresh(h);
        }
        for h in &o.access {
            self.remove_access(h);
        }
        true
    }
}
