//! What the conformance suite cannot see: the indexes behind the answers. Every check
//! ends with `assert_consistent`, which walks the whole structure both ways (each row
//! listed where it should be, each index entry naming a row that exists and agrees),
//! so a purge, a revocation or a removal that left an orphan anywhere fails here even
//! when every lookup still answers right. Purges in `tests_purge.rs`; OAuth and
//! passkeys in `tests_oauth.rs`.

use super::state::State;
use super::MemoryDb;
use crate::conformance::fixtures::{
    account, event, hash, mobile_token, stored_account, web_session, LONG, NOW,
};
use crate::{AccountDb, ActivityDb, ActivityKind, DbError, LinkDb, TokenDb};
use std::collections::HashSet;

impl State {
    /// Panics if any index disagrees with its table, either way.
    pub(super) fn assert_consistent(&self) {
        assert_eq!(self.usernames.len(), self.accounts.len(), "usernames");
        for (id, o) in &self.accounts {
            assert_eq!(o.account.id.as_str(), id);
            assert_eq!(self.usernames[o.account.username.as_str()], *id);
            for h in &o.tokens {
                assert_eq!(self.mobile_tokens[h].account_id.as_str(), id, "token");
            }
            for h in &o.sessions {
                assert_eq!(self.web_sessions[h].account_id.as_str(), id, "session");
            }
            for (ns, sub) in &o.links {
                assert_eq!(self.links[ns][sub], *id, "link");
            }
            for (key, e) in &o.events {
                assert_eq!((key.0, e.account_id.as_str()), (e.at, id.as_str()));
                assert!(self.event_ids.contains(&e.id), "event id");
            }
            for p in &o.passkeys {
                assert_eq!(self.passkeys[p].account_id.as_str(), id, "passkey");
            }
            for h in &o.enrollments {
                assert_eq!(self.enrollments[h].account_id, *id, "enrollment");
            }
            for h in &o.codes {
                assert_eq!(self.codes[h].account_id, *id, "code");
            }
            for h in &o.refresh {
                assert_eq!(self.refresh[h].account_id, *id, "refresh");
            }
            for h in &o.access {
                let a = self.access[h].account_id.as_ref().map(|a| a.as_str());
                assert_eq!(a, Some(id.as_str()), "access");
            }
        }
        let owner = |id: &str| &self.accounts[id];
        for (h, t) in &self.mobile_tokens {
            assert!(owner(t.account_id.as_str()).tokens.contains(h));
        }
        assert_eq!(
            self.session_ids.len(),
            self.web_sessions.len(),
            "session ids"
        );
        for (h, s) in &self.web_sessions {
            assert!(owner(s.account_id.as_str()).sessions.contains(h));
            assert!(self.session_ids[&s.id] == *h);
        }
        let mut links = 0;
        for (ns, subjects) in &self.links {
            assert!(!subjects.is_empty(), "an empty namespace is kept");
            for (sub, id) in subjects {
                assert!(owner(id).links.contains(&(ns.clone(), sub.clone())));
                links += 1;
            }
        }
        let listed: usize = self.accounts.values().map(|o| o.links.len()).sum();
        assert_eq!(links, listed, "links");
        let events: usize = self.accounts.values().map(|o| o.events.len()).sum();
        assert_eq!(self.event_ids.len(), events, "event ids");
        assert_eq!(self.credentials.len(), self.passkeys.len(), "credentials");
        for (id, p) in &self.passkeys {
            assert_eq!(&self.credentials[&p.credential_id], id);
            assert!(owner(p.account_id.as_str()).passkeys.contains(id));
        }
        for (h, e) in &self.enrollments {
            assert!(owner(&e.account_id).enrollments.contains(h));
        }
        self.assert_oauth_consistent();
    }
}

/// Locked state of a handle, for a look at its indexes.
pub(super) fn state(db: &MemoryDb) -> parking_lot::MutexGuard<'_, State> {
    db.lock()
}

/// Stores a live phone token and a live PC session for `me`: their hashes and the session.
async fn token_and_session(
    db: &MemoryDb,
    me: &qrlogin_core::AccountId,
) -> (
    qrlogin_core::TokenHash,
    qrlogin_core::TokenHash,
    crate::WebSession,
) {
    let h = hash();
    assert!(db
        .put_mobile_token(&h, &mobile_token(me, NOW + LONG))
        .await
        .unwrap());
    let (k, s) = web_session(me, NOW, NOW + LONG);
    assert!(db.put_web_session(&k, &s).await.unwrap());
    (h, k, s)
}

