//! Checks of [`AccountDb`](crate::AccountDb): the records themselves here; what a new
//! password, disabling and removal do to an account's tokens, sessions, links and
//! activity in `revocation` (re-exported, so every check is `accounts::…`).

use super::fixtures::{account, stored_account, NOW};
use super::Harness;
use qrlogin_core::{AccountId, SessionId};

mod revocation;
pub use revocation::{
    a_new_password_revokes_every_token_and_session_of_that_account_only,
    a_removed_account_leaves_no_token_session_link_or_event,
    disabling_kills_every_token_and_enabling_brings_none_back,
};

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
