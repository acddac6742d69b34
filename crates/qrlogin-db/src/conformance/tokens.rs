//! Checks of [`TokenDb`](crate::TokenDb).

use super::fixtures::{hash, mobile_token, stored_account, web_session, LONG, NOW};
use super::Harness;
use qrlogin_core::{AccountId, SessionId};

/// A phone token is found by its hash, exactly as stored, while `now` is before its
/// `expires_at`, on every instance; from that instant on it is gone.
pub async fn a_mobile_token_is_found_by_its_hash_until_it_expires(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let me = stored_account(&*a).await;
    let (key, token) = (hash(), mobile_token(&me.id, NOW + LONG));
    assert!(a.put_mobile_token(&key, &token).await.expect("put"));
    assert_eq!(
        b.mobile_token(&key, NOW).await.expect("get"),
        Some(token.clone())
    );
    let last = b.mobile_token(&key, NOW + LONG - 1).await.expect("get");
    assert_eq!(last, Some(token));
    for later in [NOW + LONG, NOW + LONG + 1] {
        assert_eq!(b.mobile_token(&key, later).await.expect("get"), None);
    }
    assert_eq!(b.mobile_token(&hash(), NOW).await.expect("get"), None);
}

/// A revoked phone token is gone on every instance (a restart on one SQLite file is
/// another instance); a second revoke answers `false`; other tokens stay.
pub async fn a_revoked_mobile_token_is_gone_on_every_instance(h: &dyn Harness) {
    let a = h.open().await;
    let me = stored_account(&*a).await;
    let (key, keep) = (hash(), hash());
    assert!(a
        .put_mobile_token(&key, &mobile_token(&me.id, NOW + LONG))
        .await
        .expect("put"));
    assert!(a
        .put_mobile_token(&keep, &mobile_token(&me.id, NOW + LONG))
        .await
        .expect("put"));
    assert!(a.revoke_mobile_token(&key).await.expect("revoke"));
    assert!(!a.revoke_mobile_token(&key).await.expect("revoke again"));
    let b = h.open().await;
    assert_eq!(b.mobile_token(&key, NOW).await.expect("get"), None);
    assert!(b.mobile_token(&keep, NOW).await.expect("get").is_some());
}

/// No token or session is stored for an account that does not exist or is disabled,
/// so a login racing a `disable` or `remove` cannot leave a live token behind.
pub async fn no_token_or_session_is_stored_for_an_unknown_or_disabled_account(h: &dyn Harness) {
    let db = h.open().await;
    let off = stored_account(&*db).await;
    assert!(db.set_disabled(&off.id, true, NOW).await.expect("disable"));
    for id in [AccountId::generate(), off.id.clone()] {
        let key = hash();
        assert!(!db
            .put_mobile_token(&key, &mobile_token(&id, NOW + LONG))
            .await
            .expect("put"));
        assert_eq!(db.mobile_token(&key, NOW).await.expect("get"), None);
        let (key, ses) = web_session(&id, NOW, NOW + LONG);
        assert!(!db.put_web_session(&key, &ses).await.expect("put"));
        assert_eq!(db.web_session_by_token(&key, NOW).await.expect("get"), None);
    }
}

/// A PC session resolves by its token hash, exactly as stored, while live, and not
/// from its `expires_at` on.
pub async fn a_web_session_resolves_by_its_token_until_it_expires(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let me = stored_account(&*a).await;
    let (key, mut session) = web_session(&me.id, NOW, NOW + LONG);
    session.device = None; // "the PC did not say" round-trips as None
    assert!(a.put_web_session(&key, &session).await.expect("put"));
    let found = b
        .web_session_by_token(&key, NOW + LONG - 1)
        .await
        .expect("get");
    assert_eq!(found, Some(session));
    assert_eq!(
        b.web_session_by_token(&key, NOW + LONG).await.expect("get"),
        None
    );
    assert_eq!(
        b.web_session_by_token(&hash(), NOW).await.expect("get"),
        None
    );
}

