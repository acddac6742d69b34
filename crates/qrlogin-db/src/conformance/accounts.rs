//! Checks of [`AccountDb`](crate::AccountDb).

use super::fixtures::{account, event, hash, mobile_token, stored_account, web_session, LONG, NOW};
use super::Harness;
use crate::ActivityKind;
use qrlogin_core::{AccountId, SessionId};

/// An account reads back field for field by username and by id, also on an instance
/// opened after the write; unknown names and ids are `None`.
pub async fn an_account_reads_back_exactly_by_username_and_by_id_on_another_instance(
    h: &dyn Harness,
) {
    let a = h.open().await;
    let mut acc = account();
    acc.password_hash = None; // a passkey-only account keeps "no password"
    assert!(a.create_account(&acc).await.expect("create"));
    let b = h.open().await;
    for db in [&a, &b] {
        let by_name = db.account_by_username(&acc.username).await.expect("get");
        assert_eq!(by_name, Some(acc.clone()));
        assert_eq!(
            db.account_by_id(&acc.id).await.expect("get"),
            Some(acc.clone())
        );
        let other = account();
        assert_eq!(
            db.account_by_username(&other.username).await.expect("get"),
            None
        );
        assert_eq!(db.account_by_id(&other.id).await.expect("get"), None);
    }
}

/// A second account with a taken username, or a taken id, is refused, and the first
/// is unchanged.
pub async fn a_duplicate_username_or_id_is_refused_and_changes_nothing(h: &dyn Harness) {
    let db = h.open().await;
    let first = stored_account(&*db).await;
    let mut same_name = account();
    same_name.username = first.username.clone();
    same_name.display_name = "Mallory".into();
    assert!(!db.create_account(&same_name).await.expect("create"));
    let mut same_id = account();
    same_id.id = first.id.clone();
    assert!(!db.create_account(&same_id).await.expect("create"));
    assert_eq!(db.list_accounts().await.expect("list"), vec![first.clone()]);
    assert_eq!(db.account_by_id(&same_name.id).await.expect("get"), None);
    assert_eq!(
        db.account_by_username(&same_id.username)
            .await
            .expect("get"),
        None
    );
}

/// `list_accounts` gives every account, ordered by username.
pub async fn accounts_are_listed_by_username(h: &dyn Harness) {
    let db = h.open().await;
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(stored_account(&*db).await);
    }
    made.sort_by(|x, y| x.username.cmp(&y.username));
    assert_eq!(db.list_accounts().await.expect("list"), made);
}

/// A profile update sets the display name, avatar and `updated_at`, nothing else.
pub async fn a_profile_update_changes_name_and_avatar_only(h: &dyn Harness) {
    let db = h.open().await;
    let acc = stored_account(&*db).await;
    let ok = db.update_profile(&acc.id, "Bob ✓", None, NOW + 5).await;
    assert!(ok.expect("update"));
    let mut want = acc.clone();
    want.display_name = "Bob ✓".into();
    want.avatar_url = None;
    want.updated_at = NOW + 5;
    assert_eq!(db.account_by_id(&acc.id).await.expect("get"), Some(want));
}

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

/// Every change to an id that names no account answers `false` and writes nothing.
pub async fn changes_to_an_unknown_account_answer_false(h: &dyn Harness) {
    let db = h.open().await;
    let ghost = AccountId::generate();
    assert!(!db
        .update_profile(&ghost, "x", None, NOW)
        .await
        .expect("profile"));
    assert!(!db
        .set_password(&ghost, Some("h"), NOW)
        .await
        .expect("passwd"));
    assert!(!db.set_disabled(&ghost, true, NOW).await.expect("disable"));
    assert!(!db.remove_account(&ghost).await.expect("remove"));
    let unknown = SessionId::generate();
    assert!(!db
        .revoke_web_session(&ghost, &unknown)
        .await
        .expect("revoke"));
    assert!(db.list_accounts().await.expect("list").is_empty());
}

/// Sixteen sign-ups with one username, racing on two instances: exactly one wins, and
/// the stored account is the winner's.
pub async fn of_concurrent_sign_ups_with_one_username_exactly_one_wins(h: &dyn Harness) {
    let (a, b) = (h.open().await, h.open().await);
    let name = account().username;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let db = if i % 2 == 0 { a.clone() } else { b.clone() };
        let mut acc = account();
        acc.username = name.clone();
        tasks.push(tokio::spawn(async move {
            let won = db.create_account(&acc).await.expect("create");
            (won, acc)
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        let (won, acc) = t.await.expect("task");
        if won {
            winners.push(acc);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one sign-up wins");
    assert_eq!(
        a.account_by_username(&name).await.expect("get"),
        winners.pop()
    );
}
