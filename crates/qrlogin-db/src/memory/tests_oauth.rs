//! The indexes of OAuth rows and passkeys, checked as `tests.rs` checks the others;
//! and what only a mutex has to get right: a poisoned lock, racing writers.

use super::state::State;
use super::MemoryDb;
use crate::conformance::fixtures::{hash, stored_account, NOW};
use crate::conformance::oauth_fixtures::{access, client, code, device_request, refresh};
use crate::conformance::passkeys::passkey;
use crate::{AccountDb, ActivityDb, ActivityKind, Db, DbError, OAuthDb, PasskeyDb, TokenDb};
use qrlogin_core::AccountId;
use std::sync::Arc;

impl State {
    /// The OAuth half of `assert_consistent`.
    pub(super) fn assert_oauth_consistent(&self) {
        let mut with_device = 0;
        for (qr, r) in &self.requests {
            assert_eq!(&r.request.qr_id, qr);
            assert!(
                self.clients.contains_key(&r.request.client_id),
                "request client"
            );
            if let Some(dc) = &r.request.device_code_hash {
                assert_eq!(&self.device_codes[dc], qr, "device code");
                with_device += 1;
            }
            if let Some(uc) = &r.request.user_code_hash {
                assert!(self.user_codes[uc].contains(qr), "user code");
            }
        }
        assert_eq!(self.device_codes.len(), with_device, "device codes");
        for (uc, ids) in &self.user_codes {
            assert!(!ids.is_empty(), "an empty user code entry is kept");
            for qr in ids {
                assert_eq!(self.requests[qr].request.user_code_hash, Some(*uc));
            }
        }
        let owner = |id: &str| &self.accounts[id];
        for (h, g) in &self.codes {
            assert!(self.clients.contains_key(&g.client_id), "code client");
            assert!(owner(&g.account_id).codes.contains(h));
        }
        for (h, g) in &self.refresh {
            assert!(self.clients.contains_key(&g.client_id), "refresh client");
            assert!(owner(&g.account_id).refresh.contains(h));
            assert!(self.families[&g.family_id].refresh.contains(h));
        }
        for (h, t) in &self.access {
            assert!(self.clients.contains_key(&t.client_id), "access client");
            if let Some(a) = &t.account_id {
                assert!(owner(a.as_str()).access.contains(h));
            }
            if let Some(f) = &t.family_id {
                assert!(self.families[f].access.contains(h));
            }
        }
        for (id, f) in &self.families {
            assert!(
                !f.refresh.is_empty() || !f.access.is_empty(),
                "empty family"
            );
            for h in &f.refresh {
                assert_eq!(&self.refresh[h].family_id, id);
            }
            for h in &f.access {
                assert_eq!(self.access[h].family_id.as_ref(), Some(id));
            }
        }
        let keys: Vec<_> = self.keys.iter().map(|k| (k.created_at, &k.kid)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "keys out of order");
    }
}

/// Gives `account` one of every OAuth row and passkey row that hangs off an account,
/// under a new client that also holds a `client_credentials` token of its own.
pub(super) async fn give_oauth_rows(db: &MemoryDb, account: &AccountId) -> String {
    let c = client();
    assert!(db.create_client(&c).await.unwrap());
    let code_grant = code(&c.id, account, NOW + 60_000);
    assert!(db.put_code(&hash(), &code_grant).await.unwrap());
    let rt = refresh(&c.id, account, "fam");
    assert!(db.put_refresh_token(&hash(), &rt).await.unwrap());
    let at = access(&c.id, Some(account), Some("fam"), NOW + 60_000);
    assert!(db.put_access_token(&hash(), &at).await.unwrap());
    let machine = access(&c.id, None, None, NOW + 60_000);
    assert!(db.put_access_token(&hash(), &machine).await.unwrap());
    db.put_oauth_request(&device_request(&c.id, &format!("qr-{}", c.id)))
        .await
        .unwrap();
    assert!(db.add_passkey(&passkey(account)).await.unwrap());
    let link = hash();
    assert!(db
        .put_enrollment(&link, account, NOW, NOW + 60_000)
        .await
        .unwrap());
    db.lock().assert_consistent();
    c.id
}

#[tokio::test]
async fn removing_a_client_leaves_no_request_code_or_token_of_it_in_any_index() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    let gone = give_oauth_rows(&db, &me).await;
    let kept = give_oauth_rows(&db, &me).await;
    assert!(db.remove_client(&gone).await.unwrap());
    let s = db.lock();
    s.assert_consistent();
    assert_eq!((s.requests.len(), s.device_codes.len()), (1, 1));
    assert_eq!(
        (s.user_codes.len(), s.codes.len(), s.refresh.len()),
        (1, 1, 1)
    );
    assert_eq!(s.access.len(), 2);
    let o = &s.accounts[me.as_str()];
    assert_eq!((o.codes.len(), o.refresh.len(), o.access.len()), (1, 1, 1));
    assert!(s.codes.values().all(|g| g.client_id == kept));
    assert_eq!(s.families["fam"].refresh.len(), 1, "the kept client's");
}

#[tokio::test]
async fn purging_expired_oauth_rows_drops_their_account_family_and_code_entries() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    give_oauth_rows(&db, &me).await;
    assert_eq!(db.purge_expired_oauth(NOW + 120_000).await.unwrap(), 5);
    let s = db.lock();
    s.assert_consistent();
    assert!(s.requests.is_empty() && s.device_codes.is_empty() && s.user_codes.is_empty());
    assert!(s.codes.is_empty() && s.refresh.is_empty() && s.access.is_empty());
    assert!(s.families.is_empty());
    let o = &s.accounts[me.as_str()];
    assert!(o.codes.is_empty() && o.refresh.is_empty() && o.access.is_empty());
}

