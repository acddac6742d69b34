//! Checks of accounts, phone tokens and PC sessions.

use super::fixtures::{account, hash, mobile_token, web_session, LONG};
use super::Harness;
use qrlogin_core::Clock as _;
use qrlogin_core::SecretKind;

/// A second account with a taken username is refused, and neither account changes:
/// the first still answers to the name, the second was never stored.
pub async fn a_duplicate_username_is_refused_and_changes_nothing(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let first = account();
    assert!(a.accounts.create_account(&first).await.expect("create"));
    let mut clash = account();
    clash.username = first.username.clone();
    clash.display_name = "Mallory".into();
    assert!(!b.accounts.create_account(&clash).await.expect("create"));
    let by_name = a.accounts.account_by_username(&first.username).await;
    assert_eq!(by_name.expect("lookup"), Some(first));
    assert_eq!(
        a.accounts.account_by_id(&clash.id).await.expect("lookup"),
        None
    );
}

/// An account is found by its username and by its id, on every instance; unknown
/// names and ids are `None`.
pub async fn an_account_is_found_by_username_and_by_id_on_every_instance(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let acc = account();
    assert!(a.accounts.create_account(&acc).await.expect("create"));
    for inst in [&a, &b] {
        let by_name = inst.accounts.account_by_username(&acc.username).await;
        assert_eq!(by_name.expect("lookup"), Some(acc.clone()));
        let by_id = inst.accounts.account_by_id(&acc.id).await;
        assert_eq!(by_id.expect("lookup"), Some(acc.clone()));
        let other = account();
        let none = inst.accounts.account_by_username(&other.username).await;
        assert_eq!(none.expect("lookup"), None);
        assert_eq!(
            inst.accounts
                .account_by_id(&other.id)
                .await
                .expect("lookup"),
            None
        );
    }
}

/// A phone token is found by its hash (exactly as stored) while `now` is before its
/// `expires_at`, and from that instant on it is gone; other hashes find nothing.
pub async fn a_mobile_token_is_found_by_its_hash_until_it_expires(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let now = qrlogin_core::SystemClock.now();
    let token = mobile_token("acc_x", now + LONG);
    let key = hash(SecretKind::Mobile);
    a.accounts
        .put_mobile_token(&key, &token)
        .await
        .expect("put");
    let found = b.accounts.mobile_token(&key, now).await.expect("get");
    assert_eq!(found, Some(token.clone()));
    let last = b
        .accounts
        .mobile_token(&key, now + LONG - 1)
        .await
        .expect("get");
    assert_eq!(last, Some(token));
    for later in [now + LONG, now + LONG + 1] {
        assert_eq!(
            b.accounts.mobile_token(&key, later).await.expect("get"),
            None
        );
    }
    let other = hash(SecretKind::Mobile);
    assert_eq!(
        b.accounts.mobile_token(&other, now).await.expect("get"),
        None
    );
}

/// A PC session resolves by its token hash while live, and not from its `expires_at`.
pub async fn a_web_session_resolves_by_its_token_until_it_expires(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let now = qrlogin_core::SystemClock.now();
    let (key, session) = web_session("acc_x", now, now + LONG);
    a.accounts
        .put_web_session(&key, &session)
        .await
        .expect("put");
    let found = b
        .accounts
        .web_session_by_token(&key, now)
        .await
        .expect("get");
    assert_eq!(found, Some(session));
    let gone = b.accounts.web_session_by_token(&key, now + LONG).await;
    assert_eq!(gone.expect("get"), None);
    let other = hash(SecretKind::Session);
    assert_eq!(
        b.accounts
            .web_session_by_token(&other, now)
            .await
            .expect("get"),
        None
    );
}