/// The phone's list holds the account's live sessions only, newest first: no expired
/// one, no other account's.
pub async fn web_sessions_are_listed_newest_first_live_and_own_only(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (me, them) = (stored_account(&*a).await.id, stored_account(&*a).await.id);
    let (k_old, old) = web_session(&me, NOW - 3000, NOW + LONG);
    let (k_new, new) = web_session(&me, NOW - 1000, NOW + LONG);
    let (k_mid, mid) = web_session(&me, NOW - 2000, NOW + LONG);
    let (k_dead, dead) = web_session(&me, NOW - 500, NOW + 1000);
    let (k_theirs, theirs) = web_session(&them, NOW, NOW + LONG);
    for (k, s) in [
        (k_old, &old),
        (k_new, &new),
        (k_mid, &mid),
        (k_dead, &dead),
        (k_theirs, &theirs),
    ] {
        assert!(a.put_web_session(&k, s).await.expect("put"));
    }
    let listed = b.web_sessions_of(&me, NOW + 1000).await.expect("list");
    assert_eq!(listed, vec![new, mid, old]);
    assert_eq!(
        b.web_sessions_of(&them, NOW).await.expect("list"),
        vec![theirs]
    );
    let nobody = AccountId::generate();
    assert!(b
        .web_sessions_of(&nobody, NOW)
        .await
        .expect("list")
        .is_empty());
}

/// A session is revoked by its id only by its own account; another account's attempt,
/// and an unknown id, answer `false` and change nothing.
pub async fn a_session_is_revoked_by_id_only_for_its_own_account(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (me, them) = (stored_account(&*a).await.id, stored_account(&*a).await.id);
    let (key, ses) = web_session(&me, NOW, NOW + LONG);
    assert!(a.put_web_session(&key, &ses).await.expect("put"));
    assert!(!b.revoke_web_session(&them, &ses.id).await.expect("revoke"));
    assert!(!b
        .revoke_web_session(&me, &SessionId::generate())
        .await
        .expect("revoke"));
    assert_eq!(
        a.web_session_by_token(&key, NOW).await.expect("get"),
        Some(ses.clone())
    );
    assert!(b.revoke_web_session(&me, &ses.id).await.expect("revoke"));
    assert_eq!(a.web_session_by_token(&key, NOW).await.expect("get"), None);
    assert!(!b
        .revoke_web_session(&me, &ses.id)
        .await
        .expect("revoke again"));
}

/// Logout revokes a session by its token hash; a second logout answers `false`.
pub async fn logout_revokes_a_session_by_its_token_hash(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let me = stored_account(&*a).await.id;
    let (key, ses) = web_session(&me, NOW, NOW + LONG);
    let (other_key, other) = web_session(&me, NOW, NOW + LONG);
    assert!(a.put_web_session(&key, &ses).await.expect("put"));
    assert!(a.put_web_session(&other_key, &other).await.expect("put"));
    assert!(b.revoke_web_session_token(&key).await.expect("logout"));
    assert!(!b
        .revoke_web_session_token(&key)
        .await
        .expect("logout again"));
    assert_eq!(a.web_session_by_token(&key, NOW).await.expect("get"), None);
    assert_eq!(
        a.web_sessions_of(&me, NOW).await.expect("list"),
        vec![other]
    );
}

/// Purging removes tokens and sessions expired at `now`, and no live one.
pub async fn purging_removes_expired_tokens_and_sessions_only(h: &dyn Harness) {
    let db = h.open().await;
    let me = stored_account(&*db).await.id;
    let (dead_tok, live_tok) = (hash(), hash());
    assert!(db
        .put_mobile_token(&dead_tok, &mobile_token(&me, NOW + 10))
        .await
        .expect("put"));
    assert!(db
        .put_mobile_token(&live_tok, &mobile_token(&me, NOW + LONG))
        .await
        .expect("put"));
    let (dead_key, dead) = web_session(&me, NOW, NOW + 10);
    let (live_key, live) = web_session(&me, NOW, NOW + LONG);
    assert!(db.put_web_session(&dead_key, &dead).await.expect("put"));
    assert!(db.put_web_session(&live_key, &live).await.expect("put"));
    assert_eq!(db.purge_expired_tokens(NOW + 10).await.expect("purge"), 2);
    assert_eq!(db.purge_expired_tokens(NOW + 10).await.expect("purge"), 0);
    assert!(db
        .mobile_token(&live_tok, NOW)
        .await
        .expect("get")
        .is_some());
    assert_eq!(
        db.web_sessions_of(&me, NOW).await.expect("list"),
        vec![live]
    );
    // Gone for good, not just hidden: an earlier `now` does not bring them back.
    assert_eq!(db.mobile_token(&dead_tok, NOW).await.expect("get"), None);
    assert_eq!(
        db.web_session_by_token(&dead_key, NOW).await.expect("get"),
        None
    );
}
