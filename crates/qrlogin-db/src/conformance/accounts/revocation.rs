//! What a new password, disabling and removing an account do: every phone token and
//! PC session of that account stops at once, on every instance, and nothing of
//! another account changes.

use crate::conformance::fixtures::{
    account, event, hash, mobile_token, stored_account, web_session, LONG, NOW,
};
use crate::conformance::Harness;
use crate::ActivityKind;

/// A new password (or none) is stored and revokes every phone token and PC session of
/// the account at once, on every instance; another account's keep working.
pub async fn a_new_password_revokes_every_token_and_session_of_that_account_only(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (me, other) = (stored_account(&*a).await, stored_account(&*a).await);
    let (my_tok, their_tok) = (hash(), hash());
    assert!(a
        .put_mobile_token(&my_tok, &mobile_token(&me.id, NOW + LONG))
        .await
        .expect("put"));
    assert!(a
        .put_mobile_token(&their_tok, &mobile_token(&other.id, NOW + LONG))
        .await
        .expect("put"));
    let (my_ses_key, my_ses) = web_session(&me.id, NOW, NOW + LONG);
    let (their_ses_key, their_ses) = web_session(&other.id, NOW, NOW + LONG);
    assert!(a.put_web_session(&my_ses_key, &my_ses).await.expect("put"));
    assert!(a
        .put_web_session(&their_ses_key, &their_ses)
        .await
        .expect("put"));

    assert!(b
        .set_password(&me.id, Some("$argon2id$new"), NOW + 1)
        .await
        .expect("passwd"));
    let now = NOW + 2;
    assert_eq!(a.mobile_token(&my_tok, now).await.expect("get"), None);
    assert_eq!(
        a.web_session_by_token(&my_ses_key, now).await.expect("get"),
        None
    );
    assert!(a
        .web_sessions_of(&me.id, now)
        .await
        .expect("list")
        .is_empty());
    assert!(a
        .mobile_token(&their_tok, now)
        .await
        .expect("get")
        .is_some());
    assert_eq!(
        a.web_session_by_token(&their_ses_key, now)
            .await
            .expect("get"),
        Some(their_ses)
    );
    let stored = a
        .account_by_id(&me.id)
        .await
        .expect("get")
        .expect("account");
    assert_eq!(stored.password_hash.as_deref(), Some("$argon2id$new"));
    assert_eq!(stored.updated_at, NOW + 1);

    assert!(b.set_password(&me.id, None, NOW + 3).await.expect("clear"));
    let stored = a
        .account_by_id(&me.id)
        .await
        .expect("get")
        .expect("account");
    assert_eq!(stored.password_hash, None);
}

/// Disabling an account kills its tokens and sessions at once; enabling it again lets
/// it sign in anew but brings none of the old ones back.
pub async fn disabling_kills_every_token_and_enabling_brings_none_back(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let me = stored_account(&*a).await;
    let tok = hash();
    assert!(a
        .put_mobile_token(&tok, &mobile_token(&me.id, NOW + LONG))
        .await
        .expect("put"));
    let (ses_key, ses) = web_session(&me.id, NOW, NOW + LONG);
    assert!(a.put_web_session(&ses_key, &ses).await.expect("put"));

    assert!(b
        .set_disabled(&me.id, true, NOW + 1)
        .await
        .expect("disable"));
    let stored = a
        .account_by_id(&me.id)
        .await
        .expect("get")
        .expect("account");
    assert!(stored.disabled);
    assert_eq!(a.mobile_token(&tok, NOW + 2).await.expect("get"), None);
    assert!(a
        .mobile_token_with_account(&tok, NOW + 2)
        .await
        .expect("get")
        .is_none());
    assert_eq!(
        a.web_session_by_token(&ses_key, NOW + 2)
            .await
            .expect("get"),
        None
    );

    assert!(b
        .set_disabled(&me.id, false, NOW + 3)
        .await
        .expect("enable"));
    assert!(
        !a.account_by_id(&me.id)
            .await
            .expect("get")
            .expect("account")
            .disabled
    );
    assert_eq!(a.mobile_token(&tok, NOW + 4).await.expect("get"), None);
    assert_eq!(
        a.web_session_by_token(&ses_key, NOW + 4)
            .await
            .expect("get"),
        None
    );
    let fresh = hash();
    assert!(a
        .put_mobile_token(&fresh, &mobile_token(&me.id, NOW + LONG))
        .await
        .expect("put"));
    let found = a.mobile_token(&fresh, NOW + 4).await.expect("get");
    let (token, account) = a
        .mobile_token_with_account(&fresh, NOW + 4)
        .await
        .expect("get")
        .expect("a live token of an enabled account");
    assert_eq!(Some(&token), found.as_ref(), "the same token either way");
    assert_eq!(account.id, me.id);
    assert!(!account.disabled);
    assert_eq!(
        a.mobile_token_with_account(&fresh, NOW + LONG)
            .await
            .expect("get"),
        None,
        "not once it has expired"
    );
}

/// Removing an account removes its tokens, sessions, links and activity; its username
/// is free again; another account is untouched.
pub async fn a_removed_account_leaves_no_token_session_link_or_event(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let (me, other) = (stored_account(&*a).await, stored_account(&*a).await);
    let tok = hash();
    assert!(a
        .put_mobile_token(&tok, &mobile_token(&me.id, NOW + LONG))
        .await
        .expect("put"));
    let (ses_key, ses) = web_session(&me.id, NOW, NOW + LONG);
    assert!(a.put_web_session(&ses_key, &ses).await.expect("put"));
    a.append_event(&event(&me.id, NOW, ActivityKind::QrConfirmed))
        .await
        .expect("event");
    a.append_event(&event(&other.id, NOW, ActivityKind::QrConfirmed))
        .await
        .expect("event");
    // Links are made with a new account on first use; removing that account drops them.
    let via_link = a.link_or_create("iss", "sub-1", &account(), NOW).await;
    let via_link = via_link.expect("link").expect("created");

    assert!(b.remove_account(&me.id).await.expect("remove"));
    assert!(b.remove_account(&via_link.id).await.expect("remove"));
    assert!(!b.remove_account(&me.id).await.expect("remove again"));
    assert_eq!(a.account_by_id(&me.id).await.expect("get"), None);
    assert_eq!(
        a.account_by_username(&me.username).await.expect("get"),
        None
    );
    assert_eq!(a.mobile_token(&tok, NOW).await.expect("get"), None);
    assert_eq!(
        a.web_session_by_token(&ses_key, NOW).await.expect("get"),
        None
    );
    assert!(a.events_of(&me.id, 50).await.expect("events").is_empty());
    assert_eq!(a.account_by_link("iss", "sub-1").await.expect("link"), None);
    assert_eq!(a.events_of(&other.id, 50).await.expect("events").len(), 1);
    assert_eq!(a.list_accounts().await.expect("list"), vec![other]);
    // The name is free again.
    let mut again = account();
    again.username = me.username.clone();
    assert!(a.create_account(&again).await.expect("create"));
}