/// The phone's list holds the account's live sessions only, newest first: no expired
/// one, no other account's.
pub async fn web_sessions_are_listed_newest_first_live_and_own_only(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (me, them) = (account().id, account().id);
    let now = qrlogin_core::SystemClock.now();
    let (k_old, old) = web_session(&me, now - 3000, now + LONG);
    let (k_new, new) = web_session(&me, now - 1000, now + LONG);
    let (k_mid, mid) = web_session(&me, now - 2000, now + LONG);
    let (k_dead, dead) = web_session(&me, now - 500, now + 1000);
    let (k_theirs, theirs) = web_session(&them, now, now + LONG);
    for (k, s) in [
        (&k_old, &old),
        (&k_new, &new),
        (&k_mid, &mid),
        (&k_dead, &dead),
    ] {
        a.accounts.put_web_session(k, s).await.expect("put");
    }
    b.accounts
        .put_web_session(&k_theirs, &theirs)
        .await
        .expect("put");

    let listed = b.accounts.web_sessions_of(&me, now).await.expect("list");
    assert_eq!(
        listed,
        vec![dead.clone(), new.clone(), mid.clone(), old.clone()]
    );
    let later = a
        .accounts
        .web_sessions_of(&me, now + 1000)
        .await
        .expect("list");
    assert_eq!(later, vec![new, mid, old]);
    assert_eq!(
        a.accounts.web_sessions_of(&them, now).await.expect("list"),
        vec![theirs]
    );
    let nobody = account().id;
    assert_eq!(
        a.accounts
            .web_sessions_of(&nobody, now)
            .await
            .expect("list"),
        vec![]
    );
}

/// Revoking by id works only for the owning account (any other gets `false` and
/// changes nothing); afterwards the token no longer resolves and the list is empty.
pub async fn a_session_is_revoked_by_id_only_for_its_own_account(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (me, them) = (account().id, account().id);
    let now = qrlogin_core::SystemClock.now();
    let (key, session) = web_session(&me, now, now + LONG);
    a.accounts
        .put_web_session(&key, &session)
        .await
        .expect("put");

    let stolen = b.accounts.revoke_web_session(&them, &session.id).await;
    assert!(
        !stolen.expect("revoke"),
        "another account revoked the session"
    );
    let still = a
        .accounts
        .web_session_by_token(&key, now)
        .await
        .expect("get");
    assert_eq!(still, Some(session.clone()));
    assert!(!b
        .accounts
        .revoke_web_session(&me, "ses_unknown")
        .await
        .expect("revoke"));

    assert!(b
        .accounts
        .revoke_web_session(&me, &session.id)
        .await
        .expect("revoke"));
    assert_eq!(
        a.accounts
            .web_session_by_token(&key, now)
            .await
            .expect("get"),
        None
    );
    assert_eq!(
        a.accounts.web_sessions_of(&me, now).await.expect("list"),
        vec![]
    );
    let again = a.accounts.revoke_web_session(&me, &session.id).await;
    assert!(
        !again.expect("revoke"),
        "a revoked session was revoked twice"
    );
}

/// Logout revokes the session by its token hash, once; the id is then gone too.
pub async fn logout_revokes_a_session_by_its_token_hash(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let me = account().id;
    let now = qrlogin_core::SystemClock.now();
    let (key, session) = web_session(&me, now, now + LONG);
    let (other_key, other) = web_session(&me, now - 1, now + LONG);
    a.accounts
        .put_web_session(&key, &session)
        .await
        .expect("put");
    a.accounts
        .put_web_session(&other_key, &other)
        .await
        .expect("put");

    assert!(b
        .accounts
        .revoke_web_session_token(&key)
        .await
        .expect("logout"));
    assert_eq!(
        a.accounts
            .web_session_by_token(&key, now)
            .await
            .expect("get"),
        None
    );
    assert!(!a
        .accounts
        .revoke_web_session_token(&key)
        .await
        .expect("logout"));
    assert!(!a
        .accounts
        .revoke_web_session(&me, &session.id)
        .await
        .expect("revoke"));
    let left = b.accounts.web_sessions_of(&me, now).await.expect("list");
    assert_eq!(left, vec![other], "logout touched another session");
}