#[tokio::test]
async fn revoked_tokens_and_sessions_are_gone_from_their_accounts_lists() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    let mut keys = Vec::new();
    for _ in 0..3 {
        keys.push(token_and_session(&db, &me).await);
    }
    let (t0, k0, _) = &keys[0];
    let (_, k1, s1) = &keys[1];
    assert!(db.revoke_mobile_token(t0).await.unwrap());
    assert!(db.revoke_web_session_token(k0).await.unwrap());
    assert!(db.revoke_web_session(&me, &s1.id).await.unwrap());
    {
        let s = state(&db);
        s.assert_consistent();
        let o = &s.accounts[me.as_str()];
        assert_eq!((o.tokens.len(), o.sessions.len()), (2, 1));
    }
    assert_eq!(db.web_session_by_token(k1, NOW).await.unwrap(), None);
    assert!(db.set_password(&me, None, NOW).await.unwrap());
    let s = state(&db);
    s.assert_consistent();
    let o = &s.accounts[me.as_str()];
    assert!(o.tokens.is_empty() && o.sessions.is_empty());
    assert!(s.mobile_tokens.is_empty() && s.web_sessions.is_empty());
    assert!(s.session_ids.is_empty());
}

#[tokio::test]
async fn disabling_empties_the_accounts_lists_and_lookups_find_nothing() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    let (h, k, s) = token_and_session(&db, &me).await;
    assert!(db.set_disabled(&me, true, NOW).await.unwrap());
    assert!(db.set_disabled(&me, false, NOW).await.unwrap());
    assert_eq!(db.mobile_token_with_account(&h, NOW).await.unwrap(), None);
    assert_eq!(db.web_session_by_token(&k, NOW).await.unwrap(), None);
    assert!(!db.revoke_web_session(&me, &s.id).await.unwrap());
    let st = state(&db);
    st.assert_consistent();
    assert!(st.accounts[me.as_str()].tokens.is_empty());
    assert!(st.session_ids.is_empty());
}

#[tokio::test]
async fn a_token_or_session_stored_again_under_its_hash_moves_every_index_entry() {
    let db = MemoryDb::new();
    let (me, them) = (stored_account(&db).await.id, stored_account(&db).await.id);
    let h = hash();
    assert!(db
        .put_mobile_token(&h, &mobile_token(&me, NOW + LONG))
        .await
        .unwrap());
    assert!(db
        .put_mobile_token(&h, &mobile_token(&them, NOW + LONG))
        .await
        .unwrap());
    let (k, first) = web_session(&me, NOW, NOW + LONG);
    assert!(db.put_web_session(&k, &first).await.unwrap());
    let (_, second) = web_session(&them, NOW, NOW + LONG);
    assert!(db.put_web_session(&k, &second).await.unwrap());
    let s = state(&db);
    s.assert_consistent();
    assert!(s.accounts[me.as_str()].tokens.is_empty());
    assert!(s.accounts[me.as_str()].sessions.is_empty());
    assert!(!s.session_ids.contains_key(&first.id));
    assert_eq!(s.accounts[them.as_str()].sessions, HashSet::from([k]));
}

#[tokio::test]
async fn another_sessions_id_is_refused_as_sql_refuses_it_and_changes_nothing() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    let (k1, s1) = web_session(&me, NOW, NOW + LONG);
    assert!(db.put_web_session(&k1, &s1).await.unwrap());
    let (k2, mut s2) = web_session(&me, NOW, NOW + LONG);
    s2.id = s1.id.clone();
    let r = db.put_web_session(&k2, &s2).await;
    assert!(matches!(r, Err(DbError::Corrupt(_))), "{r:?}");
    assert_eq!(db.web_session_by_token(&k2, NOW).await.unwrap(), None);
    assert_eq!(db.web_session_by_token(&k1, NOW).await.unwrap(), Some(s1));
    state(&db).assert_consistent();
}

#[tokio::test]
async fn removing_an_account_leaves_no_entry_of_it_in_any_index() {
    let db = MemoryDb::new();
    let other = stored_account(&db).await.id;
    let me = account();
    let linked = db.link_or_create("ns", "sub", &me, NOW).await.unwrap();
    assert_eq!(linked.as_ref(), Some(&me));
    let keep = db.link_or_create("ns", "other", &account(), NOW).await;
    assert!(keep.unwrap().is_some());
    for who in [&me.id, &other] {
        let t = mobile_token(who, NOW + LONG);
        assert!(db.put_mobile_token(&hash(), &t).await.unwrap());
        let (k, s) = web_session(who, NOW, NOW + LONG);
        assert!(db.put_web_session(&k, &s).await.unwrap());
        db.append_event(&event(who, NOW, ActivityKind::QrConfirmed))
            .await
            .unwrap();
    }
    super::tests_oauth::give_oauth_rows(&db, &me.id).await;
    assert!(db.remove_account(&me.id).await.unwrap());
    let s = state(&db);
    s.assert_consistent();
    assert!(!s.usernames.contains_key(me.username.as_str()));
    assert_eq!((s.mobile_tokens.len(), s.web_sessions.len()), (1, 1));
    assert_eq!((s.event_ids.len(), s.links["ns"].len()), (1, 1));
    assert!(s.passkeys.is_empty() && s.credentials.is_empty());
    assert!(s.enrollments.is_empty() && s.codes.is_empty());
    assert!(
        s.refresh.is_empty() && s.access.len() == 1,
        "the client's own"
    );
    assert!(s.families.is_empty());
}