#[tokio::test]
async fn revoking_a_family_a_token_or_taking_a_code_leaves_no_index_entry() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    let c = give_oauth_rows(&db, &me).await;
    let (ch, ah) = (hash(), hash());
    assert!(db.put_code(&ch, &code(&c, &me, NOW + 1)).await.unwrap());
    assert!(db
        .put_access_token(&ah, &access(&c, Some(&me), Some("solo"), NOW + 1))
        .await
        .unwrap());
    assert!(db.take_code(&ch).await.unwrap().is_some());
    assert!(db.revoke_access_token(&ah, &c).await.unwrap());
    assert_eq!(db.access_token(&ah, NOW).await.unwrap(), None);
    assert_eq!(db.revoke_family("fam").await.unwrap(), 2);
    assert_eq!(db.revoke_family("fam").await.unwrap(), 0);
    let s = db.lock();
    s.assert_consistent();
    assert!(
        s.families.is_empty(),
        "solo and fam are gone with their tokens"
    );
    let o = &s.accounts[me.as_str()];
    assert_eq!((o.codes.len(), o.refresh.len(), o.access.len()), (1, 0, 0));
}

#[tokio::test]
async fn a_shared_user_code_finds_the_latest_live_request_and_survives_a_purge_of_one() {
    let db = MemoryDb::new();
    let c = client();
    assert!(db.create_client(&c).await.unwrap());
    let early = device_request(&c.id, "qr-early");
    let mut late = device_request(&c.id, "qr-late");
    late.user_code_hash = early.user_code_hash;
    late.expires_at = early.expires_at + 1_000;
    db.put_oauth_request(&early).await.unwrap();
    db.put_oauth_request(&late).await.unwrap();
    let uc = early.user_code_hash.unwrap();
    let found = db.request_by_user_code(&uc, NOW).await.unwrap();
    assert_eq!(found.map(|r| r.qr_id), Some("qr-late".to_owned()));
    assert_eq!(db.purge_expired_oauth(early.expires_at).await.unwrap(), 1);
    db.lock().assert_consistent();
    let found = db
        .request_by_user_code(&uc, early.expires_at)
        .await
        .unwrap();
    assert_eq!(found, Some(late));
}

#[tokio::test]
async fn a_request_the_sql_schema_refuses_is_an_error_and_stores_nothing() {
    let db = MemoryDb::new();
    let c = client();
    assert!(db.create_client(&c).await.unwrap());
    let r = device_request(&c.id, "qr-1");
    db.put_oauth_request(&r).await.unwrap();
    let orphan = device_request("no-such-client", "qr-2");
    let mut same_qr = device_request(&c.id, "qr-1");
    same_qr.user_code_hash = Some(hash());
    let mut same_code = device_request(&c.id, "qr-3");
    same_code.device_code_hash = r.device_code_hash;
    for bad in [orphan, same_qr, same_code] {
        let got = db.put_oauth_request(&bad).await;
        assert!(
            matches!(got, Err(DbError::Corrupt(_))),
            "{}: {got:?}",
            bad.qr_id
        );
    }
    let s = db.lock();
    s.assert_consistent();
    assert_eq!((s.requests.len(), s.user_codes.len()), (1, 1));
}

#[tokio::test]
async fn a_removed_passkey_frees_its_credential_id() {
    let db = MemoryDb::new();
    let me = stored_account(&db).await.id;
    let p = passkey(&me);
    assert!(db.add_passkey(&p).await.unwrap());
    assert!(db.remove_passkey(&me, &p.id).await.unwrap());
    db.lock().assert_consistent();
    let mut again = passkey(&me);
    again.credential_id = p.credential_id.clone();
    assert!(db.add_passkey(&again).await.unwrap());
    assert_eq!(db.passkeys_of(&me).await.unwrap(), vec![again]);
}

#[tokio::test]
async fn a_panic_while_the_lock_is_held_does_not_stop_later_calls() {
    let db = Arc::new(MemoryDb::new());
    let me = stored_account(&*db).await.id;
    let held = Arc::clone(&db);
    let panicked = std::thread::spawn(move || {
        let _guard = held.lock();
        panic!("a bug while holding the lock");
    })
    .join();
    assert!(panicked.is_err());
    db.ping().await.expect("ping");
    assert!(db.account_by_id(&me).await.unwrap().is_some());
    assert!(db.set_disabled(&me, true, NOW).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writers_of_every_kind_leave_every_index_consistent() {
    let db = Arc::new(MemoryDb::new());
    let mut accounts = Vec::new();
    for _ in 0..4 {
        accounts.push(stored_account(&*db).await.id);
    }
    let mut tasks = Vec::new();
    for i in 0..32usize {
        let (db, me) = (Arc::clone(&db), accounts[i % 4].clone());
        tasks.push(tokio::spawn(async move {
            for round in 0..20 {
                let t = crate::conformance::fixtures::mobile_token(&me, NOW + 5);
                db.put_mobile_token(&hash(), &t).await.unwrap();
                let e = crate::conformance::fixtures::event(&me, NOW, ActivityKind::QrScanned);
                db.append_events(&[e]).await.unwrap();
                match (i + round) % 5 {
                    0 => assert!(db.set_password(&me, None, NOW).await.unwrap()),
                    1 => _ = db.purge_expired_tokens(NOW + 5).await.unwrap(),
                    2 => _ = db.purge_events_before(NOW + 1).await.unwrap(),
                    3 => _ = give_oauth_rows(&db, &me).await,
                    _ => _ = db.purge_expired_oauth(NOW + 60_000).await.unwrap(),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    db.lock().assert_consistent();
    assert!(db.remove_account(&accounts[0]).await.unwrap());
    db.lock().assert_consistent();
}
